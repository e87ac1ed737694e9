import type {
  ReadAuthenticationMetadata,
  ReadAuthorizationCodeGrantCredentialsDetails,
  ReadClientCredentialsDetails,
} from '@aws-sdk/client-quicksight';
import type { UnionMemberTypes } from '../graphql/unions.js';

export const QUICKSIGHT_UNKNOWN_MEMBER = 'QuickSightUnknownMember';

export const AUTHENTICATION_METADATA_MEMBERS: UnionMemberTypes<ReadAuthenticationMetadata> = {
  AuthorizationCodeGrantMetadata: 'QuickSightAuthorizationCodeGrantMetadata',
  ClientCredentialsGrantMetadata: 'QuickSightClientCredentialsGrantMetadata',
  BasicAuthConnectionMetadata: 'QuickSightBasicAuthConnectionMetadata',
  ApiKeyConnectionMetadata: 'QuickSightAPIKeyConnectionMetadata',
  NoneConnectionMetadata: 'QuickSightNoneConnectionMetadata',
  IamConnectionMetadata: 'QuickSightIamConnectionMetadata',
};

export const AUTHORIZATION_CODE_GRANT_CREDENTIALS_MEMBERS: UnionMemberTypes<ReadAuthorizationCodeGrantCredentialsDetails> = {
  ReadAuthorizationCodeGrantDetails: 'QuickSightAuthorizationCodeGrantDetails',
};

export const CLIENT_CREDENTIALS_MEMBERS: UnionMemberTypes<ReadClientCredentialsDetails> = {
  ReadClientCredentialsGrantDetails: 'QuickSightClientCredentialsGrantDetails',
};
