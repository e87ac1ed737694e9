import { type DataZoneClient, GetConnectionCommand, type GetConnectionOutput } from '@aws-sdk/client-datazone';
import DataLoader from 'dataloader';
import { fetchEach } from '../aws/batch.js';
import { toGraphQLError } from '../aws/errors.js';
import type { AwsReads } from '../aws/shared-reads.js';
import { type ConnectionKey, getConnectionSubject } from './model.js';

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

/**
 * One per request: deduplicates and batches GetConnection calls of one operation. Across requests,
 * `shared` coalesces (and, when configured, caches) only calls without `withSecret`: a secret-bearing
 * answer is fetched for its own request alone.
 */
export function createConnectionLoader(client: DataZoneClient, concurrency: number, shared: AwsReads): ConnectionLoader {
  return new DataLoader(
    (keys) =>
      fetchEach(
        keys,
        concurrency,
        (key) => shared.read(`GetConnection/${key.domainIdentifier}/${key.identifier}`, !key.withSecret, () => getConnection(client, key)),
        (error, key) => toGraphQLError(error, 'datazone', getConnectionSubject(key)),
      ),
    { cacheKeyFn: (key) => `${key.domainIdentifier}/${key.identifier}/${key.withSecret ? 'secret' : 'plain'}` },
  );
}
