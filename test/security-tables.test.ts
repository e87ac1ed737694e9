/**
 * The security tables derived from their sources (docs/architecture.md, "Security tables"): the
 * log redaction and the emulator's secret stripping from the schema's `@requiresScopes` policy and
 * the SDK's `sensitive` traits, the unmasked error codes from the AWS error table. Each source is
 * also changed in one place only (a small schema of its own, a constructed SDK shape) to show the
 * tables follow without a second edit.
 */
import { GetConnectionOutput$ } from '@aws-sdk/client-datazone';
import type { NormalizedSchema } from '@smithy/core/schema';
import { GraphQLError, parse } from 'graphql';
import { Writable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { AuthPolicy, SECRETS_SCOPE, unauthorizedFieldOrType } from '../src/auth/policy.js';
import { CODE_BY_AWS_ERROR, SUBGRAPH_ERROR_CODES, badUserInput, toGraphQLError } from '../src/aws/errors.js';
import { type SdkSchema, isSensitive, kindOf, members, normalize } from '../src/aws/sdk-shapes.js';
import { DATAZONE_READ_OUTPUTS } from '../src/datazone/model.js';
import { QUICKSIGHT_READ_OUTPUTS } from '../src/quicksight/model.js';
import { type CredentialMembers, credentialMembers, deriveCredentialMembers } from '../src/schema/credential-members.js';
import { loadTypeDefs } from '../src/schema/build.js';
import { PUBLIC_ERROR_CODES, createErrorFormatter } from '../src/server/apollo.js';
import { REDACTED, createLogger } from '../src/server/logger.js';
import { secretMembersOf, stripDataZoneSecrets, stripSecretMembers, toWire } from '../tools/emulator/index.js';

const CANARY = 'SECURITY-TABLE-CANARY-';
const PLAIN = 'plain-';

/** A logger writing into `lines`. */
function capturingLogger(credentials?: CredentialMembers) {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk, _encoding, callback) => (lines.push(String(chunk)), callback()) });
  return { logger: createLogger('trace', sink, credentials), lines };
}

/**
 * A value of every member of an SDK shape, at every depth (every member of a union at once, each
 * list and map with one item): a string is `CANARY<path>` where `isSecret` says so for it or a
 * member above it, `PLAIN<path>` elsewhere.
 */
function sampleOf(schema: NormalizedSchema, isSecret: (name: string, member: NormalizedSchema) => boolean, path = '', above = false, walking = new Set<string>()): unknown {
  switch (kindOf(schema)) {
    case 'union':
    case 'struct': {
      const shape = schema.getName(true) ?? '';
      if (walking.has(shape)) return {};
      const inner = new Set(walking).add(shape);
      return Object.fromEntries(
        members(schema).map(([name, member]) => [name, sampleOf(member, isSecret, `${path}.${name}`, above || isSecret(name, member), inner)]),
      );
    }
    case 'list':
      return [sampleOf(schema.getValueSchema(), isSecret, `${path}[0]`, above, walking)];
    case 'map':
      return { HOST: sampleOf(schema.getValueSchema(), isSecret, `${path}.HOST`, above, walking) };
    case 'timestamp':
      return new Date(0);
    case 'boolean':
      return true;
    case 'number':
      return 1;
    default:
      return `${above ? CANARY : PLAIN}${path}`;
  }
}

/** Every string below `value`, with its path. */
function strings(value: unknown, path = ''): Array<[string, string]> {
  if (typeof value === 'string') return [[path, value]];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, child]) => strings(child, `${path}.${key}`));
}

const SOURCE_OUTPUTS: readonly SdkSchema[] = [...QUICKSIGHT_READ_OUTPUTS, ...DATAZONE_READ_OUTPUTS];

describe('log redaction from the schema policy and the SDK sensitive traits', () => {
  const policy = new AuthPolicy(loadTypeDefs());
  const credentials = credentialMembers();

  test('credentialMembers - names every secret field of the policy and every sensitive member of the SDK outputs', () => {
    const fieldNames = [...policy.secretFields].map((coordinate) => coordinate.split('.')[1]);
    expect(fieldNames.length).toBeGreaterThanOrEqual(12);
    for (const name of fieldNames) expect(credentials.neverLogged, name).toContain(name);
    const sensitive = SOURCE_OUTPUTS.flatMap((output) => sensitiveNamesOf(normalize(output)));
    expect(sensitive).toEqual(expect.arrayContaining(['connectionCredentials', 'oAuth2Credentials', 'Name', 'Email']));
    for (const name of sensitive) expect(credentials.neverLogged, name).toContain(name);
    // Names that only contain a credential word are not blanked.
    for (const name of ['name', 'message', 'secretArn', 'tokenUrl', 'nextToken', 'NextToken', 'username']) expect(credentials.neverLogged, name).not.toContain(name);
  });

  test('createLogger - a log line shows no value of a secret field or of a sensitive SDK member, at any depth, and keeps the rest', () => {
    const { logger, lines } = capturingLogger();
    const isSecret = (name: string, member: NormalizedSchema) => isSensitive(member) || credentials.secretNames.has(name);
    const answers = SOURCE_OUTPUTS.map((output) => sampleOf(normalize(output), isSecret));
    for (const answer of answers) {
      logger.info(answer as object, 'the answer itself');
      logger.info({ response: answer }, 'one level down');
      logger.warn({ call: { attempt: 2, result: { output: answer } } }, 'deeper');
      logger.error({ errors: [{ cause: answer }] }, 'in a list');
    }
    // GraphQL-shaped: a response that carries each secret field of the policy.
    for (const coordinate of policy.secretFields) {
      const [typeName = '', fieldName = ''] = coordinate.split('.');
      logger.info({ [fieldName]: `${CANARY}${coordinate}` }, 'top level');
      logger.info({ data: { [typeName]: { [fieldName]: `${CANARY}${coordinate}`, id: `${PLAIN}${coordinate}` } } }, 'a response');
      logger.info({ data: { [typeName]: { [fieldName]: { nested: `${CANARY}${coordinate}` } } } }, 'an object value');
    }
    const output = lines.join('');
    expect(lines.length).toBe(answers.length * 4 + policy.secretFields.size * 3);
    expect(output).not.toContain(CANARY);
    expect(output).toContain(REDACTED);
    // What is neither a credential nor sensitive is still there.
    expect(output).toContain(`${PLAIN}.connectionId`);
    expect(output).toContain(`${PLAIN}.ActionConnector.ActionConnectorId`);
    expect(output).toContain(`${PLAIN}DataZoneConnectionCredentials.accessKeyId`);
  });
});

/** The names of the members marked sensitive, at every depth of `schema`. */
function sensitiveNamesOf(schema: NormalizedSchema, walking = new Set<string>()): string[] {
  if (schema.isListSchema() || schema.isMapSchema()) return sensitiveNamesOf(schema.getValueSchema(), walking);
  if (!schema.isStructSchema()) return [];
  const shape = schema.getName(true) ?? '';
  if (walking.has(shape)) return [];
  const inner = new Set(walking).add(shape);
  return members(schema).flatMap(([name, member]) => [...(isSensitive(member) ? [name] : []), ...sensitiveNamesOf(member, inner)]);
}

describe('the emulator strips secrets found from the schema policy', () => {
  const credentials = credentialMembers();

  test('stripDataZoneSecrets - removes the value of every secret member wherever GetConnectionOutput has one, and nothing else', () => {
    const answer = sampleOf(normalize(GetConnectionOutput$), (name) => credentials.secretNames.has(name));
    const wire = toWire(answer, new Set()) as Record<string, unknown>;
    const before = strings(wire);
    expect(before.filter(([, value]) => value.startsWith(CANARY)).length).toBeGreaterThanOrEqual(10);
    stripDataZoneSecrets(wire, 'returned');
    const after = strings(wire);
    expect(after.filter(([, value]) => value.startsWith(CANARY))).toEqual([]);
    // Every other member is still there: personal data and pointers to secrets included.
    expect(after).toEqual(before.filter(([, value]) => !value.startsWith(CANARY)));
    expect(after.map(([path]) => path)).toEqual(
      expect.arrayContaining(['.description', '.props.redshiftProperties.credentials.secretArn', '.props.redshiftProperties.credentials.usernamePassword.username']),
    );
  });
});

describe('a secret field added in one place only', () => {
  /** A small schema of its own: `apiSigningKey` is guarded by the secrets scope, on two types. */
  const sdl = (guard: string) => `
    type Query { vault(id: ID!): TestVault }
    type TestVault { id: ID! label: String apiSigningKey: String ${guard} inner: TestVaultInner history: [TestVaultInner!] }
    type TestVaultInner { note: String apiSigningKey: String ${guard} }
  `;
  const guarded = `@requiresScopes(scopes: [["${SECRETS_SCOPE}"]])`;
  // The SDK's shape of the same answer, written as an SDK client exports it (`[3, namespace, name,
  // traits, member names, member schemas]`); `Pin` is marked sensitive (traits bit 8) and served by no field.
  const inner = [3, 'test', 'VaultInner', 0, ['note', 'apiSigningKey'], [0, 0]];
  const GetVaultOutput$ = [3, 'test', 'GetVaultOutput', 0, ['id', 'label', 'apiSigningKey', 'Pin', 'inner', 'history', 'settings'], [
    0, 0, 0, [0, 8], () => inner, [1, 'test', 'VaultHistory', 0, () => inner], [2, 'test', 'VaultSettings', 0, 0, 0],
  ]] as unknown as SdkSchema;
  const answer = () => ({
    id: 'vault-1',
    label: `${PLAIN}label`,
    apiSigningKey: `${CANARY}top`,
    Pin: `${CANARY}pin`,
    inner: { note: `${PLAIN}note`, apiSigningKey: `${CANARY}inner` },
    history: [{ note: `${PLAIN}history`, apiSigningKey: `${CANARY}history` }],
    settings: { HOST: `${PLAIN}host`, client_secret: `${CANARY}setting` },
  });
  const derive = (guard: string) => deriveCredentialMembers(new AuthPolicy(parse(sdl(guard))).secretFields, [GetVaultOutput$]);

  test('deriveCredentialMembers - the guarded field and the sensitive member are credential members; without the guard only the sensitive one is', () => {
    expect([...derive(guarded).secretNames]).toEqual(['apiSigningKey']);
    expect([...derive(guarded).neverLogged].sort()).toEqual(['Pin', 'apiSigningKey']);
    expect([...derive('').neverLogged]).toEqual(['Pin']);
  });

  test('createLogger - a new secret field and a new sensitive member are redacted from log lines with no other edit', () => {
    const { logger, lines } = capturingLogger(derive(guarded));
    logger.info({ answer: answer() }, 'an AWS answer');
    logger.info(answer(), 'at the top');
    logger.info({ data: { vault: { label: `${PLAIN}label`, apiSigningKey: `${CANARY}graphql` } } }, 'a response');
    const output = lines.join('');
    expect(output).not.toContain(CANARY);
    expect(output).toContain(`${PLAIN}note`);
    expect(output).toContain(`${PLAIN}host`);

    // The same lines with the field unguarded: only the SDK's sensitive member and the map's credential entry are blanked.
    const unguarded = capturingLogger(derive(''));
    unguarded.logger.info({ answer: answer() }, 'an AWS answer');
    expect(unguarded.lines.join('')).toContain(`${CANARY}inner`);
    expect(unguarded.lines.join('')).not.toContain(`${CANARY}pin`);
    expect(unguarded.lines.join('')).not.toContain(`${CANARY}setting`);
  });

  test('stripSecretMembers - a new secret field is stripped by the emulator wherever the SDK shape has it, with no other edit', () => {
    const secrets = secretMembersOf(GetVaultOutput$, derive(guarded).secretNames);
    expect(secrets).toEqual({ credentials: [['apiSigningKey'], ['inner', 'apiSigningKey'], ['history', 'apiSigningKey']], maps: [['settings']] });
    const wire = toWire(answer(), new Set()) as Record<string, unknown>;
    stripSecretMembers(wire, secrets, 'returned');
    // What AWS returns to any reader stays: the sensitive Pin is personal data, guarded by no field here.
    expect(wire).toEqual({
      id: 'vault-1',
      label: `${PLAIN}label`,
      Pin: `${CANARY}pin`,
      inner: { note: `${PLAIN}note` },
      history: [{ note: `${PLAIN}history` }],
      settings: { HOST: `${PLAIN}host`, client_secret: `${CANARY}setting` },
    });
    stripSecretMembers(wire, secrets, 'withSecretOnly');
    expect(wire['settings']).toEqual({ HOST: `${PLAIN}host` });

    const unguardedWire = toWire(answer(), new Set()) as Record<string, unknown>;
    stripSecretMembers(unguardedWire, secretMembersOf(GetVaultOutput$, derive('').secretNames), 'returned');
    expect(unguardedWire).toEqual(answer());
  });
});

describe('unmasked error codes from the AWS error table', () => {
  const formatted = (error: GraphQLError) => {
    const { logger, lines } = capturingLogger();
    const result = createErrorFormatter(logger)(error.toJSON(), error);
    return { result, lines };
  };

  test('SUBGRAPH_ERROR_CODES - holds every code of the AWS error table, and UPSTREAM_ERROR for the rest', () => {
    expect(new Set(SUBGRAPH_ERROR_CODES)).toEqual(new Set([...Object.values(CODE_BY_AWS_ERROR), 'UPSTREAM_ERROR']));
    for (const code of SUBGRAPH_ERROR_CODES) expect(PUBLIC_ERROR_CODES, code).toContain(code);
  });

  const awsErrorNames = [...Object.keys(CODE_BY_AWS_ERROR), 'InternalServerException', 'SomeExceptionNoTableNames'];
  test.each(awsErrorNames)('createErrorFormatter - the code toGraphQLError gives %s passes unmasked', (errorName) => {
    const error = toGraphQLError({ name: errorName, $metadata: { requestId: 'req-1' } }, 'datazone', 'DataZone connection "c" in domain d');
    const { result, lines } = formatted(error);
    expect(result.extensions?.['code']).toBe(error.extensions['code']);
    expect(result.extensions?.['code']).not.toBe('INTERNAL_SERVER_ERROR');
    expect(result.message).toBe(error.message);
    expect(lines).toEqual([]);
  });

  test('createErrorFormatter - a refused argument and an unauthorized field pass unmasked', () => {
    for (const error of [badUserInput('first', 'must be at least 1'), unauthorizedFieldOrType()]) {
      const { result, lines } = formatted(error);
      expect(result).toMatchObject({ message: error.message, extensions: { code: error.extensions['code'] } });
      expect(lines).toEqual([]);
    }
  });

  test('createErrorFormatter - a code of no table is masked as INTERNAL_SERVER_ERROR and logged', () => {
    const { result, lines } = formatted(new GraphQLError('secret detail', { extensions: { code: 'SOME_NEW_CODE' } }));
    expect(result).toMatchObject({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    expect(lines.join('')).toContain('masked internal error');
  });
});
