/**
 * The fast path (src/server/fast-path.ts) answers exactly as Apollo Server does. First its cache
 * plans (src/server/cache-plan.ts) against Apollo's own cache control plugin, over a schema made to
 * have policies that depend on the data; then the real gateway: every request is sent twice, the
 * first time through Apollo Server's pipeline (which compiles the operation and registers its plan),
 * the second through the fast path, and the two responses must have the same status, the same
 * headers and the same body, byte for byte.
 */
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControl } from '@apollo/server/plugin/cacheControl';
import * as fc from 'fast-check';
import { buildSchema, parse } from 'graphql';
import assert from 'node:assert';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEMO_DOMAIN_ID, seededIds } from '../tools/emulator/seed.js';
import { buildGatewaySchema } from '../src/schema/build.js';
import { cacheControlFor, planCachePolicy } from '../src/server/cache-plan.js';
import { type FastPlan, FastPlans } from '../src/server/executor.js';
import { chooserFrom, createOperationGenerator } from './support/operations.js';
import { READ, SECRETS, type Stack, mintToken, startStack } from './support/stack.js';

const SEED = Number(process.env['FC_SEED'] ?? 20_261_123);

describe('cache plans', () => {
  const typeDefs = `
    enum CacheControlScope { PUBLIC PRIVATE }
    directive @cacheControl(maxAge: Int, scope: CacheControlScope, inheritMaxAge: Boolean) on FIELD_DEFINITION | OBJECT | INTERFACE | UNION
    type Query {
      a: A @cacheControl(maxAge: 60)
      list: [A] @cacheControl(maxAge: 100)
      pub: Int @cacheControl(maxAge: 30)
      plain: Int
      u: U
      i: I @cacheControl(maxAge: 80)
    }
    type A @cacheControl(maxAge: 120) { x: Int b: B p: P priv: Int @cacheControl(scope: PRIVATE) c: C long: Long }
    type B { y: Int }
    type P @cacheControl(maxAge: 10) { z: Int }
    type Long @cacheControl(maxAge: 500) { z: Int }
    type C @cacheControl(inheritMaxAge: true) { w: Int }
    union U @cacheControl(maxAge: 45) = A | D
    type D @cacheControl(maxAge: 5) { v: Int }
    interface I { id: Int }
    type I1 implements I @cacheControl(maxAge: 70) { id: Int }
    type I2 implements I { id: Int @cacheControl(maxAge: 3) }
  `;
  const full = { x: 1, b: { y: 1 }, p: { z: 1 }, priv: 1, c: { w: 1 }, long: { z: 1 } };
  const hollow = { x: 1, b: null, p: null, priv: null, c: null, long: null };
  /** The same fields resolving to different data: which nested fields resolve differs from one to the next. */
  const DATA: Record<string, Record<string, unknown>> = {
    nulls: { a: null, list: null, pub: null, plain: null, u: null, i: null },
    full: { a: full, list: [full, hollow], pub: 1, plain: 1, u: { __typename: 'A', ...full }, i: { __typename: 'I2', id: 1 } },
    hollow: { a: hollow, list: [], pub: 1, plain: 1, u: { __typename: 'D', v: 1 }, i: { __typename: 'I1', id: 1 } },
  };
  const resolvers = {
    Query: Object.fromEntries(['a', 'list', 'pub', 'plain', 'u', 'i'].map((name) => [name, (_: unknown, __: unknown, data: Record<string, unknown>) => data[name]])),
    U: { __resolveType: (value: { __typename: string }) => value.__typename },
    I: { __resolveType: (value: { __typename: string }) => value.__typename },
  };
  const schema = buildSchema(typeDefs);
  let apollo: ApolloServer<Record<string, unknown>>;

  beforeAll(async () => {
    apollo = new ApolloServer<Record<string, unknown>>({ typeDefs, resolvers, plugins: [ApolloServerPluginCacheControl({ defaultMaxAge: 0, calculateHttpHeaders: true })] });
    await apollo.start();
  });
  afterAll(() => apollo.stop());

  /** Apollo's `cache-control` for the query over each kind of data. */
  async function apolloHeaders(query: string): Promise<string[]> {
    const headers: string[] = [];
    for (const data of Object.values(DATA)) {
      const response = await apollo.executeOperation({ query }, { contextValue: data });
      assert(response.body.kind === 'single');
      expect(response.body.singleResult.errors).toBeUndefined();
      headers.push(response.http.headers.get('cache-control') ?? '(none)');
    }
    return headers;
  }

  const planOf = (query: string) => {
    const document = parse(query);
    const operation = document.definitions.find((definition) => definition.kind === 'OperationDefinition');
    assert(operation?.kind === 'OperationDefinition');
    return planCachePolicy(schema, document, operation);
  };
  const planned = (query: string): string | undefined => {
    const plan = planOf(query);
    return plan ? cacheControlFor(plan, schema, {}) : undefined;
  };

  const DECIDED: Array<[query: string, header: string]> = [
    ['{ pub }', 'max-age=30, public'],
    ['{ plain }', 'no-store'],
    ['{ a { x } }', 'max-age=60, public'],
    ['{ a { x c { w } long { z } } pub }', 'max-age=30, public'],
    ['{ list { x long { z } } }', 'max-age=100, public'],
    ['{ u { ... on A { x } ... on D { v } } }', 'max-age=45, public'],
    ['{ ...Root } fragment Root on Query { a { x } }', 'max-age=60, public'],
    ['{ a { b { y } } plain }', 'no-store'],
    ['{ __typename }', 'no-store'],
  ];
  const DEPENDS_ON_DATA = [
    '{ a { b { y } } }',
    '{ a { p { z } } }',
    '{ a { priv } }',
    '{ list { p { z } } }',
    '{ i { id } }',
    '{ u { ... on A { p { z } } } }',
    '{ a @include(if: true) { x } }',
  ];

  for (const [query, header] of DECIDED) {
    test(`${query} - planned as Apollo computes it for any data: ${header}`, async () => {
      expect(planned(query)).toBe(header);
      expect(await apolloHeaders(query)).toEqual([header, header, header]);
    });
  }

  test('a policy that depends on the data is not planned, and Apollo indeed answers differently by data', async () => {
    let varying = 0;
    for (const query of DEPENDS_ON_DATA) {
      // No plan at all (none of these has `_entities`): the fast path never compiles them.
      expect(planOf(query), query).toBeNull();
      if (new Set(await apolloHeaders(query)).size > 1) varying += 1;
    }
    // Not vacuous: all but the conditional one change with the data.
    expect(varying).toBe(DEPENDS_ON_DATA.length - 1);
  });

  test('_entities: restricted by each representation type, as @apollo/subgraph does; an unknown type is left to Apollo', () => {
    const gateway = buildGatewaySchema().schema;
    const document = parse('query E($r: [_Any!]!) { _entities(representations: $r) { ... on DataZoneConnection { name } } }');
    const operation = document.definitions[0];
    assert(operation?.kind === 'OperationDefinition');
    const plan = planCachePolicy(gateway, document, operation);
    assert(plan);
    const connection = { __typename: 'DataZoneConnection', domainId: 'd', connectionId: 'c' };
    expect(cacheControlFor(plan, gateway, { r: [connection] })).toBe('max-age=60, public');
    expect(cacheControlFor(plan, gateway, { r: [] })).toBe('no-store');
    expect(cacheControlFor(plan, gateway, { r: [connection, { __typename: 'Nope' }] })).toBeUndefined();
    const inline = parse('{ _entities(representations: [{ __typename: "DataZoneConnection" }]) { __typename } }');
    assert(inline.definitions[0]?.kind === 'OperationDefinition');
    expect(planCachePolicy(gateway, inline, inline.definitions[0])).toBeNull();
  });
});

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

describe('the fast path against the real gateway', () => {
  let stack: Stack;
  const tokens = { reader: '', secrets: '' };
  const ids = seededIds();

  beforeAll(async () => {
    stack = await startStack({ env: { NODE_ENV: 'production' } });
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
    const response = await fetch(stack.gateway.url, {
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
   * A comment makes its source text new to the gateway, so the first one cannot take the fast path.
   */
  async function twice(request: Record<string, unknown>, options: { token?: string; headers?: Record<string, string> } = {}) {
    sent += 1;
    const body = { ...request, query: `${String(request['query'])}\n# request ${sent}` };
    const before = { ...stack.gateway.executionStats };
    const first = await exchange(body, options);
    const between = { ...stack.gateway.executionStats };
    const second = await exchange(body, options);
    const after = stack.gateway.executionStats;
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
    for (const accept of ['application/graphql-response+json', 'application/json, */*;q=0.5', '*/*']) {
      const negotiated = await twice(plain, { token: tokens.reader, headers: { accept } });
      expect(negotiated.fast, accept).toBe(1);
      expect(negotiated.second, accept).toEqual(negotiated.first);
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
    const { schema, policy } = buildGatewaySchema();
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
