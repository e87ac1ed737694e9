import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { type Server, createServer, connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { choosePort } from '../tools/demo/ports.js';

/**
 * `npm run demo` as a new user meets it: stopped by the PID the shell gave, a port taken, the
 * secret of its tokens.
 */

const children: ChildProcess[] = [];
const servers: Server[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

function occupyPort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    servers.push(server);
    server.listen(0, host, () => resolve((server.address() as AddressInfo).port));
  });
}

function npmRun(script: string, env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn('npm', ['run', '--silent', script], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** Resolves once `pattern` appears in the output; rejects if the process ends first. */
function waitFor(run: ReturnType<typeof npmRun>, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = pattern.exec(run.output());
      if (match) {
        run.child.stdout!.off('data', check);
        resolve(match);
      }
    };
    run.child.stdout!.on('data', check);
    void run.exited.then((code) => reject(new Error(`npm run exited (${code}) before ${pattern}:\n${run.output()}`)));
    check();
  });
}

/** Whether something accepts connections on the port: each call is one connection attempt. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('npm run demo', () => {
  it('stopping the npm process by its PID stops the subgraph and the emulator, freeing their ports', { timeout: 60_000 }, async () => {
    const run = npmRun('demo', { PORT: '0', EMULATOR_PORT: '0', HOST: '127.0.0.1' });
    const [, emulatorPort] = await waitFor(run, /AWS emulator\s+http:\/\/127\.0\.0\.1:(\d+)/);
    const [, subgraphPort] = await waitFor(run, /GraphQL subgraph\s+http:\/\/[\w.]+:(\d+)\/graphql/);
    const [, secret] = await waitFor(run, /AUTH_JWT_SECRET=(\S+)\n/);
    expect(await accepts(Number(emulatorPort))).toBe(true);
    expect(await accepts(Number(subgraphPort))).toBe(true);

    // The printed secret is the one the subgraph verifies tokens with: a token minted with it
    // by `npm run token` reads a connection.
    const minted = spawnSync('npm', ['run', '--silent', 'token', '--', 'connections:read'], { encoding: 'utf8', env: { ...process.env, AUTH_JWT_SECRET: secret! } });
    expect(minted.status).toBe(0);
    const response = await fetch(`http://127.0.0.1:${subgraphPort}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${minted.stdout.trim()}` },
      body: JSON.stringify({ query: '{ dataZoneConnection(domainIdentifier: "dzd_demo0001", identifier: "conn-athena-sales") { name } }' }),
    });
    expect(await response.json()).toEqual({ data: { dataZoneConnection: { name: 'athena-sales' } } });

    // What `kill <pid>` sends to the npm process a shell started in the background.
    run.child.kill('SIGTERM');
    await run.exited;
    // Both servers close their listeners as the process ends, before npm itself exits.
    await expect.poll(() => accepts(Number(subgraphPort)), { timeout: 10_000 }).toBe(false);
    await expect.poll(() => accepts(Number(emulatorPort)), { timeout: 10_000 }).toBe(false);
  });

  it('a port it was told to use and cannot have is one line naming the variable, not a stack trace', { timeout: 60_000 }, async () => {
    const taken = await occupyPort();
    const run = npmRun('demo', { PORT: '0', EMULATOR_PORT: String(taken) });
    expect(await run.exited).toBe(1);
    const lines = run.output().trim().split('\n');
    expect(lines).toEqual([`Port ${taken} (EMULATOR_PORT) is already in use. Set EMULATOR_PORT to a free port (0 picks any).`]);
  });

  it('a default port that is taken gives way to a free one', async () => {
    const taken = await occupyPort();
    delete process.env['DEMO_TEST_PORT'];
    const said = vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await choosePort('DEMO_TEST_PORT', taken, '127.0.0.1')).toBe(0);
    expect(said.mock.calls).toEqual([[`Port ${taken} is already in use; using a free port instead (set DEMO_TEST_PORT to choose one).`]]);
    said.mockRestore();
    const free = await occupyPort();
    await new Promise((resolve) => servers.pop()!.close(resolve));
    expect(await choosePort('DEMO_TEST_PORT', free, '127.0.0.1')).toBe(free);
  });
});
