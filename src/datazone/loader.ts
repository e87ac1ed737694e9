import { type DataZoneClient, GetConnectionCommand, type GetConnectionOutput, ListConnectionsCommand } from '@aws-sdk/client-datazone';
import DataLoader from 'dataloader';
import { fetchEach } from '../aws/batch.js';
import { toGraphQLError } from '../aws/errors.js';
import {
  type ConnectionKey,
  type ConnectionListPage,
  type ConnectionListRequest,
  getConnectionSubject,
  listConnectionsSubject,
} from './model.js';

export type ConnectionLoader = DataLoader<ConnectionKey, GetConnectionOutput, string>;

async function getConnection(client: DataZoneClient, key: ConnectionKey): Promise<GetConnectionOutput> {
  const output = await client.send(
    new GetConnectionCommand({
      domainIdentifier: key.domainIdentifier,
      identifier: key.identifier,
      // Only ever `true` or absent: the gateway asks for secrets only on behalf of callers allowed to read them.
      ...(key.withSecret ? { withSecret: true } : {}),
    }),
  );
  // The entity key must resolve even if AWS omitted it from the body.
  return { ...output, domainId: output.domainId ?? key.domainIdentifier, connectionId: output.connectionId ?? key.identifier };
}

/** One per request: deduplicates and batches GetConnection calls of one operation. */
export function createConnectionLoader(client: DataZoneClient, concurrency: number): ConnectionLoader {
  return new DataLoader(
    (keys) =>
      fetchEach(keys, concurrency, (key) => getConnection(client, key), (error, key) =>
        toGraphQLError(error, 'datazone', getConnectionSubject(key)),
      ),
    { cacheKeyFn: (key) => `${key.domainIdentifier}/${key.identifier}/${key.withSecret ? 'secret' : 'plain'}` },
  );
}

export type ConnectionPageLoader = DataLoader<ConnectionListRequest, ConnectionListPage, string>;

async function listConnections(client: DataZoneClient, request: ConnectionListRequest): Promise<ConnectionListPage> {
  const output = await client.send(new ListConnectionsCommand(request));
  return { summaries: output.items ?? [], ...(output.nextToken ? { nextToken: output.nextToken } : {}) };
}

/** One per request: identical list pages asked for twice in one operation (aliases) cost one call. */
export function createConnectionPageLoader(client: DataZoneClient, concurrency: number): ConnectionPageLoader {
  const members = ['domainIdentifier', 'projectIdentifier', 'environmentIdentifier', 'name', 'type', 'scope', 'sortBy', 'sortOrder', 'maxResults', 'nextToken'] as const;
  return new DataLoader(
    (requests) =>
      fetchEach(requests, concurrency, (request) => listConnections(client, request), (error, request) =>
        toGraphQLError(error, 'datazone', listConnectionsSubject(request)),
      ),
    { cacheKeyFn: (request) => JSON.stringify(members.map((member) => request[member] ?? null)) },
  );
}
