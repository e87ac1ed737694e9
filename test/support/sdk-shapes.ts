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

export type ShapeKind = 'union' | 'struct' | 'list' | 'map' | 'timestamp' | 'boolean' | 'number' | 'string' | 'other';

export function kindOf(schema: NormalizedSchema): ShapeKind {
  // Unions answer true to isStructSchema as well: ask for the union first.
  if (schema.isUnionSchema()) return 'union';
  if (schema.isStructSchema()) return 'struct';
  if (schema.isListSchema()) return 'list';
  if (schema.isMapSchema()) return 'map';
  if (schema.isTimestampSchema()) return 'timestamp';
  if (schema.isBooleanSchema()) return 'boolean';
  if (schema.isNumericSchema()) return 'number';
  if (schema.isStringSchema()) return 'string';
  return 'other';
}

export function members(schema: NormalizedSchema): Array<[string, NormalizedSchema]> {
  return [...schema.structIterator()];
}

/** `VpcConnectionArn` → `vpcConnectionArn`; DataZone's names are already camelCase. */
export const fieldNameOf = (member: string) => member.charAt(0).toLowerCase() + member.slice(1);

export function shapeNameOf(schema: NormalizedSchema): string {
  return schema.getName(false) ?? '';
}
