import {
  DescribeActionConnectorCommand,
  ListActionConnectorsCommand,
  type QuickSightClient,
  SearchActionConnectorsCommand,
} from '@aws-sdk/client-quicksight';
import DataLoader from 'dataloader';
import { fetchEach } from '../aws/batch.js';
import { type AwsCallScope, explainAbort, installCallScope, withScope } from '../aws/call.js';
import { toGraphQLError } from '../aws/errors.js';
import type { AwsReads } from '../aws/shared-reads.js';
import {
  type ActionConnectorKey,
  type ActionConnectorListPage,
  type ActionConnectorListRequest,
  type ActionConnectorRecord,
  describeActionConnectorSubject,
  listActionConnectorsSubject,
} from './model.js';

export type ActionConnectorLoader = DataLoader<ActionConnectorKey, ActionConnectorRecord, string>;

async function describeActionConnector(client: QuickSightClient, key: ActionConnectorKey, scope: AwsCallScope): Promise<ActionConnectorRecord> {
  const command = new DescribeActionConnectorCommand(withScope({ AwsAccountId: key.awsAccountId, ActionConnectorId: key.actionConnectorId }, scope));
  const response = await client.send(command);
  return {
    awsAccountId: key.awsAccountId,
    actionConnectorId: response.ActionConnector?.ActionConnectorId ?? key.actionConnectorId,
    connector: response.ActionConnector ?? {},
    describeResponse: { requestId: response.RequestId, status: response.Status },
  };
}

/**
 * One per request: deduplicates and batches DescribeActionConnector calls of one operation. Across
 * requests, `shared` coalesces concurrent identical calls (and caches them when configured): the
 * response carries no credential. `scope` carries the request's id (a header on each call), its
 * deadline (an AbortSignal the SDK honours) and its caller (whose turn its calls take in the
 * client-side rate limit's queue).
 */
export function createActionConnectorLoader(client: QuickSightClient, concurrency: number, shared: AwsReads, scope: AwsCallScope = {}): ActionConnectorLoader {
  installCallScope(client);
  return new DataLoader(
    (keys) =>
      fetchEach(
        keys,
        concurrency,
        (key) =>
          shared.read(
            `DescribeActionConnector/${key.awsAccountId}/${key.actionConnectorId}`,
            true,
            (callScope) => describeActionConnector(client, key, callScope),
            scope,
          ),
        (error, key) => toGraphQLError(explainAbort(error, scope), 'quicksight', describeActionConnectorSubject(key)),
      ),
    { cacheKeyFn: (key) => `${key.awsAccountId}/${key.actionConnectorId}` },
  );
}

export type ActionConnectorPageLoader = DataLoader<ActionConnectorListRequest, ActionConnectorListPage, string>;

// This domain's loaders in the request context (src/core/context.ts names no domain).
declare module '../core/context.js' {
  interface Loaders {
    actionConnector: ActionConnectorLoader;
    /** Pages of ListActionConnectors / SearchActionConnectors. */
    actionConnectorPages: ActionConnectorPageLoader;
  }
}

/** ListActionConnectors, or SearchActionConnectors when the request carries a filter. */
async function listActionConnectors(client: QuickSightClient, request: ActionConnectorListRequest, scope: AwsCallScope): Promise<ActionConnectorListPage> {
  const paging = { AwsAccountId: request.awsAccountId, MaxResults: request.maxResults, NextToken: request.nextToken };
  const response = request.filter
    ? await client.send(new SearchActionConnectorsCommand(withScope({ ...paging, Filters: [request.filter] }, scope)))
    : await client.send(new ListActionConnectorsCommand(withScope(paging, scope)));
  return { summaries: response.ActionConnectorSummaries ?? [], ...(response.NextToken ? { nextToken: response.NextToken } : {}) };
}

/** One per request: identical list pages asked for twice in one operation (aliases) cost one call. */
export function createActionConnectorPageLoader(client: QuickSightClient, concurrency: number, scope: AwsCallScope = {}): ActionConnectorPageLoader {
  installCallScope(client);
  return new DataLoader(
    (requests) =>
      fetchEach(requests, concurrency, (request) => listActionConnectors(client, request, scope), (error, request) =>
        toGraphQLError(explainAbort(error, scope), 'quicksight', listActionConnectorsSubject(request)),
      ),
    { cacheKeyFn: (request) => JSON.stringify([request.awsAccountId, request.filter ?? null, request.maxResults, request.nextToken ?? null]) },
  );
}
