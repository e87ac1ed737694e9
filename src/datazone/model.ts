import type { ConnectionSummary, GetConnectionOutput, ListConnectionsInput } from '@aws-sdk/client-datazone';
import { GetConnectionOutput$, ListConnectionsOutput$ } from '@aws-sdk/client-datazone';
import type { SdkSchema } from '../aws/sdk-shapes.js';

/**
 * The SDK's static schemas of what this domain's reads return: which members AWS marks sensitive,
 * and where a credential member sits (src/schema/credential-members.ts).
 */
export const DATAZONE_READ_OUTPUTS: readonly SdkSchema[] = [GetConnectionOutput$, ListConnectionsOutput$];

/** The DataLoader key of GetConnection. `withSecret` is part of the key: a secret-bearing answer is never served to a request that did not qualify for it. */
export interface ConnectionKey {
  domainIdentifier: string;
  identifier: string;
  withSecret: boolean;
}

export function getConnectionSubject(key: Pick<ConnectionKey, 'domainIdentifier' | 'identifier'>): string {
  return `DataZone connection "${key.identifier}" in domain ${key.domainIdentifier}`;
}

/**
 * A connection as a page of ListConnections delivers it: the SDK's `ConnectionSummary`, and the
 * GetConnection key that fields the summary lacks load through. `detailKey.withSecret` is decided once
 * for the whole list (caller's scopes, selection), so every detail field of one item shares one call.
 */
export interface ListedConnection {
  summary: ConnectionSummary;
  detailKey: ConnectionKey;
}

/** What resolvers of `DataZoneConnection` receive: a GetConnection answer or a listed connection. */
export type ConnectionParent = GetConnectionOutput | ListedConnection;

export function isListedConnection(parent: ConnectionParent): parent is ListedConnection {
  return 'detailKey' in parent;
}

/** One ListConnections call: the SDK's input without the paging members, plus them. */
export type ConnectionListRequest = Omit<ListConnectionsInput, 'maxResults' | 'nextToken'> & {
  domainIdentifier: string;
  maxResults: number;
  nextToken?: string;
};

export interface ConnectionListPage {
  summaries: ConnectionSummary[];
  nextToken?: string;
}

export function listConnectionsSubject(request: Pick<ConnectionListRequest, 'domainIdentifier'>): string {
  return `The DataZone connections of domain ${request.domainIdentifier}`;
}
