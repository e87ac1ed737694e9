/**
 * graphql-jit (src/server/accelerator/executor.ts) answers exactly as graphql-js does: random operations over
 * the real schema, sent by every kind of caller to two subgraph servers in front of one emulator, one that
 * compiles every document (GRAPHQL_JIT_AFTER=1) and one that never does (0), get the same status,
 * the same data, the same errors and the same caching headers. Then the edges the executor hands
 * back to graphql-js, and the production default (compile from a document's second execution).
 * The same comparison in production mode (NODE_ENV=production), where Apollo's plugins include
 * graphql-armor's field-suggestion mask, which rewrites error messages.
 */
import * as fc from 'fast-check';
import { GraphQLError, buildSchema, execute, parse } from 'graphql';
import { compileQuery, isCompiledQuery } from 'graphql-jit';
import { execFileSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import { seededIds } from '../tools/emulator/seed.js';
import { buildServedSchema } from '../src/schema/build.js';
import { type SubgraphServer, startSubgraph } from '../src/server/app.js';
import { asGraphqlJsError, settleListItems } from '../src/server/accelerator/executor.js';
import { createLogger } from '../src/server/logger.js';
import { chooserFrom, createOperationGenerator } from './support/operations.js';
import { READ, SECRETS, type Stack, TEST_JWT_SECRET, mintToken, startStack } from './support/stack.js';

const SEED = Number(process.env['FC_SEED'] ?? 20_261_122);
const RUNS_PER_CALLER = 60;

const { schema, policy } = buildServedSchema();
const generator = createOperationGenerator(schema, policy.secretFields);
const ids = seededIds();

const AWS_REQUEST_ID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

interface Answer {
  status: number;
  data: unknown;
  /** Errors in a fixed order: two executors may finish sibling fields in different orders. */
  errors: string[];
  cacheControl: string | null;
  vary: string | null;
}

async function ask(url: string, body: Record<string, unknown>, token?: string): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  // AWS request ids differ from call to call; everything else must match.
  const json = JSON.parse((await response.text()).replace(AWS_REQUEST_ID, '<request id>')) as { data?: unknown; errors?: unknown[] };
  return {
    status: response.status,
    data: json.data,
    errors: (json.errors ?? []).map((error) => JSON.stringify(error)).sort(),
    cacheControl: response.headers.get('cache-control'),
    vary: response.headers.get('vary'),
  };
}

/**
 * A second subgraph server with its own GRAPHQL_JIT_AFTER, started after the stack: it reads the process
 * environment the stack set, so it talks to the same emulator with the same SDK settings.
 */
async function startSubgraphBesideStack(jitAfter: string, env: Record<string, string> = {}): Promise<SubgraphServer> {
  const quiet = new Writable({ write: (_chunk, _encoding, callback) => callback() });
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', AWS_REGION: 'us-east-1', AUTH_JWT_SECRET: TEST_JWT_SECRET, GRAPHQL_JIT_AFTER: jitAfter, ...env });
  return startSubgraph(config, { logger: createLogger('info', quiet) });
}

describe('list items that fail out of order', () => {
  const sdl = 'type A { x: String } type B { y: String } union U = A | B type Query { objects: [A]! members: [U]! }';
  const later = (ms: number, value: unknown, fail: boolean) =>
    new Promise((resolve, reject) => setTimeout(() => (fail ? reject(new GraphQLError(`item failed after ${ms} ms`, { extensions: { code: 'NOT_FOUND' } })) : resolve(value)), ms));
  function schemaWithFailingItems() {
    const schema = buildSchema(sdl);
    const fields = schema.getQueryType()?.getFields() ?? {};
    // Items 0 and 2 fail, the last one last; item 1 is there at once.
    (fields['objects'] as { resolve: unknown }).resolve = () => [later(5, null, true), { x: 'x' }, later(15, null, true), later(1, { x: 'z' }, false)];
    (fields['members'] as { resolve: unknown }).resolve = () => [later(5, null, true), { __typename: 'B', y: 'y' }, later(15, null, true)];
    return schema;
  }
  const document = parse('{ objects { x } members { __typename ... on B { y } } }');
  const run = async (schema: ReturnType<typeof buildSchema>, jit: boolean) => {
    if (!jit) return JSON.parse(JSON.stringify(await execute({ schema, document })));
    const compiled = compileQuery(schema, document);
    if (!isCompiledQuery(compiled)) throw new Error('not compiled');
    return JSON.parse(JSON.stringify(await compiled.query(undefined, {}, {})));
  };

  test('graphql-jit alone shifts them (why settleListItems exists); settled, both executors answer as graphql-js does unsettled', async () => {
    const reference = await run(schemaWithFailingItems(), false);
    expect(reference.data).toEqual({ objects: [null, { x: 'x' }, null, { x: 'z' }], members: [null, { __typename: 'B', y: 'y' }, null] });
    // The upstream behaviour this works around; when a graphql-jit release fixes it, this line says so.
    expect((await run(schemaWithFailingItems(), true)).data).not.toEqual(reference.data);
    const settled = schemaWithFailingItems();
    settleListItems(settled);
    for (const jit of [false, true]) {
      const answer = await run(settled, jit);
      expect(answer.data).toEqual(reference.data);
      expect([...answer.errors].sort((a: { message: string }, b: { message: string }) => a.message.localeCompare(b.message))).toEqual(
        [...reference.errors].sort((a: { message: string }, b: { message: string }) => a.message.localeCompare(b.message)),
      );
    }
  });
});

describe('the memory of compiled documents', () => {
  /** Heap bytes that 300 distinct compiled documents leave behind once dropped (test/support/compiled-sources-probe.ts). */
  const retainedBytes = (...args: string[]) =>
    (JSON.parse(execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', 'test/support/compiled-sources-probe.ts', ...args], { encoding: 'utf8' })) as { retainedBytes: number })
      .retainedBytes;

  test("V8's compilation cache keeps every compiled document's source; once the executor is made, dropped documents give their memory back", { timeout: 60_000 }, () => {
    const withoutExecutor = retainedBytes();
    const withExecutor = retainedBytes('executor');
    expect(withoutExecutor).toBeGreaterThan(3_000_000);
    expect(withExecutor).toBeLessThan(withoutExecutor / 10);
  });
});

describe("graphql-jit's errors", () => {
  test('are read-only upstream; handed to Apollo as graphql-js errors with the same JSON and original error', async () => {
    const schema = buildSchema('type Query { a: String b: String }');
    const original = new GraphQLError('no such thing', { extensions: { code: 'NOT_FOUND' } });
    (schema.getQueryType()?.getFields()['a'] as { resolve: unknown }).resolve = () => Promise.reject(original);
    const compiled = compileQuery(schema, parse('{ a b }'));
    if (!isCompiledQuery(compiled)) throw new Error('not compiled');
    const result = await compiled.query(undefined, {}, {});
    const upstream = result.errors?.[0] as GraphQLError;
    // What broke production: graphql-armor's field-suggestion mask assigns error.message.
    expect(() => {
      (upstream as { message: string }).message = 'masked';
    }).toThrow(TypeError);
    const error = asGraphqlJsError(upstream);
    expect(Object.getPrototypeOf(error)).toBe(GraphQLError.prototype);
    expect(error.toJSON()).toEqual({ message: 'no such thing', locations: [{ line: 1, column: 3 }], path: ['a'], extensions: { code: 'NOT_FOUND' } });
    expect(error.toJSON()).toEqual(JSON.parse(JSON.stringify(upstream)));
    expect(error.originalError).toBe(original);
    error.message = 'masked';
    expect(error.message).toBe('masked');
    // graphql-js's own errors pass as they are.
    expect(asGraphqlJsError(original)).toBe(original);
  });
});

describe('graphql-jit in production (NODE_ENV=production: armor masks field suggestions, no introspection)', () => {
  let stack: Stack;
  let interpreted: SubgraphServer;
  let reader = '';

  beforeAll(async () => {
    // About the accelerator: on, whatever TEST_ACCELERATOR says.
    stack = await startStack({ env: { NODE_ENV: 'production', GRAPHQL_JIT_AFTER: '1' } });
    interpreted = await startSubgraphBesideStack('0', { NODE_ENV: 'production' });
    reader = await mintToken([READ]);
  });
  afterAll(async () => {
    await interpreted?.close(1_000);
    await stack?.close();
  });

  test('a field that fails on the compiled path: HTTP 200, the field null with its code, as graphql-js answers', async () => {
    const body = { query: `{ found: dataZoneConnection(domainIdentifier: "${ids.domainId}", identifier: "${ids.connectionIds[0]}") { connectionId } missing: dataZoneConnection(domainIdentifier: "${ids.domainId}", identifier: "no-such-connection") { connectionId } }` };
    for (let time = 0; time < 2; time += 1) {
      const [compiled, reference] = await Promise.all([ask(stack.subgraph.url, body, reader), ask(interpreted.url, body, reader)]);
      expect(compiled).toEqual(reference);
      expect(compiled.status).toBe(200);
      expect(compiled.data).toEqual({ found: { connectionId: ids.connectionIds[0] }, missing: null });
      expect(compiled.errors.map((error) => JSON.parse(error).extensions.code)).toEqual(['NOT_FOUND']);
    }
    // The first run compiled inside Apollo Server, the second on the fast path, handed back to Apollo with its errors.
    expect(stack.subgraph.executionStats.compiled).toBeGreaterThanOrEqual(1);
    expect(stack.subgraph.executionStats.handedOff).toBeGreaterThanOrEqual(1);
  });

  test('random operations of a reader: compiled and interpreted answers are the same', { timeout: 120_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.gen(), async (g) => {
        const operation = generator.generate(chooserFrom(g));
        const body = { query: operation.query, variables: operation.variables };
        const [compiled, reference] = await Promise.all([ask(stack.subgraph.url, body, reader), ask(interpreted.url, body, reader)]);
        expect(compiled, `operation:\n${operation.query}\nvariables: ${JSON.stringify(operation.variables)}`).toEqual(reference);
      }),
      { numRuns: RUNS_PER_CALLER, seed: SEED + 10, endOnFailure: true },
    );
  });
});

describe('graphql-jit', () => {
  let stack: Stack;
  let interpreted: SubgraphServer;
  const tokens = { reader: '', secrets: '' };

  beforeAll(async () => {
    stack = await startStack({ env: { GRAPHQL_JIT_AFTER: '1' } });
    interpreted = await startSubgraphBesideStack('0');
    tokens.reader = await mintToken([READ]);
    tokens.secrets = await mintToken([READ, SECRETS]);
  });
  afterAll(async () => {
    await interpreted?.close(1_000);
    await stack?.close();
  });

  const CALLERS = [
    { caller: 'an anonymous caller', token: () => undefined },
    { caller: 'a reader', token: () => tokens.reader },
    { caller: 'a secrets reader', token: () => tokens.secrets },
  ];

  for (const [index, { caller, token }] of CALLERS.entries()) {
    test(`random operations of ${caller}: compiled and interpreted answers are the same`, { timeout: 120_000 }, async () => {
      const before = { ...stack.subgraph.executionStats };
      let withData = 0;
      await fc.assert(
        fc.asyncProperty(fc.gen(), async (g) => {
          const operation = generator.generate(chooserFrom(g));
          const body = { query: operation.query, variables: operation.variables };
          const [compiled, reference] = await Promise.all([ask(stack.subgraph.url, body, token()), ask(interpreted.url, body, token())]);
          expect(compiled, `${caller} operation:\n${operation.query}\nvariables: ${JSON.stringify(operation.variables)}`).toEqual(reference);
          if (reference.data && Object.values(reference.data).some((value) => value !== null)) withData += 1;
        }),
        { numRuns: RUNS_PER_CALLER, seed: SEED + index, endOnFailure: true },
      );
      // Not vacuous: the stack's subgraph did run compiled queries, and most answers carried data.
      expect(stack.subgraph.executionStats.compiled - before.compiled).toBeGreaterThan(RUNS_PER_CALLER / 2);
      expect(interpreted.executionStats.compiled).toBe(0);
      if (index > 0) expect(withData).toBeGreaterThan(RUNS_PER_CALLER / 2);
    });
  }

  const CONNECTION = `query C($d: ID!, $i: ID!) { dataZoneConnection(domainIdentifier: $d, identifier: $i) { connectionId name type props { __typename } } }`;

  test('variables that do not coerce: graphql-js reports them, as BAD_USER_INPUT with status 400, and AWS is asked nothing', async () => {
    const good = { query: CONNECTION, variables: { d: ids.domainId, i: ids.connectionIds[0] } };
    expect((await ask(stack.subgraph.url, good, tokens.reader)).status).toBe(200);
    const stats = { ...stack.subgraph.executionStats };
    stack.emulator.resetCalls();
    for (const variables of [{ d: ids.domainId }, { d: ids.domainId, i: { not: 'an id' } }, { d: [ids.domainId], i: 'x' }]) {
      const body = { query: CONNECTION, variables };
      const [compiled, reference] = await Promise.all([ask(stack.subgraph.url, body, tokens.reader), ask(interpreted.url, body, tokens.reader)]);
      expect(compiled).toEqual(reference);
      expect(compiled.status).toBe(400);
      expect(compiled.errors.map((error) => JSON.parse(error).extensions.code)).toEqual(['BAD_USER_INPUT']);
    }
    expect(stack.subgraph.executionStats.rerunForVariableErrors - stats.rerunForVariableErrors).toBe(3);
    expect(stack.emulator.calls).toEqual([]);
  });

  test('an operation name the document does not define: the same OPERATION_RESOLUTION_FAILURE', async () => {
    const body = { query: CONNECTION, operationName: 'Other', variables: { d: ids.domainId, i: ids.connectionIds[0] } };
    const [compiled, reference] = await Promise.all([ask(stack.subgraph.url, body, tokens.reader), ask(interpreted.url, body, tokens.reader)]);
    expect(compiled).toEqual(reference);
    expect(compiled.status).toBe(400);
    expect(compiled.errors.map((error) => JSON.parse(error).extensions.code)).toEqual(['OPERATION_RESOLUTION_FAILURE']);
  });

  test('introspection is always left to graphql-js', async () => {
    const stats = { ...stack.subgraph.executionStats };
    const body = { query: '{ __schema { queryType { name } } q: __type(name: "DataZoneConnection") { name } }' };
    for (let time = 0; time < 3; time += 1) {
      const answer = await ask(stack.subgraph.url, body);
      expect(answer.data).toEqual({ __schema: { queryType: { name: 'Query' } }, q: { name: 'DataZoneConnection' } });
    }
    expect(stack.subgraph.executionStats.compilations).toBe(stats.compilations);
    expect(stack.subgraph.executionStats.interpreted - stats.interpreted).toBe(3);
  });

  test('GRAPHQL_JIT_AFTER=2 (the default): the first execution of a document is interpreted, the next ones run its one compiled query (the second through Apollo Server, which registers it for the fast path)', async () => {
    const defaults = await startSubgraphBesideStack('2');
    try {
      const body = { query: CONNECTION, variables: { d: ids.domainId, i: ids.connectionIds[1] } };
      const answers = [];
      for (let time = 0; time < 4; time += 1) answers.push(await ask(defaults.url, body, tokens.reader));
      expect(defaults.executionStats).toEqual({ interpreted: 1, compiled: 1, rerunForVariableErrors: 0, compilations: 1, fastPath: 2, handedOff: 0 });
      for (const answer of answers) expect(answer).toEqual(answers[0]);
      expect(answers[0]?.status).toBe(200);
      expect(answers[0]?.cacheControl).toBe('max-age=60, public');
    } finally {
      await defaults.close(1_000);
    }
    expect(loadConfig({}).jitAfter).toBe(2);
  });
});
