import { createServer } from 'node:net';

/**
 * Ports of the launchers (`npm run demo`, `npm run supergraph`). A port the user named and cannot
 * have is one clear line and exit 1; a default port that is taken (4566 is LocalStack's too, 4000
 * every other dev server's) gives way to a free one, said in one line.
 */

/** Whether `port` can be listened on at `host` right now. */
function isFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, host, () => probe.close(() => resolve(true)));
  });
}

/** Ends the process with one line naming the variable to set. */
export function portProblem(variable: string, message: string): never {
  console.error(`${message} Set ${variable} to a free port (0 picks any).`);
  process.exit(1);
}

function parsePort(variable: string, value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) portProblem(variable, `${variable}=${value} is not a port number.`);
  return port;
}

/**
 * The port to listen on for `variable`: the one it names (which must be free), else `fallback`
 * when free, else 0 (any free port).
 */
export async function choosePort(variable: string, fallback: number, host: string): Promise<number> {
  const given = process.env[variable];
  if (given !== undefined && given !== '') {
    const port = parsePort(variable, given);
    if (port !== 0 && !(await isFree(port, host))) portProblem(variable, `Port ${port} (${variable}) is already in use.`);
    return port;
  }
  if (await isFree(fallback, host)) return fallback;
  console.error(`Port ${fallback} is already in use; using a free port instead (set ${variable} to choose one).`);
  return 0;
}

/**
 * Runs `start`; if its port was taken in the meantime, ends the process with one line naming
 * `variable` instead of an EADDRINUSE stack trace.
 */
export async function startOnPort<T>(variable: string, port: number, start: (port: number) => Promise<T>): Promise<T> {
  try {
    return await start(port);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') portProblem(variable, `Port ${port} (${variable}) is already in use.`);
    throw error;
  }
}
