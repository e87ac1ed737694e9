import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_DOMAIN_ID } from '../tools/emulator/seed.js';
import { type Emulator, emulatorSdkEnvironment, startEmulator } from '../tools/emulator/index.js';
import { READ, TEST_JWT_SECRET, type Stack, mintToken, startStack } from './support/stack.js';
import { COMPILED_SERVER } from './support/compiled.js';

const slowQuery = `{ dataZoneConnection(domainIdentifier: "${DEMO_DOMAIN_ID}", identifier: "conn-athena-sales") { connectionId name } }`;

/** Polls `condition` every 10 ms for at most `timeoutMs`; fails the test if it never holds. */
async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > giveUpAt) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function post(url: string, query: string, token: string): Promise<{ status: number; body: any }> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query }),
  }).then(async (response) => ({ status: response.status, body: await response.json() }));
}

/**
 * Starts a GET /readyz on a raw socket but holds back the blank line that ends its headers: the
 * connection is busy with a request, so draining does not close it as idle. `finish()` sends the
 * rest and resolves with the status line of the answer.
 */
async function startProbe(port: number): Promise<{ finish(): Promise<string> }> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  let received = '';
  socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  socket.write('GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
  return {
    async finish() {
      socket.write('\r\n');
      await waitFor(() => received.includes('\r\n\r\n'), 'the /readyz answer');
      socket.destroy();
      return received.split('\r\n')[0]!;
    },
  };
}

describe('graceful shutdown: SubgraphServer.close(drainTimeoutMs)', () => {
  let stack: Stack | undefined;
  afterEach(async () => {
    await stack?.emulator.close();
    stack = undefined;
  });

  it('draining - the in-flight request completes with data, /readyz answers 503, new connections are refused', async () => {
    stack = await startStack();
    const token = await mintToken([READ]);
    stack.emulator.injectFault({ service: 'datazone', id: 'conn-athena-sales', kind: 'latency', latencyMs: 600 });
    const probe = await startProbe(stack.subgraph.port);
    const inFlight = post(stack.subgraph.url, slowQuery, token);
    await waitFor(() => stack!.emulator.calls.length === 1, 'the AWS call of the in-flight request');

    const closeStartedAt = Date.now();
    const closing = stack.subgraph.close(10_000);
    expect(await probe.finish()).toBe('HTTP/1.1 503 Service Unavailable');
    const refused = await fetch(`http://127.0.0.1:${stack.subgraph.port}/healthz`).then(
      () => 'accepted',
      (error: { cause?: { code?: string } }) => error.cause?.code,
    );
    expect(refused).toBe('ECONNREFUSED');

    const response = await inFlight;
    expect(response).toEqual({ status: 200, body: { data: { dataZoneConnection: { connectionId: 'conn-athena-sales', name: expect.any(String) } } } });
    await closing;
    // Done when the last request was, not at the drain bound: keep-alive connections did not hold it up.
    expect(Date.now() - closeStartedAt).toBeLessThan(3_000);
  });

  it('the drain bound - a request still running when drainTimeoutMs passes is cut off, close() returns on time', async () => {
    stack = await startStack({ env: { AWS_REQUEST_TIMEOUT_MS: '60000', REQUEST_DEADLINE_MS: '60000' } });
    const token = await mintToken([READ]);
    stack.emulator.injectFault({ service: 'datazone', id: 'conn-athena-sales', kind: 'hang' });
    const inFlight = post(stack.subgraph.url, slowQuery, token).then(
      () => 'answered',
      () => 'cut off',
    );
    await waitFor(() => stack!.emulator.calls.length === 1, 'the AWS call of the in-flight request');
    const closeStartedAt = Date.now();
    await stack.subgraph.close(300);
    const elapsedMs = Date.now() - closeStartedAt;
    expect(elapsedMs).toBeGreaterThanOrEqual(290);
    expect(elapsedMs).toBeLessThan(2_000);
    expect(await inFlight).toBe('cut off');
  });
});

describe('npm start (the compiled src/server/main.ts) as a process', () => {
  let emulator: Emulator | undefined;
  let child: ChildProcessWithoutNullStreams | undefined;
  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await emulator?.close();
    child = undefined;
    emulator = undefined;
  });

  async function startServer(extraEnv: Record<string, string> = {}, preload: string[] = []) {
    emulator = await startEmulator({ port: 0 });
    const env = {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      AUTH_JWT_SECRET: TEST_JWT_SECRET,
      ...emulatorSdkEnvironment(emulator.url),
      LOG_LEVEL: 'info',
      ...extraEnv,
    };
    // A preloaded test hook is TypeScript: tsx loads it (and only it, the server is plain JS).
    const loader = preload.length > 0 ? ['--import', 'tsx', ...preload.flatMap((file) => ['--import', file])] : [];
    const started = spawn(process.execPath, [...loader, COMPILED_SERVER], { env });
    child = started;
    const output = { stdout: '', stderr: '' };
    started.stdout.on('data', (chunk: Buffer) => (output.stdout += chunk.toString('utf8')));
    started.stderr.on('data', (chunk: Buffer) => (output.stderr += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => started.once('exit', (code) => resolve(code)));
    await waitFor(() => output.stdout.includes('AWS connections subgraph ready') || started.exitCode !== null, 'the server to start', 20_000);
    const ready = output.stdout.split('\n').find((line) => line.includes('AWS connections subgraph ready'));
    if (!ready) throw new Error(`npm start did not start: ${output.stderr}`);
    const url = JSON.parse(ready).url as string;
    return { url, output, exited, process: started };
  }

  it('SIGTERM - drains: the in-flight request completes with data, then the process exits 0', async () => {
    const server = await startServer({ SHUTDOWN_TIMEOUT_MS: '10000' });
    const token = await mintToken([READ]);
    emulator!.injectFault({ service: 'datazone', id: 'conn-athena-sales', kind: 'latency', latencyMs: 700 });
    const inFlight = post(server.url, slowQuery, token);
    await waitFor(() => emulator!.calls.length === 1, 'the AWS call of the in-flight request');
    server.process.kill('SIGTERM');
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(response.body.data.dataZoneConnection.connectionId).toBe('conn-athena-sales');
    expect(await server.exited).toBe(0);
    const lines = server.output.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line));
    expect(lines.map((line) => line.msg)).toEqual(expect.arrayContaining(['draining', 'graphql request', 'drained, exiting']));
    expect(lines.find((line) => line.msg === 'graphql request')).toMatchObject({ status: 200, requestId: emulator!.calls[0]!.subgraphRequestId });
  });

  it('an uncaught exception - logged, the request in flight still answered, then exit 1 for a fresh process', async () => {
    const server = await startServer({ SHUTDOWN_TIMEOUT_MS: '10000' }, ['./test/support/uncaught-exception-on-sighup.ts']);
    emulator!.setLatency(300);
    const token = await mintToken([READ]);
    const inFlight = post(server.url, `{ dataZoneConnection(domainIdentifier: "${DEMO_DOMAIN_ID}", identifier: "conn-iam-project") { name } }`, token);
    await waitFor(() => emulator!.calls.length === 1, 'the AWS call to arrive');
    server.process.kill('SIGHUP');
    expect(await inFlight).toEqual({ status: 200, body: { data: { dataZoneConnection: { name: 'project-iam' } } } });
    expect(await server.exited).toBe(1);
    const lines = server.output.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.find((line) => line['msg'] === 'uncaught exception')).toMatchObject({ level: 60, err: { name: 'Error', message: 'test: an exception nobody caught' } });
    expect(lines.map((line) => line['msg'])).toEqual(expect.arrayContaining(['draining', 'drained, exiting']));
  });

  it('an unhandled rejection - logged, and the process keeps serving', async () => {
    const server = await startServer({}, ['./test/support/unhandled-rejection-on-sigusr2.ts']);
    server.process.kill('SIGUSR2');
    await waitFor(() => server.output.stdout.includes('unhandled rejection'), 'the unhandled rejection to be logged');
    const line = JSON.parse(server.output.stdout.split('\n').find((entry) => entry.includes('unhandled rejection'))!);
    expect(line).toMatchObject({ level: 50, err: { name: 'Error', message: 'test: a rejection nobody awaited' } });

    const token = await mintToken([READ]);
    const response = await post(server.url, `{ dataZoneConnection(domainIdentifier: "${DEMO_DOMAIN_ID}", identifier: "conn-iam-project") { name } }`, token);
    expect(response).toEqual({ status: 200, body: { data: { dataZoneConnection: { name: 'project-iam' } } } });
    expect(server.process.exitCode).toBeNull();
    server.process.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  });
});
