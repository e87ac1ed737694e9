import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { GraphQLResolveInfo } from 'graphql';
import { connectionResolvers } from '../src/datazone/connection.js';
import { DEMO_DOMAIN_ID, seedActionConnectors, seedConnections } from '../tools/emulator/seed.js';
import { actionConnectorResolvers } from '../src/quicksight/action-connector.js';
import type { SubgraphContext } from '../src/core/context.js';
import { READ, type Stack, mintToken, startStack } from './support/stack.js';

const QUERY = `{ dataZoneConnection(domainIdentifier: "${DEMO_DOMAIN_ID}", identifier: "conn-athena-sales") { name } }`;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());
afterEach(() => vi.useRealTimers());

describe('per-request work the subgraph skips unless asked', () => {
  it('inline trace - only for a router that sends apollo-federation-include-trace: ftv1', async () => {
    const token = await mintToken([READ]);
    const plain = await stack.graphql(QUERY, { token });
    expect(plain.body).toEqual({ data: { dataZoneConnection: { name: 'athena-sales' } } });
    const traced = await stack.graphql(QUERY, { token, headers: { 'apollo-federation-include-trace': 'ftv1' } });
    expect(traced.body.data).toEqual({ dataZoneConnection: { name: 'athena-sales' } });
    const ftv1 = (traced.body as { extensions?: { ftv1?: unknown } }).extensions?.ftv1;
    expect(typeof ftv1).toBe('string');
    // A node per resolved field (protobuf keeps their names as plain text), although the document
    // was compiled by its first, untraced request.
    const trace = Buffer.from(String(ftv1), 'base64').toString('latin1');
    for (const name of ['dataZoneConnection', 'name', 'DataZoneConnection']) expect(trace).toContain(name);
  });

  it('responses vary by caller: a shared cache keys them on Authorization (hints: test/caching.test.ts)', async () => {
    const response = await stack.graphql(QUERY, { token: await mintToken([READ]) });
    expect(response.headers.get('vary') ?? '').toMatch(/authorization/i);
  });
});

describe('a connection or connector fetched by id resolves its fields without a promise each', () => {
  // A promise from any field makes graphql-js wait on the whole object (promiseForObject) and costs
  // an async function's microtasks: work on every request for nothing once the AWS answer is here.
  // The context has no loaders and no policy: a resolver that tried to fetch would throw.
  const noLoaders = {} as SubgraphContext;
  const info = {} as GraphQLResolveInfo;
  type FieldResolver = (parent: unknown, args: unknown, context: SubgraphContext, info: GraphQLResolveInfo) => unknown;
  const fieldResolvers = (resolvers: object) =>
    Object.entries(resolvers).filter((entry): entry is [string, FieldResolver] => entry[0] !== '__resolveReference' && typeof entry[1] === 'function');
  const isThenable = (value: unknown) => typeof (value as { then?: unknown } | null)?.then === 'function';

  it('DataZoneConnection: every field of every seeded connection', () => {
    const resolvers = fieldResolvers(connectionResolvers.DataZoneConnection ?? {});
    expect(resolvers.map(([name]) => name)).toEqual(expect.arrayContaining(['description', 'connectionCredentials', 'environmentUserRole', 'props', 'name']));
    for (const connection of seedConnections()) {
      for (const [name, resolve] of resolvers) expect(isThenable(resolve(connection, {}, noLoaders, info)), `${connection.connectionId}.${name}`).toBe(false);
    }
  });

  it('QuickSightActionConnector: every field of every seeded connector', () => {
    const resolvers = fieldResolvers(actionConnectorResolvers.QuickSightActionConnector ?? {});
    expect(resolvers.map(([name]) => name)).toEqual(expect.arrayContaining(['description', 'authenticationConfig', 'enabledActions', 'vpcConnectionArn', 'describeResponse', 'name']));
    for (const { awsAccountId, connector } of seedActionConnectors()) {
      const record = { awsAccountId, actionConnectorId: connector.ActionConnectorId ?? '', connector, describeResponse: { requestId: 'r', status: 200 } };
      for (const [name, resolve] of resolvers) expect(isThenable(resolve(record, {}, noLoaders, info)), `${record.actionConnectorId}.${name}`).toBe(false);
    }
  });
});

describe('verified tokens are remembered only while valid', () => {
  it('a token accepted once is refused with 401 once it has expired', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const token = await mintToken([READ], { expiresIn: '5s' });
    expect((await stack.graphql(QUERY, { token })).body.data).toEqual({ dataZoneConnection: { name: 'athena-sales' } });
    expect((await stack.graphql(QUERY, { token })).status).toBe(200);
    vi.setSystemTime(Date.now() + 6_000);
    const expired = await stack.graphql(QUERY, { token });
    expect(expired.status).toBe(401);
    expect(expired.body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHENTICATED');
    expect(expired.body.data).toBeUndefined();
  });

  it('a token with a bad signature is refused every time, even after a good one with the same claims', async () => {
    const good = await mintToken([READ]);
    const forged = await mintToken([READ], { secret: 'another-secret-of-sufficient-length' });
    expect((await stack.graphql(QUERY, { token: good })).status).toBe(200);
    for (let attempt = 0; attempt < 2; attempt += 1) expect((await stack.graphql(QUERY, { token: forged })).status).toBe(401);
  });
});
