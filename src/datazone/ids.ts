import { badUserInput } from '../aws/errors.js';

/** DataZone domain ids are `dzd_`/`dzd-` plus up to 36 characters; connection ids are word characters and hyphens. */
const DOMAIN_ID = /^dzd[-_][a-zA-Z0-9_-]{1,36}$/;
const CONNECTION_ID = /^[a-zA-Z0-9_-]{1,128}$/;

/** Refuses ids that break the service's documented patterns, before any AWS call. */
export function validateConnectionIds(
  domainIdentifier: unknown,
  identifier: unknown,
  argumentNames = { domain: 'domainIdentifier', connection: 'identifier' },
): void {
  if (typeof domainIdentifier !== 'string' || !DOMAIN_ID.test(domainIdentifier)) {
    throw badUserInput(argumentNames.domain, 'a DataZone domain id looks like "dzd_" or "dzd-" followed by 1 to 36 letters, digits, "_" or "-"');
  }
  if (typeof identifier !== 'string' || !CONNECTION_ID.test(identifier)) {
    throw badUserInput(argumentNames.connection, 'a DataZone connection id is 1 to 128 letters, digits, "_" or "-"');
  }
}
