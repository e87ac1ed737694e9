import type { GetConnectionOutput } from '@aws-sdk/client-datazone';
import { awsError, defineEmulatedOperation, defineResource } from '../operation.js';
import { seedBulkConnections, seedConnections } from '../seed.js';
import { CONNECTION_SUMMARY_MEMBERS, DATAZONE_DATE_TIME_MEMBERS, type WireObject, pickMembers, stripDataZoneSecrets, toWire } from '../wire.js';

/** Validation patterns from the DataZone API reference. */
export const DZ_DOMAIN_ID = /^dzd[-_][a-zA-Z0-9_-]{1,36}$/;
const DZ_CONNECTION_ID_MAX = 128;

/**
 * DataZone connections, stored as GetConnection answers them with and without `withSecret=true`,
 * and as the summary ListConnections returns (cut from the answer without secrets: ListConnections
 * has no withSecret).
 */
export const connections = defineResource({
  store: (connection: GetConnectionOutput | Record<string, unknown>, options) => {
    const c = connection as Record<string, unknown>;
    const domainId = c['domainId'];
    const connectionId = c['connectionId'];
    if (typeof domainId !== 'string' || typeof connectionId !== 'string') {
      throw new TypeError('putConnection needs a connection with string domainId and connectionId');
    }
    const full = JSON.stringify(toWire(connection, DATAZONE_DATE_TIME_MEMBERS));
    const redacted = toWire(connection, DATAZONE_DATE_TIME_MEMBERS) as WireObject;
    stripDataZoneSecrets(redacted, options.credentialMapEntries);
    return {
      owner: domainId,
      id: connectionId,
      stored: { withSecret: full, withoutSecret: JSON.stringify(redacted), summary: pickMembers(redacted, CONNECTION_SUMMARY_MEMBERS) },
    };
  },
  seed: () => [...seedConnections(), ...seedBulkConnections()],
});

/** GET /v2/domains/{domainIdentifier}/connections/{identifier}?withSecret= */
export const getConnection = defineEmulatedOperation({
  service: 'datazone',
  name: 'GetConnection',
  method: 'GET',
  path: '/v2/domains/{domainIdentifier}/connections/{identifier}',
  withSecret: true,
  faultId: 'identifier',
  errors: ['AccessDeniedException', 'InternalServerException', 'ResourceNotFoundException', 'ThrottlingException', 'ValidationException', 'UnauthorizedException'],
  answer: ({ params, withSecret }, store) => {
    const domain = params['domainIdentifier'] as string;
    const id = params['identifier'] as string;
    if (!DZ_DOMAIN_ID.test(domain)) {
      return awsError('ValidationException', 400,
        `1 validation error detected: Value '${domain}' at 'domainIdentifier' failed to satisfy constraint: Member must satisfy regular expression pattern: ^dzd[-_][a-zA-Z0-9_-]{1,36}$`);
    }
    if (id.length === 0 || id.length > DZ_CONNECTION_ID_MAX) {
      return awsError('ValidationException', 400,
        `1 validation error detected: Value at 'identifier' failed to satisfy constraint: Member must have length between 1 and ${DZ_CONNECTION_ID_MAX}`);
    }
    const stored = store.of(connections).get(domain, id);
    if (stored === undefined) return awsError('ResourceNotFoundException', 404, `Connection '${id}' was not found in domain '${domain}'.`);
    return withSecret ? stored.withSecret : stored.withoutSecret;
  },
});
