/**
 * `npm run bench:layers`: where the subgraph's CPU per request goes, one layer at a time, in one
 * process, against the benchmark's emulator (its own process, 0 ms latency). Each layer does the
 * work of the layer it is measured against (the one above it, unless said otherwise) plus its own:
 *
 *   sdk        GetConnection through the shared client, projected to the answer's JSON: what the
 *              baseline of `npm run bench` does between reading a request and writing a response
 *   loaders    the same read through a fresh request context (caller, per-request DataLoaders,
 *              shared reads, the call scope with its AbortSignal)
 *   graphql    scenario A's document with that context, run by the query graphql-jit compiled for
 *              the fast path (src/server/accelerator/executor.ts), answer serialized
 *   fast path  the subgraph's fast path (src/server/accelerator/fast-path.ts) with the request's parsed body: plan
 *              lookup, cache-control, context, the compiled query, the answer's JSON
 *   apollo     Apollo Server's `executeHTTPGraphQLRequest` with the subgraph's plugins, as the HTTP
 *              layer calls it for a request the fast path leaves to it, answer serialized (measured
 *              against `graphql`)
 *   subgraph over HTTP   the subgraph's own HTTP server (`startSubgraph`: node:http, request id,
 *              deadline, the request's log line) around the fast path
 *   baseline over HTTP  the baseline's node:http handler (bench/baseline-handler.ts) around `sdk`
 *
 * The two HTTP layers are driven by autocannon in a child process (bench/layers-load.ts), so the
 * load generator's CPU is not counted; their ratio is this process's estimate of scenario A's
 * req/s ratio, for two sides that are both limited by one core.
 *
 * Every layer runs 32 operations at a time over scenario A's 1000 ids in rotation, so nothing is
 * shared between operations. CPU is this process's user + system time (process.cpuUsage) per
 * operation. Other work on a shared machine still slows every layer in bursts, so the layers take
 * turns in many short rounds and each layer's figure is the median of its rounds.
 *
 *   BENCH_LAYERS_OPS      operations per layer and round (default 2000)
 *   BENCH_LAYERS_ROUNDS   rounds (default 20)
 *   BENCH_LAYERS          the layers to run, comma-separated (default: all seven; one alone for a CPU profile of it)
 *   BENCH_OUTPUT          where the Markdown report goes (default bench/layers.md)
 */
import { HeaderMap } from '@apollo/server';
import { GetConnectionCommand } from '@aws-sdk/client-datazone';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import pino from 'pino';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { RequestAbort } from '../src/aws/call.js';
import { createAwsClients } from '../src/aws/clients.js';
import { loadConfig } from '../src/config/config.js';
import { emulatorSdkEnvironment } from '../tools/emulator/index.js';
import { createSubgraphCore, startSubgraph } from '../src/server/app.js';
import { createLogger } from '../src/server/logger.js';
import { createBaselineHandler } from './baseline-handler.js';
import { nodeArguments, startProcess } from './processes.js';
import { BENCH_DOMAIN, BENCH_IDS, CONNECTION_QUERY, projectConnection } from './shared.js';
import { BENCH_JWT_SECRET, benchReaderToken } from './token.js';

const num = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};
const OPS = Math.round(num('BENCH_LAYERS_OPS', 2_000));
const ROUNDS = Math.round(num('BENCH_LAYERS_ROUNDS', 20));
const CONCURRENCY = 32;
const OUTPUT = process.env['BENCH_OUTPUT'] ?? 'bench/layers.md';

const emulator = await startProcess('emulator', 'bench/emulator-process.ts', {}, (line) => (typeof line['emulator'] === 'string' ? line['emulator'] : undefined));
try {
  Object.assign(process.env, emulatorSdkEnvironment(emulator.url));
  const config = loadConfig({ ...process.env, AUTH_JWT_SECRET: BENCH_JWT_SECRET, AWS_RATE_LIMIT_PER_SECOND: '0', NODE_ENV: 'production' });
  const logger = createLogger('warn');
  const clients = createAwsClients(config);
  const core = await createSubgraphCore(config, logger, clients);
  const authorization = `Bearer ${await benchReaderToken()}`;
  // The HTTP sides: the subgraph as `npm start` serves it (its request log line at info, written
  // to /dev/null), and the baseline's handler, both on this process's clients.
  const subgraph = await startSubgraph({ ...config, port: 0, host: '127.0.0.1' }, { clients, logger: createLogger('info', pino.destination({ dest: '/dev/null', sync: true }) as unknown as NodeJS.WritableStream) });
  const baselineServer = createServer(createBaselineHandler(clients.datazone, config.aws.maxConcurrency));
  await new Promise<void>((resolve) => baselineServer.listen(0, '127.0.0.1', resolve));
  const baselineUrl = `http://127.0.0.1:${(baselineServer.address() as AddressInfo).port}/graphql`;
  const load = spawn(process.execPath, nodeArguments('bench/layers-load.ts'), { stdio: ['pipe', 'pipe', 'inherit'] });
  const replies = createInterface({ input: load.stdout })[Symbol.asyncIterator]();
  /** `count` requests to `url` from the child process; every one must be answered without errors. */
  const drive = async (url: string, count: number): Promise<void> => {
    load.stdin.write(`${JSON.stringify({ url, count, authorization })}\n`);
    const reply = await replies.next();
    const { requests, ok } = JSON.parse(String(reply.value)) as { requests: number; ok: number };
    if (requests !== count || ok !== count) throw new Error(`${url}: ${ok} of ${requests} requests answered without errors, ${count} sent`);
  };

  let sequence = 0;
  const nextVariables = () => ({ domainIdentifier: BENCH_DOMAIN, identifier: BENCH_IDS[sequence++ % BENCH_IDS.length] as string });
  const scope = () => ({ requestId: `layers-${sequence}`, signal: new RequestAbort().signal, log: { operationName: null, errorCodes: {} } });

  /** Runs `op` `count` times, CONCURRENCY at a time. */
  const inProcess = (op: () => Promise<string>) => async (count: number) => {
    let started = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (started < count) {
          started += 1;
          const answer = await op();
          // A layer that answered with an error measures the wrong work.
          if (answer.includes('"errors"') || !answer.includes('"athena-bench-')) throw new Error(`unexpected answer: ${answer.slice(0, 300)}`);
        }
      }),
    );
  };

  // Apollo Server runs scenario A's document until the executor compiles it and registers it for
  // the fast path (GRAPHQL_JIT_AFTER executions), in this process's core and in the HTTP subgraph.
  const apolloOp = async () => {
    const headers = new HeaderMap([
      ['content-type', 'application/json'],
      ['authorization', authorization],
    ]);
    const result = await core.apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: 'POST', headers, search: '', body: { query: CONNECTION_QUERY, variables: nextVariables() } },
      context: () => core.createContext(authorization, scope()),
    });
    if (result.body.kind !== 'complete') throw new Error('expected a complete body');
    return result.body.string;
  };
  for (let run = 0; run < Math.max(1, config.jitAfter); run += 1) await apolloOp();
  await drive(subgraph.url, CONCURRENCY * 2);
  const fastPath = core.fastPath;
  if (!fastPath) throw new Error('the accelerator is off (GRAPHQL_JIT_AFTER=0): there is no fast path to measure');
  const plan = fastPath.plan(CONNECTION_QUERY);
  if (!plan) throw new Error("scenario A's document was not registered for the fast path");

  const ops: Array<[name: string, op: () => Promise<string>, over?: string]> = [
    [
      'sdk',
      async () => {
        const { domainIdentifier, identifier } = nextVariables();
        return JSON.stringify({ data: { dataZoneConnection: projectConnection(await clients.datazone.send(new GetConnectionCommand({ domainIdentifier, identifier }))) } });
      },
    ],
    [
      'loaders',
      async () => {
        const { domainIdentifier, identifier } = nextVariables();
        const context = await core.createContext(authorization, scope());
        return JSON.stringify({ data: { dataZoneConnection: projectConnection(await context.loaders.connection.load({ domainIdentifier, identifier, withSecret: false })) } });
      },
    ],
    [
      'graphql',
      async () => {
        const contextValue = await core.createContext(authorization, scope());
        return JSON.stringify(await plan.compiled.query(undefined, contextValue, nextVariables()));
      },
    ],
    [
      'fast path',
      async () => {
        const outcome = await fastPath.serve({ body: { query: CONNECTION_QUERY, variables: nextVariables() }, accept: undefined, traceHeader: undefined }, () =>
          core.createContext(authorization, scope()),
        );
        if (outcome.kind !== 'served') throw new Error('the fast path left a request of scenario A to Apollo Server');
        return outcome.body;
      },
    ],
    ['apollo', apolloOp, 'graphql'],
  ];

  /** Each layer, how to run it `count` times, and the layer its "added" figure is measured against. */
  const allLayers: Array<{ name: string; run: (count: number) => Promise<void>; over?: string }> = [
    ...ops.map(([name, op, over], index) => ({ name, run: inProcess(op), over: over ?? ops[index - 1]?.[0] })),
    { name: 'subgraph over HTTP', run: (count: number) => drive(subgraph.url, count), over: 'fast path' },
    { name: 'baseline over HTTP', run: (count: number) => drive(baselineUrl, count), over: 'sdk' },
  ];
  const only = process.env['BENCH_LAYERS']?.split(',').map((name) => name.trim());
  const layers = only ? allLayers.filter((layer) => only.includes(layer.name)) : allLayers;
  if (layers.length === 0) throw new Error(`BENCH_LAYERS names none of ${allLayers.map((layer) => layer.name).join(', ')}`);

  /** CPU µs per operation of `count` runs of `layer`. */
  async function measure(layer: (typeof allLayers)[number], count: number): Promise<number> {
    const cpu = process.cpuUsage();
    await layer.run(count);
    const used = process.cpuUsage(cpu);
    return (used.user + used.system) / count;
  }

  for (const layer of layers) await measure(layer, 5_000);
  const results = new Map<string, number[]>(layers.map((layer) => [layer.name, []]));
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const layer of layers) results.get(layer.name)?.push(await measure(layer, OPS));
  }
  load.stdin.end();
  baselineServer.close();
  baselineServer.closeAllConnections();
  await subgraph.close(1_000);
  await core.apollo.stop();
  clients.datazone.destroy();
  clients.quicksight.destroy();

  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
  const lines = [
    '# Per-layer CPU of one request',
    '',
    `Command: \`npm run bench:layers\` (${OPS} operations per layer and round, ${ROUNDS} rounds, ${CONCURRENCY} at a time, layers alternating).`,
    '',
    `Machine: ${os.availableParallelism()} CPUs (${os.cpus()[0]?.model.trim() ?? 'unknown'}), Node ${process.version}. Date: ${new Date().toISOString()}.`,
    '',
    "CPU is this process's user + system time per operation (request); the emulator and the HTTP layers' load generator run in their own processes. Each layer includes the one it is measured against (see `bench/layers.ts`).",
    '',
    '| layer | CPU µs/op (median of rounds) | middle half of rounds | added by this layer |',
    '|---|---|---|---|',
  ];
  const medians = new Map([...results].map(([name, values]) => [name, median(values)]));
  for (const layer of layers) {
    const values = [...(results.get(layer.name) ?? [])].sort((a, b) => a - b);
    const mid = medians.get(layer.name) as number;
    const quartiles = `${(values[Math.floor(values.length / 4)] as number).toFixed(1)} – ${(values[Math.floor((3 * values.length) / 4)] as number).toFixed(1)}`;
    const under = layer.over === undefined ? undefined : medians.get(layer.over);
    const added = under === undefined ? '' : `${mid - under >= 0 ? '+' : ''}${(mid - under).toFixed(1)} over ${layer.over}`;
    lines.push(`| ${layer.name} | ${mid.toFixed(1)} | ${quartiles} | ${added} |`);
  }
  const subgraphHttp = medians.get('subgraph over HTTP');
  const baselineHttp = medians.get('baseline over HTTP');
  if (subgraphHttp !== undefined && baselineHttp !== undefined) {
    lines.push('', `**baseline ÷ subgraph CPU per request over HTTP = ${(baselineHttp / subgraphHttp).toFixed(2)}** (scenario A's req/s ratio if both sides are limited by one core; its target is ≥ 0.9).`);
  }
  const report = `${lines.join('\n')}\n`;
  writeFileSync(OUTPUT, report);
  process.stdout.write(report);
} finally {
  await emulator.stop();
}
