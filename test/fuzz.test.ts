import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_AWS_ACCOUNT_ID, DEMO_DOMAIN_ID } from '../tools/emulator/seed.js';
import { READ, SECRETS, type Stack, mintToken, startStack } from './support/stack.js';

/**
 * Generated hostile and sloppy input against the real subgraph over HTTP. Properties, for every input:
 * never a 5xx, never an INTERNAL_SERVER_ERROR, the process keeps serving (vitest fails the run on
 * any unhandled rejection in it), and no AWS call ever carries an id that breaks the documented
 * patterns. FUZZ_RUNS scales the number of cases per property (default 800: 4,000 requests in all).
 */
const RUNS = Number(process.env['FUZZ_RUNS'] ?? 800);
const SEED = Number(process.env['FUZZ_SEED'] ?? 20_240_606);

// The services' documented id patterns, written out here independently of src/*/ids.ts.
const DOCUMENTED = {
  awsAccountId: /^[0-9]{12}$/,
  actionConnectorId: /^[A-Za-z0-9_-]{1,128}$/,
  domainIdentifier: /^dzd[-_][A-Za-z0-9_-]{1,36}$/,
  identifier: /^[A-Za-z0-9_-]{1,128}$/,
};

let stack: Stack;
let token: string;
beforeAll(async () => {
  // Never a retry: every AWS call the fuzz causes is counted once. No client-side rate limit: at
  // 15 calls a second it made the id property (one GetConnection or more per case) wait on the
  // limiter for most of its run; the limiter has tests of its own.
  stack = await startStack({ env: { AWS_MAX_ATTEMPTS: '1', LOG_LEVEL: 'warn', AWS_RATE_LIMIT_PER_SECOND: '0' } });
  token = await mintToken([READ, SECRETS]);
});
afterAll(() => stack.close());

interface Outcome {
  status: number;
  text: string;
}

async function send(init: { method?: string; body?: string; contentType?: string; search?: string; auth?: boolean }): Promise<Outcome> {
  const headers: Record<string, string> = {};
  if (init.contentType !== undefined) headers['content-type'] = init.contentType;
  if (init.auth !== false) headers['authorization'] = `Bearer ${token}`;
  const response = await fetch(`${stack.subgraph.url}${init.search ?? ''}`, { method: init.method ?? 'POST', headers, body: init.body });
  return { status: response.status, text: await response.text() };
}

/** The invariants of every answer, whatever was sent. */
function expectServed(outcome: Outcome, input: unknown): void {
  expect(outcome.status, `5xx for ${JSON.stringify(input)?.slice(0, 500)}: ${outcome.text.slice(0, 300)}`).toBeLessThan(500);
  expect(outcome.text).not.toContain('INTERNAL_SERVER_ERROR');
  if (outcome.text.length > 0) expect(() => JSON.parse(outcome.text), outcome.text.slice(0, 200)).not.toThrow();
}

/** Every AWS call made so far carried ids within the documented patterns. */
function expectOnlyValidIdsReachedAws(): void {
  for (const call of stack.emulator.calls) {
    if (call.operation === 'DescribeActionConnector') {
      expect(call.params['AwsAccountId']).toMatch(DOCUMENTED.awsAccountId);
      expect(call.params['ActionConnectorId']).toMatch(DOCUMENTED.actionConnectorId);
    } else {
      expect(call.params['domainIdentifier']).toMatch(DOCUMENTED.domainIdentifier);
      expect(call.params['identifier']).toMatch(DOCUMENTED.identifier);
    }
  }
}

const VALID_DOCUMENTS = [
  `{ quickSightActionConnector(awsAccountId: "${DEMO_AWS_ACCOUNT_ID}", actionConnectorId: "jira-cloud") { arn name type typeRaw authenticationConfig { authenticationType } } }`,
  `query Q($d: ID!, $i: ID!) { dataZoneConnection(domainIdentifier: $d, identifier: $i, withSecret: true) { name props { __typename ... on DataZoneRedshiftProperties { databaseName } } } }`,
  `query E($r: [_Any!]!) { _entities(representations: $r) { ... on DataZoneConnection { connectionId name } ... on QuickSightActionConnector { arn } } }`,
  `fragment F on DataZoneConnection { name physicalEndpoints { host port } } { a: dataZoneConnection(domainIdentifier: "${DEMO_DOMAIN_ID}", identifier: "conn-iam-project") { ...F } }`,
  `{ __schema { types { name } } _service { sdl } }`,
];

/** Pieces of GraphQL that make near-valid documents when shuffled. */
const VOCABULARY = [
  '{', '}', '(', ')', '[', ']', ':', '$', '@', '...', '!', '=', '|', '&', ',', '"', '"""', '#', '\n',
  'query', 'mutation', 'subscription', 'fragment', 'on', 'true', 'false', 'null', '0', '-1', '1e999', '"x"', '"\\u0000"',
  'quickSightActionConnector', 'dataZoneConnection', '_entities', '_service', '__typename', '__schema', '__type',
  'awsAccountId', 'actionConnectorId', 'domainIdentifier', 'identifier', 'withSecret', 'representations',
  'arn', 'name', 'props', 'connectionCredentials', 'secretAccessKey', '@include(if: true)', '@skip(if: $x)', '@defer', '@requiresScopes',
  `"${DEMO_AWS_ACCOUNT_ID}"`, `"${DEMO_DOMAIN_ID}"`, '"conn-iam-project"', '"jira-cloud"', '"../x"', '"a/b"',
];

const documentArbitrary = fc.oneof(
  // Random text, including control characters and lone surrogates.
  fc.string({ unit: 'binary', maxLength: 300 }),
  // Shuffled GraphQL vocabulary.
  fc.array(fc.constantFrom(...VOCABULARY), { maxLength: 80 }).map((tokens) => tokens.join(' ')),
  // A valid document with a few characters inserted, deleted or replaced.
  fc
    .tuple(
      fc.constantFrom(...VALID_DOCUMENTS),
      fc.array(fc.tuple(fc.nat(), fc.constantFrom('insert', 'delete', 'replace'), fc.constantFrom(...'{}()[]:$@!.,"\\#\n xX0'.split(''))), { minLength: 1, maxLength: 6 }),
    )
    .map(([document, edits]) =>
      edits.reduce((text, [position, operation, character]) => {
        const at = position % (text.length + 1);
        if (operation === 'insert') return text.slice(0, at) + character + text.slice(at);
        if (operation === 'delete') return text.slice(0, at) + text.slice(at + 1);
        return text.slice(0, at) + character + text.slice(at + 1);
      }, document),
    ),
);

/** Ids of every kind: valid, nearly valid, and hostile. */
const idArbitrary = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.stringMatching(/^[0-9]{10,14}$/),
  fc.stringMatching(/^dzd[-_.][A-Za-z0-9_\-/]{0,40}$/),
  fc.stringMatching(/^[A-Za-z0-9_\-./%?#]{0,140}$/),
  fc.constantFrom(DEMO_AWS_ACCOUNT_ID, DEMO_DOMAIN_ID, 'jira-cloud', 'conn-iam-project', '', ' ', '..', '../etc/passwd', 'a/b', '%2F', 'dzd_', 'dzd_x\n', '١١١١٢٢٢٢٣٣٣٣'),
);

describe('fuzz: generated malformed documents, variables and ids', () => {
  it('documents - malformed, shuffled and mutated GraphQL: never a 5xx, never an internal error', { timeout: 300_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(documentArbitrary, fc.option(fc.jsonValue({ maxDepth: 3 }), { nil: undefined }), async (query, variables) => {
        const outcome = await send({ body: JSON.stringify({ query, variables }), contentType: 'application/json' });
        expectServed(outcome, { query, variables });
      }),
      { numRuns: RUNS, seed: SEED },
    );
    expectOnlyValidIdsReachedAws();
  });

  it('ids - any string as any id argument: invalid ones are BAD_USER_INPUT naming the argument, and never reach AWS', { timeout: 300_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(idArbitrary, idArbitrary, idArbitrary, idArbitrary, async (awsAccountId, actionConnectorId, domainIdentifier, identifier) => {
        stack.emulator.resetCalls();
        const outcome = await send({
          contentType: 'application/json',
          body: JSON.stringify({
            query: `query($a: ID!, $c: ID!, $d: ID!, $i: ID!) {
              connector: quickSightActionConnector(awsAccountId: $a, actionConnectorId: $c) { arn }
              connection: dataZoneConnection(domainIdentifier: $d, identifier: $i) { name }
              _entities(representations: [{ __typename: "DataZoneConnection", domainId: "${DEMO_DOMAIN_ID}", connectionId: "conn-iam-project" }]) { __typename }
            }`,
            variables: { a: awsAccountId, c: actionConnectorId, d: domainIdentifier, i: identifier },
          }),
        });
        expectServed(outcome, { awsAccountId, actionConnectorId, domainIdentifier, identifier });
        const body = JSON.parse(outcome.text) as { errors?: Array<{ path?: string[]; extensions?: Record<string, unknown> }> };
        const errorAt = (field: string) => body.errors?.find((error) => error.path?.[0] === field);
        const connectorValid = DOCUMENTED.awsAccountId.test(awsAccountId) && DOCUMENTED.actionConnectorId.test(actionConnectorId);
        const connectionValid = DOCUMENTED.domainIdentifier.test(domainIdentifier) && DOCUMENTED.identifier.test(identifier);
        const calls = (operation: string) => stack.emulator.calls.filter((call) => call.operation === operation).length;
        if (!connectorValid) {
          expect(errorAt('connector')?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: DOCUMENTED.awsAccountId.test(awsAccountId) ? 'actionConnectorId' : 'awsAccountId' });
          expect(calls('DescribeActionConnector')).toBe(0);
        } else {
          expect(calls('DescribeActionConnector')).toBe(1);
        }
        // The valid sibling entity always costs its one call; the connection field one call when valid.
        expect(calls('GetConnection')).toBe(connectionValid ? 2 : 1);
        if (!connectionValid) expect(errorAt('connection')?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
        expectOnlyValidIdsReachedAws();
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it('_entities - arbitrary representations: never a 5xx, invalid keys never reach AWS', { timeout: 300_000 }, async () => {
    const representation = fc.oneof(
      fc.jsonValue({ maxDepth: 2 }),
      fc.record({ __typename: fc.constantFrom('DataZoneConnection', 'QuickSightActionConnector', 'Query', 'Nope', ''), domainId: idArbitrary, connectionId: idArbitrary }, { requiredKeys: [] }),
      fc.record({ __typename: fc.constantFrom('QuickSightActionConnector', 'DataZoneConnection'), awsAccountId: fc.oneof(idArbitrary, fc.integer(), fc.constant(null)), actionConnectorId: fc.oneof(idArbitrary, fc.double()) }, { requiredKeys: [] }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(representation, { maxLength: 8 }), async (representations) => {
        stack.emulator.resetCalls();
        const outcome = await send({
          contentType: 'application/json',
          body: JSON.stringify({ query: VALID_DOCUMENTS[2], variables: { r: representations } }),
        });
        expectServed(outcome, representations);
        expectOnlyValidIdsReachedAws();
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it('request bodies - any JSON, any content type, GET with any search string: never a 5xx', { timeout: 300_000 }, async () => {
    const request = fc.oneof(
      fc.record({ method: fc.constant('POST'), contentType: fc.constantFrom('application/json', 'application/graphql', 'text/plain', 'application/json; charset=latin1', 'multipart/form-data'), body: fc.oneof(fc.json({ maxDepth: 3 }), fc.string({ unit: 'binary', maxLength: 200 })) }),
      fc.record({
        method: fc.constant('POST'),
        contentType: fc.constant('application/json'),
        body: fc.record({ query: fc.oneof(fc.constantFrom(...VALID_DOCUMENTS), fc.jsonValue()), operationName: fc.oneof(fc.string(), fc.jsonValue()), variables: fc.jsonValue({ maxDepth: 2 }), extensions: fc.jsonValue({ maxDepth: 2 }) }, { requiredKeys: [] }).map((value) => JSON.stringify(value)),
      }),
      fc.record({
        method: fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH'),
        search: fc.oneof(fc.constant(''), fc.string({ maxLength: 100 }).map((text) => `?${text}`), fc.constantFrom(...VALID_DOCUMENTS).map((query) => `?query=${encodeURIComponent(query)}`)),
      }),
    );
    await fc.assert(
      fc.asyncProperty(request, fc.boolean(), async (input, auth) => {
        const outcome = await send({ ...(input as { method: string; body?: string; contentType?: string; search?: string }), auth });
        expectServed(outcome, input);
      }),
      { numRuns: RUNS, seed: SEED },
    );
    expectOnlyValidIdsReachedAws();
  });

  it('afterwards - the subgraph still serves, and nothing was masked as an internal error', async () => {
    const outcome = await send({ contentType: 'application/json', body: JSON.stringify({ query: VALID_DOCUMENTS[0] }) });
    expect(outcome.status).toBe(200);
    expect(JSON.parse(outcome.text).data.quickSightActionConnector.arn).toMatch(/^arn:aws:quicksight:/);
    expect(stack.logLines.join('')).not.toContain('masked internal error');
    expect(stack.logLines.join('')).not.toContain('request failed');
  });
});
