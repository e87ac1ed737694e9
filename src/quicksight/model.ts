import type { ActionConnector } from '@aws-sdk/client-quicksight';

/** The entity key of `QuickSightActionConnector`, and the DataLoader key of DescribeActionConnector. */
export interface ActionConnectorKey {
  awsAccountId: string;
  actionConnectorId: string;
}

/** The response's own members, which sit beside the connector: `RequestId` and the HTTP `Status`. */
export interface DescribeResponseMetadata {
  requestId?: string;
  status?: number;
}

/**
 * What resolvers of `QuickSightActionConnector` receive: the key it was asked by (the response
 * has no account id) and the SDK's own `ActionConnector`.
 */
export interface ActionConnectorRecord extends ActionConnectorKey {
  connector: Partial<ActionConnector>;
  describeResponse: DescribeResponseMetadata;
}

export function describeActionConnectorSubject(key: ActionConnectorKey): string {
  return `QuickSight action connector "${key.actionConnectorId}" in account ${key.awsAccountId}`;
}
