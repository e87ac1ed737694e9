/**
 * Authorization, as CONTRACT.md ("Authorization") states it: the SDK's sensitive members are
 * guarded in the SDL, field-level outcomes for each kind of caller (root fields, unions and
 * `_entities`), least privilege towards AWS (`withSecret`), and 401s for bad tokens (HS256 and JWKS).
 */
import { GetConnectionOutput$, GetProjectOutput$ } from '@aws-sdk/client-datazone';
import { DescribeActionConnectorResponse$ } from '@aws-sdk/client-quicksight';
import { NormalizedSchema } from '@smithy/core/schema';
import {
  type ConstDirectiveNode,
  type GraphQLSchema,
  Kind,
  getNamedType,
  isObjectType,
  isUnionType,
} from 'graphql';
import { SignJWT, UnsecuredJWT, exportJWK, generateKeyPair, type JWK } from 'jose';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  AUTHENTICATION_METADATA_MEMBERS,
  AUTHORIZATION_CODE_GRANT_CREDENTIALS_MEMBERS,
  CLIENT_CREDENTIALS_MEMBERS,
} from '../src/quicksight/unions.js';
import {
  CONNECTION_PROPERTIES_MEMBERS,
  REDSHIFT_CREDENTIALS_MEMBERS,
  REDSHIFT_STORAGE_MEMBERS,
} from '../src/datazone/unions.js';
import { type AuthPolicy } from '../src/auth/policy.js';
import { buildServedSchema } from '../src/schema/build.js';
import type { UnionMemberType } from '../src/graphql/unions.js';
import { type GraphQLResponse, READ, SECRETS, TEST_JWT_SECRET, type Stack, callsOf, mintToken, startStack } from './support/stack.js';

const DOMAIN = 'dzd_demo0001';
const ACCOUNT = '111122223333';
const UNAUTHORIZED = 'UNAUTHORIZED_FIELD_OR_TYPE';

/** `test.each` without its quoting and truncation of interpolated names: one named test per case. */
function testEach<Case>(cases: readonly Case[], name: (c: Case) => string, body: (c: Case) => Promise<void>): void {
  for (const testCase of cases) test(name(testCase), () => body(testCase));
}

// ---------------------------------------------------------------------------------------------
// 1. The SDK agrees: every member the SDK marks sensitive is guarded, or explicitly not a credential
// ---------------------------------------------------------------------------------------------

/**
 * SDK members marked `sensitive` that are deliberately NOT guarded by the secrets scope, keyed by
 * SDK member path (member names from the operation output down; list levels are transparent, map
 * values are `{value}`). Every entry needs a reason; an entry that no longer names a sensitive
 * member (or a leaf under one) fails the test, so the list cannot go stale.
 */
const NOT_CREDENTIALS: Readonly<Record<string, string>> = {
  'DescribeActionConnectorResponse.ActionConnector.Name': 'display name: PII at most, not a credential; readable with connections:read',
  'DescribeActionConnectorResponse.ActionConnector.Description': 'free-text description: PII at most, not a credential',
  'DescribeActionConnectorResponse.ActionConnector.AuthenticationConfig.AuthenticationMetadata.BasicAuthConnectionMetadata.Username':
    'basic-auth user name: an identifier (PII), not a secret; the password is never returned by AWS',
  'DescribeActionConnectorResponse.ActionConnector.AuthenticationConfig.AuthenticationMetadata.ApiKeyConnectionMetadata.Email':
    'e-mail address tied to the API key: PII, not a secret; the key itself is never returned by AWS',
  'GetConnectionOutput.description': 'free-text description: PII at most, not a credential',
  'GetProjectOutput.name': 'project name: PII at most, not a credential; readable with connections:read',
  'GetProjectOutput.description': 'free-text description: PII at most, not a credential',
  'GetConnectionOutput.connectionCredentials.expiration':
    'expiry time of the temporary keys: not a secret, and only reachable through the guarded connectionCredentials',
  'GetConnectionOutput.props.redshiftProperties.credentials':
    'union container (secretArn | usernamePassword): its only secret leaf, password, is guarded itself, so a reader still sees which kind it is',
  'GetConnectionOutput.props.redshiftProperties.credentials.secretArn':
    'ARN of the Secrets Manager secret: a pointer, not the secret (the SDL says so too)',
  'GetConnectionOutput.props.redshiftProperties.credentials.usernamePassword':
    'union member object type (DataZoneUsernamePassword): no field of its own; its password is guarded',
  'GetConnectionOutput.props.redshiftProperties.credentials.usernamePassword.username': 'database user name: an identifier, not a secret',
  'GetConnectionOutput.props.sparkEmrProperties.credentials': 'container of username + password: the password is guarded itself',
  'GetConnectionOutput.props.sparkEmrProperties.credentials.username': 'Livy user name: an identifier, not a secret',
  'GetConnectionOutput.props.sparkEmrProperties.managedEndpointCredentials': 'container of id + token: the token is guarded itself',
  'GetConnectionOutput.props.sparkEmrProperties.managedEndpointCredentials.id': 'identifier of the credentials: the SDL documents it as not secret',
};

/**
 * SDK members marked `sensitive` (or leaves below them) that the schema deliberately does not serve:
 * no field, so nothing to guard. Every entry needs a reason; an entry that gains a field, or no
 * longer names a sensitive member, fails the test.
 */
const NOT_SERVED: Readonly<Record<string, string>> = {
  'GetProjectOutput.userParameters.environmentConfigurationName':
    'DataZoneProject serves a few members of GetProjectOutput; its userParameters (environment configuration values) are not among them',
};

/** CONTRACT.md's explicit list of credential fields. */
const CONTRACT_CREDENTIAL_FIELDS = [
  'DataZoneConnection.connectionCredentials',
  'DataZoneConnectionCredentials.accessKeyId',
  'DataZoneConnectionCredentials.secretAccessKey',
  'DataZoneConnectionCredentials.sessionToken',
  'DataZoneOAuth2Properties.oAuth2Credentials',
  'DataZoneGlueOAuth2Credentials.userManagedClientApplicationClientSecret',
  'DataZoneGlueOAuth2Credentials.accessToken',
  'DataZoneGlueOAuth2Credentials.refreshToken',
  'DataZoneGlueOAuth2Credentials.jwtToken',
  'DataZoneAuthorizationCodeProperties.authorizationCode',
  'DataZoneUsernamePassword.password',
  'DataZoneManagedEndpointCredentials.token',
];

/** Every union table of src/: SDK member name -> GraphQL member type (or scalar wrapper). */
const UNION_TABLES: ReadonlyArray<Readonly<Record<string, UnionMemberType>>> = [
  AUTHENTICATION_METADATA_MEMBERS,
  AUTHORIZATION_CODE_GRANT_CREDENTIALS_MEMBERS,
  CLIENT_CREDENTIALS_MEMBERS,
  CONNECTION_PROPERTIES_MEMBERS,
  REDSHIFT_STORAGE_MEMBERS,
  REDSHIFT_CREDENTIALS_MEMBERS,
];

/** One SDK member, with where it lives in the GraphQL schema. */
interface SdkMember {
  path: string;
  sensitive: boolean;
  /** Under a member marked sensitive (not counting itself). */
  underSensitive: boolean;
  /** No structure or union below it: a scalar, or a list/map of scalars. */
  leaf: boolean;
  /** `Type.field`, or `Type` for a structure that is a union member (it has no field of its own). */
  coordinate: string | undefined;
  /** Why no coordinate was found. */
  unmapped?: string;
}

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/**
 * Walks an SDK output schema alongside the GraphQL schema. `typeName` is the GraphQL composite
 * type whose fields (or, for a union, whose members) correspond to the SDK structure's members.
 */
function walkSdkSchema(
  schema: GraphQLSchema,
  root: NormalizedSchema,
  rootTypeName: string,
  service: 'quicksight' | 'datazone',
): SdkMember[] {
  const members: SdkMember[] = [];
  const fieldName = (member: string) => (service === 'quicksight' ? lowerFirst(member) : member);

  /** The GraphQL spot of member `member` of the composite at `parentTypeName` (undefined: not mapped). */
  function locate(parentTypeName: string | undefined, member: string, atRoot: boolean): { coordinate: string; namedType: string } | { unmapped: string } {
    if (parentTypeName === undefined) return { unmapped: 'its parent has no GraphQL type' };
    const parent = schema.getType(parentTypeName);
    if (isUnionType(parent)) {
      const memberTypes = new Set(parent.getTypes().map((type) => type.name));
      for (const table of UNION_TABLES) {
        const memberType = table[member];
        if (memberType === undefined) continue;
        if (typeof memberType === 'string') {
          if (memberTypes.has(memberType)) return { coordinate: memberType, namedType: memberType };
        } else if (memberTypes.has(memberType.wrapIn)) {
          const wrapper = schema.getType(memberType.wrapIn);
          const field = isObjectType(wrapper) ? wrapper.getFields()[member] : undefined;
          if (!field) return { unmapped: `wrapper ${memberType.wrapIn} has no field ${member}` };
          return { coordinate: `${memberType.wrapIn}.${member}`, namedType: getNamedType(field.type).name };
        }
      }
      return { unmapped: `no union table maps ${member} to a member of ${parentTypeName}` };
    }
    if (!isObjectType(parent)) return { unmapped: `${parentTypeName} is not an object type` };
    if (service === 'quicksight' && atRoot) {
      // QuickSight: the response's ActionConnector is flattened onto QuickSightActionConnector, and
      // the response-level RequestId/Status live on its `describeResponse`.
      if (member === 'ActionConnector') return { coordinate: '', namedType: parentTypeName };
      const metadata = parent.getFields()['describeResponse'];
      const metadataType = metadata ? getNamedType(metadata.type) : undefined;
      const metadataField = isObjectType(metadataType) ? metadataType.getFields()[fieldName(member)] : undefined;
      if (metadataType && metadataField) return { coordinate: `${metadataType.name}.${metadataField.name}`, namedType: getNamedType(metadataField.type).name };
      return { unmapped: `QuickSightDescribeActionConnectorResponseMetadata has no field ${fieldName(member)}` };
    }
    const field = parent.getFields()[fieldName(member)];
    if (field) return { coordinate: `${parentTypeName}.${field.name}`, namedType: getNamedType(field.type).name };
    return { unmapped: `${parentTypeName} has no field ${fieldName(member)}` };
  }

  /** Sensitive itself, or a list/map of sensitive values. */
  function isSensitive(ns: NormalizedSchema): boolean {
    if (ns.getMergedTraits().sensitive) return true;
    return (ns.isListSchema() || ns.isMapSchema()) && isSensitive(ns.getValueSchema());
  }

  /** A structure or union, or a list/map of them (anything that is not a scalar leaf). */
  function containsStructure(ns: NormalizedSchema): boolean {
    // Unions also answer true to isStructSchema(): ask isUnionSchema() first (both count here).
    if (ns.isUnionSchema() || ns.isStructSchema()) return true;
    return (ns.isListSchema() || ns.isMapSchema()) && containsStructure(ns.getValueSchema());
  }

  function visit(
    ns: NormalizedSchema,
    path: string,
    typeName: string | undefined,
    coordinate: string | undefined,
    underSensitive: boolean,
    options: { report: boolean; atRoot?: boolean; unmapped?: string },
  ): void {
    const sensitive = isSensitive(ns);
    if (options.report) {
      members.push({ path, sensitive, underSensitive, leaf: !containsStructure(ns), coordinate, ...(options.unmapped ? { unmapped: options.unmapped } : {}) });
    }
    const below = underSensitive || sensitive;
    if (ns.isUnionSchema() || ns.isStructSchema()) {
      for (const [member, memberSchema] of ns.structIterator()) {
        const spot = locate(typeName, member, options.atRoot === true);
        if ('unmapped' in spot) {
          visit(memberSchema, `${path}.${member}`, undefined, undefined, below, { report: true, unmapped: options.unmapped ?? spot.unmapped });
        } else if (spot.coordinate === '') {
          // Flattened: the member's own members are fields of the same GraphQL type.
          visit(memberSchema, `${path}.${member}`, spot.namedType, coordinate, below, { report: false });
        } else {
          visit(memberSchema, `${path}.${member}`, spot.namedType, spot.coordinate, below, { report: true });
        }
      }
    } else if (ns.isListSchema() && containsStructure(ns.getValueSchema())) {
      // A list is transparent: its items' members are fields of the same GraphQL type.
      visit(ns.getValueSchema(), path, typeName, coordinate, below, { report: false, ...(options.unmapped ? { unmapped: options.unmapped } : {}) });
    } else if (ns.isMapSchema() && containsStructure(ns.getValueSchema())) {
      // Maps are lists of `{ key value }` entries.
      const entry = typeName ? schema.getType(typeName) : undefined;
      const valueField = isObjectType(entry) ? entry.getFields()['value'] : undefined;
      visit(ns.getValueSchema(), `${path}.{value}`, valueField ? getNamedType(valueField.type).name : undefined, valueField ? `${typeName}.value` : undefined, below, {
        report: false,
        ...(valueField ? {} : { unmapped: `${typeName} has no value field` }),
      });
    }
  }

  visit(root, root.getName() ?? rootTypeName, rootTypeName, undefined, false, { report: false, atRoot: true });
  return members;
}

/** The `scopes` of a `@requiresScopes` application, as lists of scope names. */
function requiredScopes(directives: readonly ConstDirectiveNode[] | undefined): string[][] | undefined {
  const directive = directives?.find((node) => node.name.value === 'requiresScopes');
  const argument = directive?.arguments?.find((arg) => arg.name.value === 'scopes');
  if (!argument || argument.value.kind !== Kind.LIST) return undefined;
  return argument.value.values.map((alternative) =>
    alternative.kind === Kind.LIST ? alternative.values.flatMap((scope) => (scope.kind === Kind.STRING ? [scope.value] : [])) : [],
  );
}

/**
 * Guarded in the SDL's AST: `@requiresScopes` where every alternative needs the secrets scope (so
 * no alternative lets a caller through without it). `coordinate` is `Type.field` or `Type`.
 */
function guardedInSdl(schema: GraphQLSchema, coordinate: string): boolean {
  const [typeName, fieldName] = coordinate.split('.') as [string, string | undefined];
  const type = schema.getType(typeName);
  if (!isObjectType(type)) return false;
  const node = fieldName === undefined ? type.astNode : type.getFields()[fieldName]?.astNode;
  const scopes = requiredScopes(node?.directives);
  return scopes !== undefined && scopes.length > 0 && scopes.every((alternative) => alternative.includes(SECRETS));
}

function guardedByPolicy(policy: AuthPolicy, coordinate: string): boolean {
  const [typeName, fieldName] = coordinate.split('.') as [string, string | undefined];
  if (fieldName !== undefined) return policy.secretFields.has(coordinate);
  return Boolean(policy.typeRequirement(typeName)?.scopes?.every((alternative) => alternative.includes(SECRETS)));
}

describe('SDK sensitive members', () => {
  const { schema, policy } = buildServedSchema();
  const sdkMembers = [
    ...walkSdkSchema(schema, NormalizedSchema.of(DescribeActionConnectorResponse$), 'QuickSightActionConnector', 'quicksight'),
    ...walkSdkSchema(schema, NormalizedSchema.of(GetConnectionOutput$), 'DataZoneConnection', 'datazone'),
    ...walkSdkSchema(schema, NormalizedSchema.of(GetProjectOutput$), 'DataZoneProject', 'datazone'),
  ];
  /** The members the rule applies to: marked sensitive, or a scalar leaf below a sensitive member. */
  const checked = sdkMembers.filter((member) => member.sensitive || (member.underSensitive && member.leaf));

  test('SDK sensitive members - the walk finds the sensitive members of the SDK output shapes', () => {
    const sensitivePaths = sdkMembers.filter((member) => member.sensitive).map((member) => member.path);
    expect(sensitivePaths).toEqual(
      expect.arrayContaining([
        'GetConnectionOutput.connectionCredentials',
        'GetConnectionOutput.physicalEndpoints.glueConnection.authenticationConfiguration.oAuth2Properties.oAuth2Credentials',
        'GetConnectionOutput.props.redshiftProperties.credentials.usernamePassword.password',
        'GetConnectionOutput.props.sparkEmrProperties.credentials.password',
        'DescribeActionConnectorResponse.ActionConnector.Name',
      ]),
    );
    // The leaves of sensitive structures count too, e.g. the temporary AWS keys.
    expect(checked.map((member) => member.path)).toEqual(
      expect.arrayContaining([
        'GetConnectionOutput.connectionCredentials.secretAccessKey',
        'GetConnectionOutput.physicalEndpoints.glueConnection.authenticationConfiguration.oAuth2Properties.oAuth2Credentials.refreshToken',
        'GetConnectionOutput.props.sparkEmrProperties.managedEndpointCredentials.token',
      ]),
    );
  });

  test('SDK sensitive members - each is guarded by @requiresScopes(connections:secrets:read) or listed in NOT_CREDENTIALS with a reason', () => {
    const problems: string[] = [];
    for (const member of checked) {
      if (member.path in NOT_CREDENTIALS || (member.path in NOT_SERVED && member.coordinate === undefined)) continue;
      if (member.coordinate === undefined) {
        problems.push(`${member.path}: no GraphQL field found (${member.unmapped ?? 'unknown reason'})`);
        continue;
      }
      if (!guardedInSdl(schema, member.coordinate)) problems.push(`${member.path} -> ${member.coordinate}: the SDL does not guard it with @requiresScopes(scopes: [["${SECRETS}"]])`);
      if (!guardedByPolicy(policy, member.coordinate)) problems.push(`${member.path} -> ${member.coordinate}: AuthPolicy.secretFields does not contain it`);
    }
    expect(problems).toEqual([]);
  });

  test('SDK sensitive members - NOT_CREDENTIALS names only sensitive members (or leaves below them) that map to a GraphQL field, NOT_SERVED only ones that map to none, each with a reason', () => {
    const checkedPaths = new Map(checked.map((member) => [member.path, member]));
    for (const [path, reason] of Object.entries(NOT_CREDENTIALS)) {
      expect(checkedPaths.has(path), `${path} is not a sensitive SDK member any more: remove it from NOT_CREDENTIALS`).toBe(true);
      expect(reason.length, `${path} needs a reason`).toBeGreaterThan(10);
      const coordinate = checkedPaths.get(path)?.coordinate;
      expect(coordinate, `${path} maps to no GraphQL field`).toBeDefined();
    }
    for (const [path, reason] of Object.entries(NOT_SERVED)) {
      expect(checkedPaths.has(path), `${path} is not a sensitive SDK member any more: remove it from NOT_SERVED`).toBe(true);
      expect(reason.length, `${path} needs a reason`).toBeGreaterThan(10);
      expect(checkedPaths.get(path)?.coordinate, `${path} is served now: guard it or list it in NOT_CREDENTIALS`).toBeUndefined();
    }
  });

  test('Schema - every credential field of the contract is guarded in the SDL and in AuthPolicy.secretFields', () => {
    for (const coordinate of CONTRACT_CREDENTIAL_FIELDS) {
      expect(guardedInSdl(schema, coordinate), `${coordinate} in the SDL`).toBe(true);
      expect(policy.secretFields.has(coordinate), `${coordinate} in AuthPolicy.secretFields`).toBe(true);
    }
  });

  test('AuthPolicy.secretFields - equals the set of fields the SDL guards with the secrets scope', () => {
    const guarded = new Set<string>();
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__')) continue;
      for (const field of Object.values(type.getFields())) {
        if (requiredScopes(field.astNode?.directives)?.some((alternative) => alternative.includes(SECRETS))) guarded.add(`${type.name}.${field.name}`);
      }
    }
    expect([...policy.secretFields].sort()).toEqual([...guarded].sort());
  });
});

// ---------------------------------------------------------------------------------------------
// Helpers for the HTTP tests
// ---------------------------------------------------------------------------------------------

type Path = Array<string | number>;

function valueAt(data: unknown, path: Path): unknown {
  let value = data;
  for (const segment of path) {
    if (value === null || value === undefined) return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

/** Exactly one UNAUTHORIZED_FIELD_OR_TYPE error per expected path (and no other error); each of those values is null. */
function expectUnauthorizedExactlyAt(response: GraphQLResponse, paths: Path[]): void {
  expect(response.status).toBe(200);
  const errors = response.body.errors ?? [];
  expect(errors.map((error) => JSON.stringify(error.path)).sort()).toEqual(paths.map((path) => JSON.stringify(path)).sort());
  for (const error of errors) expect(error.extensions?.['code'], JSON.stringify(error)).toBe(UNAUTHORIZED);
  for (const path of paths) {
    expect(valueAt(response.body.data, path), `value at ${JSON.stringify(path)}`).toBeNull();
  }
}

function canary(connectionId: string, field: string): string {
  return `SECRET-CANARY-${connectionId}-${field}`;
}

const connectionQuery = (identifier: string, selection: string, withSecret?: boolean) =>
  `{ dataZoneConnection(domainIdentifier: "${DOMAIN}", identifier: "${identifier}"${withSecret === undefined ? '' : `, withSecret: ${withSecret}`}) ${selection} }`;

interface FieldCase {
  name: string;
  connectionId: string;
  selection: string;
  /** Paths (below `dataZoneConnection`) that are null with an error for a reader. */
  refused: Path[];
  /** Credential values a secrets reader gets at those paths (or below them). */
  revealed: Array<{ path: Path; value: string }>;
  /** Ordinary paths that stay intact for a reader. */
  intact: Array<{ path: Path; value: unknown }>;
}

const GLUE_OAUTH = (index: number): Path => ['physicalEndpoints', index, 'glueConnection', 'authenticationConfiguration', 'oAuth2Properties'];

const FIELD_CASES: FieldCase[] = [
  {
    name: 'DataZoneConnection.connectionCredentials',
    connectionId: 'conn-athena-sales',
    selection: '{ connectionId name description type connectionCredentials { accessKeyId secretAccessKey sessionToken expiration } props { ... on DataZoneAthenaProperties { workgroupName } } }',
    refused: [['connectionCredentials']],
    revealed: ['accessKeyId', 'secretAccessKey', 'sessionToken'].map((field) => ({ path: ['connectionCredentials', field], value: canary('conn-athena-sales', field) })),
    intact: [
      { path: ['connectionId'], value: 'conn-athena-sales' },
      { path: ['name'], value: 'athena-sales' },
      { path: ['description'], value: 'Athena workgroup for the sales analytics project.' },
      { path: ['type'], value: 'ATHENA' },
      { path: ['props', 'workgroupName'], value: 'sales-analytics' },
    ],
  },
  {
    name: 'DataZoneOAuth2Properties.oAuth2Credentials and DataZoneAuthorizationCodeProperties.authorizationCode',
    connectionId: 'conn-glue-snowflake',
    selection: `{ connectionId physicalEndpoints { host glueConnection { name authenticationConfiguration { secretArn oAuth2Properties {
        tokenUrl authorizationCodeProperties { authorizationCode redirectUri }
        oAuth2Credentials { userManagedClientApplicationClientSecret accessToken refreshToken jwtToken } } } } } }`,
    refused: [0, 1].flatMap((index) => [
      [...GLUE_OAUTH(index), 'authorizationCodeProperties', 'authorizationCode'],
      [...GLUE_OAUTH(index), 'oAuth2Credentials'],
    ]),
    revealed: [0, 1].flatMap((index) => [
      { path: [...GLUE_OAUTH(index), 'authorizationCodeProperties', 'authorizationCode'], value: canary('conn-glue-snowflake', `ep${index + 1}-authorizationCode`) },
      { path: [...GLUE_OAUTH(index), 'oAuth2Credentials', 'accessToken'], value: canary('conn-glue-snowflake', `ep${index + 1}-accessToken`) },
    ]),
    intact: [
      { path: ['physicalEndpoints', 0, 'host'], value: 'acme-analytics.snowflakecomputing.com' },
      { path: ['physicalEndpoints', 1, 'glueConnection', 'name'], value: 'snowflake-sales-ep2' },
      { path: [...GLUE_OAUTH(0), 'tokenUrl'], value: 'https://acme-analytics.snowflakecomputing.com/oauth/token-request' },
      { path: [...GLUE_OAUTH(1), 'authorizationCodeProperties', 'redirectUri'], value: 'https://dzd_demo0001.sagemaker.us-east-1.on.aws/oauth/callback' },
    ],
  },
  {
    name: 'DataZoneUsernamePassword.password (Redshift credentials union)',
    connectionId: 'conn-redshift-cluster',
    selection: '{ connectionId props { ... on DataZoneRedshiftProperties { jdbcUrl credentials { ... on DataZoneUsernamePassword { username password } } } } }',
    refused: [['props', 'credentials', 'password']],
    revealed: [{ path: ['props', 'credentials', 'password'], value: canary('conn-redshift-cluster', 'password') }],
    intact: [
      { path: ['props', 'credentials', 'username'], value: 'analytics_reader' },
      { path: ['props', 'jdbcUrl'], value: 'jdbc:redshift://sales-cluster.c1a2b3c4d5e6.us-east-1.redshift.amazonaws.com:5439/sales' },
    ],
  },
  {
    name: 'DataZoneUsernamePassword.password and DataZoneManagedEndpointCredentials.token (Spark EMR)',
    connectionId: 'conn-spark-emr',
    selection: '{ connectionId props { ... on DataZoneSparkEmrProperties { computeArn credentials { username password } managedEndpointCredentials { id token } } } }',
    refused: [
      ['props', 'credentials', 'password'],
      ['props', 'managedEndpointCredentials', 'token'],
    ],
    revealed: [
      { path: ['props', 'credentials', 'password'], value: canary('conn-spark-emr', 'password') },
      { path: ['props', 'managedEndpointCredentials', 'token'], value: canary('conn-spark-emr', 'managedEndpointToken') },
    ],
    intact: [
      { path: ['props', 'credentials', 'username'], value: 'livy-etl' },
      { path: ['props', 'managedEndpointCredentials', 'id'], value: 'ep456def' },
      { path: ['props', 'computeArn'], value: 'arn:aws:elasticmapreduce:us-east-1:111122223333:cluster/j-2AXXXXXXGAPLF' },
    ],
  },
];

// ---------------------------------------------------------------------------------------------
// 2-4. Field-level outcomes, _entities and withSecret, on one HS256 stack
// ---------------------------------------------------------------------------------------------

describe('authorization over HTTP', () => {
  let stack: Stack;
  const tokens: { noScope: string; reader: string; secretsOnly: string; secrets: string } = { noScope: '', reader: '', secretsOnly: '', secrets: '' };

  beforeAll(async () => {
    stack = await startStack();
    tokens.noScope = await mintToken([]);
    tokens.reader = await mintToken([READ]);
    tokens.secretsOnly = await mintToken([SECRETS]);
    tokens.secrets = await mintToken([READ, SECRETS]);
  });
  afterAll(async () => {
    await stack?.close();
  });

  describe('error messages', () => {
    test('UNAUTHORIZED_FIELD_OR_TYPE names the scope the caller lacks: the secrets scope for a credential, the read scope for a root field', async () => {
      const reader = await stack.graphql(connectionQuery('conn-athena-sales', '{ connectionId connectionCredentials { accessKeyId } }', true), { token: tokens.reader });
      expect(reader.body.errors).toEqual([
        expect.objectContaining({
          message: 'Unauthorized field or type: it requires the scope connections:secrets:read',
          path: ['dataZoneConnection', 'connectionCredentials'],
          extensions: expect.objectContaining({ code: UNAUTHORIZED }),
        }),
      ]);
      const noScope = await stack.graphql(connectionQuery('conn-athena-sales', '{ connectionId }', false), { token: tokens.noScope });
      expect(noScope.body.errors?.map((error) => error.message)).toEqual(['Unauthorized field or type: it requires the scope connections:read']);
    });
  });

  describe('field-level outcomes', () => {
    testEach(FIELD_CASES, (c) => `${c.name} - is null with UNAUTHORIZED_FIELD_OR_TYPE for a reader, every other field intact`, async (fieldCase) => {
      const response = await stack.graphql(connectionQuery(fieldCase.connectionId, fieldCase.selection, true), { token: tokens.reader });
      expectUnauthorizedExactlyAt(
        response,
        fieldCase.refused.map((path) => ['dataZoneConnection', ...path]),
      );
      const connection = response.body.data?.['dataZoneConnection'];
      expect(connection?.connectionId).toBe(fieldCase.connectionId);
      for (const { path, value } of fieldCase.intact) expect(valueAt(connection, path), JSON.stringify(path)).toEqual(value);
      expect(response.text).not.toContain('SECRET-CANARY-');
    });

    testEach(FIELD_CASES, (c) => `${c.name} - a secrets reader gets the seeded credential values`, async (fieldCase) => {
      const response = await stack.graphql(connectionQuery(fieldCase.connectionId, fieldCase.selection), { token: tokens.secrets });
      expect(response.status).toBe(200);
      expect(response.body.errors).toBeUndefined();
      const connection = response.body.data?.['dataZoneConnection'];
      for (const { path, value } of fieldCase.intact) expect(valueAt(connection, path), JSON.stringify(path)).toEqual(value);
      for (const { path, value } of fieldCase.revealed) expect(valueAt(connection, path), JSON.stringify(path)).toBe(value);
    });

    test('DataZoneGlueOAuth2Credentials - a secrets reader gets every OAuth 2.0 secret of both endpoints', async () => {
      const response = await stack.graphql(connectionQuery('conn-glue-snowflake', FIELD_CASES[1]!.selection, true), { token: tokens.secrets });
      expect(response.body.errors).toBeUndefined();
      for (const index of [0, 1]) {
        expect(valueAt(response.body.data?.['dataZoneConnection'], [...GLUE_OAUTH(index), 'oAuth2Credentials'])).toEqual({
          userManagedClientApplicationClientSecret: canary('conn-glue-snowflake', `ep${index + 1}-clientSecret`),
          accessToken: canary('conn-glue-snowflake', `ep${index + 1}-accessToken`),
          refreshToken: canary('conn-glue-snowflake', `ep${index + 1}-refreshToken`),
          jwtToken: canary('conn-glue-snowflake', `ep${index + 1}-jwtToken`),
        });
      }
    });

    test('DataZoneConnectionCredentials - a secrets reader gets the temporary AWS keys', async () => {
      const response = await stack.graphql(
        connectionQuery('conn-athena-sales', '{ connectionCredentials { accessKeyId secretAccessKey sessionToken expiration } }', true),
        { token: tokens.secrets },
      );
      expect(response.body.errors).toBeUndefined();
      expect(response.body.data?.['dataZoneConnection']?.connectionCredentials).toEqual({
        accessKeyId: canary('conn-athena-sales', 'accessKeyId'),
        secretAccessKey: canary('conn-athena-sales', 'secretAccessKey'),
        sessionToken: canary('conn-athena-sales', 'sessionToken'),
        expiration: '2025-07-01T12:00:00.000Z',
      });
    });

    test('QuickSightActionConnector - a reader reads every field, names and descriptions included, without errors', async () => {
      const response = await stack.graphql(
        `{ quickSightActionConnector(awsAccountId: "${ACCOUNT}", actionConnectorId: "zendesk-support") {
            awsAccountId actionConnectorId arn name description type status enabledActions
            authenticationConfig { authenticationType authenticationMetadata { ... on QuickSightBasicAuthConnectionMetadata { baseEndpoint username } } }
            describeResponse { requestId status } } }`,
        { token: tokens.reader },
      );
      expect(response.status).toBe(200);
      expect(response.body.errors).toBeUndefined();
      expect(response.body.data?.['quickSightActionConnector']).toMatchObject({
        actionConnectorId: 'zendesk-support',
        name: 'Zendesk Support',
        description: 'Look up and update customer support tickets.',
        authenticationConfig: { authenticationType: 'BASIC', authenticationMetadata: { username: 'quicksight-bot@acme.example.com' } },
        describeResponse: { status: 200 },
      });
    });

    const ROOT_QUERIES = [
      { root: 'dataZoneConnection', query: connectionQuery('conn-athena-sales', '{ connectionId name connectionCredentials { secretAccessKey } }', true) },
      { root: 'quickSightActionConnector', query: `{ quickSightActionConnector(awsAccountId: "${ACCOUNT}", actionConnectorId: "jira-cloud") { actionConnectorId name } }` },
    ];
    const UNREADY_CALLERS = [
      { caller: 'an anonymous caller', token: () => undefined },
      { caller: 'a caller whose token has no scope', token: () => tokens.noScope },
      { caller: 'a caller holding only connections:secrets:read', token: () => tokens.secretsOnly },
    ];
    for (const { root, query } of ROOT_QUERIES) {
      testEach(UNREADY_CALLERS, (c) => `Query.${root} - is null with UNAUTHORIZED_FIELD_OR_TYPE and HTTP 200 for ${c.caller}`, async ({ token }) => {
        stack.emulator.resetCalls();
        const response = await stack.graphql(query, { token: token() });
        expectUnauthorizedExactlyAt(response, [[root]]);
        expect(response.body.data).toEqual({ [root]: null });
        // Refused before any AWS call.
        expect(stack.emulator.calls).toEqual([]);
      });
    }

    test('Query - one root field refused leaves a sibling root field of the same operation intact for a reader', async () => {
      const response = await stack.graphql(
        `{ a: dataZoneConnection(domainIdentifier: "${DOMAIN}", identifier: "conn-iam-project") { connectionId connectionCredentials { accessKeyId } }
           b: quickSightActionConnector(awsAccountId: "${ACCOUNT}", actionConnectorId: "s3-reports") { actionConnectorId } }`,
        { token: tokens.reader },
      );
      expectUnauthorizedExactlyAt(response, [['a', 'connectionCredentials']]);
      expect(response.body.data).toEqual({ a: { connectionId: 'conn-iam-project', connectionCredentials: null }, b: { actionConnectorId: 's3-reports' } });
    });
  });

  describe('_entities', () => {
    const ENTITY_QUERY = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on DataZoneConnection { connectionId connectionCredentials { secretAccessKey } } } }';
    const redshift = { __typename: 'DataZoneConnection', domainId: DOMAIN, connectionId: 'conn-redshift-cluster' };

    test('_entities DataZoneConnection.connectionCredentials - is null with UNAUTHORIZED_FIELD_OR_TYPE for a reader, the entity intact', async () => {
      const response = await stack.graphql(ENTITY_QUERY, { token: tokens.reader, variables: { r: [redshift] } });
      expectUnauthorizedExactlyAt(response, [['_entities', 0, 'connectionCredentials']]);
      expect(response.body.data).toEqual({ _entities: [{ connectionId: 'conn-redshift-cluster', connectionCredentials: null }] });
    });

    testEach([
      { caller: 'an anonymous caller', token: () => undefined },
      { caller: 'a caller whose token has no scope', token: () => tokens.noScope },
    ], (c) => `_entities DataZoneConnection - the entity is null with UNAUTHORIZED_FIELD_OR_TYPE at [_entities, 0] for ${c.caller}`, async ({ token }) => {
      stack.emulator.resetCalls();
      const response = await stack.graphql(ENTITY_QUERY, { token: token(), variables: { r: [redshift] } });
      expectUnauthorizedExactlyAt(response, [['_entities', 0]]);
      expect(response.body.data).toEqual({ _entities: [null] });
      expect(stack.emulator.calls).toEqual([]);
    });

    test('_entities QuickSightActionConnector - is null with UNAUTHORIZED_FIELD_OR_TYPE for an anonymous caller, resolved for a reader', async () => {
      const query = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on QuickSightActionConnector { actionConnectorId name } } }';
      const variables = { r: [{ __typename: 'QuickSightActionConnector', awsAccountId: ACCOUNT, actionConnectorId: 'jira-cloud' }] };
      expectUnauthorizedExactlyAt(await stack.graphql(query, { variables }), [['_entities', 0]]);
      const reader = await stack.graphql(query, { variables, token: tokens.reader });
      expect(reader.body.errors).toBeUndefined();
      expect(reader.body.data).toEqual({ _entities: [{ actionConnectorId: 'jira-cloud', name: 'Jira Cloud (Engineering)' }] });
    });

    test('_entities DataZoneConnection.connectionCredentials - a secrets reader gets the seeded keys', async () => {
      const response = await stack.graphql(ENTITY_QUERY, {
        token: tokens.secrets,
        variables: { r: [{ __typename: 'DataZoneConnection', domainId: DOMAIN, connectionId: 'conn-s3-datalake' }, redshift] },
      });
      expect(response.body.errors).toBeUndefined();
      expect(response.body.data).toEqual({
        _entities: [
          { connectionId: 'conn-s3-datalake', connectionCredentials: { secretAccessKey: canary('conn-s3-datalake', 'secretAccessKey') } },
          { connectionId: 'conn-redshift-cluster', connectionCredentials: null },
        ],
      });
    });
  });

  describe('withSecret least privilege', () => {
    const secretSelection = '{ connectionId connectionCredentials { accessKeyId secretAccessKey sessionToken } props { ... on DataZoneRedshiftProperties { credentials { ... on DataZoneUsernamePassword { password } } } } }';
    const plainSelection = '{ connectionId name type }';
    const entity = (connectionId: string, selection: string) => ({
      query: `query($r: [_Any!]!) { _entities(representations: $r) { ... on DataZoneConnection ${selection} } }`,
      variables: { r: [{ __typename: 'DataZoneConnection', domainId: DOMAIN, connectionId }] },
    });
    const UNPRIVILEGED_OPERATIONS = [
      { name: 'root withSecret: true, plain fields', query: connectionQuery('conn-athena-sales', plainSelection, true) },
      { name: 'root withSecret: true, credential fields', query: connectionQuery('conn-athena-sales', secretSelection, true) },
      { name: 'root without withSecret, credential fields', query: connectionQuery('conn-redshift-cluster', secretSelection) },
      { name: 'root withSecret: true behind a named fragment', query: `query { dataZoneConnection(domainIdentifier: "${DOMAIN}", identifier: "conn-iam-project", withSecret: true) { ...C } } fragment C on DataZoneConnection { connectionCredentials { secretAccessKey } }` },
      { name: '_entities selecting credential fields', ...entity('conn-athena-sales', secretSelection) },
      { name: '_entities selecting plain fields', ...entity('conn-athena-sales', plainSelection) },
    ];
    const UNPRIVILEGED_CALLERS = [
      { caller: 'anonymous', token: () => undefined, reachesAws: false },
      { caller: 'no-scope', token: () => tokens.noScope, reachesAws: false },
      { caller: 'secrets-only (no read)', token: () => tokens.secretsOnly, reachesAws: false },
      { caller: 'reader', token: () => tokens.reader, reachesAws: true },
    ];

    testEach(UNPRIVILEGED_CALLERS, (c) => `GetConnection - is never sent withSecret=true for ${c.caller} callers, whatever the operation asks`, async ({ token, reachesAws }) => {
      for (const operation of UNPRIVILEGED_OPERATIONS) {
        stack.emulator.resetCalls();
        const response = await stack.graphql(operation.query, { token: token(), variables: 'variables' in operation ? operation.variables : undefined });
        expect(response.status, operation.name).toBe(200);
        const calls = callsOf(stack.emulator, 'GetConnection');
        // A reader's operations do reach AWS, so "no secret call" is not vacuous for them.
        if (reachesAws) expect(calls.length, operation.name).toBeGreaterThan(0);
        expect(calls.map((call) => call.withSecret), operation.name).not.toContain(true);
        expect(response.text, operation.name).not.toContain('SECRET-CANARY-');
      }
    });

    testEach([
      { name: 'withSecret: true with only plain fields', withSecret: true, selection: plainSelection, expected: true },
      { name: 'no withSecret argument, connectionCredentials selected', withSecret: undefined, selection: '{ connectionId connectionCredentials { accessKeyId } }', expected: true },
      { name: 'no withSecret argument, a credential selected inside the props union', withSecret: undefined, selection: '{ props { ... on DataZoneRedshiftProperties { credentials { ... on DataZoneUsernamePassword { password } } } } }', expected: true },
      { name: 'no withSecret argument, only plain fields', withSecret: undefined, selection: plainSelection, expected: false },
      { name: 'withSecret: false with credential fields', withSecret: false, selection: secretSelection, expected: false },
    ], (c) => `GetConnection - for a secrets reader, ${c.name} sends withSecret=${c.expected}`, async ({ withSecret, selection, expected }) => {
      stack.emulator.resetCalls();
      const response = await stack.graphql(connectionQuery('conn-redshift-cluster', selection, withSecret), { token: tokens.secrets });
      expect(response.status).toBe(200);
      expect(response.body.data?.['dataZoneConnection']?.connectionId ?? 'conn-redshift-cluster').toBe('conn-redshift-cluster');
      expect(callsOf(stack.emulator, 'GetConnection').map((call) => call.withSecret)).toEqual([expected]);
      if (!expected) expect(response.text).not.toContain('SECRET-CANARY-');
    });

    testEach([
      {
        name: 'a credential selected only behind named fragments',
        query: `query { dataZoneConnection(domainIdentifier: "${DOMAIN}", identifier: "conn-spark-emr") { connectionId ...Props } }
          fragment Props on DataZoneConnection { props { ...Emr } }
          fragment Emr on DataZoneSparkEmrProperties { managedEndpointCredentials { token } }`,
        expected: true,
      },
      {
        name: 'only plain fields behind named fragments',
        query: `query { dataZoneConnection(domainIdentifier: "${DOMAIN}", identifier: "conn-spark-emr") { ...Props } }
          fragment Props on DataZoneConnection { connectionId props { ...Emr } }
          fragment Emr on DataZoneSparkEmrProperties { managedEndpointCredentials { id } }`,
        expected: false,
      },
    ], (c) => `GetConnection - for a secrets reader, ${c.name} sends withSecret=${c.expected}`, async ({ query, expected }) => {
      stack.emulator.resetCalls();
      const response = await stack.graphql(query, { token: tokens.secrets });
      expect(response.body.errors).toBeUndefined();
      expect(callsOf(stack.emulator, 'GetConnection').map((call) => call.withSecret)).toEqual([expected]);
      if (expected) expect(response.text).toContain(canary('conn-spark-emr', 'managedEndpointToken'));
    });

    test('GetConnection - for a secrets reader, credentials behind @include / @skip are fetched only when the variables keep them', async () => {
      // One document, so one cached parse: the decision must follow each request's variables.
      const query = `query($with: Boolean!) {
        dataZoneConnection(domainIdentifier: "${DOMAIN}", identifier: "conn-athena-sales") {
          connectionId connectionCredentials @include(if: $with) { secretAccessKey }
        }
      }`;
      const sent: boolean[] = [];
      for (const withCredentials of [false, true, false]) {
        stack.emulator.resetCalls();
        const response = await stack.graphql(query, { token: tokens.secrets, variables: { with: withCredentials } });
        expect(response.body.errors).toBeUndefined();
        expect(response.text.includes('SECRET-CANARY-')).toBe(withCredentials);
        sent.push(...callsOf(stack.emulator, 'GetConnection').map((call) => call.withSecret));
      }
      expect(sent).toEqual([false, true, false]);
    });

    testEach([
      { name: '@skip(if: true) on the credential field', query: `{ dataZoneConnection(domainIdentifier: "${DOMAIN}", identifier: "conn-iam-project") { connectionId connectionCredentials @skip(if: true) { accessKeyId } } }` },
      { name: '@include(if: false) on a fragment spread holding the credential', query: `query { dataZoneConnection(domainIdentifier: "${DOMAIN}", identifier: "conn-iam-project") { connectionId ...C @include(if: false) } } fragment C on DataZoneConnection { connectionCredentials { accessKeyId } }` },
      { name: '@skip(if: true) on an inline fragment holding the credential', query: `{ dataZoneConnection(domainIdentifier: "${DOMAIN}", identifier: "conn-iam-project") { connectionId ... @skip(if: true) { connectionCredentials { accessKeyId } } } }` },
    ], (c) => `GetConnection - for a secrets reader, a credential removed by ${c.name} sends withSecret=false`, async ({ query }) => {
      stack.emulator.resetCalls();
      const response = await stack.graphql(query, { token: tokens.secrets });
      expect(response.body.errors).toBeUndefined();
      expect(response.body.data).toEqual({ dataZoneConnection: { connectionId: 'conn-iam-project' } });
      expect(callsOf(stack.emulator, 'GetConnection').map((call) => call.withSecret)).toEqual([false]);
    });

    testEach([
      { name: 'selecting connectionCredentials', selection: '{ connectionCredentials { secretAccessKey } }', expected: true },
      { name: 'selecting only plain fields', selection: plainSelection, expected: false },
    ], (c) => `GetConnection - for a secrets reader, _entities ${c.name} sends withSecret=${c.expected}`, async ({ selection, expected }) => {
      stack.emulator.resetCalls();
      const operation = entity('conn-athena-sales', selection);
      const response = await stack.graphql(operation.query, { token: tokens.secrets, variables: operation.variables });
      expect(response.body.errors).toBeUndefined();
      expect(callsOf(stack.emulator, 'GetConnection').map((call) => call.withSecret)).toEqual([expected]);
    });
  });

  describe('401 with HS256 tokens', () => {
    async function expectUnauthenticated(response: GraphQLResponse, token?: string): Promise<void> {
      expect(response.status).toBe(401);
      expect(response.body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
      expect(response.body.data).toBeUndefined();
      expect('data' in response.body).toBe(false);
      if (token) expect(response.text).not.toContain(token);
    }
    const QUERY = connectionQuery('conn-athena-sales', '{ connectionId }');

    test('Authorization - a token signed with another secret is refused with 401 UNAUTHENTICATED and no data', async () => {
      const token = await mintToken([READ, SECRETS], { secret: 'another-secret-that-is-long-enough-0123' });
      await expectUnauthenticated(await stack.graphql(QUERY, { token }), token);
    });

    test('Authorization - an expired token is refused with 401 UNAUTHENTICATED and no data', async () => {
      const token = await new SignJWT({ scope: `${READ} ${SECRETS}` })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('test-user')
        .setIssuedAt(Math.floor(Date.now() / 1000) - 600)
        .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
        .sign(new TextEncoder().encode(TEST_JWT_SECRET));
      await expectUnauthenticated(await stack.graphql(QUERY, { token }), token);
    });

    test('Authorization - an unsigned (alg: none) token is refused with 401 UNAUTHENTICATED', async () => {
      const token = new UnsecuredJWT({ scope: `${READ} ${SECRETS}` }).setSubject('test-user').setIssuedAt().setExpirationTime('10m').encode();
      await expectUnauthenticated(await stack.graphql(QUERY, { token }), token);
    });

    testEach(['Basic x', 'Bearer', 'Bearer not.a.jwt', 'Token abc'], (c) => `Authorization - the malformed header "${c}" is refused with 401 UNAUTHENTICATED`, async (header) => {
      await expectUnauthenticated(await stack.graphql(QUERY, { headers: { authorization: header } }));
    });

    test('Authorization - refused tokens never reach AWS', async () => {
      stack.emulator.resetCalls();
      const token = await mintToken([READ, SECRETS], { secret: 'another-secret-that-is-long-enough-0123' });
      await stack.graphql(QUERY, { token });
      await stack.graphql(QUERY, { headers: { authorization: 'Basic x' } });
      expect(stack.emulator.calls).toEqual([]);
    });

    test('Authorization - scopes are read from an `scp` array claim as well as from `scope`', async () => {
      const reader = await mintToken([READ], { claim: 'scp' });
      const readerResponse = await stack.graphql(connectionQuery('conn-athena-sales', '{ connectionId connectionCredentials { accessKeyId } }'), { token: reader });
      expectUnauthorizedExactlyAt(readerResponse, [['dataZoneConnection', 'connectionCredentials']]);
      expect(readerResponse.body.data?.['dataZoneConnection']?.connectionId).toBe('conn-athena-sales');

      const secrets = await mintToken([READ, SECRETS], { claim: 'scp' });
      const secretsResponse = await stack.graphql(connectionQuery('conn-athena-sales', '{ connectionCredentials { accessKeyId } }'), { token: secrets });
      expect(secretsResponse.body.errors).toBeUndefined();
      expect(secretsResponse.body.data?.['dataZoneConnection']?.connectionCredentials?.accessKeyId).toBe(canary('conn-athena-sales', 'accessKeyId'));
    });

    test('Authorization - an empty `scope` claim does not hide the scopes of `scp`', async () => {
      const token = await new SignJWT({ scope: '', scp: [READ] })
        .setProtectedHeader({ alg: 'HS256' })
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(TEST_JWT_SECRET));
      const response = await stack.graphql(connectionQuery('conn-athena-sales', '{ connectionId }'), { token });
      expect(response.body.errors).toBeUndefined();
      expect(response.body.data?.['dataZoneConnection']?.connectionId).toBe('conn-athena-sales');
    });

    test('Authorization - a token without `exp`, which would never expire, is refused with 401', async () => {
      const token = await new SignJWT({ scope: `${READ} ${SECRETS}` })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuedAt()
        .sign(new TextEncoder().encode(TEST_JWT_SECRET));
      const requestId = `no-exp-${Date.now()}`;
      const response = await stack.graphql(connectionQuery('conn-athena-sales', '{ connectionId }'), { token, headers: { 'x-request-id': requestId } });
      expect(response.status).toBe(401);
      expect(response.body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
      // The defect is named, in the answer and in the request's log line; the token is in neither.
      expect(response.body.errors?.[0]?.message).toBe('Unauthenticated: the token has no exp claim.');
      expect(response.body).not.toHaveProperty('data');
      await expect.poll(() => stack.logLines.find((line) => line.includes(requestId) && line.includes('graphql request'))).toBeDefined();
      const line = JSON.parse(stack.logLines.find((candidate) => candidate.includes(requestId) && candidate.includes('graphql request'))!) as Record<string, unknown>;
      expect(line).toMatchObject({ status: 401, refusal: 'Unauthenticated: the token has no exp claim.' });
      expect(stack.logLines.join('\n')).not.toContain(token);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// 5. Audience and issuer checks
// ---------------------------------------------------------------------------------------------

describe('401 for the wrong audience or issuer', () => {
  let stack: Stack;
  const AUDIENCE = 'connections-subgraph';
  const ISSUER = 'https://idp.example.com/';
  const QUERY = connectionQuery('conn-athena-sales', '{ connectionId }');

  beforeAll(async () => {
    stack = await startStack({ env: { AUTH_AUDIENCE: AUDIENCE, AUTH_ISSUER: ISSUER } });
  });
  afterAll(async () => {
    await stack?.close();
  });

  test('Authorization - a token with the configured audience and issuer is accepted', async () => {
    const token = await mintToken([READ], { audience: AUDIENCE, issuer: ISSUER });
    const response = await stack.graphql(QUERY, { token });
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({ dataZoneConnection: { connectionId: 'conn-athena-sales' } });
  });

  testEach([
    { name: 'another audience', options: { audience: 'some-other-api', issuer: ISSUER } },
    { name: 'no audience', options: { issuer: ISSUER } },
    { name: 'another issuer', options: { audience: AUDIENCE, issuer: 'https://evil.example.com/' } },
    { name: 'no issuer', options: { audience: AUDIENCE } },
  ], (c) => `Authorization - a token with ${c.name} is refused with 401 UNAUTHENTICATED and no data`, async ({ options }) => {
    const token = await mintToken([READ, SECRETS], options);
    const response = await stack.graphql(QUERY, { token });
    expect(response.status).toBe(401);
    expect(response.body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    expect('data' in response.body).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// 5. JWKS (RS256 / ES256)
// ---------------------------------------------------------------------------------------------

describe('JWKS', () => {
  let stack: Stack;
  let jwksServer: Server;
  let jwksRequests = 0;
  const keys: Record<'rs' | 'es' | 'rogue', CryptoKey | undefined> = { rs: undefined, es: undefined, rogue: undefined };
  const QUERY = connectionQuery('conn-athena-sales', '{ connectionId connectionCredentials { accessKeyId } }');

  function sign(alg: 'RS256' | 'ES256', kid: string, key: CryptoKey | undefined, scopes: string[]): Promise<string> {
    if (!key) throw new Error('keys not generated');
    return new SignJWT({ scope: scopes.join(' ') }).setProtectedHeader({ alg, kid }).setSubject('jwks-user').setIssuedAt().setExpirationTime('10m').sign(key);
  }

  beforeAll(async () => {
    const rs = await generateKeyPair('RS256');
    const es = await generateKeyPair('ES256');
    const rogue = await generateKeyPair('RS256');
    keys.rs = rs.privateKey;
    keys.es = es.privateKey;
    keys.rogue = rogue.privateKey;
    const jwks: { keys: JWK[] } = {
      keys: [
        { ...(await exportJWK(rs.publicKey)), kid: 'rs-1', alg: 'RS256', use: 'sig' },
        { ...(await exportJWK(es.publicKey)), kid: 'es-1', alg: 'ES256', use: 'sig' },
      ],
    };
    jwksServer = createServer((_request, response) => {
      jwksRequests += 1;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(jwks));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    const { port } = jwksServer.address() as AddressInfo;
    // startStack merges env over a default that sets AUTH_JWT_SECRET; loadConfig refuses both, so
    // the secret is removed (an undefined value is what an unset variable looks like).
    stack = await startStack({ env: { AUTH_JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json`, AUTH_JWT_SECRET: undefined as unknown as string } });
  });
  afterAll(async () => {
    await stack?.close();
    await new Promise<void>((resolve) => (jwksServer ? jwksServer.close(() => resolve()) : resolve()));
  });

  test('Config - the JWKS stack verifies with the key set, not a shared secret', () => {
    expect(stack.config.auth.jwtSecret).toBeUndefined();
    expect(stack.config.auth.jwksUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
  });

  testEach([
    { alg: 'RS256' as const, kid: 'rs-1', key: 'rs' as const },
    { alg: 'ES256' as const, kid: 'es-1', key: 'es' as const },
  ], (c) => `Authorization - a valid ${c.alg} token from the JWKS is accepted and its scopes apply`, async ({ alg, kid, key }) => {
    const reader = await stack.graphql(QUERY, { token: await sign(alg, kid, keys[key], [READ]) });
    expectUnauthorizedExactlyAt(reader, [['dataZoneConnection', 'connectionCredentials']]);
    expect(reader.body.data?.['dataZoneConnection']?.connectionId).toBe('conn-athena-sales');

    const secrets = await stack.graphql(QUERY, { token: await sign(alg, kid, keys[key], [READ, SECRETS]) });
    expect(secrets.status).toBe(200);
    expect(secrets.body.errors).toBeUndefined();
    expect(secrets.body.data?.['dataZoneConnection']?.connectionCredentials?.accessKeyId).toBe(canary('conn-athena-sales', 'accessKeyId'));
    expect(jwksRequests).toBeGreaterThan(0);
  });

  testEach([
    { name: 'a key that is not in the JWKS (unknown kid)', token: () => sign('RS256', 'rogue-1', keys.rogue, [READ, SECRETS]) },
    { name: 'another key under a kid of the JWKS', token: () => sign('RS256', 'rs-1', keys.rogue, [READ, SECRETS]) },
    { name: 'HS256 with the test secret', token: () => mintToken([READ, SECRETS]) },
  ], (c) => `Authorization - a token signed with ${c.name} is refused with 401 UNAUTHENTICATED and no data`, async ({ token }) => {
    stack.emulator.resetCalls();
    const response = await stack.graphql(QUERY, { token: await token() });
    expect(response.status).toBe(401);
    expect(response.body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    expect('data' in response.body).toBe(false);
    expect(stack.emulator.calls).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// The @apollo/gateway switch strips the directives from the served SDL, never the enforcement
// ---------------------------------------------------------------------------------------------

describe('GATEWAY_COMPATIBLE_SDL', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ env: { GATEWAY_COMPATIBLE_SDL: 'true' } });
  });
  afterAll(async () => {
    await stack?.close();
  });

  test('GATEWAY_COMPATIBLE_SDL - the served SDL carries no @requiresScopes/@authenticated', async () => {
    const response = await stack.graphql('{ _service { sdl } }');
    expect(response.status).toBe(200);
    const sdl: string = response.body.data?.['_service']?.sdl ?? '';
    expect(sdl).toContain('connectionCredentials');
    expect(sdl).not.toMatch(/@requiresScopes|@authenticated/);
  });

  test('GATEWAY_COMPATIBLE_SDL - enforcement stays on: a reader gets credentials null with UNAUTHORIZED_FIELD_OR_TYPE, an anonymous caller gets nothing', async () => {
    const query = connectionQuery('conn-redshift-cluster', '{ connectionId connectionCredentials { secretAccessKey } props { ... on DataZoneRedshiftProperties { credentials { ... on DataZoneUsernamePassword { username password } } } } }', true);
    stack.emulator.resetCalls();
    const reader = await stack.graphql(query, { token: await mintToken([READ]) });
    expectUnauthorizedExactlyAt(reader, [
      ['dataZoneConnection', 'connectionCredentials'],
      ['dataZoneConnection', 'props', 'credentials', 'password'],
    ]);
    expect(valueAt(reader.body.data, ['dataZoneConnection', 'props', 'credentials', 'username'])).toBe('analytics_reader');
    expect(callsOf(stack.emulator, 'GetConnection').map((call) => call.withSecret)).toEqual([false]);

    expectUnauthorizedExactlyAt(await stack.graphql(query), [['dataZoneConnection']]);

    const secrets = await stack.graphql(query, { token: await mintToken([READ, SECRETS]) });
    expect(secrets.body.errors).toBeUndefined();
    expect(valueAt(secrets.body.data, ['dataZoneConnection', 'props', 'credentials', 'password'])).toBe(canary('conn-redshift-cluster', 'password'));
  });
});
