import type {
  ActionConnectorError,
  ReadAPIKeyConnectionMetadata,
  ReadAuthorizationCodeGrantDetails,
  ReadAuthorizationCodeGrantMetadata,
  ReadBasicAuthConnectionMetadata,
  ReadClientCredentialsGrantDetails,
  ReadClientCredentialsGrantMetadata,
  ReadIamConnectionMetadata,
  ReadNoneConnectionMetadata,
  ActionConnector,
  ActionConnectorSearchFilter,
  ActionConnectorSummary,
  ReadAuthConfig,
} from '@aws-sdk/client-quicksight';
import type { QuickSightActionConnectorFilter, Resolvers } from '../generated/resolvers-types.js';
import type { GatewayContext } from '../core/context.js';
import { badUserInput } from '../aws/errors.js';
import { relayPage } from '../pagination/relay.js';
import { pascalCaseMembers } from '../graphql/members.js';
import { resolveUnionMember } from '../graphql/unions.js';
import { validateActionConnectorKey, validateAwsAccountId } from './ids.js';
import {
  type ActionConnectorKey,
  type ActionConnectorParent,
  type ActionConnectorRecord,
  type ListedActionConnector,
  isListedActionConnector,
} from './model.js';
import {
  AUTHENTICATION_METADATA_MEMBERS,
  AUTHORIZATION_CODE_GRANT_CREDENTIALS_MEMBERS,
  CLIENT_CREDENTIALS_MEMBERS,
  QUICKSIGHT_UNKNOWN_MEMBER,
} from './unions.js';

/**
 * The one way a connector is fetched, for the root field and `_entities` alike. Async so that a
 * refused id rejects this one item: `_entities` calls it synchronously for every representation.
 */
export async function loadActionConnector(context: GatewayContext, key: ActionConnectorKey): Promise<ActionConnectorRecord> {
  validateActionConnectorKey(key);
  return context.loaders.actionConnector.load({ awsAccountId: key.awsAccountId, actionConnectorId: key.actionConnectorId });
}

/** QuickSight's largest MaxResults for ListActionConnectors and SearchActionConnectors. */
const QUICKSIGHT_MAX_PAGE_SIZE = 100;

/**
 * `pick` of the described connector behind a parent: at once when the parent is one, after one
 * batched DescribeActionConnector for a list item. A connector fetched by id thus resolves every
 * field without a promise, and graphql-js completes it without waiting on any.
 */
function fromDescribed<T>(parent: ActionConnectorParent, context: GatewayContext, pick: (record: ActionConnectorRecord) => T): T | Promise<T> {
  return isListedActionConnector(parent) ? loadActionConnector(context, parent).then(pick) : pick(parent);
}

type LowerCamel<Name extends string> = Uncapitalize<Name>;
type SummaryMember = keyof ActionConnectorSummary & keyof ActionConnector & string;

/**
 * Fields the list summary carries: read from the summary of a list item, or from the described
 * connector. Synchronous on purpose: enum fields (`type`, `status`) feed the enum fallback wrapper.
 */
function summaryMembers<Member extends SummaryMember>(...members: Member[]) {
  const resolvers: Record<string, (parent: ActionConnectorParent) => unknown> = {};
  for (const member of members) {
    resolvers[member.charAt(0).toLowerCase() + member.slice(1)] = (parent) =>
      isListedActionConnector(parent) ? parent.summary[member] : parent.connector[member];
  }
  return resolvers as { [Field in Member as LowerCamel<Field>]: (parent: ActionConnectorParent) => ActionConnector[Field] | ActionConnectorSummary[Field] };
}

/** Fields only DescribeActionConnector returns: a list item loads them through the per-request DataLoader. */
function describedMembers<Member extends keyof ActionConnector & string>(...members: Member[]) {
  const resolvers: Record<string, (parent: ActionConnectorParent, args: unknown, context: GatewayContext) => unknown> = {};
  for (const member of members) {
    resolvers[member.charAt(0).toLowerCase() + member.slice(1)] = (parent, _args, context) => fromDescribed(parent, context, (record) => record.connector[member]);
  }
  return resolvers as {
    [Field in Member as LowerCamel<Field>]: (
      parent: ActionConnectorParent,
      args: unknown,
      context: GatewayContext,
    ) => ActionConnector[Field] | undefined | Promise<ActionConnector[Field] | undefined>;
  };
}

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

export const quickSightResolvers: Resolvers = {
  Query: {
    quickSightActionConnector: (_root, args, context) => loadActionConnector(context, args),
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
  QuickSightActionConnector: {
    __resolveReference: (reference, context) => loadActionConnector(context, reference),
    awsAccountId: (parent) => parent.awsAccountId,
    actionConnectorId: (parent) => parent.actionConnectorId,
    ...summaryMembers('Arn', 'Type', 'Name', 'LastUpdatedTime', 'CreatedTime', 'Status', 'Error'),
    ...describedMembers('Description', 'AuthenticationConfig', 'EnabledActions', 'VpcConnectionArn'),
    describeResponse: (parent, _args, context) => fromDescribed(parent, context, (record) => record.describeResponse),
  },
  QuickSightActionConnectorError: pascalCaseMembers<ActionConnectorError>()('Message', 'Type'),
  QuickSightAuthConfig: {
    ...pascalCaseMembers<ReadAuthConfig>()('AuthenticationType'),
    authenticationMetadata: (config) =>
      resolveUnionMember(config.AuthenticationMetadata, AUTHENTICATION_METADATA_MEMBERS, QUICKSIGHT_UNKNOWN_MEMBER) as never,
  },
  QuickSightAuthorizationCodeGrantMetadata: {
    ...pascalCaseMembers<ReadAuthorizationCodeGrantMetadata>()('BaseEndpoint', 'RedirectUrl', 'AuthorizationCodeGrantCredentialsSource'),
    readAuthorizationCodeGrantCredentialsDetails: (metadata) =>
      resolveUnionMember(
        metadata.ReadAuthorizationCodeGrantCredentialsDetails,
        AUTHORIZATION_CODE_GRANT_CREDENTIALS_MEMBERS,
        QUICKSIGHT_UNKNOWN_MEMBER,
      ) as never,
  },
  QuickSightAuthorizationCodeGrantDetails: pascalCaseMembers<ReadAuthorizationCodeGrantDetails>()(
    'ClientId',
    'TokenEndpoint',
    'AuthorizationEndpoint',
  ),
  QuickSightClientCredentialsGrantMetadata: {
    ...pascalCaseMembers<ReadClientCredentialsGrantMetadata>()('BaseEndpoint', 'ClientCredentialsSource'),
    readClientCredentialsDetails: (metadata) =>
      resolveUnionMember(metadata.ReadClientCredentialsDetails, CLIENT_CREDENTIALS_MEMBERS, QUICKSIGHT_UNKNOWN_MEMBER) as never,
  },
  QuickSightClientCredentialsGrantDetails: pascalCaseMembers<ReadClientCredentialsGrantDetails>()('ClientId', 'TokenEndpoint'),
  QuickSightBasicAuthConnectionMetadata: pascalCaseMembers<ReadBasicAuthConnectionMetadata>()('BaseEndpoint', 'Username'),
  QuickSightAPIKeyConnectionMetadata: pascalCaseMembers<ReadAPIKeyConnectionMetadata>()('BaseEndpoint', 'Email'),
  QuickSightNoneConnectionMetadata: pascalCaseMembers<ReadNoneConnectionMetadata>()('BaseEndpoint'),
  QuickSightIamConnectionMetadata: pascalCaseMembers<ReadIamConnectionMetadata>()('RoleArn', 'SourceArn'),
};
