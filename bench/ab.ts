/**
 * `npm run bench:ab`: two builds of the subgraph side by side, with the baseline of `npm run bench` as the
 * yardstick, under scenario A's load (one connection per request, 32 connections, 1000 ids in
 * rotation), in front of one emulator. The three servers take turns in many short rounds (the
 * order flips every round), for each emulator latency; every request must be answered without
 * errors. Each subgraph is `src/server/main.ts` of a built checkout, run with the Node options of
 * that checkout's `npm start` and its own extra environment, so one run compares two commits, or
 * two configurations of one:
 *
 *   BENCH_AB_A_DIR / BENCH_AB_B_DIR   a checkout whose `dist/` the side runs (default: this one)
 *   BENCH_AB_A_ENV / BENCH_AB_B_ENV   the side's extra environment, as a JSON object (default {})
 *   BENCH_AB_ROUNDS                   measured rounds (default 12), after one warm-up round each
 *   BENCH_AB_SECONDS                  seconds per round (default 4)
 *   BENCH_A_LATENCIES                 emulator latencies in ms (default "0,20")
 *   BENCH_OUTPUT                      also write the report there (Markdown)
 *
 * A side's environment value `otlp-sink` is replaced by the URL of an OTLP/HTTP receiver the
 * benchmark starts in its own process (bench/otlp-sink-process.ts), so that a side can export its
 * traces to a real receiver: BENCH_AB_B_ENV='{"OTEL_EXPORTER_OTLP_ENDPOINT":"otlp-sink"}'.
 *
 * For example, the commit before against the working tree:
 *
 *   git worktree add ../before HEAD~1 && (cd ../before && npm ci --ignore-scripts && npm run build)
 *   BENCH_AB_A_DIR=../before npm run bench:ab
 *
 * and graphql-js against graphql-jit in one build:
 *
 *   BENCH_AB_A_ENV='{"GRAPHQL_JIT_AFTER":"0"}' npm run bench:ab
 *
 * A single round's ratio moves by ±15 % on the shared 2-core machine; the figures to read are the
 * CPU per request over all rounds and the median of the rounds' ratios.
 */
import autocannon from 'autocannon';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { emulatorSdkEnvironment } from '../tools/emulator/sdk-environment.js';
import { type Proc, cpuMs, startProcess, startScriptNodeOptions } from './processes.js';
import { rotatingConnectionBody } from './shared.js';
import { BENCH_JWT_SECRET, benchReaderToken } from './token.js';

const env = process.env;
const CONNECTIONS = 32;
const count = (name: string, fallback: number): number => {
  const value = Number(env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  return value;
};
const ROUNDS = count('BENCH_AB_ROUNDS', 12);
const SECONDS = count('BENCH_AB_SECONDS', 4);
const LATENCIES = (env['BENCH_A_LATENCIES'] ?? '0,20').split(',').map(Number).filter((ms) => Number.isFinite(ms) && ms >= 0);

/** The checkout's commit, and whether its working tree differs from it. */
function commitOf(dir: string): string {
  try {
    const commit = execFileSync('git', ['-C', dir, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const changed = execFileSync('git', ['-C', dir, 'status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim() !== '';
    return `commit ${commit}${changed ? ' with uncommitted changes' : ''}`;
  } catch {
    return 'not a git checkout';
  }
}

interface SideSpec {
  label: string;
  checkout: string | undefined;
  extraEnv: Record<string, string>;
}

function sideSpec(letter: 'A' | 'B'): SideSpec {
  const dir = env[`BENCH_AB_${letter}_DIR`];
  const rawEnv = env[`BENCH_AB_${letter}_ENV`] ?? '{}';
  const extraEnv = JSON.parse(rawEnv) as unknown;
  if (typeof extraEnv !== 'object' || extraEnv === null || Array.isArray(extraEnv) || Object.values(extraEnv).some((value) => typeof value !== 'string')) {
    throw new Error(`BENCH_AB_${letter}_ENV must be a JSON object of strings`);
  }
  const where = `${dir === undefined ? 'this checkout' : path.resolve(dir)} (${commitOf(dir ?? '.')})`;
  const settings = Object.entries(extraEnv as Record<string, string>).map(([name, value]) => `${name}=${value}`);
  return { label: `${letter}: ${[where, ...settings].join(', ')}`, checkout: dir, extraEnv: extraEnv as Record<string, string> };
}

interface Round {
  rps: number;
  cpuMsPerRequest: number;
}

const token = await benchReaderToken();

async function drive(target: Proc, seconds: number): Promise<Round> {
  let sequence = 0;
  let failed = 0;
  const cpuBefore = cpuMs(target.pid);
  const result = await autocannon({
    url: target.url,
    method: 'POST',
    connections: CONNECTIONS,
    duration: seconds,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    requests: [
      {
        setupRequest: (request) => ({ ...request, body: rotatingConnectionBody(sequence++) }),
        onResponse: (status, body) => {
          if (status !== 200 || body.includes('"errors"')) failed += 1;
        },
      },
    ],
  });
  const requests = result.requests.total;
  if (failed > 0 || result.errors > 0 || requests === 0) throw new Error(`${target.name}: ${failed} answers with errors, ${result.errors} failed connections, ${requests} requests`);
  return { rps: requests / result.duration, cpuMsPerRequest: (cpuMs(target.pid) - cpuBefore) / requests };
}

const lines: string[] = [];
const say = (line = '') => {
  lines.push(line);
  process.stdout.write(`${line}\n`);
};
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};
const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

let controlUrl = '';
const emulator = await startProcess('emulator', 'bench/emulator-process.ts', {}, (line) => {
  if (typeof line['emulator'] !== 'string') return undefined;
  controlUrl = line['control'] as string;
  return line['emulator'];
});
const awsEnv = { ...emulatorSdkEnvironment(emulator.url), AWS_MAX_CONCURRENCY: '16' };
const specs = [sideSpec('A'), sideSpec('B')];
const OTLP_SINK = 'otlp-sink';
let sink: Proc | undefined;
if (specs.some((spec) => Object.values(spec.extraEnv).includes(OTLP_SINK))) {
  sink = await startProcess('otlp-sink', 'bench/otlp-sink-process.ts', {}, (line) => (typeof line['otlp'] === 'string' ? line['otlp'] : undefined));
  for (const spec of specs) for (const [name, value] of Object.entries(spec.extraEnv)) if (value === OTLP_SINK) spec.extraEnv[name] = sink.url;
}
const subgraphs = await Promise.all(
  specs.map((spec, index) =>
    startProcess(
      index === 0 ? 'A' : 'B',
      'src/server/main.ts',
      // As scenario A of `npm run bench` runs the subgraph; each side's own settings last.
      { ...awsEnv, PORT: '0', HOST: '127.0.0.1', NODE_ENV: 'production', LOG_LEVEL: 'info', AUTH_JWT_SECRET: BENCH_JWT_SECRET, AWS_RATE_LIMIT_PER_SECOND: '0', CACHE_TTL_SECONDS: '0', ...spec.extraEnv },
      (line) => (line['msg'] === 'AWS connections subgraph ready' && typeof line['url'] === 'string' ? line['url'] : undefined),
      // With the Node options of that checkout's `npm start`.
      startScriptNodeOptions(spec.checkout),
      spec.checkout,
    ),
  ),
);
const baseline = await startProcess('baseline', 'bench/baseline.ts', awsEnv, (line) => (typeof line['url'] === 'string' ? line['url'] : undefined));
const servers = [...subgraphs, baseline];

say('# Two builds of the subgraph side by side (scenario A)');
say();
say(`Command: \`npm run bench:ab\` (${ROUNDS} rounds of ${SECONDS} s per server and latency, after a warm-up round each; the order of the three servers flips every round).`);
say();
say(`Machine: ${os.availableParallelism()} CPUs (${os.cpus()[0]?.model.trim() ?? 'unknown'}), Node ${process.version}. Date: ${new Date().toISOString()}.`);
say();
for (const spec of specs) say(`- ${spec.label}`);
say('- baseline: bench/baseline.ts of this checkout');

for (const latency of LATENCIES) {
  await fetch(`${controlUrl}/latency?ms=${latency}`);
  for (const server of servers) await drive(server, Math.min(3, SECONDS));
  const rounds = new Map<string, Round[]>(servers.map((server) => [server.name, []]));
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const server of round % 2 === 0 ? servers : [...servers].reverse()) rounds.get(server.name)?.push(await drive(server, SECONDS));
  }
  const of = (name: string) => rounds.get(name) as Round[];
  const baselineRps = mean(of('baseline').map((round) => round.rps));
  say();
  say(`## Emulator latency ${latency} ms`);
  say();
  say('| server | req/s (mean of rounds) | ÷ baseline | CPU ms/request (mean of rounds) |');
  say('|---|---|---|---|');
  for (const server of servers) {
    const rps = mean(of(server.name).map((round) => round.rps));
    say(`| ${server.name} | ${rps.toFixed(0)} | ${(rps / baselineRps).toFixed(3)} | ${mean(of(server.name).map((round) => round.cpuMsPerRequest)).toFixed(3)} |`);
  }
  const rpsRatios = of('B').map((round, index) => round.rps / (of('A')[index] as Round).rps);
  const cpuRatios = of('B').map((round, index) => round.cpuMsPerRequest / (of('A')[index] as Round).cpuMsPerRequest);
  say();
  say(`B ÷ A per round, req/s: ${rpsRatios.map((ratio) => ratio.toFixed(2)).join(', ')} (median **${median(rpsRatios).toFixed(3)}**)`);
  say(`B ÷ A per round, CPU per request: ${cpuRatios.map((ratio) => ratio.toFixed(2)).join(', ')} (median **${median(cpuRatios).toFixed(3)}**)`);
}
if (sink !== undefined) {
  // Proof that the side exported for real: what the receiver got.
  const received = (await (await fetch(`${sink.url}/stats`)).json()) as { exports: number; bytes: number };
  say();
  say(`OTLP receiver: ${received.exports} export requests, ${(received.bytes / 1e6).toFixed(1)} MB received.`);
  await sink.stop();
}
await Promise.all(servers.map((server) => server.stop()));
await emulator.stop();
if (env['BENCH_OUTPUT']) writeFileSync(env['BENCH_OUTPUT'], `${lines.join('\n')}\n`);
process.exit(0);
