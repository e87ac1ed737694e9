import { GetProjectCommand, type GetProjectOutput } from '@aws-sdk/client-datazone';
import type { Resolvers } from '../generated/resolvers-types.js';
import { defineOperation } from '../aws/operation.js';
import { isListedConnection } from './model.js';

/** The DataLoader key of GetProject. */
export interface ProjectKey {
  domainIdentifier: string;
  identifier: string;
}

/** GetProject. Its answer carries no credential, so callers share it (and the cache holds it when configured). */
export const getProject = defineOperation({
  service: 'datazone',
  name: 'GetProject',
  cacheKey: (key: ProjectKey) => `${key.domainIdentifier}/${key.identifier}`,
  target: { argument: 'domainIdentifier', of: (key) => key.domainIdentifier },
  shareable: () => true,
  input: (key) => ({ domainIdentifier: key.domainIdentifier, identifier: key.identifier }),
  send: (client, input) => client.send(new GetProjectCommand(input)),
  // `id` and `domainId` are non-null in the schema: keep the ids it was asked by if AWS omitted them.
  value: (output, key): GetProjectOutput => ({ ...output, id: output.id ?? key.identifier, domainId: output.domainId ?? key.domainIdentifier }),
  subject: (key) => `DataZone project "${key.identifier}" in domain ${key.domainIdentifier}`,
});

/**
 * `DataZoneConnection.project`, the way to a `DataZoneProject`. The project id comes from AWS's
 * answer (GetConnection, or the ListConnections summary), not from the caller, and no call is made
 * for a connection without one. `DataZoneProject`'s fields are the SDK's member names: the default
 * resolvers read them, and the codegen mapper (GetProjectOutput) checks them.
 */
export const projectResolvers: Resolvers = {
  DataZoneConnection: {
    project: (parent, _args, context) => {
      const projectId = isListedConnection(parent) ? parent.summary.projectId : parent.projectId;
      const domainId = isListedConnection(parent) ? (parent.summary.domainId ?? parent.detailKey.domainIdentifier) : parent.domainId;
      if (!projectId || !domainId) return null;
      return context.loaders.project.load({ domainIdentifier: domainId, identifier: projectId });
    },
  },
};
