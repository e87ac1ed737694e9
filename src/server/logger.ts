import { pino, type Logger } from 'pino';
import { isCredentialMapKey } from '../auth/credential-map-keys.js';

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

export const REDACTED = '[REDACTED]';

/** How deep `redactCredentialKeys` looks into a logged object; log objects are shallow. */
const MAX_REDACTION_DEPTH = 8;

/**
 * A copy of `value` with every string stored under a credential key (credential-map-keys.ts, the
 * same rule that guards map entries) replaced, at any depth and in any case, including a map entry
 * written as `{ key: 'PASSWORD', value: '…' }`; `value` itself when there is nothing to replace, so
 * an ordinary line costs one walk and no copy. Paths above cover the fixed member names; this
 * covers keys no fixed path can list.
 */
export function redactCredentialKeys<T>(value: T, depth = 0): T {
  if (value === null || typeof value !== 'object' || depth > MAX_REDACTION_DEPTH) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item, index) => {
      const redacted = redactCredentialKeys(item, depth + 1);
      if (redacted !== item) (copy ??= [...value])[index] = redacted;
    });
    return (copy ?? value) as T;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) return value;
  const record = value as Record<string, unknown>;
  const entryKey = record['key'];
  const isCredentialEntry = typeof entryKey === 'string' && typeof record['value'] === 'string' && isCredentialMapKey(entryKey);
  let copy: Record<string, unknown> | undefined;
  for (const key in record) {
    if (!Object.prototype.hasOwnProperty.call(record, key)) continue;
    const child = record[key];
    const redacted =
      typeof child === 'string'
        ? (isCredentialMapKey(key) || (isCredentialEntry && key === 'value') ? REDACTED : child)
        : redactCredentialKeys(child, depth + 1);
    if (redacted !== child) (copy ??= { ...record })[key] = redacted;
  }
  return (copy ?? value) as T;
}

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
  const options = {
    level,
    redact: { paths: REDACTED_PATHS, censor: REDACTED },
    formatters: { log: (object: Record<string, unknown>) => redactCredentialKeys(object) },
    base: { service: 'aws-connections-subgraph' },
  };
  const stream = destination ?? pino.destination({ dest: 1, sync: false, minLength: LOG_BUFFER_BYTES, periodicFlush: LOG_FLUSH_INTERVAL_MS });
  return pino(options, stream as never);
}
