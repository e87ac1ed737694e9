import type { GetProjectOutput } from '@aws-sdk/client-datazone';
import { awsError, defineEmulatedOperation, defineResource } from '../operation.js';
import { seedProjects } from '../seed.js';
import { toWire } from '../wire.js';
import { DZ_DOMAIN_ID } from './get-connection.js';

/** GetProject's project ids (API reference pattern). */
const DZ_PROJECT_ID = /^[a-zA-Z0-9_-]{1,36}$/;
/** GetProjectOutput's timestamps carry `@timestampFormat("date-time")`: RFC 3339 strings on the wire, not epoch seconds. */
const PROJECT_DATE_TIME_MEMBERS: ReadonlySet<string> = new Set(['createdAt', 'lastUpdatedAt']);

/** DataZone projects, stored as GetProject answers them (wire JSON). */
export const projects = defineResource({
  store: (project: GetProjectOutput | Record<string, unknown>) => {
    const { domainId, id } = project as Record<string, unknown>;
    if (typeof domainId !== 'string' || typeof id !== 'string') throw new TypeError('a project needs a string domainId and id');
    return { owner: domainId, id, stored: JSON.stringify(toWire(project, PROJECT_DATE_TIME_MEMBERS)) };
  },
  seed: seedProjects,
});

/** GET /v2/domains/{domainIdentifier}/projects/{identifier} */
export const getProject = defineEmulatedOperation({
  service: 'datazone',
  name: 'GetProject',
  method: 'GET',
  path: '/v2/domains/{domainIdentifier}/projects/{identifier}',
  faultId: 'identifier',
  errors: ['AccessDeniedException', 'InternalServerException', 'ResourceNotFoundException', 'ThrottlingException', 'ValidationException', 'UnauthorizedException'],
  answer: ({ params }, store) => {
    const domain = params['domainIdentifier'] as string;
    const id = params['identifier'] as string;
    if (!DZ_DOMAIN_ID.test(domain)) {
      return awsError('ValidationException', 400,
        `1 validation error detected: Value '${domain}' at 'domainIdentifier' failed to satisfy constraint: Member must satisfy regular expression pattern: ^dzd[-_][a-zA-Z0-9_-]{1,36}$`);
    }
    if (!DZ_PROJECT_ID.test(id)) {
      return awsError('ValidationException', 400,
        `1 validation error detected: Value '${id}' at 'identifier' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9_-]{1,36}$`);
    }
    return store.of(projects).get(domain, id) ?? awsError('ResourceNotFoundException', 404, `Project '${id}' was not found in domain '${domain}'.`);
  },
});
