import {
  type ActionConnectorSearchFilter,
  ListActionConnectorsCommand,
  type ListActionConnectorsRequest,
  SearchActionConnectorsCommand,
  type SearchActionConnectorsRequest,
} from '@aws-sdk/client-quicksight';
import type { QuickSightActionConnectorFilter, Resolvers } from '../generated/resolvers-types.js';
import { badUserInput } from '../aws/errors.js';
import { defineOperation } from '../aws/operation.js';
import { relayPage } from '../pagination/relay.js';
import { validateAwsAccountId } from './ids.js';
import { type ActionConnectorListPage, type ActionConnectorListRequest, type ListedActionConnector, listActionConnectorsSubject } from './model.js';

/**
 * One page of ListActionConnectors, or of SearchActionConnectors when the request carries a filter:
 * identical pages asked for twice in one operation (aliases) cost one call.
 */
export const listActionConnectors = defineOperation({
  service: 'quicksight',
  name: 'ListActionConnectors',
  cacheKey: (request: ActionConnectorListRequest) => JSON.stringify([request.awsAccountId, request.filter ?? null, request.maxResults, request.nextToken ?? null]),
  target: { argument: 'awsAccountId', of: (request) => request.awsAccountId },
  input: (request): ListActionConnectorsRequest | SearchActionConnectorsRequest => {
    const paging = { AwsAccountId: request.awsAccountId, MaxResults: request.maxResults, NextToken: request.nextToken };
    return request.filter ? { ...paging, Filters: [request.filter] } : paging;
  },
  // The input object itself goes into the command: it carries the request's call scope.
  send: (client, input) =>
    'Filters' in input ? client.send(new SearchActionConnectorsCommand(input)) : client.send(new ListActionConnectorsCommand(input)),
  value: (response): ActionConnectorListPage => ({ summaries: response.ActionConnectorSummaries ?? [], ...(response.NextToken ? { nextToken: response.NextToken } : {}) }),
  subject: listActionConnectorsSubject,
});

/** QuickSight's largest MaxResults for ListActionConnectors and SearchActionConnectors. */
const QUICKSIGHT_MAX_PAGE_SIZE = 100;

/** The GraphQL filter as QuickSight's single search filter, or undefined for a plain list. At most one criterion. */
function searchFilterOf(filter: QuickSightActionConnectorFilter | null | undefined): ActionConnectorSearchFilter | undefined {
  if (!filter) return undefined;
  const criteria: ActionConnectorSearchFilter[] = [];
  if (filter.name !== null && filter.name !== undefined) criteria.push({ Name: 'ACTION_CONNECTOR_NAME', Operator: 'StringEquals', Value: filter.name });
  if (filter.nameLike !== null && filter.nameLike !== undefined) criteria.push({ Name: 'ACTION_CONNECTOR_NAME', Operator: 'StringLike', Value: filter.nameLike });
  if (filter.type !== null && filter.type !== undefined) {
    // The enum's input value is the SDK's wire value; UNRECOGNIZED is a symbol no connector can have.
    const type: unknown = filter.type;
    if (typeof type !== 'string') throw badUserInput('filter.type', 'UNRECOGNIZED only describes values newer than this schema and cannot be searched for');
    criteria.push({ Name: 'ACTION_CONNECTOR_TYPE', Operator: 'StringEquals', Value: type });
  }
  if (criteria.length > 1) throw badUserInput('filter', 'QuickSight searches by one criterion at a time: set only one of name, nameLike and type');
  const [criterion] = criteria;
  if (criterion && criterion.Value === '') throw badUserInput('filter', 'the search value must not be empty');
  return criterion;
}

/** `Query.quickSightActionConnectors`: a Relay connection over ListActionConnectors / SearchActionConnectors; its items are `QuickSightActionConnector`s (action-connector.ts). */
export const actionConnectorsResolvers: Resolvers = {
  Query: {
    quickSightActionConnectors: async (_root, args, context) => {
      validateAwsAccountId(args.awsAccountId);
      const { awsAccountId } = args;
      const filter = searchFilterOf(args.filter);
      return relayPage({
        query: ['quickSightActionConnectors', awsAccountId, filter ?? null],
        first: args.first,
        after: args.after,
        maxPageSize: QUICKSIGHT_MAX_PAGE_SIZE,
        fetchPage: async (nextToken, maxResults) => {
          const page = await context.loaders.actionConnectorPages.load({
            awsAccountId,
            maxResults,
            ...(filter ? { filter } : {}),
            ...(nextToken ? { nextToken } : {}),
          });
          return { items: page.summaries, nextToken: page.nextToken };
        },
        tokenRefusals: ['InvalidNextTokenException'],
        toNode: (summary): ListedActionConnector => ({ awsAccountId, actionConnectorId: summary.ActionConnectorId ?? '', summary }),
      });
    },
  },
};
