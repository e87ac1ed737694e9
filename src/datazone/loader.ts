import { type DataZoneClient, GetConnectionCommand, type GetConnectionOutput, ListConnectionsCommand } from '@aws-sdk/client-datazone';
import DataLoader from 'dataloader';
import { fetchEach } from '../aws/batch.js';
import { type AwsCallScope, explainAbort, installCallScope, withScope } from '../aws/call.js';
import { toGraphQLError } from '../aws/errors.js';
import type { AwsReads } from '../aws/shared-reads.js';
import {
  type ConnectionKey,
  type ConnectionListPage,
  type ConnectionListRequest,
  getConnectionSubject,
  listConnectionsSubject,
} from './model.js';

export type ConnectionLoader = DataLoader<ConnectionKey, GetConnectionOutput, string>;

async function getConnection(client: DataZoneClient, key: ConnectionKey, scope: AwsCallScope): Promise<GetConnectionOutput> {
  const command = new GetConnectionCommand(
    withScope(
      {
        domainIdentifier: key.domainIdentifier,
        identifier: key.identifier,
        // Only ever `true` or absent: the gateway asks for secrets only on behalf of callers allowed to read them.
        ...(key.withSecret ? { withSecret: true } : {}),
      },
      scope,
    ),
  );
  const output = await client.send(command);
  // The entity key must resolve even if AWS omitted it from the body.
  return { ...output, domainId: output.domainId ?? key.domainIdentifier, connectionId: output.connectionId ?? key.identifier };
}

/**
 * One per request: deduplicates and batches GetConnection calls of one operation. Across requests,
 * `shared` coalesces (and, when configured, caches) only calls without `withSecret`: a secret-bearing
 * answer is fetched for its own request alone. `scope` carries the request's id (a header on each
 * call), its deadline (an AbortSignal the SDK honours) and its caller (whose turn its calls take
 * in the client-side rate limit's queue).
 */
export function createConnectionLoader(client: DataZoneClient, concurrency: number, shared: AwsReads, scope: AwsCallScope = {}): ConnectionLoader {
  installCallScope(client);
  return new DataLoader(
    (keys) =>
      fetchEach(
        keys,
        concurrency,
        (key) =>
          shared.read(
            `GetConnection/${key.domainIdentifier}/${key.identifier}`,
            !key.withSecret,
            (callScope) => getConnection(client, key, callScope),
            scope,
          ),
        (error, key) => toGraphQLError(explainAbort(error, scope), 'datazone', getConnectionSubject(key)),
      ),
    { cacheKeyFn: (key) => `${key.domainIdentifier}/${key.identifier}/${key.withSecret ? 'secret' : 'plain'}` },
  );
}

export type ConnectionPageLoader = DataLoader<ConnectionListRequest, ConnectionListPage, string>;

// This domain's loaders in the request context (src/core/context.ts names no domain).
declare module '../core/context.js' {
  interface Loaders {
    connection: ConnectionLoader;
    /** Pages of ListConnections. */
    connectionPages: ConnectionPageLoader;
  }
}

async function listConnections(client: DataZoneClient, request: ConnectionListRequest, scope: AwsCallScope): Promise<ConnectionListPage> {
  const output = await client.send(new ListConnectionsCommand(withScope({ ...request }, scope)));
  return { summaries: output.items ?? [], ...(output.nextToken ? { nextToken: output.nextToken } : {}) };
}

/** One per request: identical list pages asked for twice in one operation (aliases) cost one call. */
export function createConnectionPageLoader(client: DataZoneClient, concurrency: number, scope: AwsCallScope = {}): ConnectionPageLoader {
  installCallScope(client);
  const members = ['domainIdentifier', 'projectIdentifier', 'environmentIdentifier', 'name', 'type', 'scope', 'sortBy', 'sortOrder', 'maxResults', 'nextToken'] as const;
  return new DataLoader(
    (requests) =>
      fetchEach(requests, concurrency, (request) => listConnections(client, request, scope), (error, request) =>
        toGraphQLError(explainAbort(error, scope), 'datazone', listConnectionsSubject(request)),
      ),
    { cacheKeyFn: (request) => JSON.stringify(members.map((member) => request[member] ?? null)) },
  );
}
