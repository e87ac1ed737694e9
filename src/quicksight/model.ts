import type { ActionConnector, ActionConnectorSearchFilter, ActionConnectorSummary } from '@aws-sdk/client-quicksight';
import { DescribeActionConnectorResponse$, ListActionConnectorsResponse$, SearchActionConnectorsResponse$ } from '@aws-sdk/client-quicksight';
import type { SdkSchema } from '../aws/sdk-shapes.js';

/**
 * The SDK's static schemas of what this domain's reads return: which members AWS marks sensitive,
 * and where a credential member sits (src/schema/credential-members.ts).
 */
export const QUICKSIGHT_READ_OUTPUTS: readonly SdkSchema[] = [DescribeActionConnectorResponse$, ListActionConnectorsResponse$, SearchActionConnectorsResponse$];

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

/**
 * A connector as a page of ListActionConnectors / SearchActionConnectors delivers it: its key and
 * the SDK's `ActionConnectorSummary`. Fields the summary lacks are described on demand.
 */
export interface ListedActionConnector extends ActionConnectorKey {
  summary: ActionConnectorSummary;
}

/** What resolvers of `QuickSightActionConnector` receive: a described connector or a listed one. */
export type ActionConnectorParent = ActionConnectorRecord | ListedActionConnector;

export function isListedActionConnector(parent: ActionConnectorParent): parent is ListedActionConnector {
  return 'summary' in parent;
}

/** One ListActionConnectors / SearchActionConnectors call: the search filter is absent for a plain list. */
export interface ActionConnectorListRequest {
  awsAccountId: string;
  filter?: ActionConnectorSearchFilter;
  maxResults: number;
  nextToken?: string;
}

export interface ActionConnectorListPage {
  summaries: ActionConnectorSummary[];
  nextToken?: string;
}

export function listActionConnectorsSubject(request: Pick<ActionConnectorListRequest, 'awsAccountId'>): string {
  return `The QuickSight action connectors of account ${request.awsAccountId}`;
}
