import { GetConnectionOutput$ } from '@aws-sdk/client-datazone';
import { DescribeActionConnectorResponse$ } from '@aws-sdk/client-quicksight';
import { NormalizedSchema } from '@smithy/core/schema';
import { CONNECTION_PROPERTIES_MEMBERS, REDSHIFT_CREDENTIALS_MEMBERS, REDSHIFT_STORAGE_MEMBERS } from '../../src/datazone/unions.js';
import {
  AUTHENTICATION_METADATA_MEMBERS,
  AUTHORIZATION_CODE_GRANT_CREDENTIALS_MEMBERS,
  CLIENT_CREDENTIALS_MEMBERS,
} from '../../src/quicksight/unions.js';
import type { UnionMemberType } from '../../src/graphql/unions.js';

/** The SDK's own static schemas of the two responses: the source of truth for completeness. */
export const describeActionConnectorResponse = () => NormalizedSchema.of(DescribeActionConnectorResponse$ as never);
export const getConnectionOutput = () => NormalizedSchema.of(GetConnectionOutput$ as never);

/** The resolvers' union tables, by the SDK union shape's name. */
export const UNION_TABLES: Record<string, Record<string, UnionMemberType>> = {
  ReadAuthenticationMetadata: AUTHENTICATION_METADATA_MEMBERS,
  ReadAuthorizationCodeGrantCredentialsDetails: AUTHORIZATION_CODE_GRANT_CREDENTIALS_MEMBERS,
  ReadClientCredentialsDetails: CLIENT_CREDENTIALS_MEMBERS,
  ConnectionPropertiesOutput: CONNECTION_PROPERTIES_MEMBERS,
  RedshiftStorageProperties: REDSHIFT_STORAGE_MEMBERS,
  RedshiftCredentials: REDSHIFT_CREDENTIALS_MEMBERS,
};

export { type ShapeKind, fieldNameOf, kindOf, members, shapeNameOf } from '../../src/aws/sdk-shapes.js';
