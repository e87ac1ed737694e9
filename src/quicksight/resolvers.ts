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
  ReadAuthConfig,
} from '@aws-sdk/client-quicksight';
import type { Resolvers } from '../generated/resolvers-types.js';
import type { GatewayContext } from '../server/context.js';
import { pascalCaseMembers, pascalCaseMembersOf } from '../schema/members.js';
import { resolveUnionMember } from '../schema/unions.js';
import { validateActionConnectorKey } from './ids.js';
import type { ActionConnectorKey, ActionConnectorRecord } from './model.js';
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

export const quickSightResolvers: Resolvers = {
  Query: {
    quickSightActionConnector: (_root, args, context) => loadActionConnector(context, args),
  },
  QuickSightActionConnector: {
    __resolveReference: (reference, context) => loadActionConnector(context, reference),
    awsAccountId: (record) => record.awsAccountId,
    actionConnectorId: (record) => record.actionConnectorId,
    ...pascalCaseMembersOf<ActionConnectorRecord, Partial<ActionConnector>>((record) => record.connector)(
      'Arn',
      'Type',
      'Name',
      'LastUpdatedTime',
      'CreatedTime',
      'Status',
      'Error',
      'Description',
      'AuthenticationConfig',
      'EnabledActions',
      'VpcConnectionArn',
    ),
    describeResponse: (record) => record.describeResponse,
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
