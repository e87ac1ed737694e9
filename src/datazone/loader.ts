import { type DataZoneClient, GetConnectionCommand, type GetConnectionOutput } from '@aws-sdk/client-datazone';
import DataLoader from 'dataloader';
import { fetchEach } from '../aws/batch.js';
import { type AwsCallScope, explainAbort, withRequestId } from '../aws/call.js';
import { toGraphQLError } from '../aws/errors.js';
import { type ConnectionKey, getConnectionSubject } from './model.js';

export type ConnectionLoader = DataLoader<ConnectionKey, GetConnectionOutput, string>;

async function getConnection(client: DataZoneClient, key: ConnectionKey, scope: AwsCallScope): Promise<GetConnectionOutput> {
  const command = withRequestId(
    new GetConnectionCommand({
      domainIdentifier: key.domainIdentifier,
      identifier: key.identifier,
      // Only ever `true` or absent: the gateway asks for secrets only on behalf of callers allowed to read them.
      ...(key.withSecret ? { withSecret: true } : {}),
    }),
    scope.requestId,
  );
  const output = await client.send(command, { abortSignal: scope.signal });
  // The entity key must resolve even if AWS omitted it from the body.
  return { ...output, domainId: output.domainId ?? key.domainIdentifier, connectionId: output.connectionId ?? key.identifier };
}

/**
 * One per request: deduplicates and batches GetConnection calls of one operation. `scope` carries the
 * request's id (a header on each call) and its deadline (an AbortSignal the SDK honours).
 */
export function createConnectionLoader(client: DataZoneClient, concurrency: number, scope: AwsCallScope = {}): ConnectionLoader {
  return new DataLoader(
    (keys) =>
      fetchEach(keys, concurrency, (key) => getConnection(client, key, scope), (error, key) =>
        toGraphQLError(explainAbort(error, scope), 'datazone', getConnectionSubject(key)),
      ),
    { cacheKeyFn: (key) => `${key.domainIdentifier}/${key.identifier}/${key.withSecret ? 'secret' : 'plain'}` },
  );
}
