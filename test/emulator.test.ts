/**
 * The AWS emulator, exercised through the REAL AWS SDK v3 clients (and raw fetch for wire details).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import * as QS from '@aws-sdk/client-quicksight';
import * as DZ from '@aws-sdk/client-datazone';
import { DescribeActionConnectorCommand, QuickSightClient } from '@aws-sdk/client-quicksight';
import type { ActionConnector, QuickSightClientConfig } from '@aws-sdk/client-quicksight';
import { DataZoneClient, GetConnectionCommand } from '@aws-sdk/client-datazone';
import type { DataZoneClientConfig, GetConnectionOutput } from '@aws-sdk/client-datazone';
import {
  DATAZONE_ERROR_STATUS,
  DECLARED_ERRORS,
  DEMO_AWS_ACCOUNT_ID,
  DEMO_DOMAIN_ID,
  QUICKSIGHT_ERROR_STATUS,
  SECRET_CANARY_PREFIX,
  seedActionConnectors,
  seedConnections,
  startEmulator,
} from '../tools/emulator/index.js';
import type { Emulator } from '../tools/emulator/index.js';
import { isCredentialMapKey } from '../src/auth/credential-map-keys.js';

const CREDENTIALS = { accessKeyId: 'AKIDEMULATORTEST', secretAccessKey: 'emulator-test-secret' };

let emulator: Emulator;
const clients: Array<{ destroy(): void }> = [];

function qsClient(extra: Partial<QuickSightClientConfig> = {}): QuickSightClient {
  const client = new QuickSightClient({ endpoint: emulator.url, region: 'us-east-1', credentials: CREDENTIALS, ...extra });
  clients.push(client);
  return client;
}
function dzClient(extra: Partial<DataZoneClientConfig> = {}): DataZoneClient {
  const client = new DataZoneClient({ endpoint: emulator.url, region: 'us-east-1', credentials: CREDENTIALS, ...extra });
  clients.push(client);
  return client;
}

let qs: QuickSightClient;
let dz: DataZoneClient;
let qs1: QuickSightClient; // no retries
let dz1: DataZoneClient; // no retries

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  qs = qsClient();
  dz = dzClient();
  qs1 = qsClient({ maxAttempts: 1 });
  dz1 = dzClient({ maxAttempts: 1 });
});

afterEach(() => {
  emulator.clearFaults();
  emulator.setLatency(0);
});

afterAll(async () => {
  for (const c of clients) c.destroy();
  await emulator.close();
});

function describeConnector(client: QuickSightClient, id: string, account = DEMO_AWS_ACCOUNT_ID) {
  return client.send(new DescribeActionConnectorCommand({ AwsAccountId: account, ActionConnectorId: id }));
}
function getConnection(client: DataZoneClient, id: string, withSecret?: boolean, domain = DEMO_DOMAIN_ID) {
  return client.send(
    new GetConnectionCommand({ domainIdentifier: domain, identifier: id, ...(withSecret === undefined ? {} : { withSecret }) }),
  );
}

interface AwsError {
  name: string;
  message: string;
  $fault?: string;
  $metadata: { httpStatusCode?: number; requestId?: string; attempts?: number };
}
async function failure(promise: Promise<unknown>): Promise<AwsError> {
  try {
    await promise;
  } catch (err) {
    return err as AwsError;
  }
  throw new Error('expected the call to fail');
}

function lastCall() {
  const call = emulator.calls[emulator.calls.length - 1];
  if (!call) throw new Error('no call recorded');
  return call;
}

// ---- helpers over the SDK's own schema arrays --------------------------------------------------

type Sch = unknown;
type Kind =
  | { k: 'struct'; members: Array<[string, Sch]> }
  | { k: 'list'; value: Sch }
  | { k: 'map'; value: Sch }
  | { k: 'scalar' };

/** Interprets the SDK's static schema arrays: [3|4|-3, ns, name, traits, memberNames, memberSchemas], [1, ns, name, traits, value], [2, ns, name, traits, key, value], [0, ns, name, traits, target], numbers. */
function kindOf(schema: Sch): Kind {
  let s = schema;
  for (;;) {
    if (typeof s === 'function') s = (s as () => Sch)();
    else if (Array.isArray(s) && typeof s[0] === 'function') s = s[0];
    else if (Array.isArray(s) && s[0] === 0) s = s[4];
    else break;
  }
  if (typeof s === 'number') {
    if ((s & 64) === 64 && s !== 64) return { k: 'list', value: s & ~64 };
    if ((s & 128) === 128 && s !== 128) return { k: 'map', value: s & ~128 };
    return { k: 'scalar' };
  }
  if (Array.isArray(s)) {
    if (s[0] === 3 || s[0] === 4) {
      const names = s[4] as string[];
      const schemas = s[5] as Sch[];
      return { k: 'struct', members: names.map((n, i) => [n, schemas[i]] as [string, Sch]) };
    }
    if (s[0] === 1) return { k: 'list', value: s[4] };
    if (s[0] === 2) return { k: 'map', value: s[5] };
  }
  return { k: 'scalar' };
}

function schemaPaths(schema: Sch, prefix: string, out: Set<string>): Set<string> {
  const kind = kindOf(schema);
  if (kind.k === 'struct') {
    if (kind.members.length === 0) out.add(prefix);
    for (const [name, member] of kind.members) schemaPaths(member, prefix ? `${prefix}.${name}` : name, out);
  } else if (kind.k === 'list') schemaPaths(kind.value, `${prefix}[]`, out);
  else if (kind.k === 'map') schemaPaths(kind.value, `${prefix}{}`, out);
  else out.add(prefix);
  return out;
}

function dataPaths(schema: Sch, value: unknown, prefix: string, out: Set<string>): Set<string> {
  if (value === undefined || value === null) return out;
  const kind = kindOf(schema);
  if (kind.k === 'struct') {
    const record = value as Record<string, unknown>;
    if (kind.members.length === 0) out.add(prefix);
    for (const [name, member] of kind.members) dataPaths(member, record[name], prefix ? `${prefix}.${name}` : name, out);
  } else if (kind.k === 'list') {
    for (const item of value as unknown[]) dataPaths(kind.value, item, `${prefix}[]`, out);
  } else if (kind.k === 'map') {
    for (const item of Object.values(value as Record<string, unknown>)) dataPaths(kind.value, item, `${prefix}{}`, out);
  } else out.add(prefix);
  return out;
}

/** Every string leaf with its path (list indexes as [], map keys as {}), schema-free. */
function stringLeaves(value: unknown, prefix: string, out: Array<[string, string]>): Array<[string, string]> {
  if (typeof value === 'string') out.push([prefix, value]);
  else if (Array.isArray(value)) value.forEach((v) => stringLeaves(v, `${prefix}[]`, out));
  else if (value && typeof value === 'object' && !(value instanceof Date)) {
    for (const [k, v] of Object.entries(value)) stringLeaves(v, prefix ? `${prefix}.${k}` : k, out);
  }
  return out;
}

const GLUE_OAUTH = 'physicalEndpoints[].glueConnection.authenticationConfiguration.oAuth2Properties';
const CREDENTIAL_PATHS = new Set([
  'connectionCredentials.accessKeyId',
  'connectionCredentials.secretAccessKey',
  'connectionCredentials.sessionToken',
  `${GLUE_OAUTH}.oAuth2Credentials.userManagedClientApplicationClientSecret`,
  `${GLUE_OAUTH}.oAuth2Credentials.accessToken`,
  `${GLUE_OAUTH}.oAuth2Credentials.refreshToken`,
  `${GLUE_OAUTH}.oAuth2Credentials.jwtToken`,
  `${GLUE_OAUTH}.authorizationCodeProperties.authorizationCode`,
  'props.redshiftProperties.credentials.usernamePassword.password',
  'props.sparkEmrProperties.credentials.password',
  'props.sparkEmrProperties.managedEndpointCredentials.token',
]);

/** Where GetConnectionOutput has a string map, as stringLeaves writes paths (`configurations[].properties`). */
function dzMapPaths(): string[] {
  // A string-to-string map is the bare number 128 in the SDK's schema arrays (kindOf calls it a scalar).
  const isStringMap = (schema: Sch): boolean => {
    let resolved = schema;
    while (typeof resolved === 'function' || (Array.isArray(resolved) && (typeof resolved[0] === 'function' || resolved[0] === 0))) {
      resolved = typeof resolved === 'function' ? (resolved as () => Sch)() : typeof resolved[0] === 'function' ? resolved[0] : resolved[4];
    }
    return resolved === 128;
  };
  const paths: string[] = [];
  const walk = (schema: Sch, prefix: string): void => {
    if (isStringMap(schema)) {
      paths.push(prefix);
      return;
    }
    const kind = kindOf(schema);
    if (kind.k === 'struct') for (const [name, member] of kind.members) walk(member, prefix ? `${prefix}.${name}` : name);
    else if (kind.k === 'list') walk(kind.value, `${prefix}[]`);
  };
  walk((DZ as unknown as Record<string, unknown>)['GetConnectionOutput$'], '');
  return paths;
}

/** Whether a stringLeaves path is the value of a map entry whose key names a credential. */
function isCredentialMapEntryPath(path: string): boolean {
  return dzMapPaths().some((map) => path.startsWith(`${map}.`) && isCredentialMapKey(path.slice(map.length + 1)));
}

/** Independent re-implementation of what DataZone leaves out without withSecret=true. */
function withoutSecrets(connection: GetConnectionOutput): GetConnectionOutput {
  const c = structuredClone(connection) as Record<string, any>;
  delete c['connectionCredentials'];
  for (const ep of c['physicalEndpoints'] ?? []) {
    const oauth = ep?.glueConnection?.authenticationConfiguration?.oAuth2Properties;
    if (oauth) {
      delete oauth.oAuth2Credentials;
      if (oauth.authorizationCodeProperties) delete oauth.authorizationCodeProperties.authorizationCode;
    }
  }
  const up = c['props']?.redshiftProperties?.credentials?.usernamePassword;
  if (up) delete up.password;
  const emr = c['props']?.sparkEmrProperties;
  if (emr?.credentials) delete emr.credentials.password;
  if (emr?.managedEndpointCredentials) delete emr.managedEndpointCredentials.token;
  return c as GetConnectionOutput;
}

function stripMetadata<T extends { $metadata?: unknown }>(out: T): Omit<T, '$metadata'> {
  const { $metadata: _ignored, ...rest } = out;
  return rest;
}

const connectors = seedActionConnectors();
const connections = seedConnections();

// ------------------------------------------------------------------------------------------------

describe('error table', () => {
  it('matches the httpError traits of the SDK error schemas, both ways', () => {
    const check = (sdk: Record<string, unknown>, table: Readonly<Record<string, number>>, base: string) => {
      const sdkNames = Object.keys(sdk)
        .filter((k) => k.endsWith('Exception$') && k !== `${base}$`)
        .map((k) => k.slice(0, -1));
      expect(new Set(Object.keys(table))).toEqual(new Set(sdkNames));
      for (const name of sdkNames) {
        const schema = sdk[`${name}$`] as [number, string, string, { httpError: number; error: string }];
        expect(schema[3].httpError, name).toBe(table[name]);
      }
    };
    check(QS as unknown as Record<string, unknown>, QUICKSIGHT_ERROR_STATUS, 'QuickSightServiceException');
    check(DZ as unknown as Record<string, unknown>, DATAZONE_ERROR_STATUS, 'DataZoneServiceException');
    expect(QUICKSIGHT_ERROR_STATUS).toMatchObject({
      ResourceNotFoundException: 404,
      AccessDeniedException: 401,
      ThrottlingException: 429,
      InvalidParameterValueException: 400,
      InternalFailureException: 500,
    });
    expect(DATAZONE_ERROR_STATUS).toMatchObject({
      ResourceNotFoundException: 404,
      AccessDeniedException: 403,
      ThrottlingException: 429,
      ValidationException: 400,
      UnauthorizedException: 401,
      InternalServerException: 500,
    });
    for (const name of DECLARED_ERRORS.DescribeActionConnector) expect(QUICKSIGHT_ERROR_STATUS).toHaveProperty(name);
    for (const name of DECLARED_ERRORS.GetConnection) expect(DATAZONE_ERROR_STATUS).toHaveProperty(name);
  });
});

describe('seed data', () => {
  it('covers every member path of ActionConnector and GetConnectionOutput', () => {
    const qsSchema = (QS as unknown as Record<string, unknown>)['ActionConnector$'];
    const dzSchema = (DZ as unknown as Record<string, unknown>)['GetConnectionOutput$'];
    const qsCovered = new Set<string>();
    for (const { connector } of connectors) dataPaths(qsSchema, connector, '', qsCovered);
    const dzCovered = new Set<string>();
    for (const connection of connections) dataPaths(dzSchema, connection, '', dzCovered);
    expect([...schemaPaths(qsSchema, '', new Set())].filter((p) => !qsCovered.has(p))).toEqual([]);
    expect([...schemaPaths(dzSchema, '', new Set())].filter((p) => !dzCovered.has(p))).toEqual([]);
  });

  it('covers every union member, plus unknown ones', () => {
    const members = (sdk: unknown, name: string) => ((sdk as Record<string, unknown[]>)[`${name}$`]?.[4] ?? []) as string[];
    const authKinds = new Set(connectors.map(({ connector }) => Object.keys(connector.AuthenticationConfig?.AuthenticationMetadata ?? {})[0]));
    expect(members(QS, 'ReadAuthenticationMetadata')).toHaveLength(6);
    for (const m of members(QS, 'ReadAuthenticationMetadata')) expect(authKinds).toContain(m);
    expect(authKinds).toContain('$unknown');
    const codeGrant = connectors.map((c) => c.connector.AuthenticationConfig?.AuthenticationMetadata?.AuthorizationCodeGrantMetadata);
    for (const m of members(QS, 'ReadAuthorizationCodeGrantCredentialsDetails')) {
      expect(codeGrant.some((g) => g?.ReadAuthorizationCodeGrantCredentialsDetails && m in g.ReadAuthorizationCodeGrantCredentialsDetails)).toBe(true);
    }
    const clientGrant = connectors.map((c) => c.connector.AuthenticationConfig?.AuthenticationMetadata?.ClientCredentialsGrantMetadata);
    for (const m of members(QS, 'ReadClientCredentialsDetails')) {
      expect(clientGrant.some((g) => g?.ReadClientCredentialsDetails && m in g.ReadClientCredentialsDetails)).toBe(true);
    }

    const propKinds = new Set(connections.map((c) => Object.keys(c.props ?? {})[0]));
    expect(members(DZ, 'ConnectionPropertiesOutput').length).toBeGreaterThanOrEqual(13);
    for (const m of members(DZ, 'ConnectionPropertiesOutput')) expect(propKinds).toContain(m);
    expect(propKinds).toContain('$unknown');
    const redshift = connections.map((c) => c.props?.redshiftProperties).filter((r) => r !== undefined);
    for (const m of members(DZ, 'RedshiftStorageProperties')) expect(redshift.some((r) => r.storage && m in r.storage)).toBe(true);
    for (const m of members(DZ, 'RedshiftCredentials')) expect(redshift.some((r) => r.credentials && m in r.credentials)).toBe(true);
  });

  it('marks exactly the credential values with the canary prefix, each distinct', () => {
    const qsLeaves = connectors.flatMap(({ connector }) => stringLeaves(connector, '', []));
    expect(qsLeaves.filter(([, v]) => v.includes(SECRET_CANARY_PREFIX))).toEqual([]);

    const values: string[] = [];
    const credentialPathsSeen = new Set<string>();
    const mapsWithCredentials = new Set<string>();
    for (const connection of connections) {
      for (const [path, value] of stringLeaves(connection, '', [])) {
        if (CREDENTIAL_PATHS.has(path)) {
          expect(value, path).toContain(SECRET_CANARY_PREFIX);
          credentialPathsSeen.add(path);
        }
        if (isCredentialMapEntryPath(path)) {
          expect(value, path).toContain(SECRET_CANARY_PREFIX);
          mapsWithCredentials.add(dzMapPaths().find((map) => path.startsWith(`${map}.`))!);
        }
        if (value.includes(SECRET_CANARY_PREFIX)) {
          expect(CREDENTIAL_PATHS.has(path) || isCredentialMapEntryPath(path), `${path} must not contain the canary`).toBe(true);
          values.push(value);
        }
      }
    }
    expect(credentialPathsSeen).toEqual(CREDENTIAL_PATHS);
    // Every string map of GetConnectionOutput holds a credential entry somewhere in the seed.
    expect(dzMapPaths()).toHaveLength(6);
    expect([...mapsWithCredentials].sort()).toEqual([...dzMapPaths()].sort());
    expect(new Set(values).size).toBe(values.length);
  });
});

describe('DescribeActionConnector through the QuickSight SDK', () => {
  it.each(connectors.map((c) => [c.connector.ActionConnectorId as string, c] as const))(
    '%s round-trips deeply equal to the seed',
    async (id, { awsAccountId, connector }) => {
      emulator.resetCalls();
      const out = await describeConnector(qs, id, awsAccountId);
      expect(out.ActionConnector).toEqual(connector);
      expect(out.ActionConnector?.CreatedTime).toBeInstanceOf(Date);
      expect(out.ActionConnector?.LastUpdatedTime?.getTime()).toBe(connector.LastUpdatedTime?.getTime());
      expect(out.Status).toBe(200);
      expect(out.$metadata.httpStatusCode).toBe(200);
      expect(out.RequestId).toBeTruthy();
      expect(out.$metadata.requestId).toBe(out.RequestId);
      expect(emulator.calls).toEqual([
        {
          service: 'quicksight',
          operation: 'DescribeActionConnector',
          params: { AwsAccountId: awsAccountId, ActionConnectorId: id },
          withSecret: false,
          requestId: out.RequestId,
          at: expect.any(Number),
          // From the SigV4 credential scope: which key signed the call, for which region.
          accessKeyId: CREDENTIALS.accessKeyId,
          region: 'us-east-1',
        },
      ]);
    },
  );

  it('delivers an unknown union member as $unknown and an unknown enum value as is', async () => {
    const out = await describeConnector(qs, 'holo-future');
    expect(out.ActionConnector?.Type).toBe('HOLOGRAPHIC_CONNECTOR');
    expect(out.ActionConnector?.AuthenticationConfig?.AuthenticationMetadata).toEqual({
      $unknown: ['FutureAuthMetadata', { BaseEndpoint: 'https://holo.acme.example.com/api' }],
    });
  });

  it('answers ResourceNotFoundException 404 for an unknown connector', async () => {
    emulator.resetCalls();
    const err = await failure(describeConnector(qs, 'does-not-exist'));
    expect(err.name).toBe('ResourceNotFoundException');
    expect(err.$metadata.httpStatusCode).toBe(404);
    expect(err.$metadata.requestId).toBe(lastCall().requestId);
    expect(err.message).toContain('does-not-exist');
    expect(err.$metadata.attempts).toBe(1);
  });

  it('answers ResourceNotFoundException 404 for a known connector in another account', async () => {
    const err = await failure(describeConnector(qs, 'jira-cloud', '999988887777'));
    expect(err.name).toBe('ResourceNotFoundException');
  });

  it('answers InvalidParameterValueException 400 for a malformed account or connector id', async () => {
    const badAccount = await failure(describeConnector(qs, 'jira-cloud', '12345'));
    expect(badAccount.name).toBe('InvalidParameterValueException');
    expect(badAccount.$metadata.httpStatusCode).toBe(400);
    const badId = await failure(describeConnector(qs, 'jira cloud!'));
    expect(badId.name).toBe('InvalidParameterValueException');
    expect(badId.$metadata.httpStatusCode).toBe(400);
    expect(lastCall().params['ActionConnectorId']).toBe('jira cloud!');
  });
});

describe('GetConnection through the DataZone SDK', () => {
  it.each(connections.map((c) => [c.connectionId as string, c] as const))(
    '%s round-trips with and without secrets',
    async (id, connection) => {
      emulator.resetCalls();
      const full = await getConnection(dz, id, true);
      expect(stripMetadata(full)).toEqual(connection);

      for (const withSecret of [false, undefined]) {
        const redacted = await getConnection(dz, id, withSecret);
        expect(stripMetadata(redacted)).toEqual(withoutSecrets(connection));
        // By default credential map entries come back without withSecret (the subgraph guards them); nothing else does.
        const canaries = stringLeaves(stripMetadata(redacted), '', []).filter(([, value]) => value.includes(SECRET_CANARY_PREFIX));
        for (const [path] of canaries) expect(isCredentialMapEntryPath(path), path).toBe(true);
        expect(redacted).not.toHaveProperty('connectionCredentials');
      }
      expect(emulator.calls.map((c) => [c.operation, c.params, c.withSecret])).toEqual([
        ['GetConnection', { domainIdentifier: DEMO_DOMAIN_ID, identifier: id }, true],
        ['GetConnection', { domainIdentifier: DEMO_DOMAIN_ID, identifier: id }, false],
        ['GetConnection', { domainIdentifier: DEMO_DOMAIN_ID, identifier: id }, false],
      ]);
      expect(emulator.calls.every((c) => c.service === 'datazone')).toBe(true);
    },
  );

  it('strips every listed credential member unless withSecret=true', async () => {
    const glue = await getConnection(dz, 'conn-glue-snowflake');
    for (const ep of glue.physicalEndpoints ?? []) {
      const oauth = ep.glueConnection?.authenticationConfiguration?.oAuth2Properties;
      expect(oauth?.oAuth2Credentials).toBeUndefined();
      expect(oauth?.authorizationCodeProperties).toEqual({ redirectUri: expect.any(String) });
      expect(oauth?.tokenUrl).toBeTruthy();
    }
    const glueFull = await getConnection(dz, 'conn-glue-snowflake', true);
    expect(glueFull.connectionCredentials?.expiration).toBeInstanceOf(Date);
    expect(glueFull.physicalEndpoints?.[1]?.glueConnection?.authenticationConfiguration?.oAuth2Properties?.oAuth2Credentials?.jwtToken).toContain(
      SECRET_CANARY_PREFIX,
    );

    const redshift = await getConnection(dz, 'conn-redshift-cluster', false);
    expect(redshift.props?.redshiftProperties?.credentials).toEqual({ usernamePassword: { username: 'analytics_reader' } });
    const emr = await getConnection(dz, 'conn-spark-emr');
    expect(emr.props?.sparkEmrProperties?.credentials).toEqual({ username: 'livy-etl' });
    expect(emr.props?.sparkEmrProperties?.managedEndpointCredentials).toEqual({ id: 'ep456def' });
    expect(emr.props?.sparkEmrProperties?.credentialsExpiration).toBeInstanceOf(Date);
  });

  it('delivers an unknown props member as $unknown and unknown enum values as is', async () => {
    const out = await getConnection(dz, 'conn-quantum-future');
    expect(out.props).toEqual({ $unknown: ['quantumProperties', { qubits: 5, backend: 'ionq-aria' }] });
    expect(out.scope).toBe('GALAXY');
    expect(out.type).toBe('QUANTUM');
  });

  it('answers ResourceNotFoundException 404 for an unknown connection or domain', async () => {
    const err = await failure(getConnection(dz, 'conn-nope', true));
    expect(err.name).toBe('ResourceNotFoundException');
    expect(err.$metadata.httpStatusCode).toBe(404);
    expect(err.$metadata.requestId).toBe(lastCall().requestId);
    expect(err.message).toContain('conn-nope');
    expect(lastCall().withSecret).toBe(true);
    const otherDomain = await failure(getConnection(dz, 'conn-athena-sales', false, 'dzd_other42'));
    expect(otherDomain.name).toBe('ResourceNotFoundException');
  });

  it('answers ValidationException 400 for a malformed domain or connection id', async () => {
    const badDomain = await failure(getConnection(dz, 'conn-athena-sales', true, 'demo-domain'));
    expect(badDomain.name).toBe('ValidationException');
    expect(badDomain.$metadata.httpStatusCode).toBe(400);
    const longId = await failure(getConnection(dz, 'c'.repeat(129)));
    expect(longId.name).toBe('ValidationException');
    expect(longId.$metadata.httpStatusCode).toBe(400);
  });

  it('never puts credential values into error messages', async () => {
    emulator.injectFault({ service: 'datazone', kind: 'error', errorName: 'AccessDeniedException' });
    const err = await failure(getConnection(dz1, 'conn-spark-emr', true));
    expect(JSON.stringify({ ...err, message: err.message })).not.toContain(SECRET_CANARY_PREFIX);
  });

  it('credentialMapEntries: withSecretOnly - credential map entries only with withSecret=true, ordinary entries always, summaries never', async () => {
    const strict = await startEmulator({ port: 0, credentialMapEntries: 'withSecretOnly' });
    const client = new DataZoneClient({ endpoint: strict.url, region: 'us-east-1', credentials: CREDENTIALS });
    try {
      const seeded = connections.find((c) => c.connectionId === 'conn-glue-snowflake')!;
      const full = await getConnection(client, 'conn-glue-snowflake', true);
      expect(stripMetadata(full)).toEqual(seeded);
      for (const withSecret of [false, undefined]) {
        const plain = await getConnection(client, 'conn-glue-snowflake', withSecret);
        expect(JSON.stringify(plain)).not.toContain(SECRET_CANARY_PREFIX);
        const properties = plain.physicalEndpoints?.[0]?.glueConnection?.connectionProperties ?? {};
        expect(Object.keys(properties)).toEqual(expect.arrayContaining(['HOST', 'USERNAME', 'SECRET_ID', 'KAFKA_SASL_SCRAM_SECRETS_ARN']));
        expect(Object.keys(properties).filter(isCredentialMapKey)).toEqual([]);
        expect(plain.configurations?.[0]?.properties).toEqual({ 'spark.sql.shuffle.partitions': '200' });
      }
      const listed = await client.send(new DZ.ListConnectionsCommand({ domainIdentifier: DEMO_DOMAIN_ID, maxResults: 50 }));
      expect(listed.items?.some((item) => item.connectionId === 'conn-glue-snowflake')).toBe(true);
      expect(JSON.stringify(listed.items)).not.toContain(SECRET_CANARY_PREFIX);
    } finally {
      client.destroy();
      await strict.close();
    }
  });
});

describe('wire format (raw HTTP)', () => {
  it('sends epoch-second timestamps, JSON content type and x-amzn-RequestId for QuickSight', async () => {
    const res = await fetch(`${emulator.url}/accounts/${DEMO_AWS_ACCOUNT_ID}/action-connectors/jira-cloud`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    const requestId = res.headers.get('x-amzn-requestid');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    const body = (await res.json()) as { ActionConnector: Record<string, unknown>; RequestId: string };
    expect(body.RequestId).toBe(requestId);
    expect(body.ActionConnector['CreatedTime']).toBe(Date.parse('2025-01-15T10:30:00.123Z') / 1000);
    expect(body).not.toHaveProperty('Status');
  });

  it('sends date-time strings only for the DataZone members whose schema says so', async () => {
    const res = await fetch(`${emulator.url}/v2/domains/${DEMO_DOMAIN_ID}/connections/conn-glue-snowflake?withSecret=true`);
    const body = (await res.json()) as Record<string, any>;
    expect(typeof body['connectionCredentials'].expiration).toBe('string');
    expect(typeof body['physicalEndpoints'][0].glueConnection.creationTime).toBe('number');
    const emr = (await (await fetch(`${emulator.url}/v2/domains/${DEMO_DOMAIN_ID}/connections/conn-spark-emr`)).json()) as Record<string, any>;
    expect(emr['props'].sparkEmrProperties.credentialsExpiration).toBe('2025-07-01T18:30:00.250Z');
  });

  it('sends error bodies and the x-amzn-ErrorType header the way each service does', async () => {
    const qsRes = await fetch(`${emulator.url}/accounts/${DEMO_AWS_ACCOUNT_ID}/action-connectors/nope`);
    expect(qsRes.status).toBe(404);
    expect(qsRes.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException');
    expect(await qsRes.json()).toEqual({ Message: expect.any(String), RequestId: qsRes.headers.get('x-amzn-requestid') });
    const dzRes = await fetch(`${emulator.url}/v2/domains/${DEMO_DOMAIN_ID}/connections/nope`);
    expect(dzRes.status).toBe(404);
    expect(dzRes.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException');
    expect(await dzRes.json()).toEqual({ message: expect.any(String) });
    const unknown = await fetch(`${emulator.url}/accounts/${DEMO_AWS_ACCOUNT_ID}/dashboards`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    const badBool = await fetch(`${emulator.url}/v2/domains/${DEMO_DOMAIN_ID}/connections/conn-athena-sales?withSecret=yes`);
    expect(badBool.status).toBe(400);
    expect(badBool.headers.get('x-amzn-errortype')).toBe('ValidationException');
  });
});

describe('faults', () => {
  it('ThrottlingException with times:1 is retried by the SDK and then succeeds (both services)', async () => {
    emulator.resetCalls();
    emulator.injectFault({ service: 'quicksight', kind: 'error', errorName: 'ThrottlingException', times: 1 });
    const out = await describeConnector(qs, 'jira-cloud');
    expect(out.ActionConnector?.ActionConnectorId).toBe('jira-cloud');
    expect(out.$metadata.attempts).toBe(2);
    expect(emulator.calls).toHaveLength(2);

    emulator.resetCalls();
    emulator.injectFault({ service: 'datazone', kind: 'error', errorName: 'ThrottlingException', times: 1 });
    const conn = await getConnection(dz, 'conn-athena-sales', true);
    expect(conn.connectionId).toBe('conn-athena-sales');
    expect(conn.$metadata.attempts).toBe(2);
    expect(emulator.calls.map((c) => c.withSecret)).toEqual([true, true]);
  });

  it.each([
    ...DECLARED_ERRORS.DescribeActionConnector.map((name) => ['quicksight', name, QUICKSIGHT_ERROR_STATUS[name] ?? 0] as const),
    ...DECLARED_ERRORS.GetConnection.map((name) => ['datazone', name, DATAZONE_ERROR_STATUS[name] ?? 0] as const),
  ])('%s %s arrives with its declared status %i', async (service, name, status) => {
    emulator.injectFault({ service, kind: 'error', errorName: name });
    const err = await failure(service === 'quicksight' ? describeConnector(qs1, 'jira-cloud') : getConnection(dz1, 'conn-athena-sales'));
    expect(err.name).toBe(name);
    expect(err.$metadata.httpStatusCode).toBe(status);
    expect(err.$metadata.requestId).toBe(lastCall().requestId);
    expect(err.$metadata.requestId).toBeTruthy();
    expect(err.$fault).toBe(status >= 500 ? 'server' : 'client');
    expect(err.message).toBeTruthy();
  });

  it('uses an explicit status, and 500 for error names the SDK does not know', async () => {
    emulator.injectFault({ kind: 'error', errorName: 'FluxCapacitorException', times: 1 });
    const unknown = await failure(describeConnector(qs1, 'jira-cloud'));
    expect(unknown.name).toBe('FluxCapacitorException');
    expect(unknown.$metadata.httpStatusCode).toBe(500);
    emulator.injectFault({ kind: 'error', errorName: 'AccessDeniedException', status: 418, times: 1 });
    const teapot = await failure(getConnection(dz1, 'conn-athena-sales'));
    expect(teapot.name).toBe('AccessDeniedException');
    expect(teapot.$metadata.httpStatusCode).toBe(418);
  });

  it('reset: the socket is destroyed without a response and the SDK rejects', async () => {
    emulator.resetCalls();
    emulator.injectFault({ kind: 'reset', id: 'jira-cloud' });
    await expect(describeConnector(qs1, 'jira-cloud')).rejects.toThrow();
    expect(emulator.calls).toHaveLength(1);
    // other ids are unaffected
    expect((await describeConnector(qs1, 'servicenow-prod')).ActionConnector?.ActionConnectorId).toBe('servicenow-prod');
  });

  it('malformed: a 200 with invalid JSON makes the SDK reject', async () => {
    emulator.injectFault({ kind: 'malformed', operation: 'GetConnection' });
    const err = await failure(getConnection(dz1, 'conn-athena-sales'));
    expect(err.$metadata.httpStatusCode).toBe(200);
    expect(err.message).toMatch(/JSON|Deserialization/i);
    emulator.clearFaults();
    emulator.injectFault({ kind: 'malformed', service: 'quicksight' });
    await expect(describeConnector(qs1, 'jira-cloud')).rejects.toThrow();
  });

  it('truncated: a body shorter than its Content-Length makes the SDK reject', async () => {
    emulator.injectFault({ kind: 'truncated' });
    await expect(describeConnector(qs1, 'jira-cloud')).rejects.toThrow();
    await expect(getConnection(dz1, 'conn-redshift-cluster', true)).rejects.toThrow();
  });

  it('hang: never answers; a client requestTimeout rejects', async () => {
    emulator.injectFault({ kind: 'hang', service: 'datazone', times: 1 });
    const impatient = dzClient({ maxAttempts: 1, requestHandler: { requestTimeout: 200, throwOnRequestTimeout: true } });
    const started = Date.now();
    const err = await failure(getConnection(impatient, 'conn-athena-sales'));
    expect(err.name).toBe('TimeoutError');
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    expect((await getConnection(dz1, 'conn-athena-sales')).connectionId).toBe('conn-athena-sales');
  });

  it('close() finishes while a request hangs', async () => {
    const other = await startEmulator({ port: 0, seed: false });
    other.injectFault({ kind: 'hang' });
    const pending = fetch(`${other.url}/v2/domains/${DEMO_DOMAIN_ID}/connections/x`).then(
      () => 'answered',
      () => 'failed',
    );
    await expect.poll(() => other.calls.length).toBe(1);
    await other.close();
    expect(await pending).toBe('failed');
  });

  it('latency: per-rule and global delays, then a normal answer', async () => {
    emulator.injectFault({ kind: 'latency', latencyMs: 200, id: 'zendesk-support', times: 1 });
    let started = Date.now();
    const out = await describeConnector(qs1, 'zendesk-support');
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(out.ActionConnector?.ActionConnectorId).toBe('zendesk-support');

    emulator.setLatency(120);
    started = Date.now();
    await getConnection(dz1, 'conn-s3-datalake');
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
    emulator.setLatency(0);
  });

  it('first matching rule wins; remove() and times:N stop a rule', async () => {
    const first = emulator.injectFault({ kind: 'error', errorName: 'ThrottlingException', id: 'jira-cloud' });
    emulator.injectFault({ kind: 'error', errorName: 'AccessDeniedException', service: 'quicksight', times: 2 });
    expect((await failure(describeConnector(qs1, 'jira-cloud'))).name).toBe('ThrottlingException');
    expect((await failure(describeConnector(qs1, 's3-reports'))).name).toBe('AccessDeniedException');
    first.remove();
    expect((await failure(describeConnector(qs1, 'jira-cloud'))).name).toBe('AccessDeniedException');
    expect((await describeConnector(qs1, 'jira-cloud')).Status).toBe(200);
  });

  it('rate: applies to a reproducible fraction of requests', async () => {
    const pattern = async (randomSeed: number): Promise<string> => {
      const e = await startEmulator({ port: 0, randomSeed });
      try {
        e.injectFault({ kind: 'error', errorName: 'InternalServerException', rate: 0.5 });
        let out = '';
        for (let i = 0; i < 40; i++) {
          const res = await fetch(`${e.url}/v2/domains/${DEMO_DOMAIN_ID}/connections/conn-lakehouse`);
          await res.arrayBuffer();
          out += res.status === 200 ? '.' : 'x';
        }
        return out;
      } finally {
        await e.close();
      }
    };
    const a = await pattern(42);
    expect(await pattern(42)).toBe(a);
    expect(a).toContain('x');
    expect(a).toContain('.');
    const failures = a.split('').filter((c) => c === 'x').length;
    expect(failures).toBeGreaterThan(8);
    expect(failures).toBeLessThan(32);
  });
});

describe('data management', () => {
  it('starts empty with seed:false; put, overwrite and clear data', async () => {
    const e = await startEmulator({ port: 0, seed: false });
    const client = new QuickSightClient({ endpoint: e.url, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 });
    const dzc = new DataZoneClient({ endpoint: e.url, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 });
    try {
      expect((await failure(describeConnector(client, 'jira-cloud'))).name).toBe('ResourceNotFoundException');

      const custom = {
        Arn: 'arn:aws:quicksight:us-east-1:444455556666:action-connector/custom',
        ActionConnectorId: 'custom',
        Type: 'SLACK',
        Name: 'Custom Slack',
        LastUpdatedTime: new Date('2025-02-02T02:02:02.202Z'),
        AuthenticationConfig: { AuthenticationType: 'NONE', AuthenticationMetadata: { NoneConnectionMetadata: { BaseEndpoint: 'https://slack.com/api' } } },
        FutureTopLevelMember: 'ignored by the SDK',
      } satisfies Record<string, unknown>;
      e.putActionConnector('444455556666', custom);
      const out = await describeConnector(client, 'custom', '444455556666');
      const { FutureTopLevelMember: _dropped, ...known } = custom;
      expect(out.ActionConnector).toEqual(known as ActionConnector);

      e.putConnection({
        connectionId: 'mine',
        domainId: 'dzd-custom1',
        domainUnitId: 'du',
        name: 'mine',
        type: 'S3',
        physicalEndpoints: [],
        props: { $unknown: ['nextGenProperties', { a: 1 }] },
        connectionCredentials: { accessKeyId: 'k', expiration: new Date('2030-01-01T00:00:00.000Z') },
      });
      expect((await getConnection(dzc, 'mine', false, 'dzd-custom1')).props).toEqual({ $unknown: ['nextGenProperties', { a: 1 }] });
      expect((await getConnection(dzc, 'mine', false, 'dzd-custom1')).connectionCredentials).toBeUndefined();
      expect((await getConnection(dzc, 'mine', true, 'dzd-custom1')).connectionCredentials).toEqual({
        accessKeyId: 'k',
        expiration: new Date('2030-01-01T00:00:00.000Z'),
      });

      e.clearData();
      expect((await failure(describeConnector(client, 'custom', '444455556666'))).name).toBe('ResourceNotFoundException');
      expect((await failure(getConnection(dzc, 'mine', false, 'dzd-custom1'))).name).toBe('ResourceNotFoundException');
      expect(e.calls.length).toBe(7);
      e.resetCalls();
      expect(e.calls).toEqual([]);
    } finally {
      client.destroy();
      dzc.destroy();
      await e.close();
    }
  });

  it('snapshots data at put time', async () => {
    const e = await startEmulator({ port: 0, seed: false });
    try {
      const connector = { ActionConnectorId: 'snap', Name: 'before' } as Record<string, unknown>;
      e.putActionConnector(DEMO_AWS_ACCOUNT_ID, connector);
      connector['Name'] = 'after';
      const res = await fetch(`${e.url}/accounts/${DEMO_AWS_ACCOUNT_ID}/action-connectors/snap`);
      expect(((await res.json()) as { ActionConnector: { Name: string } }).ActionConnector.Name).toBe('before');
    } finally {
      await e.close();
    }
  });
});
