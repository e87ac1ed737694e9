import {
  DescribeActionConnectorCommand,
  ListActionConnectorsCommand,
  type QuickSightClient,
  SearchActionConnectorsCommand,
} from '@aws-sdk/client-quicksight';
import DataLoader from 'dataloader';
import { fetchEach } from '../aws/batch.js';
import { toGraphQLError } from '../aws/errors.js';
import {
  type ActionConnectorKey,
  type ActionConnectorListPage,
  type ActionConnectorListRequest,
  type ActionConnectorRecord,
  describeActionConnectorSubject,
  listActionConnectorsSubject,
} from './model.js';

export type ActionConnectorLoader = DataLoader<ActionConnectorKey, ActionConnectorRecord, string>;

async function describeActionConnector(client: QuickSightClient, key: ActionConnectorKey): Promise<ActionConnectorRecord> {
  const response = await client.send(
    new DescribeActionConnectorCommand({ AwsAccountId: key.awsAccountId, ActionConnectorId: key.actionConnectorId }),
  );
  return {
    awsAccountId: key.awsAccountId,
    actionConnectorId: response.ActionConnector?.ActionConnectorId ?? key.actionConnectorId,
    connector: response.ActionConnector ?? {},
    describeResponse: { requestId: response.RequestId, status: response.Status },
  };
}

/** One per request: deduplicates and batches DescribeActionConnector calls of one operation. */
export function createActionConnectorLoader(client: QuickSightClient, concurrency: number): ActionConnectorLoader {
  return new DataLoader(
    (keys) =>
      fetchEach(keys, concurrency, (key) => describeActionConnector(client, key), (error, key) =>
        toGraphQLError(error, 'quicksight', describeActionConnectorSubject(key)),
      ),
    { cacheKeyFn: (key) => `${key.awsAccountId}/${key.actionConnectorId}` },
  );
}

export type ActionConnectorPageLoader = DataLoader<ActionConnectorListRequest, ActionConnectorListPage, string>;

/** ListActionConnectors, or SearchActionConnectors when the request carries a filter. */
async function listActionConnectors(client: QuickSightClient, request: ActionConnectorListRequest): Promise<ActionConnectorListPage> {
  const paging = { AwsAccountId: request.awsAccountId, MaxResults: request.maxResults, NextToken: request.nextToken };
  const response = request.filter
    ? await client.send(new SearchActionConnectorsCommand({ ...paging, Filters: [request.filter] }))
    : await client.send(new ListActionConnectorsCommand(paging));
  return { summaries: response.ActionConnectorSummaries ?? [], ...(response.NextToken ? { nextToken: response.NextToken } : {}) };
}

/** One per request: identical list pages asked for twice in one operation (aliases) cost one call. */
export function createActionConnectorPageLoader(client: QuickSightClient, concurrency: number): ActionConnectorPageLoader {
  return new DataLoader(
    (requests) =>
      fetchEach(requests, concurrency, (request) => listActionConnectors(client, request), (error, request) =>
        toGraphQLError(error, 'quicksight', listActionConnectorsSubject(request)),
      ),
    { cacheKeyFn: (request) => JSON.stringify([request.awsAccountId, request.filter ?? null, request.maxResults, request.nextToken ?? null]) },
  );
}
