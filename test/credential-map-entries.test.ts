/**
 * Credential entries in free-form maps (docs/credential-map-entries.md): an entry whose key names a
 * credential is hidden from readers like a credential field, on every path (root field, list,
 * `_entities`; Apollo Server and the fast path), shown to secrets readers as `private, no-store`,
 * kept out of the shared AWS read cache and out of every log line. The key list itself is the test
 * input: each listed key is planted in every map and checked one by one.
 */
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  CREDENTIAL_MAP_KEYS,
  GENERIC_CREDENTIAL_KEYS,
  GLUE_CREDENTIAL_PROPERTY_KEYS,
  GLUE_NON_CREDENTIAL_PROPERTY_KEYS,
  isCredentialMapKey,
} from '../src/auth/credential-map-keys.js';
import { secretMemberDetector } from '../src/aws/shared-reads.js';
import { DEMO_DOMAIN_ID, SECRET_CANARY_PREFIX, seedConnections } from '../tools/emulator/seed.js';
import { buildServedSchema } from '../src/schema/build.js';
import { CREDENTIAL_CACHE_CONTROL } from '../src/server/response-policy.js';
import { REDACTED, createLogger, redactCredentialKeys } from '../src/server/logger.js';
import { ACCELERATED, READ, SECRETS, type Stack, callsOf, mintToken, startStack } from './support/stack.js';

const UNAUTHORIZED = 'UNAUTHORIZED_FIELD_OR_TYPE';
const ENTRIES = '{ key value }';
/** Every string map of a connection. */
const MAP_SELECTION = `{ connectionId
  physicalEndpoints { glueConnection {
    connectionProperties ${ENTRIES} sparkProperties ${ENTRIES} athenaProperties ${ENTRIES} pythonProperties ${ENTRIES}
    authenticationConfiguration { oAuth2Properties { tokenUrlParametersMap ${ENTRIES} } } } }
  configurations { properties ${ENTRIES} } }`;
const MAP_NAMES = ['connectionProperties', 'sparkProperties', 'athenaProperties', 'pythonProperties', 'tokenUrlParametersMap', 'properties'];

type Path = Array<string | number>;
interface Entry {
  path: Path;
  map: string;
  key: string;
  value: unknown;
}

/** Every `{ key, value }` entry below `value`, with the path of its `value` field. */
function entriesIn(value: unknown, path: Path = [], found: Entry[] = []): Entry[] {
  if (Array.isArray(value)) {
    value.forEach((item, index) => entriesIn(item, [...path, index], found));
  } else if (value !== null && typeof value === 'object') {
    for (const [name, child] of Object.entries(value)) {
      if (MAP_NAMES.includes(name) && Array.isArray(child)) {
        child.forEach((entry: { key: string; value: unknown }, index) => found.push({ path: [...path, name, index, 'value'], map: name, key: entry.key, value: entry.value }));
      } else {
        entriesIn(child, [...path, name], found);
      }
    }
  }
  return found;
}

/** The spellings of a listed key that must all be guarded: as listed, in either case, and after a prefix. */
function spellings(key: string): string[] {
  return [...new Set([key, key.toLowerCase(), key.toUpperCase(), `spark.hadoop.${key}`, `CUSTOM_${key}`])];
}

/** Glue's `ConnectionPropertyKey` enum, the valid keys of `ConnectionInput.ConnectionProperties` in Glue's API reference. */
const GLUE_CONNECTION_PROPERTY_KEYS = `HOST PORT USERNAME PASSWORD ENCRYPTED_PASSWORD JDBC_DRIVER_JAR_URI JDBC_DRIVER_CLASS_NAME JDBC_ENGINE
  JDBC_ENGINE_VERSION CONFIG_FILES INSTANCE_ID JDBC_CONNECTION_URL JDBC_ENFORCE_SSL CUSTOM_JDBC_CERT SKIP_CUSTOM_JDBC_CERT_VALIDATION
  CUSTOM_JDBC_CERT_STRING CONNECTION_URL KAFKA_BOOTSTRAP_SERVERS KAFKA_SSL_ENABLED KAFKA_CUSTOM_CERT KAFKA_SKIP_CUSTOM_CERT_VALIDATION
  KAFKA_CLIENT_KEYSTORE KAFKA_CLIENT_KEYSTORE_PASSWORD KAFKA_CLIENT_KEY_PASSWORD ENCRYPTED_KAFKA_CLIENT_KEYSTORE_PASSWORD
  ENCRYPTED_KAFKA_CLIENT_KEY_PASSWORD KAFKA_SASL_MECHANISM KAFKA_SASL_PLAIN_USERNAME KAFKA_SASL_PLAIN_PASSWORD
  ENCRYPTED_KAFKA_SASL_PLAIN_PASSWORD KAFKA_SASL_SCRAM_USERNAME KAFKA_SASL_SCRAM_PASSWORD KAFKA_SASL_SCRAM_SECRETS_ARN
  ENCRYPTED_KAFKA_SASL_SCRAM_PASSWORD KAFKA_SASL_GSSAPI_KEYTAB KAFKA_SASL_GSSAPI_KRB5_CONF KAFKA_SASL_GSSAPI_SERVICE
  KAFKA_SASL_GSSAPI_PRINCIPAL SECRET_ID CONNECTOR_URL CONNECTOR_TYPE CONNECTOR_CLASS_NAME ENDPOINT ENDPOINT_TYPE ROLE_ARN REGION
  WORKGROUP_NAME CLUSTER_IDENTIFIER DATABASE`.split(/\s+/);

const ORDINARY = { HOST: 'db.example.com', SECRET_ID: 'datazone/map-keys', KAFKA_SASL_SCRAM_SECRETS_ARN: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:AmazonMSK_x', 'spark.executor.memory': '4g' };

/**
 * A connection holding every listed key in every map (every spelling in `connectionProperties`),
 * each with its own canary value, beside ordinary entries.
 */
function connectionWithEveryKey(connectionId: string) {
  const planted = new Map<string, string>();
  const map = (name: string, keys: string[]) => {
    const entries: Record<string, string> = { ...ORDINARY };
    keys.forEach((key, index) => {
      const value = `${SECRET_CANARY_PREFIX}${connectionId}-${name}-${index}`;
      entries[key] = value;
      planted.set(`${name}\u0000${key}`, value);
    });
    return entries;
  };
  const every = CREDENTIAL_MAP_KEYS.flatMap(spellings);
  const connection = {
    domainId: DEMO_DOMAIN_ID,
    connectionId,
    name: connectionId,
    type: 'SNOWFLAKE',
    physicalEndpoints: [
      {
        glueConnection: {
          name: `${connectionId}-glue`,
          connectionProperties: map('connectionProperties', every),
          sparkProperties: map('sparkProperties', [...CREDENTIAL_MAP_KEYS]),
          athenaProperties: map('athenaProperties', [...CREDENTIAL_MAP_KEYS]),
          pythonProperties: map('pythonProperties', [...CREDENTIAL_MAP_KEYS]),
          authenticationConfiguration: { oAuth2Properties: { tokenUrlParametersMap: map('tokenUrlParametersMap', [...CREDENTIAL_MAP_KEYS]) } },
        },
      },
    ],
    configurations: [{ classification: 'spark-defaults', properties: map('properties', [...CREDENTIAL_MAP_KEYS]) }],
  };
  return { connection, planted };
}

describe('the credential key list', () => {
  test('CREDENTIAL_MAP_KEYS - every listed key is a credential key as listed, in any case and after a prefix', () => {
    expect(CREDENTIAL_MAP_KEYS).toEqual([...GLUE_CREDENTIAL_PROPERTY_KEYS, ...GENERIC_CREDENTIAL_KEYS]);
    for (const key of CREDENTIAL_MAP_KEYS) for (const spelling of spellings(key)) expect(isCredentialMapKey(spelling), spelling).toBe(true);
  });

  test('Glue ConnectionPropertyKey - the passwords are credentials; every other key, SECRET_ID included, is classified and stays visible', () => {
    expect(GLUE_CREDENTIAL_PROPERTY_KEYS).toEqual(expect.arrayContaining(['PASSWORD', 'ENCRYPTED_PASSWORD', 'KAFKA_SASL_SCRAM_PASSWORD', 'KAFKA_CLIENT_KEYSTORE_PASSWORD', 'KAFKA_CLIENT_KEY_PASSWORD', 'KAFKA_SASL_PLAIN_PASSWORD']));
    // Each value of Glue's enum is classified exactly once.
    const classified = [...GLUE_CREDENTIAL_PROPERTY_KEYS, ...GLUE_NON_CREDENTIAL_PROPERTY_KEYS];
    expect(new Set(classified).size).toBe(classified.length);
    expect([...classified].sort()).toEqual([...GLUE_CONNECTION_PROPERTY_KEYS].sort());
    for (const key of GLUE_NON_CREDENTIAL_PROPERTY_KEYS) expect(isCredentialMapKey(key), key).toBe(false);
    for (const key of ['spark.executor.memory', 'athena.connector.spill.bucket', 'python.modules', 'scope', 'audience', 'tokenUrl', 'output.location', 'catalogId']) {
      expect(isCredentialMapKey(key), key).toBe(false);
    }
  });

  test('secretMemberDetector - a map member with a credential entry counts as a credential; ordinary entries and other members do not', () => {
    const detect = secretMemberDetector(['secretAccessKey'], ['connectionProperties', 'properties']);
    expect(detect({ physicalEndpoints: [{ glueConnection: { connectionProperties: { HOST: 'h', kafka_sasl_scram_password: 'x' } } }] })).toBe(true);
    expect(detect({ configurations: [{ properties: { 'spark.hadoop.fs.s3a.secret.key': 'x' } }] })).toBe(true);
    expect(detect({ physicalEndpoints: [{ glueConnection: { connectionProperties: { HOST: 'h', SECRET_ID: 's' } } }] })).toBe(false);
    // A member that merely shares a credential key's name outside a map is left to the schema's secret fields.
    expect(detect({ props: { PASSWORD: 'x' } })).toBe(false);
    expect(detect({ physicalEndpoints: [{ glueConnection: { connectionProperties: { PASSWORD: null } } }] })).toBe(false);
  });

  test('redactCredentialKeys - blanks credential keys and credential entries at any depth, in any case; a clean object is returned as is', () => {
    const clean = { requestId: 'r', status: 200, errorCodes: { UNAUTHORIZED_FIELD_OR_TYPE: 2 }, path: ['connectionProperties', 3, 'value'] };
    expect(redactCredentialKeys(clean)).toBe(clean);
    const redacted = redactCredentialKeys({
      response: { connectionProperties: { HOST: 'h', Kafka_Sasl_Scram_Password: 'x' }, entries: [{ key: 'encrypted_password', value: 'y' }, { key: 'HOST', value: 'h' }] },
      settings: { 'spark.hadoop.fs.s3a.bucket.b.secret.key': 'z' },
    });
    expect(redacted).toEqual({
      response: { connectionProperties: { HOST: 'h', Kafka_Sasl_Scram_Password: REDACTED }, entries: [{ key: 'encrypted_password', value: REDACTED }, { key: 'HOST', value: 'h' }] },
      settings: { 'spark.hadoop.fs.s3a.bucket.b.secret.key': REDACTED },
    });
  });

  test('createLogger - a log line never carries the value of a credential entry, through the request logger too', () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _encoding, callback) => (lines.push(String(chunk)), callback()) });
    const logger = createLogger('info', sink);
    logger.info({ glue: { connectionProperties: { password: `${SECRET_CANARY_PREFIX}a` } } }, 'one');
    logger.child({}, { redact: [] }).info({ entry: { key: 'KAFKA_SASL_PLAIN_PASSWORD', value: `${SECRET_CANARY_PREFIX}b` } }, 'two');
    expect(lines).toHaveLength(2);
    expect(lines.join('')).not.toContain(SECRET_CANARY_PREFIX);
    expect(lines.join('')).toContain(REDACTED);
  });
});

describe('credential map entries over HTTP', () => {
  let stack: Stack;
  const tokens = { reader: '', secrets: '' };
  const EVERY_KEY_ID = 'conn-map-every-key';
  const { connection: everyKey, planted } = connectionWithEveryKey(EVERY_KEY_ID);
  const seededGlue = seedConnections().find((connection) => connection.connectionId === 'conn-glue-snowflake')!;

  beforeAll(async () => {
    // The shared read cache on, and the most verbose log level: neither may ever hold a credential entry.
    stack = await startStack({ env: { LOG_LEVEL: 'trace', CACHE_TTL_SECONDS: '60', NODE_ENV: 'production' } });
    stack.emulator.putConnection(everyKey);
    tokens.reader = await mintToken([READ]);
    tokens.secrets = await mintToken([READ, SECRETS]);
  });
  afterAll(async () => {
    await stack?.close();
  });

  const connectionQuery = (id: string) => ({ query: `query($d: ID!, $c: ID!) { dataZoneConnection(domainIdentifier: $d, identifier: $c) ${MAP_SELECTION} }`, variables: { d: DEMO_DOMAIN_ID, c: id } });
  const entitiesQuery = (id: string) => ({
    query: `query($r: [_Any!]!) { _entities(representations: $r) { ... on DataZoneConnection ${MAP_SELECTION} } }`,
    variables: { r: [{ __typename: 'DataZoneConnection', domainId: DEMO_DOMAIN_ID, connectionId: id }] },
  });
  const listQuery = (name: string) => ({
    query: `query($d: ID!, $f: DataZoneConnectionFilter) { dataZoneConnections(domainIdentifier: $d, first: 5, filter: $f) { edges { node ${MAP_SELECTION} } } }`,
    variables: { d: DEMO_DOMAIN_ID, f: { name } },
  });
  /** The three ways to a connection, and where it sits in `data`. */
  const PATHS = [
    { name: 'root field', request: (target: Target) => connectionQuery(target.connectionId), at: ['dataZoneConnection'] },
    { name: '_entities', request: (target: Target) => entitiesQuery(target.connectionId), at: ['_entities', 0] },
    { name: 'list', request: (target: Target) => listQuery(target.name), at: ['dataZoneConnections', 'edges', 0, 'node'] },
  ] as const;
  /** The seeded connection with credential entries, and one holding every listed key. */
  const TARGETS: Target[] = [
    { connectionId: 'conn-glue-snowflake', name: seededGlue.name! },
    { connectionId: EVERY_KEY_ID, name: EVERY_KEY_ID },
  ];

  interface Target {
    connectionId: string;
    name: string;
  }

  interface Answer {
    status: number;
    cacheControl: string | null;
    text: string;
    body: { data?: Record<string, any> | null; errors?: Array<{ path?: Path; extensions?: Record<string, unknown> }> };
  }

  let sent = 0;
  async function post(request: { query: string; variables: Record<string, unknown> }, token: string): Promise<Answer> {
    const response = await fetch(stack.subgraph.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(request),
    });
    const text = await response.text();
    return { status: response.status, cacheControl: response.headers.get('cache-control'), text, body: JSON.parse(text) };
  }

  /** Sent twice: through Apollo Server (a new document), then again, when the compiled operation answers it. */
  async function twice(request: { query: string; variables: Record<string, unknown> }, token: string) {
    sent += 1;
    const fresh = { ...request, query: `${request.query}\n# credential-map-entries ${sent}` };
    const before = { ...stack.subgraph.executionStats };
    const apollo = await post(fresh, token);
    const between = { ...stack.subgraph.executionStats };
    const compiled = await post(fresh, token);
    const after = stack.subgraph.executionStats;
    expect(between.fastPath - before.fastPath, 'the first request went through Apollo Server').toBe(0);
    return { answers: [apollo, compiled], fast: after.fastPath - between.fastPath, handedOff: after.handedOff - between.handedOff };
  }

  const valueAt = (data: unknown, path: Path): unknown => path.reduce<any>((node, step) => (node === null || node === undefined ? undefined : node[step]), data);

  /** A reader's answer: each credential entry's value null with one error at its path, everything else intact. */
  function expectHiddenForReader(answer: Answer, at: Path, connectionId: string) {
    expect(answer.status).toBe(200);
    expect(answer.text).not.toContain(SECRET_CANARY_PREFIX);
    expect(answer.cacheControl).toBe('no-store');
    const connection = valueAt(answer.body.data, at) as Record<string, unknown>;
    expect(connection?.['connectionId']).toBe(connectionId);
    const entries = entriesIn(connection, at);
    const credential = entries.filter((entry) => isCredentialMapKey(entry.key));
    expect(credential.length).toBeGreaterThan(0);
    for (const entry of credential) expect(entry.value, entry.key).toBeNull();
    for (const entry of entries.filter((candidate) => !isCredentialMapKey(candidate.key))) expect(entry.value, entry.key).toEqual(expect.any(String));
    const errors = answer.body.errors ?? [];
    expect(errors.map((error) => JSON.stringify(error.path)).sort()).toEqual(credential.map((entry) => JSON.stringify(entry.path)).sort());
    for (const error of errors) expect(error.extensions?.['code']).toBe(UNAUTHORIZED);
  }

  test('every listed key, in every map and spelling - a reader gets the key with a null value and UNAUTHORIZED_FIELD_OR_TYPE at the value; a secrets reader gets the value', async () => {
    const reader = await post(connectionQuery(EVERY_KEY_ID), tokens.reader);
    const secrets = await post(connectionQuery(EVERY_KEY_ID), tokens.secrets);
    expect(secrets.body.errors).toBeUndefined();
    expect(secrets.cacheControl).toBe(CREDENTIAL_CACHE_CONTROL);
    const readerEntries = entriesIn(reader.body.data);
    const secretsEntries = entriesIn(secrets.body.data);
    const errorPaths = new Set((reader.body.errors ?? []).map((error) => JSON.stringify(error.path)));
    // Driven by the list, not by the matcher: each planted key is looked up by name.
    expect(planted.size).toBeGreaterThan(CREDENTIAL_MAP_KEYS.length * 6);
    for (const [where, value] of planted) {
      const [map, key] = where.split('\u0000') as [string, string];
      const hidden = readerEntries.find((entry) => entry.map === map && entry.key === key);
      expect(hidden, `${map} ${key} is in the reader's answer`).toBeDefined();
      expect(hidden!.value, `${map} ${key}`).toBeNull();
      expect(errorPaths.has(JSON.stringify(hidden!.path)), `${map} ${key} has its error`).toBe(true);
      expect(secretsEntries.find((entry) => entry.map === map && entry.key === key)?.value, `${map} ${key} for a secrets reader`).toBe(value);
    }
    expect(reader.body.errors).toHaveLength(planted.size);
    for (const error of reader.body.errors ?? []) expect(error.extensions?.['code']).toBe(UNAUTHORIZED);
    // The ordinary entries of every map, SECRET_ID among them, stay visible to the reader.
    for (const [key, value] of Object.entries(ORDINARY)) {
      expect(readerEntries.filter((entry) => entry.key === key).map((entry) => entry.value)).toEqual(Array(MAP_NAMES.length).fill(value));
    }
    expect(reader.text).not.toContain(SECRET_CANARY_PREFIX);
  });

  for (const path of PATHS) {
    for (const target of TARGETS) {
      test(`${path.name}, ${target.connectionId} - hidden from a reader on the Apollo path and the compiled path alike`, async () => {
        const { answers, fast, handedOff } = await twice(path.request(target), tokens.reader);
        // An answer with errors is handed from the compiled execution to Apollo Server to report
        // (with the accelerator off, Apollo Server runs both requests itself).
        expect(fast + handedOff).toBe(ACCELERATED ? 1 : 0);
        for (const answer of answers) expectHiddenForReader(answer, [...path.at], target.connectionId);
        expect(answers[1]!.body).toEqual(answers[0]!.body);
      });

      test(`${path.name}, ${target.connectionId} - shown to a secrets reader, private, no-store, on the Apollo path and the fast path alike`, async () => {
        const { answers, fast } = await twice(path.request(target), tokens.secrets);
        expect(fast).toBe(ACCELERATED ? 1 : 0);
        for (const answer of answers) {
          expect(answer.body.errors).toBeUndefined();
          expect(answer.cacheControl).toBe(CREDENTIAL_CACHE_CONTROL);
          const entries = entriesIn(valueAt(answer.body.data, [...path.at]));
          const credential = entries.filter((entry) => isCredentialMapKey(entry.key));
          expect(credential.length).toBeGreaterThan(0);
          for (const entry of credential) expect(entry.value, entry.key).toEqual(expect.stringContaining(SECRET_CANARY_PREFIX));
        }
        expect(answers[1]!.body).toEqual(answers[0]!.body);
      });
    }
  }

  test('the shared read cache never holds an AWS answer with a credential entry: reader, secrets reader, reader again all reach AWS', async () => {
    const NAME_ONLY = `query($c: ID!) { dataZoneConnection(domainIdentifier: "${DEMO_DOMAIN_ID}", identifier: $c) { connectionId name } }`;
    // One entry whose key is no secret field's member name, so only the key list can tell.
    stack.emulator.putConnection({
      domainId: DEMO_DOMAIN_ID,
      connectionId: 'conn-map-one-entry',
      name: 'map-one-entry',
      type: 'KAFKA',
      physicalEndpoints: [{ glueConnection: { name: 'msk', connectionProperties: { KAFKA_BOOTSTRAP_SERVERS: 'b-1.msk:9096', kafka_sasl_scram_password: `${SECRET_CANARY_PREFIX}one-entry` } } }],
    });
    for (const connectionId of ['conn-map-one-entry', 'conn-glue-snowflake']) {
      stack.emulator.resetCalls();
      const entriesBefore = stack.subgraph.sharedReads.stats().cacheEntries;
      for (const token of [tokens.reader, tokens.reader, tokens.secrets, tokens.reader]) {
        const plain = await stack.graphql(NAME_ONLY, { token, variables: { c: connectionId } });
        expect(plain.body.data?.['dataZoneConnection']?.connectionId).toBe(connectionId);
        const maps = await stack.graphql(connectionQuery(connectionId).query, { token, variables: connectionQuery(connectionId).variables });
        if (token === tokens.reader) expect(maps.text).not.toContain(SECRET_CANARY_PREFIX);
        else expect(maps.text).toContain(SECRET_CANARY_PREFIX);
      }
      // Eight reads, eight AWS calls: none was answered from the cache, none was stored.
      expect(callsOf(stack.emulator, 'GetConnection'), connectionId).toHaveLength(8);
      expect(stack.subgraph.sharedReads.stats().cacheEntries, connectionId).toBe(entriesBefore);
    }

    // The control: a connection without credential entries is cached for readers.
    stack.emulator.resetCalls();
    const entriesBefore = stack.subgraph.sharedReads.stats().cacheEntries;
    for (let round = 0; round < 3; round += 1) await stack.graphql(NAME_ONLY, { token: tokens.reader, variables: { c: 'conn-spark-glue' } });
    expect(callsOf(stack.emulator, 'GetConnection')).toHaveLength(1);
    expect(stack.subgraph.sharedReads.stats().cacheEntries).toBe(entriesBefore + 1);
  });

  test('logs - no log line of any request above carries a credential entry value', () => {
    expect(stack.logLines.length).toBeGreaterThan(20);
    expect(stack.logLines.join('')).not.toContain(SECRET_CANARY_PREFIX);
  });
});

describe('when DataZone returns credential entries only with withSecret', () => {
  let stack: Stack;
  const tokens = { reader: '', secrets: '' };
  beforeAll(async () => {
    stack = await startStack({ emulator: { credentialMapEntries: 'withSecretOnly' } });
    tokens.reader = await mintToken([READ]);
    tokens.secrets = await mintToken([READ, SECRETS]);
  });
  afterAll(() => stack?.close());

  const QUERY = `{ dataZoneConnection(domainIdentifier: "${DEMO_DOMAIN_ID}", identifier: "conn-glue-snowflake") ${MAP_SELECTION} }`;

  test('a secrets reader selecting map values asks AWS with withSecret=true and sees the entries; a reader never asks and sees none', async () => {
    stack.emulator.resetCalls();
    const secrets = await stack.graphql(QUERY, { token: tokens.secrets });
    expect(secrets.body.errors).toBeUndefined();
    expect(secrets.headers.get('cache-control')).toBe(CREDENTIAL_CACHE_CONTROL);
    expect(entriesIn(secrets.body.data).filter((entry) => isCredentialMapKey(entry.key)).length).toBeGreaterThan(5);
    expect(callsOf(stack.emulator, 'GetConnection').map((call) => call.withSecret)).toEqual([true]);

    stack.emulator.resetCalls();
    const reader = await stack.graphql(QUERY, { token: tokens.reader });
    expect(reader.body.errors).toBeUndefined();
    expect(reader.text).not.toContain(SECRET_CANARY_PREFIX);
    expect(entriesIn(reader.body.data).filter((entry) => isCredentialMapKey(entry.key))).toEqual([]);
    expect(entriesIn(reader.body.data).some((entry) => entry.key === 'HOST')).toBe(true);
    expect(callsOf(stack.emulator, 'GetConnection').map((call) => call.withSecret)).toEqual([false]);
  });

  test('a secrets reader selecting only keys does not ask for secrets', async () => {
    stack.emulator.resetCalls();
    const keysOnly = await stack.graphql(
      `{ dataZoneConnection(domainIdentifier: "${DEMO_DOMAIN_ID}", identifier: "conn-glue-snowflake") { physicalEndpoints { glueConnection { connectionProperties { key } } } } }`,
      { token: tokens.secrets },
    );
    expect(keysOnly.body.errors).toBeUndefined();
    expect(callsOf(stack.emulator, 'GetConnection').map((call) => call.withSecret)).toEqual([false]);
  });
});

test('the schema - every string map is typed [DataZoneStringMapEntry!] and known to the policy', () => {
  const { policy } = buildServedSchema();
  expect([...policy.mapFields].sort()).toEqual([
    'DataZoneConfiguration.properties',
    'DataZoneGlueConnection.athenaProperties',
    'DataZoneGlueConnection.connectionProperties',
    'DataZoneGlueConnection.pythonProperties',
    'DataZoneGlueConnection.sparkProperties',
    'DataZoneOAuth2Properties.tokenUrlParametersMap',
  ]);
  expect(policy.mayCarryCredentials.has('DataZoneStringMapEntry.value')).toBe(true);
  expect(policy.secretFields.has('DataZoneStringMapEntry.value')).toBe(false);
});
