/**
 * A fleet on one Redis (REDIS_URL, docs/fleet.md): two replicas over one emulator and one real
 * redis-server share the response cache, the client-side AWS rate limit and the persisted queries;
 * no credential, token or key derived from one ever reaches Redis; and losing Redis, or a Redis that
 * hangs, loses no request.
 */
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { SharedReads, type SharedReadStore } from '../src/aws/shared-reads.js';
import { loadConfig } from '../src/config/config.js';
import { FleetSlots, fleetSlotsKey } from '../src/fleet/fleet-slots.js';
import { deserializeResponse, serializeResponse } from '../src/fleet/redis-cache.js';
import { FleetLink } from '../src/fleet/redis-link.js';
import { createLogger } from '../src/server/logger.js';
import { type RedisServer, startRedisServer } from '../tools/fleet/redis-server.js';
import { DEMO_DOMAIN_ID, SECRET_CANARY_PREFIX, seedBulkConnections, seedConnections, seededIds } from '../tools/emulator/seed.js';
import { buildServedSchema } from '../src/schema/build.js';
import { type Fleet, type Replica, startFleet } from './support/fleet.js';
import { collectCanaries, secretSelection } from './support/operations.js';
import { READ, SECRETS, callsOf, mintToken, startStack } from './support/stack.js';
import { createServer } from 'node:net';

const { awsAccountId, actionConnectorIds } = seededIds();
const connectorQuery = (id: string) =>
  `{ quickSightActionConnector(awsAccountId: "${awsAccountId}", actionConnectorId: "${id}") { arn name createdTime lastUpdatedTime } }`;
const connectionQuery = (id: string) => `{ dataZoneConnection(domainIdentifier: "${DEMO_DOMAIN_ID}", identifier: "${id}") { connectionId name type } }`;

/** Most AWS calls that arrived within any window of `windowMs`, from the emulator's arrival times. */
function mostCallsInAnySecond(times: number[], windowMs = 1_000): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  let first = 0;
  for (let last = 0; last < sorted.length; last += 1) {
    while ((sorted[last] as number) - (sorted[first] as number) >= windowMs) first += 1;
    most = Math.max(most, last - first + 1);
  }
  return most;
}

/** Every key of the Redis, and what it holds as text (each value read the way its type is read). */
async function redisContents(url: string): Promise<Map<string, string>> {
  const redis = new Redis(url);
  try {
    const contents = new Map<string, string>();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        const type = await redis.type(key);
        const value =
          type === 'string' ? await redis.get(key)
          : type === 'zset' ? (await redis.zrange(key, 0, -1, 'WITHSCORES')).join('\n')
          : type === 'hash' ? JSON.stringify(await redis.hgetall(key))
          : type === 'list' ? (await redis.lrange(key, 0, -1)).join('\n')
          : type === 'set' ? (await redis.smembers(key)).join('\n')
          : `unexpected type ${type}`;
        // DUMP too: whatever the type, its serialized bytes (uncompressed parts) as Redis would copy them.
        const dumped = (await redis.dumpBuffer(key))?.toString('latin1') ?? '';
        contents.set(key, `${value ?? ''}\n${dumped}`);
      }
    } while (cursor !== '0');
    return contents;
  } finally {
    redis.disconnect();
  }
}

describe('fleet - without servers', () => {
  test('serializeResponse - SDK timestamps come back from the fleet cache as Dates, equal to the ones stored', () => {
    const value = { ActionConnector: { CreatedTime: new Date('2025-01-15T10:30:00.123Z'), Name: 'x', Nested: [{ At: new Date(0) }] }, $metadata: { httpStatusCode: 200 } };
    const back = deserializeResponse(serializeResponse(value)) as typeof value;
    expect(back).toEqual(value);
    expect(back.ActionConnector.CreatedTime).toBeInstanceOf(Date);
    expect(back.ActionConnector.Nested[0]?.At).toBeInstanceOf(Date);
    // A plain object that merely has other members besides `$date` stays an object.
    expect(deserializeResponse('{"a":{"$date":"2025-01-01T00:00:00.000Z","b":1}}')).toEqual({ a: { $date: '2025-01-01T00:00:00.000Z', b: 1 } });
  });

  test('SharedReads.fleetStore - two replicas serving one hot key at once call AWS about once per TTL between them, and never serve a value older than the TTL', async () => {
    const TTL_MS = 2_000;
    let now = 0;
    const entries = new Map<string, { value: unknown; expiresAt: number }>();
    // The fleet's store on the same fake clock, expiring as Redis does.
    const store: SharedReadStore = {
      get: async (key) => {
        const entry = entries.get(key);
        return entry !== undefined && entry.expiresAt > now ? { value: entry.value, ttlMs: entry.expiresAt - now } : undefined;
      },
      set: (key, value, ttlMs) => void entries.set(key, { value, expiresAt: now + ttlMs }),
    };
    let awsCalls = 0;
    const fetch = async () => {
      awsCalls += 1;
      return { fetchedAt: now };
    };
    // Different refresh points for the two, as random draws give them.
    const replicas = [0.2, 0.7].map((draw) => new SharedReads({ cacheTtlMs: TTL_MS, fleetStore: store, now: () => now, random: () => draw }));
    let oldest = 0;
    for (now = 0; now < 20_000; now += 10) {
      // Both replicas asked at the same instant: without refresh ahead, both would miss together at each expiry.
      const values = await Promise.all(replicas.map((replica) => replica.read('GetConnection/hot', true, fetch)));
      for (const value of values) oldest = Math.max(oldest, now - value.fetchedAt);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(oldest).toBeLessThan(TTL_MS);
    // One call per TTL less the earlier replica's refresh-ahead margin (340 ms here): 20 s / 1.66 s,
    // plus the two first misses; both replicas calling at each expiry would make 20.
    expect(awsCalls).toBeGreaterThanOrEqual(10);
    expect(awsCalls).toBeLessThanOrEqual(14);
    // The replica that did not call AWS took the other's refreshed value from the fleet's store.
    expect(replicas.map((replica) => replica.stats().fleetCacheHits).reduce((sum, hits) => sum + hits, 0)).toBeGreaterThanOrEqual(9);
  });

  test('REDIS_URL - must be a redis:// or rediss:// URL; the message names the variable and never echoes its password', () => {
    expect(() => loadConfig({ REDIS_URL: 'http://user:hunter2-secret@cache:6379' })).toThrow(/REDIS_URL/);
    expect(() => loadConfig({ REDIS_URL: 'http://user:hunter2-secret@cache:6379' })).not.toThrow(/hunter2/);
    expect(loadConfig({ REDIS_URL: 'rediss://:pw@cache.internal:6380/2' }).fleet).toEqual({ redisUrl: 'rediss://:pw@cache.internal:6380/2', timeoutMs: 100, expectedReplicas: 2 });
    expect(loadConfig({ REDIS_URL: 'redis://cache:6379', REDIS_TIMEOUT_MS: '50', FLEET_EXPECTED_REPLICAS: '3' }).fleet).toMatchObject({ timeoutMs: 50, expectedReplicas: 3 });
    expect(loadConfig({}).fleet).toBeUndefined();
    expect(() => loadConfig({ REDIS_URL: 'redis://cache:6379', FLEET_EXPECTED_REPLICAS: '0' })).toThrow(/FLEET_EXPECTED_REPLICAS/);
  });
});

describe('fleet - two replicas on one Redis', () => {
  let fleet: Fleet;
  let a: Replica;
  let b: Replica;
  const tokens = { reader: '', secrets: '' };

  beforeAll(async () => {
    // The cache on, and a rate limit high enough never to queue, so every AWS call takes a slot in Redis.
    // A Redis timeout far above a loaded test machine's event loop stalls: sharing is under test here, not outages.
    fleet = await startFleet({ env: { CACHE_TTL_SECONDS: '60', AWS_RATE_LIMIT_PER_SECOND: '1000', REDIS_TIMEOUT_MS: '2000' } });
    [a, b] = fleet.replicas as [Replica, Replica];
    tokens.reader = await mintToken([READ]);
    tokens.secrets = await mintToken([READ, SECRETS]);
  });
  afterAll(async () => {
    await fleet?.close();
  });

  test('Fleet - a read through replica A, then the same read through replica B, costs one AWS call, and B answers the same bytes', async () => {
    const id = actionConnectorIds[0] as string;
    fleet.emulator.resetCalls();
    const first = await a.graphql(connectorQuery(id), { token: tokens.reader });
    const second = await b.graphql(connectorQuery(id), { token: tokens.reader });
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data?.['quickSightActionConnector']?.createdTime).toBe('2025-01-15T10:30:00.123Z');
    // Timestamps and all: B serves what A read, as A served it.
    expect(second.text).toBe(first.text);
    expect(callsOf(fleet.emulator, 'DescribeActionConnector')).toHaveLength(1);
    expect(b.subgraph.sharedReads.stats().fleetCacheHits).toBe(1);

    const connection = await a.graphql(connectionQuery('conn-bulk-001'), { token: tokens.reader });
    const again = await b.graphql(connectionQuery('conn-bulk-001'), { token: tokens.reader });
    expect(again.text).toBe(connection.text);
    expect(callsOf(fleet.emulator, 'GetConnection')).toHaveLength(1);
  });

  test('Fleet - a persisted query registered through replica A is served by its hash alone through replica B', async () => {
    const query = connectionQuery('conn-bulk-002');
    const persistedQuery = { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') };
    const unknown = { version: 1, sha256Hash: createHash('sha256').update(`${query} # never sent`).digest('hex') };
    expect((await b.graphql(undefined as never, { token: tokens.reader, extensions: { persistedQuery: unknown } })).body.errors?.[0]?.extensions?.['code']).toBe('PERSISTED_QUERY_NOT_FOUND');

    const registered = await a.graphql(query, { token: tokens.reader, extensions: { persistedQuery } });
    expect(registered.body.errors).toBeUndefined();
    const byHash = await b.graphql(undefined as never, { token: tokens.reader, extensions: { persistedQuery } });
    expect(byHash.status).toBe(200);
    expect(byHash.body).toEqual(registered.body);
  });

  test('Fleet - no credential, token or token-derived key reaches Redis after secrets readers read every seeded credential through every path on both replicas', async () => {
    const { schema, policy } = buildServedSchema();
    const selection = secretSelection(schema, policy.mayCarryCredentials, 'DataZoneConnection').slice(1, -1);
    const withCredentials = [...seedConnections(), ...seedBulkConnections().filter((connection) => connection.connectionCredentials !== undefined).slice(0, 6)];
    const seen: string[] = [];
    for (const [index, connection] of withCredentials.entries()) {
      const id = connection.connectionId as string;
      const replicas = index % 2 === 0 ? [a, b] : [b, a];
      const requests = [
        { query: `query($d: ID!, $c: ID!) { dataZoneConnection(domainIdentifier: $d, identifier: $c, withSecret: true) { connectionId ${selection} } }`, variables: { d: DEMO_DOMAIN_ID, c: id } },
        { query: `query($r: [_Any!]!) { _entities(representations: $r) { ... on DataZoneConnection { connectionId ${selection} } } }`, variables: { r: [{ __typename: 'DataZoneConnection', domainId: DEMO_DOMAIN_ID, connectionId: id }] } },
        { query: `query($d: ID!, $f: DataZoneConnectionFilter) { dataZoneConnections(domainIdentifier: $d, first: 5, filter: $f) { edges { node { connectionId ${selection} } } } }`, variables: { d: DEMO_DOMAIN_ID, f: { name: connection.name } } },
      ];
      for (const request of requests) {
        for (const replica of replicas) {
          // Secrets readers, and readers of the same things (their reads are the ones that are shared),
          // each also as a persisted query, so the persisted documents are in Redis too.
          const persistedQuery = { version: 1, sha256Hash: createHash('sha256').update(request.query).digest('hex') };
          const secrets = await replica.graphql(request.query, { token: tokens.secrets, variables: request.variables, extensions: { persistedQuery } });
          expect(secrets.status).toBe(200);
          seen.push(...collectCanaries(secrets.body.data));
          const reader = await replica.graphql(request.query, { token: tokens.reader, variables: request.variables });
          expect(reader.status).toBe(200);
          expect(reader.text).not.toContain(SECRET_CANARY_PREFIX);
        }
      }
    }
    // The secrets were read (so finding none in Redis means something).
    expect(new Set(seen).size).toBeGreaterThanOrEqual(20);

    const contents = await redisContents(fleet.redis.url);
    const keys = [...contents.keys()];
    // Redis does hold the fleet's shared state: responses, persisted queries, rate limit slots.
    expect(keys.some((key) => key.startsWith('aws-connections-subgraph:response:GetConnection/'))).toBe(true);
    expect(keys.some((key) => key.startsWith('aws-connections-subgraph:apq:'))).toBe(true);
    expect(keys.some((key) => key.startsWith('aws-connections-subgraph:rate:'))).toBe(true);
    const forbidden = [SECRET_CANARY_PREFIX, tokens.reader, tokens.secrets, ...tokens.reader.split('.'), ...tokens.secrets.split('.'), 'test-user'];
    // The token's hash under any common encoding: a key derived from a token is refused too.
    for (const token of [tokens.reader, tokens.secrets]) {
      for (const algorithm of ['sha256', 'sha1', 'md5']) forbidden.push(createHash(algorithm).update(token).digest('hex'), createHash(algorithm).update(token).digest('base64url'));
    }
    for (const [key, value] of contents) {
      for (const needle of forbidden) {
        expect(key.includes(needle), `key ${key} holds ${needle.slice(0, 16)}…`).toBe(false);
        expect(value.includes(needle), `the value of ${key} holds ${needle.slice(0, 16)}…`).toBe(false);
      }
    }
  }, 60_000);
});

describe('fleet - the AWS rate limit holds for the fleet', () => {
  const LIMIT = 8;
  let fleet: Fleet;
  let reader: string;
  let next = 100;
  /** Connections never read before (the cache is off anyway): every read is one AWS call. */
  const freshIds = (count: number) => Array.from({ length: count }, () => `conn-bulk-${String((next += 1)).padStart(3, '0')}`);
  /** Waits until the last second's starts have left every window, so one test's calls do not count in the next's. */
  const quiet = () => new Promise((resolve) => setTimeout(resolve, 1_200));

  beforeAll(async () => {
    // Cache off: every read is an AWS call. The emulator enforces a quota of the limit itself, in any
    // 1 s as AWS counts: one call too many in any second is a ThrottlingException in its log.
    fleet = await startFleet({
      env: { CACHE_TTL_SECONDS: '0', AWS_RATE_LIMIT_PER_SECOND: String(LIMIT), AWS_RATE_LIMIT_MAX_WAIT_MS: '30000', REDIS_TIMEOUT_MS: '2000' },
      emulator: { quotaPerSecond: LIMIT },
    });
    reader = await mintToken([READ]);
  });
  afterAll(async () => {
    await fleet?.close();
  });

  /** Reads `ids` at once, the i-th through `replicaOf(i)`; every answer must carry its data. Answers the AWS calls made. */
  async function readAll(ids: string[], replicaOf: (index: number) => Replica) {
    await quiet();
    fleet.emulator.resetCalls();
    const answers = await Promise.all(ids.map((id, index) => replicaOf(index).graphql(connectionQuery(id), { token: reader })));
    for (const answer of answers) expect(answer.body.errors).toBeUndefined();
    const calls = callsOf(fleet.emulator, 'GetConnection');
    return { calls, times: calls.map((call) => call.at).sort((x, y) => x - y) };
  }

  const callsPerSecond = (times: number[]) => ((times.length - 1) * 1000) / ((times.at(-1) as number) - (times[0] as number));

  test('Fleet - one busy replica while the other idles gets close to the whole limit, never more than it in any second', async () => {
    const [a] = fleet.replicas as [Replica, Replica];
    const { calls, times } = await readAll(freshIds(40), () => a);
    expect(calls).toHaveLength(40);
    expect(calls.filter((call) => call.throttled)).toHaveLength(0);
    expect(mostCallsInAnySecond(times)).toBeLessThanOrEqual(LIMIT);
    // Its share alone (LIMIT / FLEET_EXPECTED_REPLICAS) would be about 4 a second.
    expect(callsPerSecond(times)).toBeGreaterThan(0.8 * LIMIT);
  }, 30_000);

  test('Fleet - distinct reads spread over both replicas start at most the configured limit of AWS calls in any second between them, none throttled', async () => {
    const { calls, times } = await readAll(freshIds(48), (index) => fleet.replicas[index % 2] as Replica);
    // No throttle, so no retry: one call per read.
    expect(calls.filter((call) => call.throttled)).toHaveLength(0);
    expect(calls).toHaveLength(48);
    // Each replica on its own would start LIMIT a second: twice the limit for the two.
    expect(mostCallsInAnySecond(times)).toBeLessThanOrEqual(LIMIT);
    expect(callsPerSecond(times)).toBeLessThanOrEqual(LIMIT);
    // Between them they still use most of it.
    expect(callsPerSecond(times)).toBeGreaterThan(0.8 * LIMIT);
    // Both replicas did work.
    const perReplica = fleet.replicas.map((replica) => replica.subgraph.sharedReads.stats().fetched);
    for (const count of perReplica) expect(count).toBeGreaterThan(10);
  }, 30_000);

  test('Fleet - both replicas busy with unequal loads: the fleet keeps to the limit in every second and the lighter replica is not starved', async () => {
    const [a, b] = fleet.replicas as [Replica, Replica];
    // Three quarters of the reads through A, a quarter through B.
    const ids = freshIds(48);
    const throughB = new Set(ids.filter((_, index) => index % 4 === 3));
    const { calls, times } = await readAll(ids, (index) => (index % 4 === 3 ? b : a));
    expect(calls.filter((call) => call.throttled)).toHaveLength(0);
    expect(calls).toHaveLength(48);
    expect(mostCallsInAnySecond(times)).toBeLessThanOrEqual(LIMIT);
    // The replicas take turns at the limit: B's 12 calls go out while A still has a backlog (done by
    // about half the run on a quiet machine), not after A's 36. Starved, B's calls would be the run's
    // last quarter: its first at 0.75 of the run or later, its last the run's last call. The bounds
    // leave room for a loaded machine's stalls.
    const first = times[0] as number;
    const span = (times.at(-1) as number) - first;
    const callsOfB = calls.filter((call) => throughB.has(call.params['identifier'] as string)).map((call) => call.at);
    expect((Math.min(...callsOfB) - first) / span).toBeLessThan(0.5);
    expect((Math.max(...callsOfB) - first) / span).toBeLessThan(0.95);
  }, 30_000);
});

describe('fleet - FleetSlots on a real Redis', () => {
  let redis: RedisServer;
  let link: FleetLink;
  let inspect: Redis;
  let key = 0;
  const nextLimitKey = () => `datazone:GetConnectionCommand/test-${(key += 1)}`;

  beforeAll(async () => {
    redis = await startRedisServer();
    link = new FleetLink({ redisUrl: redis.url, timeoutMs: 2_000, expectedReplicas: 2 }, createLogger('silent'));
    await link.connect();
    inspect = new Redis(redis.url);
  });
  afterAll(async () => {
    link?.close();
    inspect?.disconnect();
    await redis?.close();
  });

  test('FleetSlots.pace - the whole limit while Redis answers, so one busy replica is not held to its share', () => {
    const slots = new FleetSlots(link, nextLimitKey(), 8, 2);
    expect(slots.pace).toEqual({ intervalMs: 1_050 / 8, burst: 2 });
  });

  test('FleetSlots.take - spreads the fleet\'s starts: a quarter of the limit at once, the next when the first leaves a quarter of the window', async () => {
    const limitKey = nextLimitKey();
    // Two replicas' sources on one key: the rule holds across them.
    const [a, b] = [new FleetSlots(link, limitKey, 8, 2), new FleetSlots(link, limitKey, 8, 2)] as const;
    expect(await a.take()).toBe(0);
    expect(await b.take()).toBe(0);
    const wait = await a.take();
    // The third start in 262 ms (2 intervals of 131 ms) waits for the first to leave them (without
    // the rule it would go at once: the window's limit is 8).
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(262 + 131 * 0.25);
    expect(await inspect.zcard(fleetSlotsKey(limitKey))).toBe(2);
  });

  test('FleetSlots.take - at a limit of 4 (a burst of 1), one start per interval and at most the limit in any window of 1.05 s', async () => {
    const limitKey = nextLimitKey();
    const slots = new FleetSlots(link, limitKey, 4, 2);
    const granted: number[] = [];
    const started = Date.now();
    while (granted.length < 5) {
      const wait = await slots.take();
      if (wait === 0) granted.push(Date.now() - started);
      else await new Promise((resolve) => setTimeout(resolve, wait));
    }
    // burst 1 at a limit of 4: one start per 262 ms, and the fifth a whole window after the first.
    for (let index = 1; index < granted.length; index += 1) expect((granted[index] as number) - (granted[index - 1] as number)).toBeGreaterThanOrEqual(250);
    expect((granted[4] as number) - (granted[0] as number)).toBeGreaterThanOrEqual(1_040);
  });

  test('FleetSlots.take - a grant that comes back late (an event loop stall) is dropped and taken again, stamped after the stall', async () => {
    const limitKey = nextLimitKey();
    const slots = new FleetSlots(link, limitKey, 8, 2);
    const answer = slots.take();
    // The command is on its way; the loop stalls while Redis stamps the start and answers.
    const stalledUntil = Date.now() + 60;
    while (Date.now() < stalledUntil) {
      // busy: a stall, not a sleep
    }
    expect(await answer).toBe(0);
    expect(slots.retakes).toBe(1);
    const starts = await inspect.zrange(fleetSlotsKey(limitKey), 0, -1, 'WITHSCORES');
    // One start, not two: the late one was dropped; its stamp is Redis' time after the stall.
    expect(starts).toHaveLength(2);
    expect(Number(starts[1])).toBeGreaterThanOrEqual(stalledUntil);
  });
});

describe('fleet - Redis is a helper, not a dependency', () => {
  let fleet: Fleet;
  let reader: string;
  let sequence = 0;
  /** Another connection id never read before (no cache can answer it). */
  const freshId = () => `conn-bulk-${String((sequence += 1) % 260).padStart(3, '0')}`;
  const warnings = (replica: Replica) => replica.logLines.filter((line) => line.includes('Redis unreachable or slow'));
  const resumed = (replica: Replica) => replica.logLines.filter((line) => line.includes('Redis reachable again'));
  const readiness = (replica: Replica) => fetch(new URL('/readyz', replica.subgraph.url)).then((response) => response.status);

  beforeAll(async () => {
    // A short Redis timeout, yet above the event loop stalls of a loaded test machine (a stall beyond
    // it would count as an outage of its own).
    fleet = await startFleet({ env: { CACHE_TTL_SECONDS: '60', AWS_RATE_LIMIT_PER_SECOND: '50', REDIS_TIMEOUT_MS: '300' } });
    reader = await mintToken([READ]);
  });
  afterAll(async () => {
    await fleet?.close();
  });

  /** Reads through every replica for `ms`, each answer timed; every answer must carry its data. */
  async function traffic(ms: number): Promise<number[]> {
    const latencies: number[] = [];
    const until = Date.now() + ms;
    while (Date.now() < until) {
      const id = freshId();
      await Promise.all(
        fleet.replicas.map(async (replica) => {
          const started = performance.now();
          const answer = await replica.graphql(connectionQuery(id), { token: reader });
          latencies.push(performance.now() - started);
          expect(answer.status).toBe(200);
          expect(answer.body.errors).toBeUndefined();
          expect(answer.body.data?.['dataZoneConnection']?.connectionId).toBe(id);
        }),
      );
    }
    return latencies;
  }

  let created = 0;
  async function sharingWorks(): Promise<void> {
    // A connection made now: neither replica's own cache can hold it.
    const id = `conn-fleet-${(created += 1)}`;
    fleet.emulator.putConnection({ domainId: DEMO_DOMAIN_ID, connectionId: id, name: id, type: 'ATHENA' });
    fleet.emulator.resetCalls();
    const [a, b] = fleet.replicas as [Replica, Replica];
    await a.graphql(connectionQuery(id), { token: reader });
    await b.graphql(connectionQuery(id), { token: reader });
    expect(callsOf(fleet.emulator, 'GetConnection')).toHaveLength(1);
  }

  test('Fleet - Redis killed mid-traffic: every request is answered, each replica warns once, and sharing resumes when Redis is back on its port', async () => {
    await sharingWorks();
    const running = traffic(2_500);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await fleet.redis.kill();
    await running;
    for (const replica of fleet.replicas) {
      expect(warnings(replica)).toHaveLength(1);
      expect(await readiness(replica)).toBe(200);
    }
    // Without Redis, no sharing: the read through B goes to AWS again.
    const id = 'conn-fleet-outage';
    fleet.emulator.putConnection({ domainId: DEMO_DOMAIN_ID, connectionId: id, name: id, type: 'ATHENA' });
    fleet.emulator.resetCalls();
    await (fleet.replicas[0] as Replica).graphql(connectionQuery(id), { token: reader });
    await (fleet.replicas[1] as Replica).graphql(connectionQuery(id), { token: reader });
    expect(callsOf(fleet.emulator, 'GetConnection')).toHaveLength(2);

    await fleet.redis.restart();
    await vi.waitFor(
      async () => {
        await traffic(50);
        for (const replica of fleet.replicas) expect(resumed(replica)).toHaveLength(1);
      },
      { timeout: 10_000, interval: 100 },
    );
    await sharingWorks();
    for (const replica of fleet.replicas) expect(warnings(replica)).toHaveLength(1);
  }, 30_000);

  test('Fleet - a Redis that hangs holds no request beyond the Redis timeout, and readiness stays 200', async () => {
    const warnedBefore = fleet.replicas.map((replica) => warnings(replica).length);
    fleet.redis.freeze();
    try {
      const latencies = await traffic(2_000);
      // Redis stays frozen for 2 s: a request waiting for it would take that long. Each meets at most
      // one timed-out command (300 ms) before the outage makes its replica skip Redis.
      expect(Math.max(...latencies)).toBeLessThan(1_500);
      for (const [index, replica] of fleet.replicas.entries()) {
        expect(warnings(replica)).toHaveLength((warnedBefore[index] as number) + 1);
        expect(await readiness(replica)).toBe(200);
      }
    } finally {
      fleet.redis.thaw();
    }
    await vi.waitFor(
      async () => {
        await traffic(50);
        for (const replica of fleet.replicas) expect(resumed(replica)).toHaveLength(2);
      },
      { timeout: 10_000, interval: 100 },
    );
    await sharingWorks();
  }, 30_000);
});

describe('fleet - a replica whose Redis is not there', () => {
  test('Fleet - a replica started without its Redis serves every read, warns once, and keeps to its share of the limit (limit / FLEET_EXPECTED_REPLICAS)', async () => {
    // A port nothing listens on.
    const probe = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => probe.once('listening', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise((resolve) => probe.close(resolve));
    const stack = await startStack({
      env: { REDIS_URL: `redis://fleet:redis-password-canary@127.0.0.1:${port}`, CACHE_TTL_SECONDS: '60', AWS_RATE_LIMIT_PER_SECOND: '8', FLEET_EXPECTED_REPLICAS: '2', AWS_RATE_LIMIT_MAX_WAIT_MS: '30000' },
    });
    try {
      const reader = await mintToken([READ]);
      stack.emulator.resetCalls();
      const ids = Array.from({ length: 12 }, (_, index) => `conn-bulk-${String(200 + index).padStart(3, '0')}`);
      const answers = await Promise.all(ids.map((id) => stack.graphql(connectionQuery(id), { token: reader })));
      for (const answer of answers) expect(answer.body.errors).toBeUndefined();
      const times = callsOf(stack.emulator, 'GetConnection').map((call) => call.at);
      expect(times).toHaveLength(ids.length);
      // Its share: 8 / 2 = 4 starts in any 1.05 s (the whole limit would let 8 go at once).
      expect(mostCallsInAnySecond(times, 950)).toBeLessThanOrEqual(4);
      expect(stack.logLines.filter((line) => line.includes('Redis unreachable or slow'))).toHaveLength(1);
      // The warning names the failure, never the URL's password.
      expect(stack.logLines.join('')).not.toContain('redis-password-canary');
      expect((await fetch(new URL('/readyz', stack.subgraph.url))).status).toBe(200);
    } finally {
      await stack.close();
    }
  }, 30_000);
});
