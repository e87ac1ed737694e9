import { DescribeActionConnectorCommand, type QuickSightClient } from '@aws-sdk/client-quicksight';
import DataLoader from 'dataloader';
import { fetchEach } from '../aws/batch.js';
import { toGraphQLError } from '../aws/errors.js';
import type { AwsReads } from '../aws/shared-reads.js';
import { type ActionConnectorKey, type ActionConnectorRecord, describeActionConnectorSubject } from './model.js';

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

/**
 * One per request: deduplicates and batches DescribeActionConnector calls of one operation. Across
 * requests, `shared` coalesces concurrent identical calls (and caches them when configured): the
 * response carries no credential.
 */
export function createActionConnectorLoader(client: QuickSightClient, concurrency: number, shared: AwsReads): ActionConnectorLoader {
  return new DataLoader(
    (keys) =>
      fetchEach(
        keys,
        concurrency,
        (key) => shared.read(`DescribeActionConnector/${key.awsAccountId}/${key.actionConnectorId}`, true, () => describeActionConnector(client, key)),
        (error, key) => toGraphQLError(error, 'quicksight', describeActionConnectorSubject(key)),
      ),
    { cacheKeyFn: (key) => `${key.awsAccountId}/${key.actionConnectorId}` },
  );
}
