import {
  type ActionConnector,
  type ActionConnectorError,
  type ActionConnectorSummary,
  DescribeActionConnectorCommand,
  type ReadAPIKeyConnectionMetadata,
  type ReadAuthConfig,
  type ReadAuthorizationCodeGrantDetails,
  type ReadAuthorizationCodeGrantMetadata,
  type ReadBasicAuthConnectionMetadata,
  type ReadClientCredentialsGrantDetails,
  type ReadClientCredentialsGrantMetadata,
  type ReadIamConnectionMetadata,
  type ReadNoneConnectionMetadata,
} from '@aws-sdk/client-quicksight';
import type { Resolvers } from '../generated/resolvers-types.js';
import type { SubgraphContext } from '../core/context.js';
import { defineOperation } from '../aws/operation.js';
import { pascalCaseMembers } from '../graphql/members.js';
import { resolveUnionMember } from '../graphql/unions.js';
import { validateActionConnectorKey } from './ids.js';
import {
  type ActionConnectorKey,
  type ActionConnectorParent,
  type ActionConnectorRecord,
  describeActionConnectorSubject,
  isListedActionConnector,
} from './model.js';
import {
  AUTHENTICATION_METADATA_MEMBERS,
  AUTHORIZATION_CODE_GRANT_CREDENTIALS_MEMBERS,
  CLIENT_CREDENTIALS_MEMBERS,
  QUICKSIGHT_UNKNOWN_MEMBER,
} from './unions.js';

/**
 * DescribeActionConnector. Across requests, concurrent identical calls are coalesced (and cached
 * when configured): the response carries no credential.
 */
export const describeActionConnector = defineOperation({
  service: 'quicksight',
  name: 'DescribeActionConnector',
  cacheKey: (key: ActionConnectorKey) => `${key.awsAccountId}/${key.actionConnectorId}`,
  target: { argument: 'awsAccountId', of: (key) => key.awsAccountId },
  shareable: () => true,
  input: (key) => ({ AwsAccountId: key.awsAccountId, ActionConnectorId: key.actionConnectorId }),
  send: (client, input) => client.send(new DescribeActionConnectorCommand(input)),
  // The response has no account id: the record keeps the key it was asked by.
  value: (response, key): ActionConnectorRecord => ({
    awsAccountId: key.awsAccountId,
    actionConnectorId: response.ActionConnector?.ActionConnectorId ?? key.actionConnectorId,
    connector: response.ActionConnector ?? {},
    describeResponse: { requestId: response.RequestId, status: response.Status },
  }),
  subject: describeActionConnectorSubject,
});

/**
 * The one way a connector is fetched, for the root field and `_entities` alike. Async so that a
 * refused id rejects this one item: `_entities` calls it synchronously for every representation.
 */
export async function loadActionConnector(context: SubgraphContext, key: ActionConnectorKey): Promise<ActionConnectorRecord> {
  validateActionConnectorKey(key);
  return context.loaders.actionConnector.load({ awsAccountId: key.awsAccountId, actionConnectorId: key.actionConnectorId });
}

/**
 * `pick` of the described connector behind a parent: at once when the parent is one, after one
 * batched DescribeActionConnector for a list item. A connector fetched by id thus resolves every
 * field without a promise, and graphql-js completes it without waiting on any.
 */
function fromDescribed<T>(parent: ActionConnectorParent, context: SubgraphContext, pick: (record: ActionConnectorRecord) => T): T | Promise<T> {
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
  const resolvers: Record<string, (parent: ActionConnectorParent, args: unknown, context: SubgraphContext) => unknown> = {};
  for (const member of members) {
    resolvers[member.charAt(0).toLowerCase() + member.slice(1)] = (parent, _args, context) => fromDescribed(parent, context, (record) => record.connector[member]);
  }
  return resolvers as {
    [Field in Member as LowerCamel<Field>]: (
      parent: ActionConnectorParent,
      args: unknown,
      context: SubgraphContext,
    ) => ActionConnector[Field] | undefined | Promise<ActionConnector[Field] | undefined>;
  };
}

/** `Query.quickSightActionConnector` and the `QuickSightActionConnector` entity, with the types below it that need resolvers. */
export const actionConnectorResolvers: Resolvers = {
  Query: {
    quickSightActionConnector: (_root, args, context) => loadActionConnector(context, args),
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
