import type { GetConnectionOutput } from '@aws-sdk/client-datazone';
import type { GraphQLResolveInfo } from 'graphql';
import type { Resolvers } from '../generated/resolvers-types.js';
import type { GatewayContext } from '../server/context.js';
import { SECRETS_SCOPE } from '../auth/policy.js';
import { resolveUnionMember } from '../schema/unions.js';
import { validateConnectionIds } from './ids.js';
import {
  CONNECTION_PROPERTIES_MEMBERS,
  DATAZONE_UNKNOWN_MEMBER,
  REDSHIFT_CREDENTIALS_MEMBERS,
  REDSHIFT_STORAGE_MEMBERS,
} from './unions.js';

/**
 * Least privilege towards AWS: `withSecret=true` goes to DataZone only for a caller holding the
 * secrets scope, and only when the operation wants a credential (explicitly, or by selecting a
 * credential field). An explicit `withSecret: false` is always honoured.
 */
function shouldFetchSecrets(context: GatewayContext, info: GraphQLResolveInfo, withSecret: boolean | null | undefined): boolean {
  if (withSecret === false || !context.caller.scopes.has(SECRETS_SCOPE)) return false;
  return withSecret === true || context.policy.selectsSecretFields(info);
}

/**
 * The one way a connection is fetched, for the root field and `_entities` alike. Async so that a
 * refused id rejects this one item: `_entities` calls it synchronously for every representation.
 */
export async function loadConnection(
  context: GatewayContext,
  info: GraphQLResolveInfo,
  ids: { domainIdentifier: string; identifier: string; withSecret?: boolean | null },
  argumentNames?: { domain: string; connection: string },
): Promise<GetConnectionOutput> {
  validateConnectionIds(ids.domainIdentifier, ids.identifier, argumentNames);
  return context.loaders.connection.load({
    domainIdentifier: ids.domainIdentifier,
    identifier: ids.identifier,
    withSecret: shouldFetchSecrets(context, info, ids.withSecret),
  });
}

export const dataZoneResolvers: Resolvers = {
  Query: {
    dataZoneConnection: (_root, args, context, info) => loadConnection(context, info, args),
  },
  DataZoneConnection: {
    __resolveReference: (reference, context, info) =>
      loadConnection(
        context,
        info,
        { domainIdentifier: reference.domainId, identifier: reference.connectionId },
        { domain: 'domainId', connection: 'connectionId' },
      ),
    props: (connection) => resolveUnionMember(connection.props, CONNECTION_PROPERTIES_MEMBERS, DATAZONE_UNKNOWN_MEMBER) as never,
  },
  DataZoneRedshiftProperties: {
    storage: (redshift) => resolveUnionMember(redshift.storage, REDSHIFT_STORAGE_MEMBERS, DATAZONE_UNKNOWN_MEMBER) as never,
    credentials: (redshift) => resolveUnionMember(redshift.credentials, REDSHIFT_CREDENTIALS_MEMBERS, DATAZONE_UNKNOWN_MEMBER) as never,
  },
};
