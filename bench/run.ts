/**
 * `npm run bench`: the subgraph against the direct SDK path (bench/baseline.ts), both in front of
 * the same emulator, each in its own process (honest RSS figures, no event loop shared with the
 * load generator). autocannon drives both sides at the same concurrency in alternating rounds
 * (subgraph, baseline, subgraph, baseline, …) after a warm-up of each. Loopback only; every round
 * is bounded in time or requests, and a watchdog ends the whole run.
 *
 * Knobs (environment):
 *   BENCH_DURATION_SECONDS  one measured round (default 5)
 *   BENCH_WARMUP_SECONDS    warm-up per side and scenario (default 5)
 *   BENCH_ROUNDS            measured rounds per side (default 3)
 *   BENCH_CONNECTIONS       concurrency of A, D and E (default 32)
 *   BENCH_B_CONNECTIONS     concurrency of B (default 4)
 *   BENCH_B_REQUESTS        requests per measured round of B (default 600; B and C count exact
 *                           requests so that AWS calls per request are exact)
 *   BENCH_C_REQUESTS        requests per measured round of C (default 30)
 *   BENCH_E_REQUESTS        requests of E (default 100000; RSS read at 20 % and 100 %)
 *   BENCH_SCENARIOS         which to run, e.g. "A,B" (default A,B,C,D,E,F,G; G: a fleet on one Redis, bench/fleet.ts)
 *   BENCH_OUTPUT            results file (default bench/results.md)
 *   BENCH_MAX_SECONDS       watchdog for the whole run (default 900)
 *   BENCH_A_LATENCIES       emulator latencies of scenario A in ms (default "0,20")
 *   BENCH_CPU_PROF          a directory: run the subgraph processes and the baseline with `node --cpu-prof` writing there
 *   BENCH_BASELINE_FAST_CONFIG  1: give the baseline's SDK client the subgraph's fast-config
 *                           workaround too (src/aws/clients.ts); by default it is the SDK as shipped
 *   BENCH_F_SECONDS         how long the victim of F reads under each flood (default 20)
 *   BENCH_F_FLOODS          the flooder's concurrent requests in F, one run each (default "80,160")
 */
import autocannon from 'autocannon';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { type Proc, cpuMs, killChildren, startProcess, startScriptNodeOptions } from './processes.js';
import { BENCH_DOMAIN, BENCH_IDS, CONNECTION_FIELDS, ENTITIES_QUERY, HOT_ID, connectionBody, rotatingConnectionBody } from './shared.js';
import { BENCH_JWT_SECRET, benchReaderToken } from './token.js';
import { mintDemoToken } from '../tools/demo/demo-tokens.js';
import { READ_SCOPE } from '../src/auth/policy.js';
import { emulatorSdkEnvironment } from '../tools/emulator/sdk-environment.js';
import { scenarioG } from './fleet.js';

const env = process.env;
const num = (name: string, fallback: number): number => {
  const value = Number(env[name] ?? fallback);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number`);
  return value;
};
const DURATION = num('BENCH_DURATION_SECONDS', 5);
const WARMUP = num('BENCH_WARMUP_SECONDS', 5);
const ROUNDS = Math.max(1, num('BENCH_ROUNDS', 3));
const CONNECTIONS = Math.max(1, num('BENCH_CONNECTIONS', 32));
const B_CONNECTIONS = Math.max(1, num('BENCH_B_CONNECTIONS', 4));
const B_REQUESTS = Math.max(1, num('BENCH_B_REQUESTS', 600));
const C_REQUESTS = Math.max(1, num('BENCH_C_REQUESTS', 30));
const E_REQUESTS = Math.max(1000, num('BENCH_E_REQUESTS', 100_000));
const SCENARIOS = new Set((env['BENCH_SCENARIOS'] ?? 'A,B,C,D,E,F,G').split(',').map((name) => name.trim().toUpperCase()));
const OUTPUT = env['BENCH_OUTPUT'] ?? 'bench/results.md';
const MAX_SECONDS = num('BENCH_MAX_SECONDS', 900);
/** The subgraph's AWS_MAX_CONCURRENCY default, used by both sides and by C's ideal. */
const AWS_CONCURRENCY = 16;
const LATENCY_MS = 20;
const BASELINE_FAST_CONFIG = env['BENCH_BASELINE_FAST_CONFIG'] === '1';
const A_LATENCIES = (env['BENCH_A_LATENCIES'] ?? `0,${LATENCY_MS}`).split(',').map(Number).filter((ms) => Number.isFinite(ms) && ms >= 0);
/** AWS's published read quota, enforced by the emulator in scenario D as the services do. */
const AWS_QUOTA_PER_SECOND = 20;
/** The subgraph's default client-side limit (AWS_RATE_LIMIT_PER_SECOND), under that quota. */
const SUBGRAPH_RATE_LIMIT = 15;
const F_SECONDS = Math.max(1, num('BENCH_F_SECONDS', 20));
const F_FLOODS = (env['BENCH_F_FLOODS'] ?? '80,160').split(',').map(Number).filter((count) => Number.isInteger(count) && count > 0);

// ---- watchdog (children: bench/processes.ts) --------------------------------------------------

const watchdog = setTimeout(() => {
  process.stderr.write(`bench: over BENCH_MAX_SECONDS=${MAX_SECONDS}, stopping\n`);
  killChildren();
  process.exit(2);
}, MAX_SECONDS * 1000);

let emulatorUrl = '';
let controlUrl = '';

async function control(path: string): Promise<Record<string, number>> {
  const response = await fetch(`${controlUrl}${path}`);
  return (await response.json()) as Record<string, number>;
}

function awsEnv(): Record<string, string> {
  return emulatorSdkEnvironment(emulatorUrl);
}

function cpuProfOptions(): string[] {
  return env['BENCH_CPU_PROF'] ? ['--cpu-prof', `--cpu-prof-dir=${env['BENCH_CPU_PROF']}`] : [];
}

function startSubgraph(name: string, extraEnv: Record<string, string>): Promise<Proc> {
  return startProcess(
    name,
    'src/server/main.ts',
    {
      ...awsEnv(),
      PORT: '0',
      HOST: '127.0.0.1',
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      AUTH_JWT_SECRET: BENCH_JWT_SECRET,
      AWS_MAX_CONCURRENCY: String(AWS_CONCURRENCY),
      ...extraEnv,
    },
    (line) => (line['msg'] === 'AWS connections subgraph ready' && typeof line['url'] === 'string' ? line['url'] : undefined),
    [...startScriptNodeOptions(), ...cpuProfOptions()],
  );
}

function startBaseline(): Promise<Proc> {
  return startProcess(
    'baseline',
    'bench/baseline.ts',
    // BENCH_BASELINE_FAST_CONFIG reaches it with the rest of this process's environment.
    { ...awsEnv(), AWS_MAX_CONCURRENCY: String(AWS_CONCURRENCY) },
    (line) => (typeof line['url'] === 'string' ? line['url'] : undefined),
    cpuProfOptions(),
  );
}

// ---- measuring ------------------------------------------------------------------------------

function rssMiB(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/**
 * RSS once the load has stopped: the median of ten readings 100 ms apart, so that one reading
 * taken just before or after a garbage collection does not decide the figure.
 */
async function settledRssMiB(pid: number): Promise<number> {
  const readings: number[] = [];
  for (let index = 0; index < 10; index += 1) {
    readings.push(rssMiB(pid));
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  readings.sort((a, b) => a - b);
  return ((readings[4] as number) + (readings[5] as number)) / 2;
}

/**
 * Waits until the emulator has seen no call for `quietMs` (at most `maxMs`): requests cut off at
 * the end of a round, and the SDK's backed-off retries of throttled calls, must not be counted in
 * the next round. Polls the call log; bounded.
 */
async function settle(quietMs: number, maxMs = 15_000): Promise<void> {
  const deadline = Date.now() + maxMs;
  let last = (await control('/calls'))['count'];
  let quietSince = Date.now();
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const count = (await control('/calls'))['count'];
    if (count !== last) {
      last = count;
      quietSince = Date.now();
    } else if (Date.now() - quietSince >= quietMs) {
      return;
    }
  }
}

interface Load {
  connections: number;
  duration?: number;
  amount?: number;
  /** A fresh body per request, from the request's sequence number. */
  body: (sequence: number) => string;
  /** Whether a 200 answer is a success (GraphQL errors come with 200). */
  ok?: (body: string) => boolean;
  /** Quiet time awaited after the round (see settle); default 300 ms. */
  settleMs?: number;
}

interface Round {
  requests: number;
  ok: number;
  seconds: number;
  rps: number;
  okRps: number;
  p50: number;
  p99: number;
  awsCalls: number;
  throttled: number;
  maxPerSecond: number;
  minGapMs: number;
  peakRssMiB: number;
  cpuMs: number;
}

const noErrors = (body: string): boolean => !body.includes('"errors"');

/** Requests each server process (by pid) answered, warm-ups included: the denominator of its CPU profile. */
const servedBy = new Map<number, number>();

async function drive(target: Proc, load: Load, token: string): Promise<Round> {
  const before = await control('/calls');
  let sequence = 0;
  let ok = 0;
  let peakRss = rssMiB(target.pid);
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, rssMiB(target.pid));
  }, 100);
  const isOk = load.ok ?? noErrors;
  const cpuBefore = cpuMs(target.pid);
  const result = await autocannon({
    url: target.url,
    method: 'POST',
    connections: load.connections,
    ...(load.amount !== undefined ? { amount: load.amount } : { duration: load.duration ?? DURATION }),
    timeout: 30,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    requests: [
      {
        setupRequest: (request) => ({ ...request, body: load.body(sequence++) }),
        onResponse: (status, body) => {
          if (status === 200 && isOk(body)) ok += 1;
        },
      },
    ],
  });
  clearInterval(sampler);
  const cpu = cpuMs(target.pid) - cpuBefore;
  peakRss = Math.max(peakRss, rssMiB(target.pid));
  // Calls still arriving after the round (cut-off requests, SDK retries) belong to it, not the next.
  await settle(load.settleMs ?? 300);
  const after = await control(`/calls?from=${before['count']}&window=1`);
  const requests = result.requests.total;
  servedBy.set(target.pid, (servedBy.get(target.pid) ?? 0) + requests);
  const seconds = result.duration;
  return {
    requests,
    ok,
    seconds,
    rps: requests / seconds,
    okRps: ok / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    awsCalls: after['calls'] as number,
    throttled: after['throttled'] as number,
    maxPerSecond: after['maxPerSecond'] as number,
    minGapMs: after['minGapMs'] as number,
    peakRssMiB: peakRss,
    cpuMs: cpu,
  };
}

interface Side {
  rounds: Round[];
}

function summarize(rounds: Round[]) {
  const mean = (pick: (round: Round) => number) => rounds.reduce((sum, round) => sum + pick(round), 0) / rounds.length;
  const requests = rounds.reduce((sum, round) => sum + round.requests, 0);
  const ok = rounds.reduce((sum, round) => sum + round.ok, 0);
  const seconds = rounds.reduce((sum, round) => sum + round.seconds, 0);
  const awsCalls = rounds.reduce((sum, round) => sum + round.awsCalls, 0);
  const throttled = rounds.reduce((sum, round) => sum + round.throttled, 0);
  return {
    requests,
    ok,
    rps: requests / seconds,
    okRps: ok / seconds,
    p50: mean((round) => round.p50),
    p99: mean((round) => round.p99),
    awsCalls,
    throttled,
    callsPerRequest: awsCalls / Math.max(1, requests),
    callsPerSecond: (awsCalls - throttled) / seconds,
    maxPerSecond: Math.max(...rounds.map((round) => round.maxPerSecond)),
    minGapMs: Math.min(...rounds.map((round) => round.minGapMs ?? Number.POSITIVE_INFINITY)),
    peakRssMiB: Math.max(...rounds.map((round) => round.peakRssMiB)),
    cpuMsPerRequest: rounds.reduce((sum, round) => sum + round.cpuMs, 0) / Math.max(1, requests),
    /** Share of one core the server process used while measured (100 %: it was the bottleneck). */
    cpuPercent: (100 * rounds.reduce((sum, round) => sum + round.cpuMs, 0)) / (1000 * seconds),
  };
}

/** Warm-up of each side, then ROUNDS alternating measured rounds: subgraph, baseline, subgraph, … */
async function alternate(subgraph: Proc, baseline: Proc | undefined, subgraphLoad: Load, baselineLoad: Load, token: string): Promise<{ subgraph: Side; baseline?: Side }> {
  if (WARMUP > 0) {
    await drive(subgraph, { ...subgraphLoad, amount: undefined, duration: WARMUP }, token);
    if (baseline) await drive(baseline, { ...baselineLoad, amount: undefined, duration: WARMUP }, token);
  }
  const sides = { subgraph: { rounds: [] as Round[] }, baseline: baseline ? { rounds: [] as Round[] } : undefined };
  for (let round = 0; round < ROUNDS; round += 1) {
    sides.subgraph.rounds.push(await drive(subgraph, subgraphLoad, token));
    if (baseline && sides.baseline) sides.baseline.rounds.push(await drive(baseline, baselineLoad, token));
  }
  return sides;
}

// ---- the scenarios --------------------------------------------------------------------------

const post = (query: string, variables: Record<string, unknown>) => JSON.stringify({ query, variables });

const FAN_OUT_IDS = 10;
const FAN_OUT_ALIASES = 50;
/** 50 aliases over 10 ids, the ids passed as variables so one document serves every request. */
const FAN_OUT_QUERY = `query FanOut(${Array.from({ length: FAN_OUT_IDS }, (_, index) => `$id${index}: ID!`).join(', ')}) {
${Array.from({ length: FAN_OUT_ALIASES }, (_, index) => `  c${index}: dataZoneConnection(domainIdentifier: "${BENCH_DOMAIN}", identifier: $id${index % FAN_OUT_IDS}) { ${CONNECTION_FIELDS} }`).join('\n')}
}`;
/** Request k reads the k-th block of 10 ids: concurrent requests never share an id. */
const fanOutBody = (sequence: number) => {
  const first = (sequence * FAN_OUT_IDS) % BENCH_IDS.length;
  const variables = Object.fromEntries(Array.from({ length: FAN_OUT_IDS }, (_, index) => [`id${index}`, BENCH_IDS[first + index]]));
  return post(FAN_OUT_QUERY, variables);
};

const ENTITIES = 100;
const entitiesBody = (sequence: number) => {
  const first = (sequence * ENTITIES) % BENCH_IDS.length;
  const representations = Array.from({ length: ENTITIES }, (_, index) => ({ __typename: 'DataZoneConnection', domainId: BENCH_DOMAIN, connectionId: BENCH_IDS[first + index] }));
  return post(ENTITIES_QUERY, { representations });
};

interface Report {
  lines: string[];
  verdicts: string[];
}
const report: Report = { lines: [], verdicts: [] };
const f1 = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : 'n/a');
const f2 = (value: number) => (Number.isFinite(value) ? value.toFixed(2) : 'n/a');
const f0 = (value: number) => (Number.isFinite(value) ? Math.round(value).toString() : 'n/a');

function say(line = ''): void {
  process.stdout.write(`${line}\n`);
  report.lines.push(line);
}

function verdict(name: string, met: boolean, detail: string): void {
  const line = `- **${name}** ${met ? 'met' : 'MISSED'}: ${detail}`;
  report.verdicts.push(line);
  process.stdout.write(`${line}\n`);
}

function table(rows: Array<[string, ReturnType<typeof summarize>]>, extra?: (summary: ReturnType<typeof summarize>) => string): void {
  say(`| side | requests | req/s | p50 ms | p99 ms | AWS calls | calls/request | CPU ms/request | CPU % of a core | peak RSS MiB |${extra ? ' note |' : ''}`);
  say(`|---|---|---|---|---|---|---|---|---|---|${extra ? '---|' : ''}`);
  for (const [name, summary] of rows) {
    say(`| ${name} | ${summary.requests} | ${f0(summary.rps)} | ${f2(summary.p50)} | ${f2(summary.p99)} | ${summary.awsCalls} | ${f2(summary.callsPerRequest)} | ${f2(summary.cpuMsPerRequest)} | ${f0(summary.cpuPercent)} | ${f1(summary.peakRssMiB)} |${extra ? ` ${extra(summary)} |` : ''}`);
  }
}

function roundsLine(side: string, rounds: Round[]): void {
  say(`  ${side} rounds req/s: ${rounds.map((round) => f0(round.rps)).join(', ')}`);
}

const loadAverage = () => os.loadavg().map(f2).join(', ');

async function main(): Promise<void> {
  const began = Date.now();
  // Other work on the machine takes CPU from all three processes and makes the figures noisy.
  const loadAtStart = loadAverage();
  const token = await benchReaderToken();

  const emulator = await startProcess('emulator', 'bench/emulator-process.ts', {}, (line) => {
    if (typeof line['emulator'] !== 'string') return undefined;
    controlUrl = line['control'] as string;
    return line['emulator'];
  });
  emulatorUrl = emulator.url;
  const baseline = await startBaseline();

  say(`# Benchmark: the subgraph against the direct SDK path`);
  say();
  say(`Command: \`${commandLine()}\``);
  say();
  say(`Load average before the run (1, 5, 15 min): ${loadAtStart}${(os.loadavg()[0] ?? 0) > 0.5 ? ' — the machine was busy before the run; expect noisy figures' : ''}.`);
  say();
  say(`Machine: ${os.availableParallelism()} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), ${f1(os.totalmem() / 2 ** 30)} GiB memory, Node ${process.version}, ${os.type()} ${os.release()}. Date: ${new Date().toISOString()}.`);
  say();
  say(`Each side runs in its own process, ${import.meta.url.endsWith('.ts') ? 'from the TypeScript source under tsx' : 'compiled by \`npm run build:tools\` and run by plain Node'} (subgraph: \`src/server/main.ts\` with NODE_ENV=production and the start script's Node options (${startScriptNodeOptions().map((option) => `\`${option}\``).join(' ') || 'none'}), as \`npm start\` runs it; baseline: \`bench/baseline.ts\` with Node's defaults, a bare node:http handler making the same GetConnection call with the same SDK client configuration and returning the same JSON; its client is the SDK's as shipped, ${BASELINE_FAST_CONFIG ? 'but with the subgraph\'s workaround for the SDK\'s dictionary-mode config (BENCH_BASELINE_FAST_CONFIG=1)' : 'without the subgraph\'s workaround for the SDK\'s dictionary-mode config (src/aws/clients.ts; BENCH_BASELINE_FAST_CONFIG=1 gives it the workaround)'}), in front of one emulator process. autocannon runs in the orchestrating process. Per scenario: ${WARMUP} s warm-up per side, then ${ROUNDS} measured rounds per side (${DURATION} s each; B: ${B_REQUESTS} requests, C: ${C_REQUESTS} requests, so that every request counted has completed and AWS calls per request are exact), alternating subgraph and baseline. req/s is completed requests ÷ time over all rounds; p50/p99 are the means of the rounds' autocannon percentiles; AWS calls come from the emulator's call log; CPU is the server process's user + system time from /proc (per request, and as a share of one core over the rounds); peak RSS is sampled every 100 ms from /proc. The three busy processes (load generator, emulator, server) share the machine's ${os.availableParallelism()} cores, so req/s at 0 ms emulator latency moves with the machine's load of the moment; the alternating rounds and the per-round ratios show how much.`);

  // Both sides must answer the same JSON for the same request before anything is measured.
  const subgraphA = await startSubgraph('subgraph', { AWS_RATE_LIMIT_PER_SECOND: '0', CACHE_TTL_SECONDS: '0' });
  await checkSameAnswers(subgraphA, baseline, token);

  if (SCENARIOS.has('A')) {
    for (const latency of A_LATENCIES) {
      await control(`/latency?ms=${latency}`);
      const load: Load = { connections: CONNECTIONS, body: rotatingConnectionBody };
      const sides = await alternate(subgraphA, baseline, load, load, token);
      const sg = summarize(sides.subgraph.rounds);
      const base = summarize(sides.baseline!.rounds);
      say();
      say(`## A. One connection per request, ${CONNECTIONS} connections, emulator latency ${latency} ms`);
      say();
      say(`Each request reads a different connection (1000 ids in rotation), so nothing is shared between requests; subgraph with AWS_RATE_LIMIT_PER_SECOND=0 and no cache, like the baseline.`);
      say();
      table([
        ['subgraph', sg],
        ['baseline', base],
      ]);
      roundsLine('subgraph', sides.subgraph.rounds);
      roundsLine('baseline', sides.baseline!.rounds);
      // Adjacent rounds share the machine's conditions of the moment; their ratios show the spread.
      const pairs = sides.subgraph.rounds.map((round, index) => round.rps / (sides.baseline!.rounds[index] as Round).rps);
      say(`  ratio of adjacent rounds: ${pairs.map(f2).join(', ')}`);
      const ratio = sg.rps / base.rps;
      say();
      say(`**subgraph ÷ baseline req/s = ${f2(ratio)}**`);
      verdict(`A (${latency} ms)`, ratio >= 0.9, `subgraph ÷ baseline req/s = ${f2(ratio)} (target ≥ 0.90), ${f0(sg.rps)} vs ${f0(base.rps)} req/s`);
    }
  }

  if (SCENARIOS.has('B')) {
    await control(`/latency?ms=${LATENCY_MS}`);
    const sides = await alternate(
      subgraphA,
      baseline,
      { connections: B_CONNECTIONS, amount: B_REQUESTS, body: fanOutBody },
      { connections: B_CONNECTIONS, amount: B_REQUESTS, body: rotatingConnectionBody },
      token,
    );
    const sg = summarize(sides.subgraph.rounds);
    const base = summarize(sides.baseline!.rounds);
    say();
    say(`## B. Fan-out: ${FAN_OUT_ALIASES} aliases over ${FAN_OUT_IDS} ids, emulator latency ${LATENCY_MS} ms, ${B_CONNECTIONS} connections`);
    say();
    say(`Subgraph (the process of A: no rate limit, no cache): one request with ${FAN_OUT_ALIASES} aliased root fields over ${FAN_OUT_IDS} distinct ids (each request its own ids, so nothing is shared between requests). Baseline: one GetConnection per request, i.e. one AWS round trip, at the same concurrency.`);
    say();
    table([
      ['subgraph (50 aliases)', sg],
      ['baseline (1 call)', base],
    ]);
    const ratio = sg.p50 / base.p50;
    say();
    say(`**AWS calls per request = ${f2(sg.callsPerRequest)} (distinct ids: ${FAN_OUT_IDS}); subgraph p50 ÷ one round trip p50 = ${f2(ratio)}**`);
    verdict('B calls', sg.callsPerRequest === FAN_OUT_IDS, `${f2(sg.callsPerRequest)} AWS calls per request for ${FAN_OUT_IDS} distinct ids (${sg.awsCalls} calls, ${sg.requests} requests)`);
    verdict('B latency', ratio <= 1.5, `p50 ${f2(sg.p50)} ms vs one round trip ${f2(base.p50)} ms = ${f2(ratio)}× (target ≤ 1.5×)`);
  }

  if (SCENARIOS.has('C')) {
    await control(`/latency?ms=${LATENCY_MS}`);
    const load: Load = { connections: 1, amount: C_REQUESTS, body: entitiesBody };
    const sides = await alternate(subgraphA, baseline, load, load, token);
    const sg = summarize(sides.subgraph.rounds);
    const base = summarize(sides.baseline!.rounds);
    const ideal = Math.ceil(ENTITIES / AWS_CONCURRENCY) * LATENCY_MS;
    say();
    say(`## C. _entities with ${ENTITIES} representations over ${ENTITIES} ids, emulator latency ${LATENCY_MS} ms, one request at a time`);
    say();
    say(`Ideal wall time: ceil(${ENTITIES} / ${AWS_CONCURRENCY}) × ${LATENCY_MS} ms = ${ideal} ms (AWS_MAX_CONCURRENCY=${AWS_CONCURRENCY}). Subgraph: the process of A (no rate limit, no cache; with the default AWS_RATE_LIMIT_PER_SECOND=15 these 100 calls would take about 6.7 s by design). Baseline: the same ${ENTITIES} GetConnection calls with p-map at the same concurrency.`);
    say();
    table([
      ['subgraph (_entities)', sg],
      ['baseline (100 calls)', base],
    ]);
    const ratio = sg.p50 / ideal;
    say();
    say(`**subgraph wall time p50 ${f1(sg.p50)} ms = ${f2(ratio)} × ideal; baseline ${f2(base.p50 / ideal)} × ideal**`);
    verdict('C', ratio <= 1.5, `p50 ${f1(sg.p50)} ms vs ideal ${ideal} ms = ${f2(ratio)}× (target ≤ 1.5×); p99 ${f1(sg.p99)} ms`);
  }
  await subgraphA.stop();

  if (SCENARIOS.has('D')) await scenarioD(baseline, token);
  if (SCENARIOS.has('E')) await scenarioE(baseline, token);
  if (SCENARIOS.has('F')) await scenarioF();
  if (SCENARIOS.has('G')) {
    await scenarioG({
      startSubgraph, control, say, verdict, token, durationSeconds: DURATION, rounds: ROUNDS,
      quotaPerSecond: AWS_QUOTA_PER_SECOND, limitPerSecond: SUBGRAPH_RATE_LIMIT, latencyMs: LATENCY_MS,
    });
  }

  await baseline.stop();
  await emulator.stop();
  say();
  if (env['BENCH_CPU_PROF']) {
    // The profiles are named CPU.<date>.<time>.<pid>.…; their warm-ups count, so say what each served.
    say(`CPU profiles in ${env['BENCH_CPU_PROF']}; requests served (warm-ups included), for \`node dist/bench/profile-summary.js <file> --requests N\`: ${[...servedBy].map(([pid, count]) => `pid ${pid} ${count}`).join(', ')}.`);
    say();
  }
  say(`Total bench time: ${f0((Date.now() - began) / 1000)} s. Load average after the run (1, 5, 15 min): ${loadAverage()} (the bench itself keeps about 2 busy).`);
  const body = [...report.lines, '', '## Targets', '', ...report.verdicts, ''].join('\n');
  writeFileSync(OUTPUT, body);
  process.stdout.write(`\nwrote ${OUTPUT}\n`);
}

async function scenarioD(baseline: Proc, token: string): Promise<void> {
  await control(`/latency?ms=${LATENCY_MS}`);
  // The SDK backs off before retrying a throttled call: wait for the retries of one round to land in it.
  const hot: Load = { connections: CONNECTIONS, body: () => connectionBody(HOT_ID), settleMs: 2_500 };
  const cacheTtl = '1';
  say();
  say(`## D. A hot connection: ${CONNECTIONS} connections read one id, emulator latency ${LATENCY_MS} ms`);
  say();
  say(`The emulator enforces AWS's quota of ${AWS_QUOTA_PER_SECOND} calls/s per operation (ThrottlingException beyond, as DataZone does); the subgraph keeps its default client-side limit of ${SUBGRAPH_RATE_LIMIT} calls/s. Only answers without errors count as ok.`);
  await control(`/quota?perSecond=${AWS_QUOTA_PER_SECOND}`);

  const cached = await startSubgraph('subgraph-cache', { CACHE_TTL_SECONDS: cacheTtl, AWS_RATE_LIMIT_PER_SECOND: String(SUBGRAPH_RATE_LIMIT) });
  const withCache = await alternate(cached, baseline, hot, hot, token);
  const uncached = await startSubgraph('subgraph-coalesce', { CACHE_TTL_SECONDS: '0', AWS_RATE_LIMIT_PER_SECOND: String(SUBGRAPH_RATE_LIMIT) });
  const coalescing = await alternate(uncached, undefined, hot, hot, token);
  await uncached.stop();

  const sg = summarize(withCache.subgraph.rounds);
  const base = summarize(withCache.baseline!.rounds);
  const co = summarize(coalescing.subgraph.rounds);
  const quotaNote = (summary: ReturnType<typeof summarize>) =>
    `ok ${f0(summary.okRps)}/s; AWS ${f1(summary.callsPerSecond)} calls/s accepted, max ${summary.maxPerSecond} in any 1 s; ${summary.throttled} throttled`;
  say();
  say(`### D1. With AWS's quota`);
  say();
  table(
    [
      [`subgraph, CACHE_TTL_SECONDS=${cacheTtl}`, sg],
      ['subgraph, cache off (coalescing only)', co],
      ['baseline', base],
    ],
    quotaNote,
  );
  const ratio = sg.okRps / base.okRps;
  say();
  say(`**cache on: subgraph ÷ baseline ok req/s = ${f2(ratio)}; AWS saw at most ${sg.maxPerSecond} calls in any second (limit ${SUBGRAPH_RATE_LIMIT}). Cache off: ${f0(co.requests)} requests cost ${co.awsCalls} AWS calls (${f1(co.requests / Math.max(1, co.awsCalls))} requests per call), at most ${co.maxPerSecond} in any second.**`);
  verdict('D cache', ratio >= 5 && sg.maxPerSecond <= SUBGRAPH_RATE_LIMIT, `ok req/s ${f0(sg.okRps)} vs baseline ${f0(base.okRps)} = ${f2(ratio)}× (target ≥ 5×), AWS max ${sg.maxPerSecond} calls in any 1 s (limit ${SUBGRAPH_RATE_LIMIT}), ${sg.throttled} throttled`);
  verdict(
    'D coalescing',
    co.minGapMs >= LATENCY_MS && co.maxPerSecond <= SUBGRAPH_RATE_LIMIT && co.throttled === 0 && co.ok === co.requests,
    `cache off: ${co.requests} reads of one id by ${CONNECTIONS} concurrent connections cost ${co.awsCalls} AWS calls; never two in flight at once (shortest gap between two calls ${f0(co.minGapMs)} ms ≥ the ${LATENCY_MS} ms a call takes); max ${co.maxPerSecond} in any 1 s (limit ${SUBGRAPH_RATE_LIMIT}); ${co.throttled} throttled, ${co.requests - co.ok} failed`,
  );

  // The same comparison without AWS's quota: what the baseline does when nothing stops it.
  await control('/quota?perSecond=0');
  const raw = await alternate(cached, baseline, hot, hot, token);
  await cached.stop();
  const rawSg = summarize(raw.subgraph.rounds);
  const rawBase = summarize(raw.baseline!.rounds);
  say();
  say(`### D2. Without a quota (the baseline is not throttled)`);
  say();
  table(
    [
      [`subgraph, CACHE_TTL_SECONDS=${cacheTtl}`, rawSg],
      ['baseline', rawBase],
    ],
    quotaNote,
  );
  say();
  say(`**subgraph ÷ baseline req/s = ${f2(rawSg.okRps / rawBase.okRps)} while the baseline made ${f0(rawBase.callsPerSecond)} AWS calls/s (AWS would throttle above ${AWS_QUOTA_PER_SECOND}) and the subgraph ${f1(rawSg.callsPerSecond)}.**`);
}

async function scenarioE(baseline: Proc, token: string): Promise<void> {
  await control('/latency?ms=0');
  const step = Math.round(E_REQUESTS / 5);
  const checkpoints = [1, 2, 3, 4, 5].map((part) => (part === 5 ? E_REQUESTS : part * step));
  say();
  say(`## E. ${E_REQUESTS} requests, ${CONNECTIONS} connections, emulator latency 0 ms: RSS at ${step} and at ${E_REQUESTS}`);
  say();
  say(`A fresh subgraph process (no rate limit, no cache, as in A); RSS read from /proc at each checkpoint (median of ten readings over one second once the load has paused; no warm-up beyond the first ${step} requests). The target compares ${step} with ${E_REQUESTS}; the checkpoints between show the trend.`);
  say();
  say(`| side | ${checkpoints.map((count) => `RSS at ${count} MiB`).join(' | ')} | growth ${step} → ${E_REQUESTS} | peak RSS MiB | req/s |`);
  say(`|---|${checkpoints.map(() => '---|').join('')}---|---|---|`);
  const subgraph = await startSubgraph('subgraph-e', { AWS_RATE_LIMIT_PER_SECOND: '0', CACHE_TTL_SECONDS: '0' });
  const growth: Record<string, number> = {};
  for (const side of [subgraph, baseline]) {
    const load: Load = { connections: CONNECTIONS, body: rotatingConnectionBody };
    const readings: number[] = [];
    let done = 0;
    let seconds = 0;
    let peak = 0;
    for (const checkpoint of checkpoints) {
      const part = await drive(side, { ...load, amount: checkpoint - done }, token);
      done = checkpoint;
      seconds += part.seconds;
      peak = Math.max(peak, part.peakRssMiB);
      readings.push(await settledRssMiB(side.pid));
    }
    const first = readings[0] as number;
    const last = readings.at(-1) as number;
    growth[side.name] = last / first - 1;
    say(`| ${side.name === 'subgraph-e' ? 'subgraph' : side.name} | ${readings.map(f1).join(' | ')} | ${(100 * (last / first - 1)).toFixed(1)} % | ${f1(peak)} | ${f0(E_REQUESTS / seconds)} |`);
  }
  await subgraph.stop();
  const subgraphGrowth = growth['subgraph-e'] as number;
  verdict('E', subgraphGrowth < 0.1, `subgraph RSS growth ${(100 * subgraphGrowth).toFixed(1)} % from ${step} to ${E_REQUESTS} requests (target < 10 %)`);
}

/** The connections F's victim reads, in rotation: never among the flooder's ids. */
const VICTIM_IDS = BENCH_IDS.slice(-100);
/** Starts the flood this long before the victim's first read, so that the victim meets a full queue. */
const FLOOD_LEAD_SECONDS = 3;

/**
 * F (fairness): one caller floods, another reads one connection at a time. The flooder's every
 * request is `_entities` with three ids no one ever asked for (each costs an AWS call; they do not
 * exist, as an attacker's would not); the victim reads existing connections the flood never
 * touches, with the cache off, so each of its reads is an AWS call too and no flood call can
 * answer it.
 */
async function scenarioF(): Promise<void> {
  await control(`/latency?ms=${LATENCY_MS}`);
  await control(`/quota?perSecond=${AWS_QUOTA_PER_SECOND}`);
  const [flooderToken, victimToken] = await Promise.all([
    mintDemoToken(BENCH_JWT_SECRET, 'bench-flooder', [READ_SCOPE]),
    mintDemoToken(BENCH_JWT_SECRET, 'bench-victim', [READ_SCOPE]),
  ]);
  say();
  say(`## F. Fairness: one caller floods, another reads one connection at a time, emulator latency ${LATENCY_MS} ms`);
  say();
  say(`A fresh subgraph per flood with the default client-side limit of ${SUBGRAPH_RATE_LIMIT} calls/s per operation and AWS_RATE_LIMIT_MAX_WAIT_MS at its default, cache off; the emulator enforces AWS's quota of ${AWS_QUOTA_PER_SECOND} calls/s. The flooder (its own token) keeps N requests in flight, each \`_entities\` with three ids never asked for before (every one an AWS call, answered NOT_FOUND). ${FLOOD_LEAD_SECONDS} s into the flood, the victim (another token) reads one connection at a time for ${F_SECONDS} s, each read a different existing connection, none of the flooder's. Victim latency: autocannon's percentiles over its reads; a failure is any answer with an error. AWS calls come from the emulator's log over the flood's ${F_SECONDS + FLOOD_LEAD_SECONDS} s: the victim's are its reads (one call each), the flooder's the rest. Refused: the flooder's calls refused at once as THROTTLED (over its share), counted in its answers.`);
  say();
  say('| flood (concurrent requests) | victim reads | victim failures | victim p50 ms | victim p99 ms | victim max ms | victim AWS calls/s | flooder AWS calls/s | flooder calls refused | AWS calls/s in all | max in any 1 s | AWS throttled |');
  say('|---|---|---|---|---|---|---|---|---|---|---|---|');
  const results: Array<{ flood: number; failures: number; p99: number; flooderPerSecond: number }> = [];
  for (const flood of F_FLOODS) {
    const subgraph = await startSubgraph(`subgraph-f${flood}`, { CACHE_TTL_SECONDS: '0', AWS_RATE_LIMIT_PER_SECOND: String(SUBGRAPH_RATE_LIMIT) });
    const before = await control('/calls');
    let floodSequence = 0;
    let refused = 0;
    const flooding = autocannon({
      url: subgraph.url,
      method: 'POST',
      connections: flood,
      duration: F_SECONDS + FLOOD_LEAD_SECONDS,
      timeout: 30,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${flooderToken}` },
      requests: [
        {
          setupRequest: (request) => {
            const sequence = floodSequence++;
            const representations = [0, 1, 2].map((index) => ({ __typename: 'DataZoneConnection', domainId: BENCH_DOMAIN, connectionId: `flood-${flood}-${sequence}-${index}` }));
            return { ...request, body: post(ENTITIES_QUERY, { representations }) };
          },
          onResponse: (_status, body) => {
            refused += body.split('"code":"THROTTLED"').length - 1;
          },
        },
      ],
    });
    await new Promise((resolve) => setTimeout(resolve, FLOOD_LEAD_SECONDS * 1000));
    let victimSequence = 0;
    let victimOk = 0;
    const victim = await autocannon({
      url: subgraph.url,
      method: 'POST',
      connections: 1,
      duration: F_SECONDS,
      timeout: 30,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${victimToken}` },
      requests: [
        {
          setupRequest: (request) => ({ ...request, body: connectionBody(VICTIM_IDS[victimSequence++ % VICTIM_IDS.length] as string) }),
          onResponse: (status, body) => {
            if (status === 200 && noErrors(body)) victimOk += 1;
          },
        },
      ],
    });
    const flooded = await flooding;
    // Counted as the flood ends: the calls still queued for its cut-off requests go with the subgraph process.
    const after = await control(`/calls?from=${before['count']}&window=1`);
    await subgraph.stop();
    const floodSeconds = flooded.duration;
    const victimReads = victim.requests.total;
    const failures = victimReads - victimOk + victim.errors + victim.timeouts;
    const accepted = (after['calls'] as number) - (after['throttled'] as number);
    const flooderPerSecond = (accepted - victimOk) / floodSeconds;
    results.push({ flood, failures, p99: victim.latency.p99, flooderPerSecond });
    say(
      `| ${flood} | ${victimReads} | ${failures} | ${f1(victim.latency.p50)} | ${f1(victim.latency.p99)} | ${f1(victim.latency.max)} | ${f1(victimOk / victim.duration)} | ${f1(flooderPerSecond)} | ${refused} | ${f1(accepted / floodSeconds)} | ${after['maxPerSecond']} | ${after['throttled']} |`,
    );
  }
  await control('/quota?perSecond=0');
  for (const result of results) {
    verdict(
      `F (${result.flood})`,
      result.failures === 0 && result.p99 < 1_000 && result.flooderPerSecond >= SUBGRAPH_RATE_LIMIT / 2,
      `victim: ${result.failures} failures, p99 ${f0(result.p99)} ms (targets: none, < 1000 ms); flooder still got ${f1(result.flooderPerSecond)} AWS calls/s (target: at least its half of ${SUBGRAPH_RATE_LIMIT}/s)`,
    );
  }
}

async function checkSameAnswers(subgraph: Proc, baseline: Proc, token: string): Promise<void> {
  const ask = async (target: Proc, body: string) => {
    const response = await fetch(target.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
    return JSON.stringify(await response.json());
  };
  for (const body of [connectionBody(BENCH_IDS[0] as string), connectionBody(HOT_ID), entitiesBody(3)]) {
    const [fromSubgraph, fromBaseline] = await Promise.all([ask(subgraph, body), ask(baseline, body)]);
    if (fromSubgraph !== fromBaseline) {
      throw new Error(`subgraph and baseline answer differently:\n subgraph:  ${fromSubgraph.slice(0, 400)}\n baseline: ${fromBaseline.slice(0, 400)}`);
    }
  }
  say();
  say(`Sanity check: for the same request bodies, subgraph and baseline returned the same JSON (compared after parsing, in key order).`);
}

function commandLine(): string {
  const knobs = Object.entries(env)
    .filter(([name]) => name.startsWith('BENCH_'))
    .map(([name, value]) => `${name}=${value}`);
  return [...knobs, 'npm run bench'].join(' ');
}

main()
  .then(() => {
    clearTimeout(watchdog);
    process.exit(0);
  })
  .catch((error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    killChildren();
    process.exit(1);
  });
