import type { ConnectionSummary, GetConnectionOutput } from '@aws-sdk/client-datazone';
import type { GraphQLResolveInfo } from 'graphql';
import type { DataZoneConnectionFilter, Resolvers } from '../generated/resolvers-types.js';
import type { GatewayContext } from '../core/context.js';
import { SECRETS_SCOPE } from '../auth/policy.js';
import { badUserInput } from '../aws/errors.js';
import { relayPage } from '../pagination/relay.js';
import { resolveUnionMember } from '../graphql/unions.js';
import { validateConnectionIds, validateConnectionListFilter, validateDomainIdentifier } from './ids.js';
import { type ConnectionListRequest, type ConnectionParent, type ListedConnection, isListedConnection } from './model.js';
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

/** DataZone's largest maxResults for ListConnections. */
const DATAZONE_MAX_PAGE_SIZE = 50;

/**
 * `pick` of the GetConnection answer behind a parent: at once when the parent is that answer, after
 * one batched GetConnection for a list item. A connection fetched by id thus resolves every field
 * without a promise, and graphql-js completes it without waiting on any.
 */
function fromDetails<T>(parent: ConnectionParent, context: GatewayContext, pick: (details: GetConnectionOutput) => T): T | Promise<T> {
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
  context: GatewayContext,
  info: GraphQLResolveInfo,
): Value<Member> | Promise<Value<Member>> {
  if (!isListedConnection(parent)) return parent[member];
  if (parent.detailKey.withSecret && context.policy.selectsSecretFields(info)) {
    return context.loaders.connection.load(parent.detailKey).then((details) => details[member]);
  }
  return parent.summary[member];
}

function summaryMembers<Member extends SummaryMember>(...members: Member[]) {
  const resolvers: Record<string, (parent: ConnectionParent, args: unknown, context: GatewayContext, info: GraphQLResolveInfo) => unknown> = {};
  for (const member of members) resolvers[member] = (parent, _args, context, info) => fromSummary(parent, member, context, info);
  return resolvers as {
    [Field in Member]: (parent: ConnectionParent, args: unknown, context: GatewayContext, info: GraphQLResolveInfo) => Value<Field> | Promise<Value<Field>>;
  };
}

/** Fields only GetConnection returns: a list item loads them through the per-request DataLoader. */
function detailMembers<Member extends keyof GetConnectionOutput>(...members: Member[]) {
  const resolvers: Record<string, (parent: ConnectionParent, args: unknown, context: GatewayContext) => unknown> = {};
  for (const member of members) resolvers[member] = (parent, _args, context) => fromDetails(parent, context, (details) => details[member]);
  return resolvers as {
    [Field in Member]: (parent: ConnectionParent, args: unknown, context: GatewayContext) => GetConnectionOutput[Field] | Promise<GetConnectionOutput[Field]>;
  };
}

/** ListConnections' filter and sort members from the GraphQL arguments, validated before any AWS call. */
function listMembersOf(
  filter: DataZoneConnectionFilter | null | undefined,
  sortBy: string | null | undefined,
  sortOrder: string | null | undefined,
): Omit<ConnectionListRequest, 'domainIdentifier' | 'maxResults' | 'nextToken'> {
  const given = filter ?? {};
  validateConnectionListFilter(given);
  // Enum input values are the SDK's wire values; UNRECOGNIZED is a symbol no connection can have.
  const type: unknown = given.type;
  const scope: unknown = given.scope;
  if (type !== null && type !== undefined && typeof type !== 'string') throw badUserInput('filter.type', 'UNRECOGNIZED only describes values newer than this schema and cannot be listed by');
  if (scope !== null && scope !== undefined && typeof scope !== 'string') throw badUserInput('filter.scope', 'UNRECOGNIZED only describes values newer than this schema and cannot be listed by');
  return {
    ...(given.projectIdentifier ? { projectIdentifier: given.projectIdentifier } : {}),
    ...(given.environmentIdentifier ? { environmentIdentifier: given.environmentIdentifier } : {}),
    ...(given.name !== null && given.name !== undefined ? { name: given.name } : {}),
    ...(typeof type === 'string' ? { type: type as ConnectionListRequest['type'] } : {}),
    ...(typeof scope === 'string' ? { scope: scope as ConnectionListRequest['scope'] } : {}),
    ...(sortBy ? { sortBy: sortBy as ConnectionListRequest['sortBy'] } : {}),
    ...(sortOrder ? { sortOrder: sortOrder as ConnectionListRequest['sortOrder'] } : {}),
  };
}

export const dataZoneResolvers: Resolvers = {
  Query: {
    dataZoneConnection: (_root, args, context, info) => loadConnection(context, info, args),
    dataZoneConnections: async (_root, args, context, info) => {
      validateDomainIdentifier(args.domainIdentifier);
      const domainIdentifier = args.domainIdentifier;
      const listMembers = listMembersOf(args.filter, args.sortBy, args.sortOrder);
      // Decided once for the whole page, so each item's detail fields share one GetConnection.
      const withSecret = shouldFetchSecrets(context, info, undefined);
      return relayPage({
        query: ['dataZoneConnections', domainIdentifier, listMembers],
        first: args.first,
        after: args.after,
        maxPageSize: DATAZONE_MAX_PAGE_SIZE,
        fetchPage: async (nextToken, maxResults) => {
          const page = await context.loaders.connectionPages.load({ domainIdentifier, ...listMembers, maxResults, ...(nextToken ? { nextToken } : {}) });
          return { items: page.summaries, nextToken: page.nextToken };
        },
        // DataZone answers a refused nextToken with ValidationException. Every other member of the
        // call was checked against DataZone's documented constraints before it was sent, so on a
        // call that carried a token, the token (the client's `after`) is what DataZone refused.
        tokenRefusals: ['ValidationException'],
        toNode: (summary): ListedConnection => ({
          summary,
          detailKey: { domainIdentifier, identifier: summary.connectionId ?? '', withSecret },
        }),
      });
    },
  },
  DataZoneConnection: {
    __resolveReference: (reference, context, info) =>
      loadConnection(
        context,
        info,
        { domainIdentifier: reference.domainId, identifier: reference.connectionId },
        { domain: 'domainId', connection: 'connectionId' },
      ),
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
