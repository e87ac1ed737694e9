import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';

/** Debian's redis-server (`.ci/run` installs it when missing), for the fleet tests and scenario G of `npm run bench`. */
export const REDIS_SERVER_BINARY = process.env['REDIS_SERVER_BINARY'] ?? '/usr/bin/redis-server';

/**
 * A real redis-server for tests and benchmarks, on a free port, with persistence off. It can be
 * killed and started again on the same port (an outage and a recovery), or frozen with SIGSTOP
 * (a Redis that hangs: the connection stays open, nothing answers).
 */
export interface RedisServer {
  url: string;
  port: number;
  /** The current redis-server process (a new one after restart). */
  readonly pid: number;
  /** SIGKILL, and waits for the process to be gone. */
  kill(): Promise<void>;
  /** A new redis-server on the same port (empty: persistence is off). */
  restart(): Promise<void>;
  /** SIGSTOP: the server keeps its connections and answers nothing. */
  freeze(): void;
  /** SIGCONT after freeze. */
  thaw(): void;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts redis-server and resolves once it accepts connections (its own log line says so). */
async function spawnRedis(port: number): Promise<ChildProcess> {
  const child = spawn(REDIS_SERVER_BINARY, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'notice'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server did not start on port ${port}:\n${output}`)), 10_000);
    const onData = (chunk: Buffer) => {
      output += String(chunk);
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited with ${code} before it was ready:\n${output}`));
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
  child.removeAllListeners('exit');
  // Keep draining its output so a full pipe never blocks it.
  child.stdout?.resume();
  child.stderr?.resume();
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGCONT');
  child.kill('SIGKILL');
  await exited;
}

export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  let child = await spawnRedis(port);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get pid() {
      return child.pid as number;
    },
    kill: () => stop(child),
    async restart() {
      await stop(child);
      child = await spawnRedis(port);
    },
    freeze: () => void child.kill('SIGSTOP'),
    thaw: () => void child.kill('SIGCONT'),
    close: () => stop(child),
  };
}
