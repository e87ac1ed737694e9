/**
 * Nothing leaks, on any path: random operations over the real schema (fields, aliases, named and
 * inline fragments, union members, root fields and `_entities`) never put a seeded credential
 * (`SECRET-CANARY-…`, in credential fields and in map entries whose key names a credential) into a
 * response body, a response header or a subgraph log line for a caller without
 * `connections:secrets:read`. The positive control shows the canaries are reachable for a
 * secrets reader, so the negative result means something.
 */
import * as fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { SECRET_CANARY_PREFIX, seedConnections, seededIds } from '../tools/emulator/seed.js';
import { buildServedSchema } from '../src/schema/build.js';
import { type GeneratedOperation, chooserFrom, collectCanaries, createOperationGenerator, secretSelection } from './support/operations.js';
import { READ, SECRETS, type Stack, callsOf, mintToken, startStack } from './support/stack.js';

/** Fixed for reproducible runs; override with FC_SEED=<n> to explore further. */
const SEED = Number(process.env['FC_SEED'] ?? 20_250_721);
const RUNS_PER_CALLER = 60;

const { schema, policy } = buildServedSchema();
// Every field that may carry a credential: the secret fields and a map entry's value.
const generator = createOperationGenerator(schema, policy.mayCarryCredentials);

function headerText(headers: Headers): string {
  return [...headers].map(([name, value]) => `${name}: ${value}`).join('\n');
}

describe('leaks', () => {
  let stack: Stack;
  const tokens: Record<'noScope' | 'reader' | 'secrets', string> = { noScope: '', reader: '', secrets: '' };

  beforeAll(async () => {
    // The most verbose log level: a secret must not reach any log line, debug and trace included.
    stack = await startStack({ env: { LOG_LEVEL: 'trace' } });
    tokens.noScope = await mintToken([]);
    tokens.reader = await mintToken([READ]);
    tokens.secrets = await mintToken([READ, SECRETS]);
  });
  afterAll(async () => {
    await stack?.close();
  });

  /** Codes of a document refused before execution (armor limits are validation rules; the token limit is a parse failure). */
  const DOCUMENT_REFUSAL_CODES = ['GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED', 'BAD_REQUEST'];

  const CALLERS = [
    { caller: 'anonymous', token: () => undefined },
    { caller: 'no-scope', token: () => tokens.noScope },
    { caller: 'reader', token: () => tokens.reader },
  ];

  for (const [index, { caller, token }] of CALLERS.entries()) {
    // One seed per caller kind, so each kind meets other operations.
    const seed = SEED + index;
    test(
      `Subgraph - no response body, header or log line carries a SECRET-CANARY- value for ${caller} callers, over random operations`,
      async () => {
        const coverage = { refusedWhole: 0, operations: 0, selectsSecrets: 0, asksWithSecret: 0, entities: 0, namedFragments: 0, inlineFragments: 0, aliases: 0, reachedAws: 0, mapValuesRefused: 0 };
        await fc.assert(
          fc.asyncProperty(fc.gen(), async (g) => {
            const operation: GeneratedOperation = generator.generate(chooserFrom(g));
            const context = `${caller} operation:\n${operation.query}\nvariables: ${JSON.stringify(operation.variables)}`;
            stack.emulator.resetCalls();
            const logLinesBefore = stack.logLines.length;

            const response = await stack.graphql(operation.query, { token: token(), variables: operation.variables });

            // A document over the armor limits (depth, tokens, cost…) is refused whole with a 400 and
            // no data; every other one is executed. Either way, nothing below may leak.
            expect([200, 400], context).toContain(response.status);
            expect(response.headers.get('content-type') ?? '', context).toContain('application/json');
            expect(typeof response.body, context).toBe('object');
            if (response.status === 400) {
              coverage.refusedWhole += 1;
              expect(response.body.data, context).toBeUndefined();
              expect(DOCUMENT_REFUSAL_CODES, context).toContain(response.body.errors?.[0]?.extensions?.['code']);
            } else {
              expect(response.body.data, context).toBeTypeOf('object');
            }
            expect(response.text, context).not.toContain(SECRET_CANARY_PREFIX);
            expect(headerText(response.headers), context).not.toContain(SECRET_CANARY_PREFIX);
            expect(stack.logLines.slice(logLinesBefore).join(''), context).not.toContain(SECRET_CANARY_PREFIX);
            // The subgraph never even asks AWS for the secrets on behalf of such a caller.
            expect(callsOf(stack.emulator, 'GetConnection').map((call) => call.withSecret), context).not.toContain(true);

            coverage.operations += 1;
            if (operation.selectsSecrets) coverage.selectsSecrets += 1;
            if (operation.asksWithSecret) coverage.asksWithSecret += 1;
            if (operation.usesEntities) coverage.entities += 1;
            if (operation.usesNamedFragments) coverage.namedFragments += 1;
            if (operation.usesInlineFragments) coverage.inlineFragments += 1;
            if (operation.usesAliases) coverage.aliases += 1;
            if (stack.emulator.calls.length > 0) coverage.reachedAws += 1;
            // A credential map entry met on the way: its value refused at the entry's `value`.
            if (response.body.errors?.some((error) => error.path?.at(-1) === 'value' && error.extensions?.['code'] === 'UNAUTHORIZED_FIELD_OR_TYPE')) coverage.mapValuesRefused += 1;
          }),
          { numRuns: RUNS_PER_CALLER, seed, endOnFailure: true },
        );
        // Every log line of the whole run, too (nothing is written after a response either).
        expect(stack.logLines.join('')).not.toContain(SECRET_CANARY_PREFIX);
        // The generated operations did exercise what matters, so "no leak" is not vacuous.
        expect(coverage.operations).toBe(RUNS_PER_CALLER);
        // Most generated operations are executed, not refused by the armor limits.
        expect(coverage.refusedWhole).toBeLessThan(RUNS_PER_CALLER / 4);
        expect(coverage.selectsSecrets).toBeGreaterThan(RUNS_PER_CALLER / 2);
        expect(coverage.asksWithSecret).toBeGreaterThan(0);
        expect(coverage.entities).toBeGreaterThan(0);
        expect(coverage.namedFragments).toBeGreaterThan(0);
        expect(coverage.inlineFragments).toBeGreaterThan(0);
        expect(coverage.aliases).toBeGreaterThan(0);
        // Only a reader gets past the root fields' policy, so only a reader's operations reach AWS.
        if (caller === 'reader') {
          expect(coverage.reachedAws).toBeGreaterThan(RUNS_PER_CALLER / 2);
          expect(coverage.mapValuesRefused).toBeGreaterThan(0);
        }
        else expect(coverage.reachedAws).toBe(0);
      },
      120_000,
    );
  }

  test('Seeded canaries - a secrets reader asking withSecret: true sees every canary value of every seeded connection', async () => {
    const selection = secretSelection(schema, policy.mayCarryCredentials, 'DataZoneConnection');
    const { domainId } = seededIds();
    const allCanaries: string[] = [];
    for (const connection of seedConnections()) {
      const expected = collectCanaries(connection);
      allCanaries.push(...expected);
      const response = await stack.graphql(
        `query($d: ID!, $c: ID!) { dataZoneConnection(domainIdentifier: $d, identifier: $c, withSecret: true) { connectionId ${selection.slice(1, -1)} } }`,
        { token: tokens.secrets, variables: { d: domainId, c: connection.connectionId } },
      );
      expect(response.status).toBe(200);
      expect(response.body.errors, connection.connectionId).toBeUndefined();
      expect(response.body.data?.['dataZoneConnection']?.connectionId).toBe(connection.connectionId);
      // Exactly the seeded canaries of this connection: each one reachable, none from elsewhere.
      expect(collectCanaries(response.body.data).sort(), connection.connectionId).toEqual([...expected].sort());
    }
    // The seed has canaries in every kind of credential field the contract lists.
    expect(allCanaries.length).toBeGreaterThanOrEqual(20);
    const mapEntries = ['PASSWORD', 'KAFKA_SASL_SCRAM_PASSWORD', 'Encrypted_Password', 's3a.secret.key', 'athena.password', 'SNOWFLAKE_TOKEN', 'client_secret', 'spark-defaults-secret.key'];
    for (const field of ['accessKeyId', 'secretAccessKey', 'sessionToken', 'clientSecret', 'accessToken', 'refreshToken', 'jwtToken', 'authorizationCode', 'password', 'managedEndpointToken', ...mapEntries]) {
      expect(allCanaries.some((value) => value.endsWith(`-${field}`)), field).toBe(true);
    }
    expect(new Set(allCanaries).size).toBe(allCanaries.length);
  });

  test('Seeded canaries - the same operation right after a secrets reader returns none of them to a reader or an anonymous caller', async () => {
    // Interleaved on one server: nothing a secrets reader fetched may be served to the next caller.
    const selection = secretSelection(schema, policy.mayCarryCredentials, 'DataZoneConnection');
    const { domainId } = seededIds();
    const query = `query($d: ID!, $c: ID!) { dataZoneConnection(domainIdentifier: $d, identifier: $c, withSecret: true) { connectionId ${selection.slice(1, -1)} } }`;
    for (const connection of seedConnections()) {
      const variables = { d: domainId, c: connection.connectionId };
      const secrets = await stack.graphql(query, { token: tokens.secrets, variables });
      expect(collectCanaries(secrets.body.data).length, connection.connectionId).toBe(collectCanaries(connection).length);

      const reader = await stack.graphql(query, { token: tokens.reader, variables });
      expect(reader.status).toBe(200);
      expect(reader.body.data?.['dataZoneConnection']?.connectionId).toBe(connection.connectionId);
      expect(reader.text, connection.connectionId).not.toContain(SECRET_CANARY_PREFIX);
      for (const error of reader.body.errors ?? []) expect(error.extensions?.['code']).toBe('UNAUTHORIZED_FIELD_OR_TYPE');

      const anonymous = await stack.graphql(query, { variables });
      expect(anonymous.status).toBe(200);
      expect(anonymous.body.data).toEqual({ dataZoneConnection: null });
      expect(anonymous.text, connection.connectionId).not.toContain(SECRET_CANARY_PREFIX);
    }
    expect(stack.logLines.join('')).not.toContain(SECRET_CANARY_PREFIX);
  });
});
