/**
 * The fast path (src/server/accelerator/fast-path.ts) answers exactly as Apollo Server does, both
 * taking their headers from one response policy (src/server/response-policy.ts): against the real
 * subgraph, with the accelerator on whatever TEST_ACCELERATOR says, every request is sent twice, the
 * first time through Apollo Server's pipeline (which compiles the operation and registers its plan),
 * the second through the fast path, and the two responses must have the same status, the same
 * headers and the same body, byte for byte.
 */
import * as fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEMO_DOMAIN_ID, seededIds } from '../tools/emulator/seed.js';
import { buildServedSchema } from '../src/schema/build.js';
import { type FastPlan, FastPlans } from '../src/server/accelerator/executor.js';
import { chooserFrom, createOperationGenerator } from './support/operations.js';
import { READ, SECRETS, type Stack, mintToken, startStack } from './support/stack.js';

const SEED = Number(process.env['FC_SEED'] ?? 20_261_123);

describe('the plan registry', () => {
  const plan = (name: string) => ({ operationName: name }) as unknown as FastPlan;

  test('keeps the most recently used plans up to its bound, by source text and operation name', () => {
    const plans = new FastPlans(3);
    plans.set('{ a }', undefined, plan('a'));
    plans.set('query B { b } query C { c }', 'B', plan('B'));
    plans.set('query B { b } query C { c }', 'C', plan('C'));
    expect(plans.size).toBe(3);
    expect(plans.get('query B { b } query C { c }', 'C')?.operationName).toBe('C');
    expect(plans.get('query B { b } query C { c }', undefined)).toBeUndefined();
    // `{ a }` is now the least recently used: a fourth plan pushes it out.
    plans.set('{ d }', undefined, plan('d'));
    expect(plans.get('{ a }', undefined)).toBeUndefined();
    expect(plans.size).toBe(3);
    // Replacing a plan does not count twice.
    plans.set('{ d }', undefined, plan('d2'));
    expect(plans.size).toBe(3);
    expect(plans.get('{ d }', undefined)?.operationName).toBe('d2');
  });
});

describe('the fast path against the real subgraph', () => {
  let stack: Stack;
  const tokens = { reader: '', secrets: '' };
  const ids = seededIds();

  beforeAll(async () => {
    // About the accelerator: on, whatever TEST_ACCELERATOR says.
    stack = await startStack({ env: { NODE_ENV: 'production', GRAPHQL_JIT_AFTER: '1' } });
    tokens.reader = await mintToken([READ]);
    tokens.secrets = await mintToken([READ, SECRETS]);
  });
  afterAll(() => stack?.close());

  const AWS_REQUEST_ID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
  /** Per request, per connection or from the clock; everything else must be equal. */
  const UNCOMPARED_HEADERS = new Set(['date', 'x-request-id', 'keep-alive', 'connection']);

  interface Exchange {
    status: number;
    headers: Record<string, string>;
    /** The body as sent, AWS request ids masked; errors in a fixed order when there are any. */
    body: string;
  }

  async function exchange(body: Record<string, unknown>, options: { token?: string; headers?: Record<string, string> } = {}): Promise<Exchange> {
    const response = await fetch(stack.subgraph.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...options.headers },
      body: JSON.stringify(body),
    });
    let text = (await response.text()).replace(AWS_REQUEST_ID, '<request id>');
    const parsed = JSON.parse(text) as { errors?: unknown[] };
    // Sibling fields may fail in either order: the errors' order is not part of the answer.
    if (parsed.errors) text = JSON.stringify({ ...parsed, errors: parsed.errors.map((error) => JSON.stringify(error)).sort() });
    const headers = Object.fromEntries([...response.headers].filter(([name]) => !UNCOMPARED_HEADERS.has(name)));
    return { status: response.status, headers, body: text };
  }

  let sent = 0;
  /**
   * The request through Apollo Server, then again: both answers, and which way the second one went.
   * A comment makes its source text new to the subgraph, so the first one cannot take the fast path.
   */
  async function twice(request: Record<string, unknown>, options: { token?: string; headers?: Record<string, string> } = {}) {
    sent += 1;
    const body = { ...request, query: `${String(request['query'])}\n# request ${sent}` };
    const before = { ...stack.subgraph.executionStats };
    const first = await exchange(body, options);
    const between = { ...stack.subgraph.executionStats };
    const second = await exchange(body, options);
    const after = stack.subgraph.executionStats;
    expect(between.fastPath - before.fastPath, 'the first request went through Apollo Server').toBe(0);
    return { first, second, fast: after.fastPath - between.fastPath, handedOff: after.handedOff - between.handedOff };
  }

  const CONNECTION = 'query Connection($d: ID!, $i: ID!) { dataZoneConnection(domainIdentifier: $d, identifier: $i) { connectionId name type props { __typename } } }';

  test('a plain read: answered by the fast path with the same status, headers and body', async () => {
    const { first, second, fast } = await twice({ query: CONNECTION, variables: { d: ids.domainId, i: ids.connectionIds[0] } }, { token: tokens.reader });
    expect(fast).toBe(1);
    expect(second).toEqual(first);
    expect(first.status).toBe(200);
    expect(first.headers['cache-control']).toBe('max-age=60, public');
    expect(first.headers['vary']).toBe('Origin, Authorization');
    expect(first.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(second.body).data.dataZoneConnection.connectionId).toBe(ids.connectionIds[0]);
    // The request's log line names the operation either way.
    expect(stack.logLines.filter((line) => line.includes('"msg":"graphql request"')).slice(-2).map((line) => JSON.parse(line).operationName)).toEqual(['Connection', 'Connection']);
  });

  test('a credential in the answer: private, no-store from the fast path too', async () => {
    const query = `{ dataZoneConnection(domainIdentifier: "${DEMO_DOMAIN_ID}", identifier: "conn-athena-sales", withSecret: true) { name connectionCredentials { accessKeyId secretAccessKey } } }`;
    const { first, second, fast } = await twice({ query }, { token: tokens.secrets });
    expect(fast).toBe(1);
    expect(second).toEqual(first);
    expect(first.headers['cache-control']).toBe('private, no-store');
    expect(first.body).toContain('SECRET-CANARY');
  });

  test('answers with errors are handed to Apollo Server with their result: the same errors, codes and statuses, no second AWS call', async () => {
    const missing = { query: CONNECTION, variables: { d: ids.domainId, i: 'no-such-connection' } };
    stack.emulator.resetCalls();
    const notFound = await twice(missing, { token: tokens.reader });
    expect(notFound.handedOff).toBe(1);
    expect(notFound.second).toEqual(notFound.first);
    expect(notFound.first.body).toContain('NOT_FOUND');
    expect(notFound.first.headers['cache-control']).toBe('no-store');
    expect(stack.emulator.calls).toHaveLength(2);

    const anonymous = await twice({ query: CONNECTION, variables: { d: ids.domainId, i: ids.connectionIds[0] } });
    expect(anonymous.handedOff).toBe(1);
    expect(anonymous.second).toEqual(anonymous.first);

    const badVariables = await twice({ query: CONNECTION, variables: { d: ids.domainId, i: { not: 'an id' } } }, { token: tokens.reader });
    expect(badVariables.handedOff).toBe(1);
    expect(badVariables.second).toEqual(badVariables.first);
    expect(badVariables.first.status).toBe(400);

    const badToken = await twice({ query: CONNECTION, variables: { d: ids.domainId, i: ids.connectionIds[0] } }, { token: `${tokens.reader}x` });
    expect(badToken.second).toEqual(badToken.first);
    expect(badToken.first.status).toBe(401);
  });

  test('_entities, an operation picked by name, Accept headers, and what the fast path leaves to Apollo', async () => {
    const entities = {
      query: 'query E($r: [_Any!]!) { _entities(representations: $r) { ... on DataZoneConnection { connectionId name } } }',
      variables: { r: ids.connectionIds.slice(0, 3).map((connectionId) => ({ __typename: 'DataZoneConnection', domainId: ids.domainId, connectionId })) },
    };
    const entityRead = await twice(entities, { token: tokens.reader });
    expect(entityRead.fast).toBe(1);
    expect(entityRead.second).toEqual(entityRead.first);
    expect(entityRead.first.headers['cache-control']).toBe('max-age=60, public');

    const named = { query: `${CONNECTION} query Other { __typename }`, operationName: 'Connection', variables: { d: ids.domainId, i: ids.connectionIds[1] } };
    const byName = await twice(named, { token: tokens.reader });
    expect(byName.fast).toBe(1);
    expect(byName.second).toEqual(byName.first);

    const plain = { query: CONNECTION, variables: { d: ids.domainId, i: ids.connectionIds[2] } };
    for (const accept of ['application/graphql-response+json', 'application/json, */*;q=0.5', '*/*', 'application/json; callbackSpec=1.0']) {
      const negotiated = await twice(plain, { token: tokens.reader, headers: { accept } });
      expect(negotiated.fast, accept).toBe(1);
      expect(negotiated.second, accept).toEqual(negotiated.first);
    }
    // A root field under @include: the request's variables decide the policy, for both paths alike.
    const conditional = {
      query: 'query C($d: ID!, $i: ID!, $list: Boolean!) { dataZoneConnection(domainIdentifier: $d, identifier: $i) { name } dataZoneConnections(domainIdentifier: $d, first: 1) @include(if: $list) { edges { node { name } } } }',
    };
    for (const [list, cacheControl] of [[false, 'max-age=60, public'], [true, 'max-age=30, public']] as const) {
      const answered = await twice({ ...conditional, variables: { d: ids.domainId, i: ids.connectionIds[0], list } }, { token: tokens.reader });
      expect(answered.fast, String(list)).toBe(1);
      expect(answered.second).toEqual(answered.first);
      expect(answered.first.headers['cache-control']).toBe(cacheControl);
    }
    // Left to Apollo Server: an Accept it refuses (406), a router asking for a trace, persisted-query extensions.
    const refused = await twice(plain, { token: tokens.reader, headers: { accept: 'text/html' } });
    expect(refused.fast).toBe(0);
    expect(refused.second.status).toBe(406);
    const traced = await twice(plain, { token: tokens.reader, headers: { 'apollo-federation-include-trace': 'ftv1' } });
    expect(traced.fast).toBe(0);
    expect(JSON.parse(traced.second.body).extensions.ftv1).toEqual(expect.any(String));
  });

  test('random operations of every kind of caller: the fast path answers as Apollo Server does', { timeout: 180_000 }, async () => {
    const { schema, policy } = buildServedSchema();
    const generator = createOperationGenerator(schema, policy.secretFields);
    let fast = 0;
    let handedOff = 0;
    for (const [index, token] of [undefined, tokens.reader, tokens.secrets].entries()) {
      await fc.assert(
        fc.asyncProperty(fc.gen(), async (g) => {
          const operation = generator.generate(chooserFrom(g));
          const result = await twice({ query: operation.query, variables: operation.variables }, { token });
          expect(result.second, `operation:\n${operation.query}\nvariables: ${JSON.stringify(operation.variables)}`).toEqual(result.first);
          fast += result.fast;
          handedOff += result.handedOff;
        }),
        { numRuns: 40, seed: SEED + index, endOnFailure: true },
      );
    }
    // Not vacuous: both ways out of the fast path were taken many times.
    expect(fast).toBeGreaterThan(20);
    expect(handedOff).toBeGreaterThan(20);
  });
});
