import { pino, type Logger } from 'pino';
import { isCredentialMapKey } from '../auth/credential-map-keys.js';
import { type CredentialMembers, credentialMembers } from '../schema/credential-members.js';

/** Where a caller's token travels in a log object. */
const TOKEN_PATHS = ['req.headers.authorization', 'headers.authorization', 'authorization', '*.authorization'];

/** pino's path for a member one level down in a log object, in brackets when it is not an identifier. */
function oneLevelDown(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? `*.${name}` : `*[${JSON.stringify(name)}]`;
}

/**
 * Paths pino blanks out in a log object and in a child logger's bindings: the token, and every
 * member that holds a credential or that AWS marks sensitive (`neverLogged`, credential-members.ts:
 * from the schema's `@requiresScopes` policy and the SDK's `sensitive` traits).
 */
export function redactedPaths(credentials: CredentialMembers): string[] {
  return [...TOKEN_PATHS, ...[...credentials.neverLogged].map(oneLevelDown)];
}

/** The paths for this subgraph's schema and SDK shapes, worked out once when the process starts. */
export const REDACTED_PATHS: readonly string[] = redactedPaths(credentialMembers());

export const REDACTED = '[REDACTED]';

/**
 * How deep the log redaction looks into a logged object: deeper than any AWS answer nests (a list
 * item's OAuth credentials are about a dozen levels down). An object below it is not looked into,
 * so it is not written either: it is replaced as a whole.
 */
const MAX_REDACTION_DEPTH = 32;

/**
 * A redaction of log objects at any depth, where pino's paths reach one level: a copy of the
 * object with the value of every member named in `neverLogged` replaced, whatever it holds, and
 * every string stored under a credential key (credential-map-keys.ts, the rule that guards map
 * entries) in any case, including a map entry written as `{ key: 'PASSWORD', value: '…' }`; the
 * object itself when there is nothing to replace, so an ordinary line costs one walk and no copy.
 */
export function credentialRedaction(neverLogged: ReadonlySet<string>): <T>(value: T) => T {
  const redact = <T>(value: T, depth: number): T => {
    if (value === null || typeof value !== 'object') return value;
    if (depth > MAX_REDACTION_DEPTH) return REDACTED as T;
    if (Array.isArray(value)) {
      let copy: unknown[] | undefined;
      value.forEach((item, index) => {
        const redacted = redact(item, depth + 1);
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
      let redacted: unknown;
      if (neverLogged.has(key)) redacted = child === null || child === undefined ? child : REDACTED;
      else if (typeof child === 'string') redacted = isCredentialMapKey(key) || (isCredentialEntry && key === 'value') ? REDACTED : child;
      else redacted = redact(child, depth + 1);
      if (redacted !== child) (copy ??= { ...record })[key] = redacted;
    }
    return (copy ?? value) as T;
  };
  return (value) => redact(value, 0);
}

/** The redaction for this subgraph's schema and SDK shapes (see credentialRedaction). */
export const redactCredentialKeys = credentialRedaction(credentialMembers().neverLogged);

/** Log lines are written to stdout once this many bytes are waiting... */
export const LOG_BUFFER_BYTES = 4096;
/** ...or this often, whichever comes first. */
export const LOG_FLUSH_INTERVAL_MS = 1000;

/**
 * The process's logger. Without a destination it writes to stdout through pino's asynchronous
 * destination (sonic-boom), buffered: a write to stdout is a system call, and one per request line
 * (the request log) showed in the subgraph's CPU per request (`npm run bench:ab`, README). Lines go
 * out in chunks of LOG_BUFFER_BYTES, and at least every LOG_FLUSH_INTERVAL_MS when traffic is low. pino
 * writes what is still buffered synchronously when the process exits (`process.exit`, an uncaught
 * exception, the end of a drain); only a process killed outright (SIGKILL, out of memory) loses its
 * last second of lines. `credentials` stands in for this subgraph's own credential members (a test
 * of a schema with other secret fields).
 */
export function createLogger(level: string, destination?: NodeJS.WritableStream, credentials?: CredentialMembers): Logger {
  const redact = credentials ? credentialRedaction(credentials.neverLogged) : redactCredentialKeys;
  const options = {
    level,
    redact: { paths: credentials ? redactedPaths(credentials) : [...REDACTED_PATHS], censor: REDACTED },
    formatters: { log: (object: Record<string, unknown>) => redact(object) },
    base: { service: 'aws-connections-subgraph' },
  };
  const stream = destination ?? pino.destination({ dest: 1, sync: false, minLength: LOG_BUFFER_BYTES, periodicFlush: LOG_FLUSH_INTERVAL_MS });
  return pino(options, stream as never);
}
