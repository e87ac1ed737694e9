import { ListConnectionsCommand } from '@aws-sdk/client-datazone';
import type { DataZoneConnectionFilter, Resolvers } from '../generated/resolvers-types.js';
import { badUserInput } from '../aws/errors.js';
import { defineOperation } from '../aws/operation.js';
import { relayPage } from '../pagination/relay.js';
import { shouldFetchSecrets } from './connection.js';
import { validateConnectionListFilter, validateDomainIdentifier } from './ids.js';
import { type ConnectionListPage, type ConnectionListRequest, type ListedConnection, listConnectionsSubject } from './model.js';

/** The members of a ListConnections call, in the order its cache key lists them. */
const LIST_MEMBERS = ['domainIdentifier', 'projectIdentifier', 'environmentIdentifier', 'name', 'type', 'scope', 'sortBy', 'sortOrder', 'maxResults', 'nextToken'] as const;

/** ListConnections, one page: identical pages asked for twice in one operation (aliases) cost one call. */
export const listConnections = defineOperation({
  service: 'datazone',
  name: 'ListConnections',
  cacheKey: (request: ConnectionListRequest) => JSON.stringify(LIST_MEMBERS.map((member) => request[member] ?? null)),
  target: { argument: 'domainIdentifier', of: (request) => request.domainIdentifier },
  input: (request) => ({ ...request }),
  send: (client, input) => client.send(new ListConnectionsCommand(input)),
  value: (output): ConnectionListPage => ({ summaries: output.items ?? [], ...(output.nextToken ? { nextToken: output.nextToken } : {}) }),
  subject: listConnectionsSubject,
});

/** DataZone's largest maxResults for ListConnections. */
const DATAZONE_MAX_PAGE_SIZE = 50;

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

/** `Query.dataZoneConnections`: a Relay connection over ListConnections; its items are `DataZoneConnection`s (connection.ts). */
export const connectionsResolvers: Resolvers = {
  Query: {
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
};
