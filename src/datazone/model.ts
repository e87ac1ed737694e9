/** The DataLoader key of GetConnection. `withSecret` is part of the key: a secret-bearing answer is never served to a request that did not qualify for it. */
export interface ConnectionKey {
  domainIdentifier: string;
  identifier: string;
  withSecret: boolean;
}

export function getConnectionSubject(key: Pick<ConnectionKey, 'domainIdentifier' | 'identifier'>): string {
  return `DataZone connection "${key.identifier}" in domain ${key.domainIdentifier}`;
}
