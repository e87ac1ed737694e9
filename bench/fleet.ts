/**
 * Scenario G of `npm run bench`: a fleet of subgraph processes on one emulator (enforcing AWS's
 * quota) and one real redis-server (REDIS_URL, docs/fleet.md), driven round robin: each replica by
 * its own autocannon, the ids of every request drawn in turn from one shared sequence.
 *
 * - G1: distinct uncached reads: the fleet's AWS calls per second against the limit, with Redis and
 *   with each replica on its own.
 * - G2: a hot working set with the cache on: AWS calls per id and TTL for the whole fleet, and the
 *   fleet's req/s against one replica's.
 * - G3: CPU per request of a cache hit from Redis against one from the process's own cache.
 */
import autocannon from 'autocannon';
import { type RedisServer, startRedisServer } from '../tools/fleet/redis-server.js';
import { type Proc, cpuMs } from './processes.js';
import { BENCH_IDS, connectionBody } from './shared.js';

export interface FleetBenchContext {
  startSubgraph(name: string, env: Record<string, string>): Promise<Proc>;
  control(path: string): Promise<Record<string, number>>;
  say(line?: string): void;
  verdict(name: string, met: boolean, detail: string): void;
  token: string;
  durationSeconds: number;
  rounds: number;
  /** The emulator's quota (AWS's, 20/s) and the subgraph's default limit (15/s). */
  quotaPerSecond: number;
  limitPerSecond: number;
  latencyMs: number;
}

const f0 = (value: number) => (Number.isFinite(value) ? Math.round(value).toString() : 'n/a');
const f1 = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : 'n/a');
const f2 = (value: number) => (Number.isFinite(value) ? value.toFixed(2) : 'n/a');
const f3 = (value: number) => (Number.isFinite(value) ? value.toFixed(3) : 'n/a');

interface FleetRound {
  requests: number;
  ok: number;
  seconds: number;
  p50: number;
  p99: number;
  /** Server CPU (ms) by replica, in the order driven. */
  cpuMs: number[];
}

/**
 * Drives `replicas` at once, `connections` each, for `seconds` or `amount` requests each; request
 * bodies from one shared sequence (the ids go round robin over the replicas).
 */
async function driveFleet(replicas: Proc[], connections: number, limit: { seconds: number } | { amount: number }, body: (sequence: number) => string, token: string): Promise<FleetRound> {
  let sequence = 0;
  let ok = 0;
  const cpuBefore = replicas.map((replica) => cpuMs(replica.pid));
  const results = await Promise.all(
    replicas.map((replica) =>
      autocannon({
        url: replica.url,
        method: 'POST',
        connections,
        ...('seconds' in limit ? { duration: limit.seconds } : { amount: limit.amount }),
        timeout: 30,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        requests: [
          {
            setupRequest: (request) => ({ ...request, body: body(sequence++) }),
            onResponse: (status, text) => {
              if (status === 200 && !text.includes('"errors"')) ok += 1;
            },
          },
        ],
      }),
    ),
  );
  return {
    requests: results.reduce((sum, result) => sum + result.requests.total, 0),
    ok,
    seconds: Math.max(...results.map((result) => result.duration)),
    p50: results.reduce((sum, result) => sum + result.latency.p50, 0) / results.length,
    p99: Math.max(...results.map((result) => result.latency.p99)),
    cpuMs: replicas.map((replica, index) => cpuMs(replica.pid) - (cpuBefore[index] as number)),
  };
}

/** Waits until the emulator has seen no call for `quietMs` (SDK retries of throttled calls land in their round). */
async function settle(context: FleetBenchContext, quietMs: number, maxMs = 15_000): Promise<void> {
  const deadline = Date.now() + maxMs;
  let last = (await context.control('/calls'))['count'];
  let quietSince = Date.now();
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const count = (await context.control('/calls'))['count'];
    if (count !== last) {
      last = count;
      quietSince = Date.now();
    } else if (Date.now() - quietSince >= quietMs) return;
  }
}

async function startReplicas(context: FleetBenchContext, name: string, count: number, env: Record<string, string>): Promise<Proc[]> {
  const replicas: Proc[] = [];
  for (let index = 0; index < count; index += 1) replicas.push(await context.startSubgraph(`${name}-${index + 1}`, env));
  return replicas;
}

const stopAll = (replicas: Proc[]) => Promise.all(replicas.map((replica) => replica.stop()));

/** Reads every id of `ids` once through `replica` (so that its cache, or the fleet's, holds them). */
const readOnce = (context: FleetBenchContext, replica: Proc, ids: string[]) =>
  driveFleet([replica], 8, { amount: ids.length }, (sequence) => connectionBody(ids[sequence % ids.length] as string), context.token);

export async function scenarioG(context: FleetBenchContext): Promise<void> {
  const { say, control } = context;
  const redis = await startRedisServer();
  try {
    say();
    say(`## G. A fleet: replicas on one Redis (REDIS_URL), the emulator enforcing AWS's ${context.quotaPerSecond} calls/s per operation`);
    say();
    say(`Each replica is an \`npm start\` process like the others; one redis-server (Debian's, persistence off) on loopback. Each replica is driven by its own autocannon, the ids of all requests drawn in turn from one sequence, so consecutive ids go to different replicas. AWS calls and their timing come from the emulator's call log. Every process shares this machine's cores: the fleet's req/s is what two processes get from the same two cores, not what two machines would.`);
    await g1(context, redis);
    await g2(context, redis);
    await g3(context, redis);
  } finally {
    await control('/quota?perSecond=0');
    await redis.close();
  }
}

/** G1: distinct uncached reads, the fleet's AWS calls per second. */
async function g1(context: FleetBenchContext, redis: RedisServer): Promise<void> {
  const { say, verdict, control } = context;
  await control(`/latency?ms=${context.latencyMs}`);
  await control(`/quota?perSecond=${context.quotaPerSecond}`);
  const seconds = context.durationSeconds * 2;
  const connections = 8;
  say();
  say(`### G1. Distinct uncached reads over two replicas, ${connections} connections each, ${seconds} s, emulator latency ${context.latencyMs} ms`);
  say();
  say(`CACHE_TTL_SECONDS=0, AWS_RATE_LIMIT_PER_SECOND=${context.limitPerSecond} (the default), every request a connection never read before. With Redis the limit holds for the fleet; without it each replica keeps its own ${context.limitPerSecond}/s.`);
  say();
  say('| fleet | requests | ok req/s | failed | p50 ms | p99 ms | AWS calls/s accepted | max in any 1 s | AWS throttled |');
  say('|---|---|---|---|---|---|---|---|---|');
  let offset = 0;
  const results: Record<string, { maxPerSecond: number; throttled: number; failed: number }> = {};
  for (const [label, env] of [
    ['2 replicas, one Redis', { REDIS_URL: redis.url }],
    ['2 replicas, no Redis', {}],
  ] as const) {
    const replicas = await startReplicas(context, label.includes('no Redis') ? 'g1-alone' : 'g1-fleet', 2, { ...env, CACHE_TTL_SECONDS: '0', AWS_RATE_LIMIT_PER_SECOND: String(context.limitPerSecond) });
    const before = await control('/calls');
    const start = offset;
    const round = await driveFleet(replicas, connections, { seconds }, (sequence) => connectionBody(BENCH_IDS[(start + sequence) % BENCH_IDS.length] as string), context.token);
    offset += round.requests;
    await settle(context, 2_500);
    const calls = await control(`/calls?from=${before['count']}&window=1`);
    await stopAll(replicas);
    const accepted = (calls['calls'] as number) - (calls['throttled'] as number);
    results[label] = { maxPerSecond: calls['maxPerSecond'] as number, throttled: calls['throttled'] as number, failed: round.requests - round.ok };
    say(`| ${label} | ${round.requests} | ${f1(round.ok / round.seconds)} | ${round.requests - round.ok} | ${f1(round.p50)} | ${f1(round.p99)} | ${f1(accepted / round.seconds)} | ${calls['maxPerSecond']} | ${calls['throttled']} |`);
  }
  const fleet = results['2 replicas, one Redis'] as { maxPerSecond: number; throttled: number; failed: number };
  const alone = results['2 replicas, no Redis'] as { maxPerSecond: number; throttled: number; failed: number };
  say();
  say(`**With Redis, AWS saw at most ${fleet.maxPerSecond} calls in any second (limit ${context.limitPerSecond}) and throttled ${fleet.throttled}; without it, ${alone.maxPerSecond} and ${alone.throttled}.**`);
  verdict('G1', fleet.maxPerSecond <= context.limitPerSecond && fleet.throttled === 0 && fleet.failed === 0, `two replicas on one Redis: max ${fleet.maxPerSecond} AWS calls in any 1 s (limit ${context.limitPerSecond}), ${fleet.throttled} throttled, ${fleet.failed} failed requests`);
}

/** G2: a hot working set with the cache on. */
async function g2(context: FleetBenchContext, redis: RedisServer): Promise<void> {
  const { say, verdict, control } = context;
  await control(`/latency?ms=${context.latencyMs}`);
  await control(`/quota?perSecond=${context.quotaPerSecond}`);
  const ttlSeconds = 4;
  // Refreshing it takes 2 calls/s, well within a replica's share of the limit (7/s): what is
  // measured is the cache, not the rate limit's queue.
  const workingSet = BENCH_IDS.slice(900, 908);
  const seconds = context.durationSeconds * 2;
  const connections = 16;
  const warmupSeconds = 3;
  say();
  say(`### G2. A hot working set of ${workingSet.length} connections, CACHE_TTL_SECONDS=${ttlSeconds}, ${seconds} s after a ${warmupSeconds} s warm-up, emulator latency ${context.latencyMs} ms`);
  say();
  say(`${connections} connections per replica (one replica alone: ${connections * 2}, the same load). Expected AWS calls for the whole fleet: each id once per TTL, ${workingSet.length} × ${seconds} s / ${ttlSeconds} s = ${(workingSet.length * seconds) / ttlSeconds}. Redis is emptied between the rows.`);
  say();
  say('| fleet | requests | req/s | p50 ms | p99 ms | AWS calls | calls per id and TTL | max in any 1 s | AWS throttled | CPU ms/request (each replica) |');
  say('|---|---|---|---|---|---|---|---|---|---|');
  const expected = (workingSet.length * seconds) / ttlSeconds;
  const rows: Record<string, { rps: number; perIdAndTtl: number }> = {};
  for (const [label, count, env] of [
    ['1 replica', 1, { REDIS_URL: redis.url }],
    ['2 replicas, one Redis', 2, { REDIS_URL: redis.url }],
    ['2 replicas, no Redis', 2, {}],
  ] as const) {
    await redis.restart();
    const replicas = await startReplicas(context, `g2-${count}`, count, { ...env, CACHE_TTL_SECONDS: String(ttlSeconds), AWS_RATE_LIMIT_PER_SECOND: String(context.limitPerSecond) });
    const body = (sequence: number) => connectionBody(workingSet[sequence % workingSet.length] as string);
    const each = (connections * 2) / count;
    await driveFleet(replicas, each, { seconds: warmupSeconds }, body, context.token);
    const before = await control('/calls');
    const round = await driveFleet(replicas, each, { seconds }, body, context.token);
    await settle(context, 300);
    const calls = await control(`/calls?from=${before['count']}&window=1`);
    await stopAll(replicas);
    const perIdAndTtl = (calls['calls'] as number) / expected;
    rows[label] = { rps: round.requests / round.seconds, perIdAndTtl };
    say(
      `| ${label} | ${round.requests} | ${f0(round.requests / round.seconds)} | ${f2(round.p50)} | ${f2(round.p99)} | ${calls['calls']} | ${f2(perIdAndTtl)} | ${calls['maxPerSecond']} | ${calls['throttled']} | ${round.cpuMs.map((cpu) => f3(cpu / (round.requests / count))).join(', ')} |`,
    );
  }
  const fleet = rows['2 replicas, one Redis'] as { rps: number; perIdAndTtl: number };
  const one = rows['1 replica'] as { rps: number; perIdAndTtl: number };
  const alone = rows['2 replicas, no Redis'] as { rps: number; perIdAndTtl: number };
  say();
  say(`**Two replicas on one Redis: ${f2(fleet.perIdAndTtl)} AWS calls per id and TTL (one replica: ${f2(one.perIdAndTtl)}; two without Redis: ${f2(alone.perIdAndTtl)}); fleet ÷ one replica req/s = ${f2(fleet.rps / one.rps)} on this ${'2'}-core machine.**`);
  say();
  say(`A Redis entry and its copies in the replicas expire together; a read in an entry's last fifth refreshes it ahead, at a point drawn at random per replica, and the replicas after the first find the new value in Redis. Two replicas whose refreshes fall close together may both call AWS: more than one call per id and TTL, never more than one per replica.`);
  verdict('G2', fleet.perIdAndTtl <= 2 && fleet.perIdAndTtl < alone.perIdAndTtl, `two replicas on one Redis: ${f2(fleet.perIdAndTtl)} AWS calls per id and TTL (without Redis: ${f2(alone.perIdAndTtl)})`);
}

/** G3's warm-up of a fresh replica B: passes over the warm set (the first are Redis hits, the rest own-cache hits). */
const WARM_PASSES = 20;
/** Own-cache passes over the warm set just before the Redis hits, in G3. */
const OWN_PASSES = 4;

/** G3: CPU per request of a cache hit from Redis against one from the process's own cache. */
async function g3(context: FleetBenchContext, redis: RedisServer): Promise<void> {
  const { say, control } = context;
  await control('/latency?ms=0');
  await control('/quota?perSecond=0');
  await redis.restart();
  const warm = BENCH_IDS.slice(0, 200);
  const measured = BENCH_IDS.slice(200, 1000);
  say();
  say(`### G3. CPU per request: a cache hit from Redis against one from the process's own cache (${context.rounds} rounds of ${measured.length} requests, 8 connections)`);
  say();
  say(`Two replicas, CACHE_TTL_SECONDS=300. Replica A reads ${measured.length} connections (AWS calls; they go into Redis). A fresh replica B, warmed up by ${WARM_PASSES} passes over ${warm.length} other connections, reads those ${warm.length} again ${OWN_PASSES} times (own-cache hits, before), then the ${measured.length}: each is a miss in its own cache and a hit in Redis; then reads them again (own-cache hits, after). Own-cache hits on both sides of the Redis hits show how much the order (the process still warming up) moves the figure. CPU is B's process (and redis-server's) from /proc, per request.`);
  say();
  say('| round | own-cache hits before: B CPU ms/request | Redis hits: B CPU ms/request | redis-server CPU ms/request | p50 ms | own-cache hits after: B CPU ms/request | p50 ms | AWS calls during B\'s reads |');
  say('|---|---|---|---|---|---|---|---|');
  const env = { REDIS_URL: redis.url, CACHE_TTL_SECONDS: '300', AWS_RATE_LIMIT_PER_SECOND: '0' };
  const [a] = await startReplicas(context, 'g3-a', 1, env);
  await readOnce(context, a as Proc, [...warm, ...measured]);
  const totals = { redis: 0, own: 0, ownBefore: 0, ownBeforeRequests: 0, redisServer: 0, requests: 0 };
  for (let round = 0; round < context.rounds; round += 1) {
    const [b] = await startReplicas(context, `g3-b${round + 1}`, 1, env);
    for (let pass = 0; pass < WARM_PASSES; pass += 1) await readOnce(context, b as Proc, warm);
    const before = await control('/calls');
    const ownBefore = await driveFleet([b as Proc], 8, { amount: warm.length * OWN_PASSES }, (sequence) => connectionBody(warm[sequence % warm.length] as string), context.token);
    const redisBefore = cpuMs(redis.pid);
    const fromRedis = await readOnce(context, b as Proc, measured);
    const redisCpu = cpuMs(redis.pid) - redisBefore;
    const fromOwn = await readOnce(context, b as Proc, measured);
    const calls = await control(`/calls?from=${before['count']}`);
    await (b as Proc).stop();
    const perRedis = (fromRedis.cpuMs[0] as number) / fromRedis.requests;
    const perOwn = (fromOwn.cpuMs[0] as number) / fromOwn.requests;
    const perOwnBefore = (ownBefore.cpuMs[0] as number) / ownBefore.requests;
    totals.redis += fromRedis.cpuMs[0] as number;
    totals.own += fromOwn.cpuMs[0] as number;
    totals.ownBefore += ownBefore.cpuMs[0] as number;
    totals.ownBeforeRequests += ownBefore.requests;
    totals.redisServer += redisCpu;
    totals.requests += measured.length;
    say(`| ${round + 1} | ${f3(perOwnBefore)} | ${f3(perRedis)} | ${f3(redisCpu / fromRedis.requests)} | ${f2(fromRedis.p50)} | ${f3(perOwn)} | ${f2(fromOwn.p50)} | ${calls['calls']} |`);
  }
  await (a as Proc).stop();
  say();
  const own = (totals.own + totals.ownBefore) / (totals.requests + totals.ownBeforeRequests);
  say(`**Over all rounds: a Redis hit costs the replica ${f3(totals.redis / totals.requests)} ms of CPU per request (and redis-server ${f3(totals.redisServer / totals.requests)} ms), an own-cache hit ${f3(own)} ms (before: ${f3(totals.ownBefore / totals.ownBeforeRequests)}, after: ${f3(totals.own / totals.requests)}): ${f2(totals.redis / totals.requests / own)}×.**`);
}
