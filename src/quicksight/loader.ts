import { DescribeActionConnectorCommand, type QuickSightClient } from '@aws-sdk/client-quicksight';
import DataLoader from 'dataloader';
import { fetchEach } from '../aws/batch.js';
import { type AwsCallScope, explainAbort, withRequestId } from '../aws/call.js';
import { toGraphQLError } from '../aws/errors.js';
import { type ActionConnectorKey, type ActionConnectorRecord, describeActionConnectorSubject } from './model.js';

export type ActionConnectorLoader = DataLoader<ActionConnectorKey, ActionConnectorRecord, string>;

async function describeActionConnector(client: QuickSightClient, key: ActionConnectorKey, scope: AwsCallScope): Promise<ActionConnectorRecord> {
  const command = withRequestId(
    new DescribeActionConnectorCommand({ AwsAccountId: key.awsAccountId, ActionConnectorId: key.actionConnectorId }),
    scope.requestId,
  );
  const response = await client.send(command, { abortSignal: scope.signal });
  return {
    awsAccountId: key.awsAccountId,
    actionConnectorId: response.ActionConnector?.ActionConnectorId ?? key.actionConnectorId,
    connector: response.ActionConnector ?? {},
    describeResponse: { requestId: response.RequestId, status: response.Status },
  };
}

/**
 * One per request: deduplicates and batches DescribeActionConnector calls of one operation. `scope`
 * carries the request's id (a header on each call) and its deadline (an AbortSignal the SDK honours).
 */
export function createActionConnectorLoader(client: QuickSightClient, concurrency: number, scope: AwsCallScope = {}): ActionConnectorLoader {
  return new DataLoader(
    (keys) =>
      fetchEach(keys, concurrency, (key) => describeActionConnector(client, key, scope), (error, key) =>
        toGraphQLError(explainAbort(error, scope), 'quicksight', describeActionConnectorSubject(key)),
      ),
    { cacheKeyFn: (key) => `${key.awsAccountId}/${key.actionConnectorId}` },
  );
}
