/**
 * `npm run bench:layers`: where the gateway's CPU per request goes, one layer at a time, in one
 * process, against the benchmark's emulator (its own process, 0 ms latency). Each layer does the
 * work of the one before it plus its own:
 *
 *   sdk        GetConnection through the shared client, projected to the answer's JSON: what the
 *              baseline of `npm run bench` does between reading a request and writing a response
 *   loaders    the same read through a fresh request context (caller, per-request DataLoaders,
 *              shared reads, the call scope with its AbortSignal)
 *   graphql    graphql-js `execute` of scenario A's document with that context (parsed once)
 *   apollo     Apollo Server's `executeHTTPGraphQLRequest` with the gateway's plugins, as the HTTP
 *              layer calls it, answer serialized
 *
 * The HTTP server around the last layer (node:http, the request id, the deadline, the log line) is
 * what scenario A of `npm run bench` adds; its "CPU ms/request" column measures the whole.
 *
 * Every layer runs 32 operations at a time over scenario A's 1000 ids in rotation, so nothing is
 * shared between operations. Layers alternate in rounds; CPU is this process's user + system time
 * (process.cpuUsage) per operation, so the figures do not depend on how busy the other core is.
 *
 *   BENCH_LAYERS_OPS      operations per layer and round (default 20000)
 *   BENCH_LAYERS_ROUNDS   rounds (default 3)
 *   BENCH_OUTPUT          where the Markdown report goes (default bench/layers.md)
 */
import { HeaderMap } from '@apollo/server';
import { GetConnectionCommand } from '@aws-sdk/client-datazone';
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { execute, parse } from 'graphql';
import { SignJWT } from 'jose';
import { RequestAbort } from '../src/aws/call.js';
import { createAwsClients } from '../src/aws/clients.js';
import { loadConfig } from '../src/config/config.js';
import { emulatorSdkEnvironment } from '../src/emulator/index.js';
import { createGatewayCore } from '../src/server/app.js';
import { createLogger } from '../src/server/logger.js';
import { BENCH_DOMAIN, BENCH_IDS, CONNECTION_QUERY, projectConnection } from './shared.js';

const num = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
};
const OPS = Math.round(num('BENCH_LAYERS_OPS', 20_000));
const ROUNDS = Math.round(num('BENCH_LAYERS_ROUNDS', 3));
const CONCURRENCY = 32;
const OUTPUT = process.env['BENCH_OUTPUT'] ?? 'bench/layers.md';
const JWT_SECRET = 'bench-only-hs256-secret-0123456789abcdef';

function startEmulator(): Promise<{ url: string; child: ChildProcess }> {
  const script = fileURLToPath(new URL('./emulator-process.js', import.meta.url));
  const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NODE_NO_WARNINGS: '1' } });
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('utf8');
      const line = buffered.split('\n').find((candidate) => candidate.startsWith('{'));
      if (line) resolve({ url: (JSON.parse(line) as { emulator: string }).emulator, child });
    });
    child.once('exit', (code) => reject(new Error(`the emulator exited with ${code} before it was ready`)));
  });
}

const emulator = await startEmulator();
try {
  Object.assign(process.env, emulatorSdkEnvironment(emulator.url));
  const config = loadConfig({ ...process.env, AUTH_JWT_SECRET: JWT_SECRET, AWS_RATE_LIMIT_PER_SECOND: '0', NODE_ENV: 'production' });
  const logger = createLogger('warn');
  const clients = createAwsClients(config);
  const core = await createGatewayCore(config, logger, clients);
  const authorization = `Bearer ${await new SignJWT({ scope: 'connections:read' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('bench')
    .setIssuedAt()
    .setExpirationTime('2h')
    .sign(new TextEncoder().encode(JWT_SECRET))}`;
  const document = parse(CONNECTION_QUERY);
  let sequence = 0;
  const nextVariables = () => ({ domainIdentifier: BENCH_DOMAIN, identifier: BENCH_IDS[sequence++ % BENCH_IDS.length] as string });
  const scope = () => ({ requestId: `layers-${sequence}`, signal: new RequestAbort().signal, log: { operationName: null, errorCodes: {} } });

  const layers: Array<[name: string, op: () => Promise<string>]> = [
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
        return JSON.stringify(await execute({ schema: core.schema, document, variableValues: nextVariables(), contextValue }));
      },
    ],
    [
      'apollo',
      async () => {
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
      },
    ],
  ];

  /** Runs `op` `count` times, CONCURRENCY at a time; returns CPU µs per operation. */
  async function measure(op: () => Promise<string>, count: number): Promise<number> {
    let started = 0;
    const cpu = process.cpuUsage();
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
    const used = process.cpuUsage(cpu);
    return (used.user + used.system) / count;
  }

  for (const [, op] of layers) await measure(op, Math.min(OPS, 5_000));
  const results = new Map<string, number[]>(layers.map(([name]) => [name, []]));
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const [name, op] of layers) results.get(name)?.push(await measure(op, OPS));
  }
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
    'CPU is this process\'s user + system time per operation; the emulator runs in its own process. Each layer includes the ones above it (see `bench/layers.ts`).',
    '',
    '| layer | CPU µs/op (median) | rounds | added by this layer |',
    '|---|---|---|---|',
  ];
  let previous: number | undefined;
  for (const [name] of layers) {
    const values = results.get(name) ?? [];
    const mid = median(values);
    lines.push(`| ${name} | ${mid.toFixed(1)} | ${values.map((value) => value.toFixed(1)).join(', ')} | ${previous === undefined ? '' : `${mid - previous >= 0 ? '+' : ''}${(mid - previous).toFixed(1)}`} |`);
    previous = mid;
  }
  const report = `${lines.join('\n')}\n`;
  writeFileSync(OUTPUT, report);
  process.stdout.write(report);
} finally {
  emulator.child.kill('SIGTERM');
}
