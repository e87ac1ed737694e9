import { badUserInput } from '../aws/errors.js';

/** DataZone domain ids are `dzd_`/`dzd-` plus up to 36 characters; connection ids are word characters and hyphens. */
const DOMAIN_ID = /^dzd[-_][a-zA-Z0-9_-]{1,36}$/;
const CONNECTION_ID = /^[a-zA-Z0-9_-]{1,128}$/;
/** ListConnections' project and environment filters (API reference patterns). */
const PROJECT_OR_ENVIRONMENT_ID = /^[a-zA-Z0-9_-]{1,36}$/;
const CONNECTION_NAME_MAX = 64;

/** Refuses a domain id that breaks DataZone's pattern, before any AWS call. */
export function validateDomainIdentifier(domainIdentifier: unknown, argumentName = 'domainIdentifier'): void {
  if (typeof domainIdentifier !== 'string' || !DOMAIN_ID.test(domainIdentifier)) {
    throw badUserInput(argumentName, 'a DataZone domain id looks like "dzd_" or "dzd-" followed by 1 to 36 letters, digits, "_" or "-"');
  }
}

/** Refuses ListConnections filter values that break DataZone's documented constraints, before any AWS call. */
export function validateConnectionListFilter(filter: { projectIdentifier?: unknown; environmentIdentifier?: unknown; name?: unknown }): void {
  for (const member of ['projectIdentifier', 'environmentIdentifier'] as const) {
    const value = filter[member];
    if (value !== undefined && value !== null && (typeof value !== 'string' || !PROJECT_OR_ENVIRONMENT_ID.test(value))) {
      throw badUserInput(`filter.${member}`, 'a DataZone project or environment id is 1 to 36 letters, digits, "_" or "-"');
    }
  }
  const name = filter.name;
  if (name !== undefined && name !== null && (typeof name !== 'string' || name.length > CONNECTION_NAME_MAX)) {
    throw badUserInput('filter.name', `a DataZone connection name is at most ${CONNECTION_NAME_MAX} characters`);
  }
}

/** Refuses ids that break the service's documented patterns, before any AWS call. */
export function validateConnectionIds(
  domainIdentifier: unknown,
  identifier: unknown,
  argumentNames = { domain: 'domainIdentifier', connection: 'identifier' },
): void {
  validateDomainIdentifier(domainIdentifier, argumentNames.domain);
  if (typeof identifier !== 'string' || !CONNECTION_ID.test(identifier)) {
    throw badUserInput(argumentNames.connection, 'a DataZone connection id is 1 to 128 letters, digits, "_" or "-"');
  }
}
