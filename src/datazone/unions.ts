import type { ConnectionPropertiesOutput, RedshiftCredentials, RedshiftStorageProperties } from '@aws-sdk/client-datazone';
import type { UnionMemberTypes } from '../graphql/unions.js';

export const DATAZONE_UNKNOWN_MEMBER = 'DataZoneUnknownMember';

export const CONNECTION_PROPERTIES_MEMBERS: UnionMemberTypes<ConnectionPropertiesOutput> = {
  athenaProperties: 'DataZoneAthenaProperties',
  glueProperties: 'DataZoneGlueProperties',
  hyperPodProperties: 'DataZoneHyperPodProperties',
  iamProperties: 'DataZoneIamProperties',
  redshiftProperties: 'DataZoneRedshiftProperties',
  sparkEmrProperties: 'DataZoneSparkEmrProperties',
  sparkGlueProperties: 'DataZoneSparkGlueProperties',
  s3Properties: 'DataZoneS3Properties',
  amazonQProperties: 'DataZoneAmazonQProperties',
  mlflowProperties: 'DataZoneMlflowProperties',
  workflowsMwaaProperties: 'DataZoneWorkflowsMwaaProperties',
  workflowsServerlessProperties: 'DataZoneWorkflowsServerlessProperties',
  lakehouseProperties: 'DataZoneLakehouseProperties',
};

export const REDSHIFT_STORAGE_MEMBERS: UnionMemberTypes<RedshiftStorageProperties> = {
  clusterName: { wrapIn: 'DataZoneRedshiftStoragePropertiesClusterName' },
  workgroupName: { wrapIn: 'DataZoneRedshiftStoragePropertiesWorkgroupName' },
};

export const REDSHIFT_CREDENTIALS_MEMBERS: UnionMemberTypes<RedshiftCredentials> = {
  secretArn: { wrapIn: 'DataZoneRedshiftCredentialsSecretArn' },
  usernamePassword: 'DataZoneUsernamePassword',
};
