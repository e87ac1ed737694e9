export { startEmulator } from './server.js';
export { EmulatedIam, signingScopeOf } from './iam.js';
export type { EmulatedDomain, IamOptions, IssuedCredentials, RecordedAssumeRole, SigningScope } from './iam.js';
export { emulatorSdkEnvironment, pointAwsSdkAtEmulator } from './sdk-environment.js';
export type {
  Emulator,
  EmulatorOptions,
  EmulatedOperation,
  EmulatedService,
  FaultKind,
  FaultRule,
  RecordedCall,
} from './server.js';
export {
  DEMO_AWS_ACCOUNT_ID,
  DEMO_DOMAIN_ID,
  DEMO_REGION,
  SECRET_CANARY_PREFIX,
  seedActionConnectors,
  seedBulkActionConnectors,
  seedBulkConnections,
  seedConnections,
  seededIds,
} from './seed.js';
export { DATAZONE_ERROR_STATUS, QUICKSIGHT_ERROR_STATUS, defaultErrorStatus } from './errors.js';
export { DECLARED_ERRORS } from './registry.js';
export { ACTION_CONNECTOR_SUMMARY_MEMBERS, CONNECTION_SUMMARY_MEMBERS, secretMembersOf, stripDataZoneSecrets, stripSecretMembers, toWire } from './wire.js';
export type { CredentialMapEntries, SecretMembers } from './wire.js';
export {
  EUROPE_ACCOUNT_ID,
  EUROPE_DOMAIN_ID,
  EUROPE_REGION,
  MARKETING_ACCOUNT_ID,
  TARGET_ROLE_NAME,
  seedTargetData,
  targetIamOptions,
  targetRoleArn,
  targetsFileContent,
} from './seed-targets.js';
