import { type ConnectionSummary, GetConnectionCommand, type GetConnectionOutput } from '@aws-sdk/client-datazone';
import type { GraphQLResolveInfo } from 'graphql';
import type { Resolvers } from '../generated/resolvers-types.js';
import type { SubgraphContext } from '../core/context.js';
import { SECRETS_SCOPE } from '../auth/policy.js';
import { renamedArgument } from '../aws/errors.js';
import { defineOperation } from '../aws/operation.js';
import { resolveUnionMember } from '../graphql/unions.js';
import { validateConnectionIds } from './ids.js';
import { type ConnectionKey, type ConnectionParent, getConnectionSubject, isListedConnection } from './model.js';
import {
  CONNECTION_PROPERTIES_MEMBERS,
  DATAZONE_UNKNOWN_MEMBER,
  REDSHIFT_CREDENTIALS_MEMBERS,
  REDSHIFT_STORAGE_MEMBERS,
} from './unions.js';

/**
 * GetConnection. Across requests only calls without `withSecret` are shared: a secret-bearing
 * answer is fetched for its own request alone. `withSecret` is part of the key, so a secret-bearing
 * answer is never served to a request that did not qualify for it.
 */
export const getConnection = defineOperation({
  service: 'datazone',
  name: 'GetConnection',
  cacheKey: (key: ConnectionKey) => `${key.domainIdentifier}/${key.identifier}/${key.withSecret ? 'secret' : 'plain'}`,
  target: { argument: 'domainIdentifier', of: (key) => key.domainIdentifier },
  shareable: (key) => !key.withSecret,
  input: (key) => ({
    domainIdentifier: key.domainIdentifier,
    identifier: key.identifier,
    // Only ever `true` or absent: the subgraph asks for secrets only on behalf of callers allowed to read them.
    ...(key.withSecret ? { withSecret: true } : {}),
  }),
  send: (client, input) => client.send(new GetConnectionCommand(input)),
  // The entity key must resolve even if AWS omitted it from the body.
  value: (output, key): GetConnectionOutput => ({ ...output, domainId: output.domainId ?? key.domainIdentifier, connectionId: output.connectionId ?? key.identifier }),
  subject: getConnectionSubject,
});

/**
 * Least privilege towards AWS: `withSecret=true` goes to DataZone only for a caller holding the
 * secrets scope, and only when the operation wants a credential (explicitly, or by selecting a
 * credential field). An explicit `withSecret: false` is always honoured.
 */
export function shouldFetchSecrets(context: SubgraphContext, info: GraphQLResolveInfo, withSecret: boolean | null | undefined): boolean {
  if (withSecret === false || !context.caller.scopes.has(SECRETS_SCOPE)) return false;
  return withSecret === true || context.policy.selectsSecretFields(info);
}

/**
 * The one way a connection is fetched, for the root field and `_entities` alike. Async so that a
 * refused id rejects this one item: `_entities` calls it synchronously for every representation.
 */
export async function loadConnection(
  context: SubgraphContext,
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

/**
 * `pick` of the GetConnection answer behind a parent: at once when the parent is that answer, after
 * one batched GetConnection for a list item. A connection fetched by id thus resolves every field
 * without a promise, and graphql-js completes it without waiting on any.
 */
function fromDetails<T>(parent: ConnectionParent, context: SubgraphContext, pick: (details: GetConnectionOutput) => T): T | Promise<T> {
  return isListedConnection(parent) ? context.loaders.connection.load(parent.detailKey).then(pick) : pick(parent);
}

type SummaryMember = keyof ConnectionSummary & keyof GetConnectionOutput;
type Value<Member extends SummaryMember> = ConnectionSummary[Member] | GetConnectionOutput[Member];

/**
 * A field the list summary carries. A list item answers it from its summary, except when the caller
 * may see secrets and selects a credential below this field: ListConnections never returns
 * credentials, so then the item's GetConnection (with `withSecret`, decided once for the list)
 * answers it. The policy's own secret fields decide; no list of them is kept here. Without a secret
 * below it the answer is synchronous, which the enum fallback wrapper of `type` / `scope` relies on.
 */
function fromSummary<Member extends SummaryMember>(
  parent: ConnectionParent,
  member: Member,
  context: SubgraphContext,
  info: GraphQLResolveInfo,
): Value<Member> | Promise<Value<Member>> {
  if (!isListedConnection(parent)) return parent[member];
  if (parent.detailKey.withSecret && context.policy.selectsSecretFields(info)) {
    return context.loaders.connection.load(parent.detailKey).then((details) => details[member]);
  }
  return parent.summary[member];
}

function summaryMembers<Member extends SummaryMember>(...members: Member[]) {
  const resolvers: Record<string, (parent: ConnectionParent, args: unknown, context: SubgraphContext, info: GraphQLResolveInfo) => unknown> = {};
  for (const member of members) resolvers[member] = (parent, _args, context, info) => fromSummary(parent, member, context, info);
  return resolvers as {
    [Field in Member]: (parent: ConnectionParent, args: unknown, context: SubgraphContext, info: GraphQLResolveInfo) => Value<Field> | Promise<Value<Field>>;
  };
}

/** Fields only GetConnection returns: a list item loads them through the per-request DataLoader. */
function detailMembers<Member extends keyof GetConnectionOutput>(...members: Member[]) {
  const resolvers: Record<string, (parent: ConnectionParent, args: unknown, context: SubgraphContext) => unknown> = {};
  for (const member of members) resolvers[member] = (parent, _args, context) => fromDetails(parent, context, (details) => details[member]);
  return resolvers as {
    [Field in Member]: (parent: ConnectionParent, args: unknown, context: SubgraphContext) => GetConnectionOutput[Field] | Promise<GetConnectionOutput[Field]>;
  };
}

/** `Query.dataZoneConnection` and the `DataZoneConnection` entity, with the types below it that need resolvers. */
export const connectionResolvers: Resolvers = {
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
      ).catch((error: unknown) => {
        // A domain AWS_TARGETS_FILE does not name is refused by the loader, which knows it as `domainIdentifier`.
        throw renamedArgument(error, 'domainIdentifier', 'domainId');
      }),
    connectionId: (parent) => (isListedConnection(parent) ? (parent.summary.connectionId ?? parent.detailKey.identifier) : parent.connectionId) as string,
    domainId: (parent) => (isListedConnection(parent) ? (parent.summary.domainId ?? parent.detailKey.domainIdentifier) : parent.domainId) as string,
    ...summaryMembers('domainUnitId', 'name', 'physicalEndpoints', 'type', 'configurations', 'environmentId', 'projectId', 'scope'),
    ...detailMembers('connectionCredentials', 'description', 'environmentUserRole'),
    props: (parent, _args, context, info) => {
      const props = fromSummary(parent, 'props', context, info);
      const unionMember = (value: Awaited<typeof props>) => resolveUnionMember(value, CONNECTION_PROPERTIES_MEMBERS, DATAZONE_UNKNOWN_MEMBER) as never;
      return props instanceof Promise ? props.then(unionMember) : unionMember(props);
    },
  },
  DataZoneRedshiftProperties: {
    storage: (redshift) => resolveUnionMember(redshift.storage, REDSHIFT_STORAGE_MEMBERS, DATAZONE_UNKNOWN_MEMBER) as never,
    credentials: (redshift) => resolveUnionMember(redshift.credentials, REDSHIFT_CREDENTIALS_MEMBERS, DATAZONE_UNKNOWN_MEMBER) as never,
  },
};
