import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEMO_DOMAIN_ID, SECRET_CANARY_PREFIX } from '../tools/emulator/seed.js';
import { READ, SECRETS, type Stack, callsOf, mintToken, startStack } from './support/stack.js';

const CONNECTION = `query($id: ID!, $withSecret: Boolean) {
  dataZoneConnection(domainIdentifier: "${DEMO_DOMAIN_ID}", identifier: $id, withSecret: $withSecret) {
    connectionId name
  }
}`;
const CONNECTION_WITH_CREDENTIALS = `query($id: ID!) {
  dataZoneConnection(domainIdentifier: "${DEMO_DOMAIN_ID}", identifier: $id, withSecret: true) {
    connectionId name connectionCredentials { accessKeyId secretAccessKey }
  }
}`;

/** Field `c<index>` of a query with one alias per connection read. */
const aliasField = (id: string, index: number) => `c${index}: dataZoneConnection(domainIdentifier: "${DEMO_DOMAIN_ID}", identifier: "${id}") { connectionId }`;

describe('in-flight coalescing across requests (cache off)', () => {
  let stack: Stack;
  let reader: string;
  let secretsReader: string;
  beforeAll(async () => {
    stack = await startStack({ env: { CACHE_TTL_SECONDS: '0', AWS_RATE_LIMIT_PER_SECOND: '0' } });
    reader = await mintToken([READ]);
    secretsReader = await mintToken([READ, SECRETS]);
  });
  afterAll(() => stack.close());
  afterEach(() => {
    stack.emulator.setLatency(0);
    stack.emulator.clearFaults();
    stack.emulator.resetCalls();
  });

  it('dataZoneConnection - 16 concurrent identical requests make one AWS call, every one answered', async () => {
    // The one AWS call stays in flight long enough for all 16 requests to join it.
    stack.emulator.injectFault({ service: 'datazone', id: 'conn-athena-sales', kind: 'latency', latencyMs: 1_500 });
    const before = stack.subgraph.sharedReads.stats();
    const responses = await Promise.all(
      Array.from({ length: 16 }, () => stack.graphql(CONNECTION, { token: reader, variables: { id: 'conn-athena-sales' } })),
    );
    for (const response of responses) {
      expect(response.body.errors).toBeUndefined();
      expect(response.body.data).toEqual({ dataZoneConnection: { connectionId: 'conn-athena-sales', name: 'athena-sales' } });
    }
    expect(callsOf(stack.emulator, 'GetConnection')).toHaveLength(1);
    expect(stack.subgraph.sharedReads.stats().coalesced - before.coalesced).toBe(15);
  });

  it('a failed call is shared by the requests that joined it, then retried by the next request', async () => {
    stack.emulator.injectFault({ service: 'datazone', id: 'conn-s3-datalake', kind: 'error', errorName: 'AccessDeniedException', times: 1 });
    stack.emulator.setLatency(1_000);
    const responses = await Promise.all(
      Array.from({ length: 4 }, () => stack.graphql(CONNECTION, { token: reader, variables: { id: 'conn-s3-datalake' } })),
    );
    for (const response of responses) expect(response.body.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    const next = await stack.graphql(CONNECTION, { token: reader, variables: { id: 'conn-s3-datalake' } });
    expect(next.body.data).toEqual({ dataZoneConnection: { connectionId: 'conn-s3-datalake', name: 's3-datalake-raw' } });
    expect(callsOf(stack.emulator, 'GetConnection')).toHaveLength(2);
  });

  it('a caller that disconnects from a shared call does not fail the callers still waiting on it', async () => {
    stack.emulator.injectFault({ service: 'datazone', id: 'conn-athena-sales', kind: 'latency', latencyMs: 1_000 });
    const before = stack.subgraph.sharedReads.stats();
    const leaving = new AbortController();
    const first = fetch(stack.subgraph.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${reader}` },
      body: JSON.stringify({ query: CONNECTION, variables: { id: 'conn-athena-sales' } }),
      signal: leaving.signal,
    }).catch((error: Error) => error.name);
    await vi.waitFor(() => expect(callsOf(stack.emulator, 'GetConnection')).toHaveLength(1), { timeout: 5_000 });
    const second = stack.graphql(CONNECTION, { token: reader, variables: { id: 'conn-athena-sales' } });
    await vi.waitFor(() => expect(stack.subgraph.sharedReads.stats().coalesced - before.coalesced).toBe(1), { timeout: 5_000 });
    // The first caller goes away while the shared call is still in flight.
    leaving.abort();
    expect(await first).toBe('AbortError');
    const response = await second;
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data).toEqual({ dataZoneConnection: { connectionId: 'conn-athena-sales', name: 'athena-sales' } });
    expect(callsOf(stack.emulator, 'GetConnection')).toHaveLength(1);
  });

  it('secrets readers never share a call, even among themselves: one AWS call each', async () => {
    stack.emulator.injectFault({ service: 'datazone', id: 'conn-iam-project', kind: 'latency', latencyMs: 500 });
    const responses = await Promise.all(
      Array.from({ length: 4 }, () => stack.graphql(CONNECTION_WITH_CREDENTIALS, { token: secretsReader, variables: { id: 'conn-iam-project' } })),
    );
    for (const response of responses) {
      expect(response.body.errors).toBeUndefined();
      expect(response.text).toContain(`${SECRET_CANARY_PREFIX}conn-iam-project-secretAccessKey`);
    }
    const calls = callsOf(stack.emulator, 'GetConnection');
    expect(calls).toHaveLength(4);
    expect(calls.every((call) => call.withSecret)).toBe(true);
  });
});

describe('AWS_SHARE_READS=false', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ env: { AWS_SHARE_READS: 'false', CACHE_TTL_SECONDS: '60', AWS_RATE_LIMIT_PER_SECOND: '0' } });
  });
  afterAll(() => stack.close());

  it('every request makes its own AWS call: no coalescing, and no cache even with a TTL set', async () => {
    const reader = await mintToken([READ]);
    stack.emulator.injectFault({ service: 'datazone', id: 'conn-athena-sales', kind: 'latency', latencyMs: 500 });
    const responses = await Promise.all(
      Array.from({ length: 4 }, () => stack.graphql(CONNECTION, { token: reader, variables: { id: 'conn-athena-sales' } })),
    );
    for (const response of responses) expect(response.body.data).toEqual({ dataZoneConnection: { connectionId: 'conn-athena-sales', name: 'athena-sales' } });
    await stack.graphql(CONNECTION, { token: reader, variables: { id: 'conn-athena-sales' } });
    expect(callsOf(stack.emulator, 'GetConnection')).toHaveLength(5);
    expect(stack.subgraph.sharedReads.stats().coalesced).toBe(0);
  });
});

describe('short-TTL cache of non-secret responses (CACHE_TTL_SECONDS)', () => {
  let stack: Stack;
  let reader: string;
  let secretsReader: string;
  beforeAll(async () => {
    stack = await startStack({ env: { CACHE_TTL_SECONDS: '2', AWS_RATE_LIMIT_PER_SECOND: '0' } });
    reader = await mintToken([READ]);
    secretsReader = await mintToken([READ, SECRETS]);
  });
  afterAll(() => stack.close());
  afterEach(() => {
    vi.useRealTimers();
    stack.emulator.clearFaults();
    stack.emulator.resetCalls();
  });

  it('a response is reused until its TTL is over, then fetched again', async () => {
    // Only the clock is faked: timers, sockets and the emulator run for real.
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    const read = () => stack.graphql(CONNECTION, { token: reader, variables: { id: 'conn-spark-glue' } });
    expect((await read()).body.data).toEqual({ dataZoneConnection: { connectionId: 'conn-spark-glue', name: 'spark-glue-interactive' } });
    vi.setSystemTime(Date.now() + 1_900);
    expect((await read()).body.data).toEqual({ dataZoneConnection: { connectionId: 'conn-spark-glue', name: 'spark-glue-interactive' } });
    expect(callsOf(stack.emulator, 'GetConnection')).toHaveLength(1);
    vi.setSystemTime(Date.now() + 200);
    expect((await read()).body.data).toEqual({ dataZoneConnection: { connectionId: 'conn-spark-glue', name: 'spark-glue-interactive' } });
    expect(callsOf(stack.emulator, 'GetConnection')).toHaveLength(2);
  });

  it('a secrets reader\'s withSecret response is never stored: the next plain read calls AWS and carries no secret', async () => {
    const before = stack.subgraph.sharedReads.stats();
    for (let round = 0; round < 2; round += 1) {
      const secret = await stack.graphql(CONNECTION_WITH_CREDENTIALS, { token: secretsReader, variables: { id: 'conn-glue-snowflake' } });
      expect(secret.body.errors).toBeUndefined();
      expect(secret.text).toContain(`${SECRET_CANARY_PREFIX}conn-glue-snowflake-accessKeyId`);
    }
    // Each secret read went to AWS itself, and nothing was added to the cache.
    expect(callsOf(stack.emulator, 'GetConnection').map((call) => call.withSecret)).toEqual([true, true]);
    expect(stack.subgraph.sharedReads.stats().cacheEntries).toBe(before.cacheEntries);
    expect(stack.subgraph.sharedReads.stats().cacheHits).toBe(before.cacheHits);

    const plain = await stack.graphql(
      `{ dataZoneConnection(domainIdentifier: "${DEMO_DOMAIN_ID}", identifier: "conn-glue-snowflake") {
        name physicalEndpoints { glueConnection { authenticationConfiguration { oAuth2Properties { oAuth2ClientApplication { userManagedClientApplicationClientId } } } } }
      } }`,
      { token: reader },
    );
    expect(plain.body.errors).toBeUndefined();
    expect(plain.text).not.toContain(SECRET_CANARY_PREFIX);
    expect(callsOf(stack.emulator, 'GetConnection').map((call) => call.withSecret)).toEqual([true, true, false]);
  });

  it('a cached plain response is never served to a secrets reader, with or without credentials selected', async () => {
    await stack.graphql(CONNECTION, { token: reader, variables: { id: 'conn-redshift-cluster' } });
    await stack.graphql(CONNECTION, { token: reader, variables: { id: 'conn-redshift-cluster' } });
    expect(callsOf(stack.emulator, 'GetConnection').map((call) => call.withSecret)).toEqual([false]);
    const hitsBefore = stack.subgraph.sharedReads.stats().cacheHits;
    // The secrets reader asks for non-secret fields only (withSecret is not sent): still its own call.
    const plainFields = await stack.graphql(CONNECTION, { token: secretsReader, variables: { id: 'conn-redshift-cluster' } });
    expect(plainFields.body.data).toEqual({ dataZoneConnection: { connectionId: 'conn-redshift-cluster', name: 'redshift-sales-cluster' } });
    const secret = await stack.graphql(
      `{ dataZoneConnection(domainIdentifier: "${DEMO_DOMAIN_ID}", identifier: "conn-redshift-cluster") {
        props { ... on DataZoneRedshiftProperties { credentials { ... on DataZoneUsernamePassword { username password } } } }
      } }`,
      { token: secretsReader },
    );
    expect(secret.body.errors).toBeUndefined();
    expect(secret.text).toContain(`${SECRET_CANARY_PREFIX}conn-redshift-cluster-password`);
    expect(callsOf(stack.emulator, 'GetConnection').map((call) => call.withSecret)).toEqual([false, false, true]);
    expect(stack.subgraph.sharedReads.stats().cacheHits).toBe(hitsBefore);
  });

  it('a secrets reader\'s plain read is not stored either: the next reader calls AWS itself', async () => {
    const entriesBefore = stack.subgraph.sharedReads.stats().cacheEntries;
    await stack.graphql(CONNECTION, { token: secretsReader, variables: { id: 'conn-hyperpod-training' } });
    expect(stack.subgraph.sharedReads.stats().cacheEntries).toBe(entriesBefore);
    const plain = await stack.graphql(CONNECTION, { token: reader, variables: { id: 'conn-hyperpod-training' } });
    expect(plain.body.data).toEqual({ dataZoneConnection: { connectionId: 'conn-hyperpod-training', name: 'hyperpod-training' } });
    expect(callsOf(stack.emulator, 'GetConnection')).toHaveLength(2);
  });

  it('a plain response that nonetheless carries a credential member is never stored', async () => {
    // AWS answering a credential without withSecret (here inside a union member newer than the SDK).
    stack.emulator.putConnection({
      domainId: DEMO_DOMAIN_ID,
      connectionId: 'conn-future',
      name: 'future',
      type: 'ATHENA',
      props: { quantumProperties: { endpoint: 'q.example.com', password: `${SECRET_CANARY_PREFIX}future` } },
    });
    for (let round = 0; round < 2; round += 1) {
      const response = await stack.graphql(CONNECTION, { token: reader, variables: { id: 'conn-future' } });
      expect(response.body.data).toEqual({ dataZoneConnection: { connectionId: 'conn-future', name: 'future' } });
    }
    expect(callsOf(stack.emulator, 'GetConnection')).toHaveLength(2);
  });
});

describe('client-side rate limit per AWS operation (AWS_RATE_LIMIT_PER_SECOND)', () => {
  const LIMIT = 4;
  let stack: Stack;
  let reader: string;
  const ids = Array.from({ length: 10 }, (_, index) => `conn-burst-${index}`);
  beforeAll(async () => {
    // The emulator enforces the same quota as AWS would: a call beyond it is a ThrottlingException.
    stack = await startStack({ env: { AWS_RATE_LIMIT_PER_SECOND: String(LIMIT), AWS_MAX_ATTEMPTS: '1' }, emulator: { quotaPerSecond: LIMIT } });
    reader = await mintToken([READ]);
    for (const id of ids) stack.emulator.putConnection({ domainId: DEMO_DOMAIN_ID, connectionId: id, name: id, type: 'ATHENA' });
  });
  afterAll(() => stack.close());

  it('a burst of 10 distinct reads queues: all succeed, AWS never sees more than the limit in any second', async () => {
    stack.emulator.resetCalls();
    const responses = await Promise.all(ids.map((id) => stack.graphql(CONNECTION, { token: reader, variables: { id } })));
    for (const [index, response] of responses.entries()) {
      expect(response.body.errors).toBeUndefined();
      expect(response.body.data).toEqual({ dataZoneConnection: { connectionId: ids[index], name: ids[index] } });
    }
    const arrivals = callsOf(stack.emulator, 'GetConnection').map((call) => call.at).sort((a, b) => a - b);
    // One attempt per read (AWS_MAX_ATTEMPTS=1): nothing was throttled and retried.
    expect(arrivals).toHaveLength(10);
    for (let index = 0; index + LIMIT < arrivals.length; index += 1) {
      expect(arrivals[index + LIMIT]! - arrivals[index]!).toBeGreaterThanOrEqual(1_000);
    }
    // It did queue: 10 calls at 4 per second span at least two windows.
    expect(arrivals.at(-1)! - arrivals[0]!).toBeGreaterThanOrEqual(2_000);
  });
});

describe('rate limit queue bound (AWS_RATE_LIMIT_MAX_WAIT_MS)', () => {
  let stack: Stack;
  let reader: string;
  beforeAll(async () => {
    stack = await startStack({ env: { AWS_RATE_LIMIT_PER_SECOND: '2', AWS_RATE_LIMIT_MAX_WAIT_MS: '1000' } });
    reader = await mintToken([READ]);
  });
  afterAll(() => stack.close());

  it('a call that would wait longer than the bound fails at once as THROTTLED, without reaching AWS', async () => {
    stack.emulator.resetCalls();
    const aliases = ['conn-athena-sales', 'conn-s3-datalake', 'conn-spark-glue', 'conn-iam-project', 'conn-spark-emr', 'conn-redshift-cluster'].map(aliasField);
    const response = await stack.graphql(`{ ${aliases.join('\n')} }`, { token: reader });
    const data = response.body.data as Record<string, { connectionId: string } | null>;
    const throttled = (response.body.errors ?? []).filter((error) => error.extensions?.['code'] === 'THROTTLED');
    // Two start at once, two queue for the next window, the rest would wait beyond 1 s.
    expect(Object.values(data).filter((value) => value !== null)).toHaveLength(4);
    expect(throttled).toHaveLength(2);
    expect(throttled[0]?.message).toMatch(/too many AWS calls are queued in the subgraph/);
    expect(throttled[0]?.extensions?.['aws']).toMatchObject({ service: 'datazone', errorName: 'ClientRateLimitExceeded', requestId: null });
    expect(callsOf(stack.emulator, 'GetConnection')).toHaveLength(4);
  });
});

describe('rate limit queue shared between requests', () => {
  let stack: Stack;
  let reader: string;
  const burst = Array.from({ length: 8 }, (_, index) => `conn-fair-${index}`);
  beforeAll(async () => {
    // Two calls per window, and no call may expect to wait two windows. Nothing shared, so every
    // read is its own request's call.
    stack = await startStack({ env: { AWS_RATE_LIMIT_PER_SECOND: '2', AWS_RATE_LIMIT_MAX_WAIT_MS: '2000', AWS_SHARE_READS: 'false' } });
    reader = await mintToken([READ]);
    for (const id of [...burst, 'conn-fair-single']) stack.emulator.putConnection({ domainId: DEMO_DOMAIN_ID, connectionId: id, name: id, type: 'ATHENA' });
  });
  afterAll(() => stack.close());

  it('requests take turns: a request with a full queue neither refuses nor holds up the next request\'s call', async () => {
    stack.emulator.resetCalls();
    const big = stack.graphql(`{ ${burst.map(aliasField).join('\n')} }`, { token: reader });
    // The big request's first two calls have started, four wait for the next two windows, and the
    // last two were refused: they would have waited longer than the bound.
    await vi.waitFor(() => expect(callsOf(stack.emulator, 'GetConnection')).toHaveLength(2), { timeout: 900, interval: 10 });
    const single = await stack.graphql(`{ ${aliasField('conn-fair-single', 0)} }`, { token: reader });
    // First come, first served would refuse it too (THROTTLED), or once admitted start it last.
    expect(single.body.errors).toBeUndefined();
    expect(single.body.data).toEqual({ c0: { connectionId: 'conn-fair-single' } });
    const bigResponse = await big;
    const throttled = (bigResponse.body.errors ?? []).filter((error) => error.extensions?.['code'] === 'THROTTLED');
    expect(throttled).toHaveLength(2);
    expect(Object.values(bigResponse.body.data as Record<string, unknown>).filter((value) => value !== null)).toHaveLength(6);
    // The next window's two starts go one to each request, the big one first (it was queued first).
    const order = callsOf(stack.emulator, 'GetConnection').map((call) => call.params['identifier']);
    expect(order).toHaveLength(7);
    expect(order.indexOf('conn-fair-single')).toBe(3);
  });
});

describe('rate limit queue and the request deadline', () => {
  let stack: Stack;
  let reader: string;
  beforeAll(async () => {
    // One call per window; a queued call would wait up to 10 s, far past the 1.5 s deadline. Reads
    // are not shared: a shared call belongs to no request, so no deadline ends it (see above).
    stack = await startStack({
      env: { AWS_RATE_LIMIT_PER_SECOND: '1', AWS_RATE_LIMIT_MAX_WAIT_MS: '10000', REQUEST_DEADLINE_MS: '1500', AWS_SHARE_READS: 'false' },
    });
    reader = await mintToken([READ]);
  });
  afterAll(() => stack.close());

  it('a call still queued at its request\'s deadline leaves the queue: the next request is not held up behind it', async () => {
    stack.emulator.resetCalls();
    const ids = ['conn-athena-sales', 'conn-s3-datalake', 'conn-spark-glue'];
    // One call starts at once, one a window later; the third would start two windows later, after the deadline.
    const first = await stack.graphql(`{ ${ids.map(aliasField).join('\n')} }`, { token: reader });
    const data = first.body.data as Record<string, { connectionId: string } | null>;
    const missed = ids.filter((_, index) => data[`c${index}`] === null);
    expect(missed).toHaveLength(1);
    expect(first.body.errors).toHaveLength(1);
    expect(first.body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_ERROR', aws: { errorName: 'RequestDeadlineExceeded' } });
    // The next request is first in the queue now: it starts in the next window, within its deadline.
    // Had the abandoned call kept its place, this one would start a window later still, past its own deadline.
    const second = await stack.graphql(`{ ${aliasField(missed[0]!, 0)} }`, { token: reader });
    expect(second.body.errors).toBeUndefined();
    expect(second.body.data).toEqual({ c0: { connectionId: missed[0] } });
    // The abandoned call never reached AWS.
    expect(callsOf(stack.emulator, 'GetConnection').map((call) => call.params['identifier']).sort()).toEqual([...ids].sort());
  });
});
