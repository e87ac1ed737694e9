import { pino, type Logger } from 'pino';

/**
 * Paths pino blanks out wherever they appear in a log object. Tokens and every credential member
 * name of the two APIs, so that nothing secret reaches a log line even by accident.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'headers.authorization',
  'authorization',
  '*.authorization',
  '*.accessKeyId',
  '*.secretAccessKey',
  '*.sessionToken',
  '*.password',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.jwtToken',
  '*.authorizationCode',
  '*.userManagedClientApplicationClientSecret',
  '*.connectionCredentials',
  '*.oAuth2Credentials',
];

/** Log lines are written to stdout once this many bytes are waiting... */
export const LOG_BUFFER_BYTES = 4096;
/** ...or this often, whichever comes first. */
export const LOG_FLUSH_INTERVAL_MS = 1000;

/**
 * The process's logger. Without a destination it writes to stdout through pino's asynchronous
 * destination (sonic-boom), buffered: a write to stdout is a system call, and one per request line
 * (the request log) showed in the gateway's CPU per request (`npm run bench:ab`, README). Lines go
 * out in chunks of LOG_BUFFER_BYTES, and at least every LOG_FLUSH_INTERVAL_MS when traffic is low. pino
 * writes what is still buffered synchronously when the process exits (`process.exit`, an uncaught
 * exception, the end of a drain); only a process killed outright (SIGKILL, out of memory) loses its
 * last second of lines.
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const options = { level, redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' }, base: { service: 'aws-connections-subgraph' } };
  const stream = destination ?? pino.destination({ dest: 1, sync: false, minLength: LOG_BUFFER_BYTES, periodicFlush: LOG_FLUSH_INTERVAL_MS });
  return pino(options, stream as never);
}
