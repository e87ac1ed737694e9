/**
 * The child processes of the benchmarks (`npm run bench`, `npm run bench:layers`): started from
 * `dist/` (or under tsx when the benchmark itself runs from source), ready when they print their
 * URL on stdout, and killed when the benchmark exits however it exits.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const children = new Set<ChildProcess>();

/** Where the children's stdout goes (see startProcess), removed when the benchmark exits. */
let logDirectoryPath: string | undefined;
let logFiles = 0;
function logDirectory(): string {
  if (logDirectoryPath === undefined) {
    const created = mkdtempSync(path.join(os.tmpdir(), 'bench-output-'));
    logDirectoryPath = created;
    process.once('exit', () => rmSync(created, { recursive: true, force: true }));
  }
  return logDirectoryPath;
}

/** Kills every child still running. */
export function killChildren(): void {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
}
process.once('exit', killChildren);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killChildren();
    process.exit(130);
  });
}

export interface Proc {
  name: string;
  pid: number;
  url: string;
  stop(): Promise<void>;
}

/**
 * How to run `script` (a path from the repository root, e.g. `src/server/main.ts`): as the npm
 * scripts run the benchmarks, compiled (`dist/`, plain Node, as `npm start` runs the subgraph); when
 * a benchmark itself runs under tsx, the TypeScript source under tsx.
 */
export function nodeArguments(script: string): string[] {
  if (import.meta.url.endsWith('.ts')) return ['--import', 'tsx', script];
  return [fileURLToPath(new URL(`../${script.replace(/\.ts$/, '.js')}`, import.meta.url))];
}

/** The root of this checkout (from `dist/bench/` when compiled, from `bench/` under tsx). */
const THIS_CHECKOUT = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? '..' : '../..', import.meta.url));

/**
 * The Node options `npm start` runs the subgraph with: those of the `start` script in the
 * checkout's package.json (this one by default), so that every benchmark runs the subgraph as
 * `npm start` does.
 */
export function startScriptNodeOptions(checkout = THIS_CHECKOUT): string[] {
  const manifest = JSON.parse(readFileSync(path.resolve(checkout, 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
  const words = (manifest.scripts?.['start'] ?? '').trim().split(/\s+/);
  if (words[0] !== 'node' || words.at(-1) !== 'dist/src/server/main.js') throw new Error(`${checkout}: the start script is not "node [options] dist/src/server/main.js"`);
  return words.slice(1, -1);
}

/** How to run `script` of another built checkout (its `dist/`), e.g. an older commit for `npm run bench:ab`. */
function checkoutNodeArguments(checkout: string, script: string): string[] {
  return [path.resolve(checkout, 'dist', script.replace(/\.ts$/, '.js'))];
}

/** User + system CPU time of a process so far, in ms (from /proc/PID/stat, in clock ticks of 10 ms). */
export function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/**
 * Starts `script` (of this checkout, or of the built `checkout` given) and resolves with the first
 * stdout line `pick` accepts.
 */
export function startProcess(
  name: string,
  script: string,
  extraEnv: Record<string, string>,
  pick: (line: Record<string, unknown>) => string | undefined,
  nodeOptions: string[] = [],
  checkout?: string,
): Promise<Proc> {
  const scriptArguments = checkout === undefined ? nodeArguments(script) : checkoutNodeArguments(checkout, script);
  // The child's stdout goes to a file, not to this process: a subgraph writes a log line per
  // request, and reading them here would take CPU from the load generator, which runs in this
  // process, during the subgraph's rounds only (the baseline logs nothing). A log collector is not
  // part of what is measured. The ready line is read back from the file.
  const logPath = path.join(logDirectory(), `${name}-${process.pid}-${(logFiles += 1)}.log`);
  const stdout = openSync(logPath, 'w');
  const child = spawn(process.execPath, [...nodeOptions, ...scriptArguments], {
    env: { ...process.env, NODE_NO_WARNINGS: '1', ...extraEnv },
    stdio: ['ignore', stdout, 'inherit'],
  });
  closeSync(stdout);
  children.add(child);
  return new Promise((resolve, reject) => {
    let offset = 0;
    let buffered = '';
    const reader = openSync(logPath, 'r');
    const chunk = Buffer.alloc(64 * 1024);
    let waiting = true;
    const stopWaiting = () => {
      if (!waiting) return;
      waiting = false;
      clearInterval(poll);
      clearTimeout(timer);
      closeSync(reader);
    };
    const timer = setTimeout(() => {
      stopWaiting();
      reject(new Error(`${name} did not start in 60 s`));
    }, 60_000);
    // The first line `pick` accepts, from what the child has written so far.
    const poll = setInterval(() => {
      for (let read = readSync(reader, chunk, 0, chunk.length, offset); read > 0; read = readSync(reader, chunk, 0, chunk.length, offset)) {
        offset += read;
        buffered += chunk.toString('utf8', 0, read);
      }
      let newline: number;
      while ((newline = buffered.indexOf('\n')) !== -1) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        let parsed: Record<string, unknown>;
        try {
          parsed = JSON.parse(line) as Record<string, unknown>;
        } catch {
          continue;
        }
        const url = pick(parsed);
        if (url === undefined) continue;
        stopWaiting();
        resolve({
          name,
          pid: child.pid as number,
          url,
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGTERM');
              setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
            }),
        });
        return;
      }
    }, 20);
    child.once('exit', (code) => {
      if (!waiting) return;
      stopWaiting();
      reject(new Error(`${name} exited with ${code} before it was ready (its output: ${logPath})`));
    });
  });
}
