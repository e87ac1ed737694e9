import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEMO_DOMAIN_ID } from '../src/emulator/seed.js';
import { READ, type Stack, mintToken, startStack } from './support/stack.js';

const QUERY = `{ dataZoneConnection(domainIdentifier: "${DEMO_DOMAIN_ID}", identifier: "conn-athena-sales") { name } }`;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());
afterEach(() => vi.useRealTimers());

describe('per-request work the gateway skips unless asked', () => {
  it('inline trace - only for a router that sends apollo-federation-include-trace: ftv1', async () => {
    const token = await mintToken([READ]);
    const plain = await stack.graphql(QUERY, { token });
    expect(plain.body).toEqual({ data: { dataZoneConnection: { name: 'athena-sales' } } });
    const traced = await stack.graphql(QUERY, { token, headers: { 'apollo-federation-include-trace': 'ftv1' } });
    expect(traced.body.data).toEqual({ dataZoneConnection: { name: 'athena-sales' } });
    expect(typeof (traced.body as { extensions?: { ftv1?: unknown } }).extensions?.ftv1).toBe('string');
  });

  it('responses vary by caller: a shared cache keys them on Authorization (hints: test/caching.test.ts)', async () => {
    const response = await stack.graphql(QUERY, { token: await mintToken([READ]) });
    expect(response.headers.get('vary') ?? '').toMatch(/authorization/i);
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
