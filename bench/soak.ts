/**
 * `npm run soak`: sustained concurrent load against the real subgraph process (`src/server/main.ts`,
 * as `npm start` runs it) in front of the bundled AWS emulator, with faults injected at fixed rates,
 * all on loopback. Every response is checked field by field against what it must contain:
 *
 * - each AWS call the subgraph made carries the request's id (x-subgraph-request-id) and the emulator
 *   records which fault, if any, it answered with; the last attempt for an item decides its outcome;
 * - an item whose last attempt was answered normally must be the seed's data, exactly;
 * - an item whose last attempt was faulted must be null with a well-formed error whose code is the
 *   contract's code for that fault (THROTTLED for throttling, UPSTREAM_ERROR for 5xx, resets and hangs);
 *   an item cut by the request deadline must say so (UPSTREAM_ERROR, RequestDeadlineExceeded);
 * - an invalid id must be BAD_USER_INPUT and must never reach AWS; a missing one NOT_FOUND;
 * - credentials only for callers with the secrets scope, `withSecret` only sent on their behalf;
 * - a share of the connections (SOAK_HOSTILE_RATE) carries hostile raw bytes over TCP instead: request
 *   targets that once crashed the process, malformed request lines and headers, broken chunked and
 *   truncated bodies, broken UTF-8, mutations and APQ hash mismatches. Each must get its 4xx, and the
 *   process must stay up through all of them.
 *
 * Bounded by SOAK_DURATION_S (default 120) and SOAK_MAX_REQUESTS (default 300000). Writes the report
 * to SOAK_REPORT (default bench/soak.md) and exits 1 if any check failed.
 */
import { mulberry32 } from '../tools/emulator/prng.js';
import type { GetConnectionOutput } from '@aws-sdk/client-datazone';
import type { ActionConnector } from '@aws-sdk/client-quicksight';
import { SignJWT } from 'jose';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import { type RecordedCall, emulatorSdkEnvironment, startEmulator } from '../tools/emulator/index.js';
import { DEMO_AWS_ACCOUNT_ID, DEMO_DOMAIN_ID, seedActionConnectors, seedConnections } from '../tools/emulator/seed.js';
import { startScriptNodeOptions } from './processes.js';

// ---- knobs -------------------------------------------------------------------------------------

function knob(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got ${JSON.stringify(raw)}`);
  return value;
}

const KNOBS = {
  durationS: knob('SOAK_DURATION_S', 120),
  maxRequests: knob('SOAK_MAX_REQUESTS', 300_000),
  concurrency: knob('SOAK_CONCURRENCY', 32),
  seed: knob('SOAK_SEED', 1),
  throttleRate: knob('SOAK_THROTTLE_RATE', 0.05),
  serverErrorRate: knob('SOAK_5XX_RATE', 0.01),
  resetRate: knob('SOAK_RESET_RATE', 0.01),
  hangRate: knob('SOAK_HANG_RATE', 0.01),
  /** Share of the connections that send hostile raw bytes instead of a GraphQL request. */
  hostileRate: knob('SOAK_HOSTILE_RATE', 0.05),
  /** A throttling burst on GetConnection: every SOAK_BURST_PERIOD_MS, for SOAK_BURST_MS (0: none). */
  burstPeriodMs: knob('SOAK_BURST_PERIOD_MS', 15_000),
  burstMs: knob('SOAK_BURST_MS', 300),
  awsTimeoutMs: knob('SOAK_AWS_REQUEST_TIMEOUT_MS', 2_000),
  deadlineMs: knob('SOAK_REQUEST_DEADLINE_MS', 8_000),
  maxAttempts: knob('SOAK_AWS_MAX_ATTEMPTS', 3),
  /**
   * Allowed growth of the subgraph's live heap (V8's used heap right after a full GC) from the first
   * full GC after the first quarter of the load to the last one.
   */
  heapGrowthLimit: knob('SOAK_HEAP_GROWTH_LIMIT', 0.1),
};
const REPORT_PATH = process.env['SOAK_REPORT'] || 'bench/soak.md';
const JWT_SECRET = 'soak-only-hs256-secret-0123456789abcdef';
const READ = 'connections:read';
const SECRETS = 'connections:secrets:read';

/** Reproducible choices for a given SOAK_SEED. */
const random = mulberry32(KNOBS.seed);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

// ---- what the seed says each item must be ---------------------------------------------------------

const CONNECTORS = new Map(seedActionConnectors().filter(({ awsAccountId }) => awsAccountId === DEMO_AWS_ACCOUNT_ID).map(({ connector }) => [connector.ActionConnectorId!, connector]));
const CONNECTIONS = new Map(seedConnections().filter((connection) => connection.domainId === DEMO_DOMAIN_ID).map((connection) => [connection.connectionId!, connection]));

const CONNECTOR_FIELDS = 'actionConnectorId name arn createdTime';
const CONNECTION_FIELDS = 'connectionId domainId name description';

function expectedConnector(connector: ActionConnector): Record<string, unknown> {
  return { actionConnectorId: connector.ActionConnectorId, name: connector.Name ?? null, arn: connector.Arn ?? null, createdTime: connector.CreatedTime?.toISOString() ?? null };
}

function expectedConnection(connection: GetConnectionOutput, credentials: 'none' | 'visible' | 'refused'): Record<string, unknown> {
  const base: Record<string, unknown> = { connectionId: connection.connectionId, domainId: connection.domainId, name: connection.name ?? null, description: connection.description ?? null };
  if (credentials === 'visible') base['connectionCredentials'] = connection.connectionCredentials ? { accessKeyId: connection.connectionCredentials.accessKeyId ?? null } : null;
  if (credentials === 'refused') base['connectionCredentials'] = null;
  return base;
}

type ItemKind = 'valid' | 'missing' | 'invalid';
interface Item {
  service: 'quicksight' | 'datazone';
  kind: ItemKind;
  /** The id the emulator records (ActionConnectorId / identifier). */
  id: string;
  /** For invalid items: the argument the subgraph must name. */
  badArgument?: string;
  /** DataZone: the item asks for credentials (withSecret: true and connectionCredentials selected). */
  secret: boolean;
  /** Alias (root fields) or index (in `_entities`): where the item sits in the response. */
  path: Array<string | number>;
  /** What a field selected for the item renders as, in the document. */
  document: string;
  representation?: Record<string, unknown>;
}

let missingCounter = 0;
function makeItem(service: 'quicksight' | 'datazone', used: Set<string>, asEntity: boolean, position: number): Item {
  const roll = random();
  const kind: ItemKind = roll < 0.86 ? 'valid' : roll < 0.93 ? 'missing' : 'invalid';
  const secret = service === 'datazone' && !asEntity && random() < 0.3;
  let id: string;
  if (kind === 'valid') {
    const pool = [...(service === 'quicksight' ? CONNECTORS.keys() : CONNECTIONS.keys())].filter((candidate) => !used.has(candidate));
    id = pool.length > 0 ? pick(pool) : `no-such-${(missingCounter += 1)}`;
  } else {
    id = `no-such-${(missingCounter += 1)}`;
  }
  used.add(id);
  const actualKind: ItemKind = kind === 'valid' && id.startsWith('no-such-') ? 'missing' : kind;
  const alias = `i${position}`;
  if (service === 'quicksight') {
    const account = actualKind === 'invalid' ? pick(['12345', '11112222333a', '']) : DEMO_AWS_ACCOUNT_ID;
    const connectorId = actualKind === 'invalid' && account === DEMO_AWS_ACCOUNT_ID ? 'a/b' : id;
    // Root field and entity key share the argument name.
    const badArgument = actualKind === 'invalid' ? (account === DEMO_AWS_ACCOUNT_ID ? 'actionConnectorId' : 'awsAccountId') : undefined;
    return {
      service, kind: actualKind, id: connectorId, badArgument, secret: false,
      path: asEntity ? [position] : [alias],
      document: `${alias}: quickSightActionConnector(awsAccountId: ${JSON.stringify(account)}, actionConnectorId: ${JSON.stringify(connectorId)}) { ${CONNECTOR_FIELDS} }`,
      representation: { __typename: 'QuickSightActionConnector', awsAccountId: account, actionConnectorId: connectorId },
    };
  }
  const domain = actualKind === 'invalid' ? pick(['domain-1', 'dzd/../x', 'dzd_']) : DEMO_DOMAIN_ID;
  const badArgument = actualKind === 'invalid' ? (asEntity ? 'domainId' : 'domainIdentifier') : undefined;
  const credentialSelection = secret ? ' connectionCredentials { accessKeyId }' : '';
  return {
    service, kind: actualKind, id, badArgument, secret,
    path: asEntity ? [position] : [alias],
    document: `${alias}: dataZoneConnection(domainIdentifier: ${JSON.stringify(domain)}, identifier: ${JSON.stringify(id)}${secret ? ', withSecret: true' : ''}) { ${CONNECTION_FIELDS}${credentialSelection} }`,
    representation: { __typename: 'DataZoneConnection', domainId: domain, connectionId: id },
  };
}

interface PlannedRequest {
  requestId: string;
  secretsCaller: boolean;
  entities: boolean;
  items: Item[];
  body: string;
}

let requestCounter = 0;
function planRequest(): PlannedRequest {
  const entities = random() < 0.3;
  const count = 1 + Math.floor(random() * 6);
  const used = new Set<string>();
  const items = Array.from({ length: count }, (_, position) => makeItem(random() < 0.5 ? 'quicksight' : 'datazone', used, entities, position));
  const requestId = `soak-${(requestCounter += 1)}`;
  const body = entities
    ? JSON.stringify({
        query: `query SoakEntities($r: [_Any!]!) { _entities(representations: $r) { ... on QuickSightActionConnector { ${CONNECTOR_FIELDS} } ... on DataZoneConnection { ${CONNECTION_FIELDS} } } }`,
        variables: { r: items.map((item) => item.representation) },
      })
    : JSON.stringify({ query: `query SoakRoot { ${items.map((item) => item.document).join(' ')} }` });
  return { requestId, secretsCaller: random() < 0.5, entities, items, body };
}

// ---- checking -----------------------------------------------------------------------------------

/** The contract's code for each fault, written out here independently of src/aws/errors.ts. */
const FAULT_CODES: Record<string, string> = {
  ThrottlingException: 'THROTTLED',
  InternalFailureException: 'UPSTREAM_ERROR',
  ServiceUnavailableException: 'UPSTREAM_ERROR',
  AccessDeniedException: 'FORBIDDEN',
  ValidationException: 'BAD_USER_INPUT',
  malformed: 'UPSTREAM_ERROR',
  truncated: 'UPSTREAM_ERROR',
  reset: 'UPSTREAM_ERROR',
  hang: 'UPSTREAM_ERROR',
};

function codeForCall(call: RecordedCall | undefined): string | null {
  if (!call?.fault || call.fault.kind === 'latency') return null;
  const code = FAULT_CODES[call.fault.kind === 'error' ? call.fault.errorName ?? '' : call.fault.kind];
  if (!code) throw new Error(`soak: no expected code for fault ${JSON.stringify(call.fault)}`);
  return code;
}

interface GraphQLErrorShape {
  message?: unknown;
  path?: Array<string | number>;
  extensions?: { code?: unknown; argumentName?: unknown; aws?: { service?: unknown; errorName?: unknown; requestId?: unknown }; stacktrace?: unknown };
}

const tally = {
  requestsSent: 0,
  responsesChecked: 0,
  itemsChecked: 0,
  itemsCorrectData: 0,
  itemsExpectedError: 0,
  itemsDeadline: 0,
  outcomesByCode: {} as Record<string, number>,
  wrongData: 0,
  wrongError: 0,
  awsCallForInvalidId: 0,
  secretMisuse: 0,
  malformedError: 0,
  unexpectedErrors: 0,
  subgraph5xx: 0,
  otherStatus: 0,
  noResponse: 0,
  notJson: 0,
  latenciesMs: [] as number[],
  examples: [] as string[],
};

function violation(kind: keyof typeof tally, detail: string): void {
  (tally[kind] as number) += 1;
  if (tally.examples.length < 20) tally.examples.push(`${String(kind)}: ${detail}`);
}

function wellFormed(error: GraphQLErrorShape, service: Item['service'] | undefined): boolean {
  if (typeof error.message !== 'string' || error.message.length === 0 || typeof error.extensions?.code !== 'string') return false;
  if (error.extensions.stacktrace !== undefined) return false;
  if (error.message.includes('<html>') || error.message.includes('SECRET-CANARY-')) return false;
  const aws = error.extensions.aws;
  if (['NOT_FOUND', 'FORBIDDEN', 'THROTTLED', 'UPSTREAM_ERROR'].includes(error.extensions.code)) {
    if (!aws || aws.service !== service || typeof aws.errorName !== 'string' || !(aws.requestId === null || typeof aws.requestId === 'string')) return false;
  }
  return true;
}

function checkResponse(plan: PlannedRequest, status: number, text: string, calls: RecordedCall[]): void {
  if (status >= 500) return violation('subgraph5xx', `${plan.requestId}: HTTP ${status} ${text.slice(0, 200)}`);
  if (status !== 200) return violation('otherStatus', `${plan.requestId}: HTTP ${status} ${text.slice(0, 200)}`);
  let body: { data?: Record<string, unknown> | null; errors?: GraphQLErrorShape[] };
  try {
    body = JSON.parse(text);
  } catch {
    return violation('notJson', `${plan.requestId}: ${text.slice(0, 200)}`);
  }
  tally.responsesChecked += 1;
  const errors = body.errors ?? [];
  const accounted = new Set<GraphQLErrorShape>();
  const pathKey = (path: Array<string | number> | undefined) => JSON.stringify(path ?? []);
  const errorAt = (path: Array<string | number>) => errors.find((error) => pathKey(error.path) === pathKey(path));
  const dataRoot = plan.entities ? ((body.data?.['_entities'] as unknown[] | undefined) ?? []) : body.data ?? {};

  for (const item of plan.items) {
    tally.itemsChecked += 1;
    const fullPath = plan.entities ? ['_entities', ...item.path] : item.path;
    const value = (dataRoot as Record<string | number, unknown>)[item.path[0]!] ?? null;
    const operation = item.service === 'quicksight' ? 'DescribeActionConnector' : 'GetConnection';
    const itemCalls = calls.filter((call) => call.operation === operation && (call.params['ActionConnectorId'] ?? call.params['identifier']) === item.id);
    const error = errorAt(fullPath);
    if (error) accounted.add(error);

    if (item.kind === 'invalid') {
      if (itemCalls.length > 0) violation('awsCallForInvalidId', `${plan.requestId} ${item.id}`);
      if (value !== null || error?.extensions?.code !== 'BAD_USER_INPUT' || error.extensions.argumentName !== item.badArgument) {
        violation('wrongError', `${plan.requestId} invalid ${item.id}: ${JSON.stringify({ value, error })}`);
      } else {
        tally.itemsExpectedError += 1;
        tally.outcomesByCode['BAD_USER_INPUT'] = (tally.outcomesByCode['BAD_USER_INPUT'] ?? 0) + 1;
      }
      continue;
    }
    if (itemCalls.length === 0) {
      violation('wrongError', `${plan.requestId} ${item.id}: no AWS call recorded`);
      continue;
    }
    const wantsSecret = item.secret && plan.secretsCaller;
    if (itemCalls.some((call) => call.withSecret !== wantsSecret)) violation('secretMisuse', `${plan.requestId} ${item.id}: withSecret sent ${itemCalls.map((call) => call.withSecret)}`);

    const last = itemCalls[itemCalls.length - 1];
    const faultCode = codeForCall(last);
    const expectedCode = faultCode ?? (item.kind === 'missing' ? 'NOT_FOUND' : null);
    if (value !== null) {
      if (expectedCode !== null) {
        violation('wrongData', `${plan.requestId} ${item.id}: data although the last AWS attempt answered ${JSON.stringify(last?.fault ?? 'not found')}`);
        continue;
      }
      const credentials = !item.secret ? 'none' : plan.secretsCaller ? 'visible' : 'refused';
      const expected = item.service === 'quicksight' ? expectedConnector(CONNECTORS.get(item.id)!) : expectedConnection(CONNECTIONS.get(item.id)!, credentials);
      if (!isDeepStrictEqual(value, expected)) {
        violation('wrongData', `${plan.requestId} ${item.id}: got ${JSON.stringify(value)} expected ${JSON.stringify(expected)}`);
        continue;
      }
      if (credentials === 'refused') {
        const refusal = errorAt([...fullPath, 'connectionCredentials']);
        if (refusal) accounted.add(refusal);
        if (refusal?.extensions?.code !== 'UNAUTHORIZED_FIELD_OR_TYPE' || !wellFormed(refusal, undefined)) {
          violation('wrongError', `${plan.requestId} ${item.id}: credentials not refused properly: ${JSON.stringify(refusal)}`);
          continue;
        }
      }
      tally.itemsCorrectData += 1;
      continue;
    }
    if (!error) {
      violation('wrongError', `${plan.requestId} ${item.id}: null without an error`);
      continue;
    }
    if (!wellFormed(error, item.service)) {
      violation('malformedError', `${plan.requestId} ${item.id}: ${JSON.stringify(error)}`);
      continue;
    }
    const code = error.extensions!.code as string;
    if (code === 'UPSTREAM_ERROR' && error.extensions!.aws?.errorName === 'RequestDeadlineExceeded') {
      tally.itemsDeadline += 1;
      tally.outcomesByCode['UPSTREAM_ERROR (deadline)'] = (tally.outcomesByCode['UPSTREAM_ERROR (deadline)'] ?? 0) + 1;
      continue;
    }
    if (code !== expectedCode) {
      violation('wrongError', `${plan.requestId} ${item.id}: ${code} but the last AWS attempt answered ${JSON.stringify(last?.fault ?? (item.kind === 'missing' ? 'not found' : 'normally'))}`);
      continue;
    }
    tally.itemsExpectedError += 1;
    const label = faultCode ? `${code} (${last!.fault!.kind === 'error' ? last!.fault!.errorName : last!.fault!.kind})` : code;
    tally.outcomesByCode[label] = (tally.outcomesByCode[label] ?? 0) + 1;
  }
  for (const error of errors) {
    if (!accounted.has(error)) violation('unexpectedErrors', `${plan.requestId}: ${JSON.stringify(error).slice(0, 300)}`);
  }
}

// ---- hostile raw requests ---------------------------------------------------------------------

interface HostileRequest {
  kind: string;
  bytes: Buffer;
  /** The client half-closes right after the bytes (a message cut short). */
  truncated?: boolean;
  /** The status it must get. */
  status: number;
  /** It reaches the GraphQL handler, which writes a request log line for it. */
  logged: boolean;
}

const RAW_HEAD = 'Host: localhost\r\nConnection: close\r\n';
const rawPost = (kind: string, body: Buffer | string, status: number, extraHeaders = '', truncated = false): HostileRequest => {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  const declared = truncated ? bytes.length + 10 : bytes.length;
  return {
    kind,
    bytes: Buffer.concat([Buffer.from(`POST /graphql HTTP/1.1\r\n${RAW_HEAD}Content-Type: application/json\r\nContent-Length: ${declared}\r\n${extraHeaders}\r\n`), bytes]),
    truncated,
    status,
    logged: true,
  };
};
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** What the hostile share of the load sends, each with the status it must get. */
const HOSTILE_REQUESTS: HostileRequest[] = [
  // Request targets that made the URL parser throw in the request listener.
  ...['//localhost:99999', '//[', '//%zz', '//@', '//:', '//x:65536/graphql'].map((target) => ({ kind: `target ${target}`, bytes: Buffer.from(`GET ${target} HTTP/1.1\r\n${RAW_HEAD}\r\n`), status: 404, logged: false })),
  { kind: 'target http://[', bytes: Buffer.from(`GET http://[ HTTP/1.1\r\n${RAW_HEAD}\r\n`), status: 400, logged: false },
  // Refused by Node's HTTP parser before the handler sees anything.
  { kind: 'request line: garbage', bytes: Buffer.from('GARBAGE\r\n\r\n'), status: 400, logged: false },
  { kind: 'request line: unknown version', bytes: Buffer.from(`GET /graphql HTTP/9.9\r\n${RAW_HEAD}\r\n`), status: 400, logged: false },
  { kind: 'request line: space in the method', bytes: Buffer.from(`G ET /graphql HTTP/1.1\r\n${RAW_HEAD}\r\n`), status: 400, logged: false },
  { kind: 'header without a colon', bytes: Buffer.from(`GET /graphql HTTP/1.1\r\n${RAW_HEAD}No colon here\r\n\r\n`), status: 400, logged: false },
  { kind: 'headers over 16 KB', bytes: Buffer.from(`GET /graphql HTTP/1.1\r\n${RAW_HEAD}X-Padding: ${'a'.repeat(20_000)}\r\n\r\n`), status: 431, logged: false },

  { kind: 'Content-Length beside Transfer-Encoding', bytes: Buffer.from(`POST /graphql HTTP/1.1\r\n${RAW_HEAD}Content-Type: application/json\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`), status: 400, logged: false },
  { kind: 'CONNECT', bytes: Buffer.from('CONNECT localhost:443 HTTP/1.1\r\nHost: localhost:443\r\n\r\n'), status: 405, logged: false },
  // Reach the GraphQL handler. A chunked body's framing is parsed after the handler has the request.
  { kind: 'chunked body: size not hex', bytes: Buffer.from(`POST /graphql HTTP/1.1\r\n${RAW_HEAD}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{"query":"{ __typename }"}\r\n0\r\n\r\n`), status: 400, logged: true },
  rawPost('body: not JSON', '{"query": "{ __typename }"', 400),
  rawPost('body: broken UTF-8', Buffer.concat([Buffer.from('{"query":"{ '), Buffer.from([0xff, 0xc3, 0x28, 0xed, 0xa0, 0x80]), Buffer.from(' }"}')]), 400),
  rawPost('body: cut short by the client', '{"query":"{ __typename', 400, '', true),
  rawPost('mutation', JSON.stringify({ query: 'mutation { __typename }' }), 400),
  rawPost('subscription', JSON.stringify({ query: 'subscription { __typename }' }), 400),
  rawPost('APQ hash mismatch', JSON.stringify({ query: '{ __typename }', extensions: { persistedQuery: { version: 1, sha256Hash: sha256('{ other }') } } }), 400),
];

interface RawAnswer {
  statuses: number[];
  timedOut: boolean;
}

/** Sends the bytes on a fresh connection and reads every status line until the server closes it. */
function sendRaw(port: number, request: HostileRequest, timeoutMs: number): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      socket.destroy();
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // The server may reset a connection it answered and closed while bytes of ours were unread.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      resolve({ statuses: [...text.matchAll(/(?:^|\r\n)HTTP\/1\.1 (\d{3}) /g)].map((match) => Number(match[1])), timedOut });
    });
    if (request.truncated) socket.end(request.bytes);
    else socket.write(request.bytes);
  });
}

const hostileTally = {
  sent: 0,
  answeredAsExpected: 0,
  /** Expected request log lines (the hostile requests that reach the GraphQL handler). */
  loggedRequests: 0,
  wrongStatus: 0,
  noAnswer: 0,
  byKind: {} as Record<string, number>,
  examples: [] as string[],
};

function checkHostile(request: HostileRequest, answer: RawAnswer): void {
  hostileTally.byKind[request.kind] = (hostileTally.byKind[request.kind] ?? 0) + 1;
  if (request.logged) hostileTally.loggedRequests += 1;
  const problem = answer.statuses.length === 0 ? 'noAnswer' : answer.statuses.length === 1 && answer.statuses[0] === request.status ? undefined : 'wrongStatus';
  if (problem === undefined) {
    hostileTally.answeredAsExpected += 1;
    return;
  }
  hostileTally[problem] += 1;
  if (hostileTally.examples.length < 10) hostileTally.examples.push(`hostile ${request.kind}: expected ${request.status}, got ${answer.statuses.join(', ') || (answer.timedOut ? 'no answer before the timeout' : 'the connection closed without an answer')}`);
}

// ---- the run ------------------------------------------------------------------------------------

function readRssMb(pid: number): number | undefined {
  try {
    if (process.platform === 'linux') {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      return match ? Number(match[1]) / 1024 : undefined;
    }
    return Number(execFileSync('ps', ['-o', 'rss=', '-p', String(pid)], { encoding: 'utf8' }).trim()) / 1024;
  } catch {
    return undefined;
  }
}

/** A full collection in the subgraph's `--trace-gc` output: `… ms: Mark-Compact 231.5 (267.1) -> 55.4 (253.6) MB, …`. */
const FULL_GC_LINE = /^\[\d+:0x[\da-f]+\]\s+\d+ ms: Mark-Compact\b[^\d]*([\d.]+) \([\d.]+\) -> ([\d.]+) \([\d.]+\) MB/;

interface FullGc {
  atMs: number;
  /** Used heap before the collection, MB. */
  beforeMb: number;
  /** Used heap after it: the live heap, MB. */
  liveMb: number;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : sorted[Math.floor(sorted.length / 2)]!;
};
const percentile = (sorted: number[], p: number) => (sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!);

async function main(): Promise<void> {
  const startedAt = new Date();
  const loadAverageAtStart = os.loadavg().map((value) => value.toFixed(2)).join(' / ');
  const emulator = await startEmulator({ port: 0, host: '127.0.0.1', randomSeed: KNOBS.seed });
  const faultRules = [
    ...(KNOBS.burstMs > 0 ? [{ operation: 'GetConnection', kind: 'error' as const, errorName: 'ThrottlingException', burst: { periodMs: KNOBS.burstPeriodMs, durationMs: KNOBS.burstMs } }] : []),
    { kind: 'error' as const, errorName: 'ThrottlingException', rate: KNOBS.throttleRate },
    { kind: 'error' as const, errorName: 'InternalFailureException', status: 500, rate: KNOBS.serverErrorRate },
    { kind: 'reset' as const, rate: KNOBS.resetRate },
    { kind: 'hang' as const, rate: KNOBS.hangRate },
  ];
  for (const rule of faultRules) emulator.injectFault(rule);

  const subgraphEnv = {
    ...process.env,
    NODE_ENV: 'production',
    PORT: '0',
    HOST: '127.0.0.1',
    AUTH_JWT_SECRET: JWT_SECRET,
    ...emulatorSdkEnvironment(emulator.url),
    AWS_REQUEST_TIMEOUT_MS: String(KNOBS.awsTimeoutMs),
    AWS_MAX_ATTEMPTS: String(KNOBS.maxAttempts),
    REQUEST_DEADLINE_MS: String(KNOBS.deadlineMs),
    // The soak drives ~30x AWS's per-operation quota at an emulator that has none: the client-side
    // limiter (tested in test/shared-reads.test.ts, measured by bench scenario D) would turn most of
    // the run into queueing.
    AWS_RATE_LIMIT_PER_SECOND: '0',
    // The checker attributes each item's expected outcome to the AWS calls of its own request (by
    // x-subgraph-request-id); coalescing would hand one request's faulted call to another. Sharing is
    // tested in test/shared-reads.test.ts and measured by bench scenario D.
    AWS_SHARE_READS: 'false',
    LOG_LEVEL: 'info',
  };
  // As `npm start` runs it: compiled, plain Node, with the start script's Node options (under tsx
  // when this file itself runs under tsx).
  // `--trace-gc`: V8 prints a line per collection on stdout, with the heap's used size after it. After
  // a full collection (Mark-Compact) that is the live heap, what a leak grows. RSS is no such signal:
  // V8 lets the heap grow to several times its live size before it collects it all.
  const subgraphArguments = import.meta.url.endsWith('.ts')
    ? ['--trace-gc', ...startScriptNodeOptions(), '--import', 'tsx', 'src/server/main.ts']
    : ['--trace-gc', ...startScriptNodeOptions(), fileURLToPath(new URL('../src/server/main.js', import.meta.url))];
  const subgraph: ChildProcess = spawn(process.execPath, subgraphArguments, { env: subgraphEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  // Whatever happens to the soak, the subgraph it started does not outlive it.
  process.once('exit', () => {
    if (subgraph.exitCode === null && subgraph.signalCode === null) subgraph.kill('SIGKILL');
  });
  const logs = { requestLines: 0, errorLines: 0, unhandled: 0, errorExamples: [] as string[], stderr: '' };
  const fullGcs: FullGc[] = [];
  let pendingLine = '';
  let url: string | undefined;
  subgraph.stdout!.on('data', (chunk: Buffer) => {
    const lines = (pendingLine + chunk.toString('utf8')).split('\n');
    pendingLine = lines.pop() ?? '';
    for (const line of lines) {
      const fullGc = FULL_GC_LINE.exec(line);
      if (fullGc) {
        fullGcs.push({ atMs: Date.now(), beforeMb: Number(fullGc[1]), liveMb: Number(fullGc[2]) });
        continue;
      }
      if (line.includes('"msg":"graphql request"')) logs.requestLines += 1;
      else if (url === undefined && line.includes('AWS connections subgraph ready')) url = JSON.parse(line).url;
      if (/"level":(50|60)/.test(line)) {
        logs.errorLines += 1;
        if (line.includes('unhandled rejection')) logs.unhandled += 1;
        if (logs.errorExamples.length < 5) logs.errorExamples.push(line.slice(0, 300));
      }
    }
  });
  subgraph.stderr!.on('data', (chunk: Buffer) => (logs.stderr = (logs.stderr + chunk.toString('utf8')).slice(-4_000)));
  let crashed: string | undefined;
  let expectingExit = false;
  const exited = new Promise<number | null>((resolve) =>
    subgraph.once('exit', (code, signal) => {
      if (!expectingExit) crashed = `exited during the run: code ${code}, signal ${signal}`;
      resolve(code);
    }),
  );
  const readyBy = Date.now() + 30_000;
  while (url === undefined) {
    if (crashed || Date.now() > readyBy) throw new Error(`the subgraph did not start: ${crashed ?? 'no ready line within 30 s'}\n${logs.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }

  const sign = (scopes: string[]) => new SignJWT({ scope: scopes.join(' ') }).setProtectedHeader({ alg: 'HS256' }).setSubject('soak').setIssuedAt().setExpirationTime('2h').sign(new TextEncoder().encode(JWT_SECRET));
  const tokens = { reader: await sign([READ]), secrets: await sign([READ, SECRETS]) };

  // Emulator records, grouped by the subgraph request id they carry; drained as responses are checked.
  const callsByRequest = new Map<string, RecordedCall[]>();
  let awsCalls = 0;
  const faultsByKind: Record<string, number> = {};
  const drainCalls = () => {
    for (const call of emulator.calls.splice(0)) {
      awsCalls += 1;
      if (call.fault) {
        const label = call.fault.kind === 'error' ? call.fault.errorName! : call.fault.kind;
        faultsByKind[label] = (faultsByKind[label] ?? 0) + 1;
      }
      const key = call.subgraphRequestId ?? '(none)';
      const list = callsByRequest.get(key);
      if (list) list.push(call);
      else callsByRequest.set(key, [call]);
    }
  };

  const rssSamples: Array<{ atS: number; rssMb: number }> = [];
  const loadStartedAt = Date.now();
  const sampler = setInterval(() => {
    const rss = subgraph.pid ? readRssMb(subgraph.pid) : undefined;
    if (rss !== undefined) rssSamples.push({ atS: Math.round((Date.now() - loadStartedAt) / 100) / 10, rssMb: Math.round(rss * 10) / 10 });
  }, 1_000);
  const endAt = loadStartedAt + KNOBS.durationS * 1_000;
  let lastProgress = Date.now();

  const subgraphPort = Number(new URL(url!).port);
  async function worker(): Promise<void> {
    while (!crashed && Date.now() < endAt && tally.requestsSent + hostileTally.sent < KNOBS.maxRequests) {
      if (random() < KNOBS.hostileRate) {
        const hostile = pick(HOSTILE_REQUESTS);
        hostileTally.sent += 1;
        checkHostile(hostile, await sendRaw(subgraphPort, hostile, KNOBS.deadlineMs + 15_000));
        continue;
      }
      const plan = planRequest();
      tally.requestsSent += 1;
      const sentAt = performance.now();
      let status = 0;
      let text = '';
      try {
        const response = await fetch(url!, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${plan.secretsCaller ? tokens.secrets : tokens.reader}`, 'x-request-id': plan.requestId },
          body: plan.body,
          signal: AbortSignal.timeout(KNOBS.deadlineMs + 15_000),
        });
        status = response.status;
        text = await response.text();
      } catch (error) {
        violation('noResponse', `${plan.requestId}: ${error instanceof Error ? error.message : String(error)}`);
        continue;
      }
      tally.latenciesMs.push(performance.now() - sentAt);
      drainCalls();
      checkResponse(plan, status, text, callsByRequest.get(plan.requestId) ?? []);
      callsByRequest.delete(plan.requestId);
      if (Date.now() - lastProgress > 10_000) {
        lastProgress = Date.now();
        const violations = tally.wrongData + tally.wrongError + tally.awsCallForInvalidId + tally.secretMisuse + tally.malformedError + tally.unexpectedErrors + tally.subgraph5xx + tally.noResponse + tally.notJson + tally.otherStatus + hostileTally.wrongStatus + hostileTally.noAnswer;
        console.log(`soak: ${Math.round((Date.now() - loadStartedAt) / 1000)} s, ${tally.requestsSent} requests and ${hostileTally.sent} hostile ones, ${tally.itemsChecked} items checked, ${violations} violations, RSS ${rssSamples.at(-1)?.rssMb ?? '?'} MB`);
      }
    }
  }
  await Promise.all(Array.from({ length: KNOBS.concurrency }, () => worker()));
  const loadSeconds = (Date.now() - loadStartedAt) / 1000;
  clearInterval(sampler);
  drainCalls();

  // Graceful shutdown at the end is part of the run: SIGTERM, drain, exit 0.
  expectingExit = !crashed;
  const shutdownStartedAt = Date.now();
  subgraph.kill('SIGTERM');
  const exitCode = await Promise.race([exited, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 30_000))]);
  if (exitCode === 'timeout') subgraph.kill('SIGKILL');
  const shutdownMs = Date.now() - shutdownStartedAt;
  await emulator.close();

  // ---- verdicts and the report ----
  const sortedLatencies = [...tally.latenciesMs].sort((a, b) => a - b);
  const quarter = (index: number) => rssSamples.slice(Math.floor((rssSamples.length * index) / 4), Math.floor((rssSamples.length * (index + 1)) / 4)).map((sample) => sample.rssMb);
  const rssSecondQuarter = median(quarter(1));
  const rssLastQuarter = median(quarter(3));
  const rssGrowth = (rssLastQuarter - rssSecondQuarter) / rssSecondQuarter;
  const rssValues = rssSamples.map((sample) => sample.rssMb);
  // The live heap after each full GC once the first quarter of the load has warmed caches and pools.
  const warmFrom = loadStartedAt + (loadSeconds * 1000) / 4;
  const warmGcs = fullGcs.filter((gc) => gc.atMs >= warmFrom);
  const firstLive = warmGcs[0]?.liveMb ?? Number.NaN;
  const lastLive = warmGcs.at(-1)?.liveMb ?? Number.NaN;
  const heapGrowth = (lastLive - firstLive) / firstLive;
  const wrongData = tally.wrongData;
  const wrongErrors = tally.wrongError + tally.malformedError + tally.unexpectedErrors + tally.secretMisuse;
  const checks: Array<[string, boolean, string]> = [
    ['every request answered', tally.noResponse === 0 && tally.notJson === 0 && tally.otherStatus === 0, `${tally.noResponse} without answer, ${tally.notJson} not JSON, ${tally.otherStatus} non-200 below 500`],
    ['zero wrong data', wrongData === 0, `${wrongData} items with data that is not the seed's`],
    ['errors exactly on the faulted, missing or invalid items, well-formed, with the fault\'s code', wrongErrors === 0, `${tally.wrongError} wrong or missing errors, ${tally.malformedError} malformed, ${tally.unexpectedErrors} stray, ${tally.secretMisuse} withSecret misuse`],
    ['no AWS call for an invalid id', tally.awsCallForInvalidId === 0, `${tally.awsCallForInvalidId}`],
    ['zero subgraph 5xx', tally.subgraph5xx === 0, `${tally.subgraph5xx}`],
    ['zero crashes, zero unhandled rejections', !crashed && logs.unhandled === 0, crashed ?? `${logs.unhandled} unhandled rejections logged`],
    [
      'every hostile raw request answered with its 4xx, the process up throughout',
      hostileTally.sent > 0 && hostileTally.answeredAsExpected === hostileTally.sent && !crashed,
      `${hostileTally.answeredAsExpected} of ${hostileTally.sent} as expected, ${hostileTally.wrongStatus} with another status, ${hostileTally.noAnswer} without an answer`,
    ],
    [
      'one log line per request',
      logs.requestLines === tally.requestsSent - tally.noResponse + hostileTally.loggedRequests,
      `${logs.requestLines} request log lines for ${tally.requestsSent} requests and ${hostileTally.loggedRequests} hostile ones that reach the GraphQL handler`,
    ],
    ['graceful shutdown after the load', exitCode === 0, `exit code ${String(exitCode)} after ${shutdownMs} ms`],
    [
      `memory stable (live heap after a full GC, last vs first after the first quarter of the load, within +${Math.round(KNOBS.heapGrowthLimit * 100)}%)`,
      warmGcs.length >= 2 && heapGrowth <= KNOBS.heapGrowthLimit,
      warmGcs.length >= 2
        ? `${firstLive} MB → ${lastLive} MB (${(heapGrowth * 100).toFixed(1)}%), ${warmGcs.length} full GCs after ${((warmFrom - loadStartedAt) / 1000).toFixed(0)} s`
        : `${warmGcs.length} full GC(s) after the first quarter of the load: too few to tell; run longer (SOAK_DURATION_S)`,
    ],
  ];
  const passed = checks.every(([, ok]) => ok);

  const cpus = os.cpus();
  const overrides = Object.keys(process.env).filter((name) => name.startsWith('SOAK_')).sort().map((name) => `${name}=${process.env[name]}`);
  const command = [...overrides, 'npm run soak'].join(' ');
  const rssTimeline = rssSamples.filter((_, index) => index % Math.max(1, Math.floor(rssSamples.length / 12)) === 0 || index === rssSamples.length - 1);
  const lines = [
    '# Soak report',
    '',
    `Written by \`bench/soak.ts\`; every number below comes from that run. ${passed ? '**All checks passed.**' : '**Some checks FAILED.**'}`,
    '',
    `- Command: \`${command}\``,
    `- Started: ${startedAt.toISOString()}, load for ${loadSeconds.toFixed(1)} s`,
    `- Machine: ${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${os.type()} ${os.release()} (${os.arch()}), Node ${process.version}; load average (1/5/15 min) at start ${loadAverageAtStart}, at end ${os.loadavg().map((value) => value.toFixed(2)).join(' / ')} (other work on the machine shares its CPUs)`,
    `- Setup, all on loopback: the subgraph as \`npm start\` runs it (\`src/server/main.ts\` compiled to \`dist/\`, plain Node, NODE_ENV=production, LOG_LEVEL=info) in its own process; the emulator and ${KNOBS.concurrency} concurrent clients in the soak process.`,
    `- Subgraph settings: AWS_MAX_ATTEMPTS=${KNOBS.maxAttempts}, AWS_REQUEST_TIMEOUT_MS=${KNOBS.awsTimeoutMs}, REQUEST_DEADLINE_MS=${KNOBS.deadlineMs}, AWS_RATE_LIMIT_PER_SECOND=0 (client-side limiter off), AWS_SHARE_READS=false (each item's outcome comes from its own request's AWS calls, which the checker attributes faults by)`,
    `- Faults per AWS call (emulator \`rate\` rules, seeded PRNG, seed ${KNOBS.seed}): ${(KNOBS.throttleRate * 100).toFixed(1)}% ThrottlingException, ${(KNOBS.serverErrorRate * 100).toFixed(1)}% InternalFailureException (500), ${(KNOBS.resetRate * 100).toFixed(1)}% connection resets, ${(KNOBS.hangRate * 100).toFixed(1)}% hangs${KNOBS.burstMs > 0 ? `; plus a throttling burst on every GetConnection for ${KNOBS.burstMs} ms of every ${KNOBS.burstPeriodMs} ms` : ''}`,
    `- Load: each request is 1–6 items (root-field aliases or \`_entities\` representations, QuickSight connectors and DataZone connections mixed), ~86% seeded ids, ~7% missing ids, ~7% invalid ids; half the callers hold the secrets scope, ~30% of DataZone root fields ask for credentials.`,
    `- Hostile share: ${(KNOBS.hostileRate * 100).toFixed(1)}% of the connections send raw bytes over TCP instead of a GraphQL request, one of ${HOSTILE_REQUESTS.length} kinds (request targets that once crashed the process, malformed request lines and headers, oversized headers, broken chunked, cut-short and non-UTF-8 bodies, CONNECT, mutation, subscription, APQ hash mismatch), each checked for its status.`,
    '',
    '## Checks',
    '',
    '| check | result | detail |',
    '|---|---|---|',
    ...checks.map(([name, ok, detail]) => `| ${name} | ${ok ? 'pass' : '**FAIL**'} | ${detail} |`),
    '',
    '## Counts',
    '',
    '| | |',
    '|---|---|',
    `| requests sent | ${tally.requestsSent} |`,
    `| hostile raw requests sent / answered as expected | ${hostileTally.sent} / ${hostileTally.answeredAsExpected} |`,
    `| responses checked | ${tally.responsesChecked} |`,
    `| throughput | ${(tally.requestsSent / loadSeconds).toFixed(0)} requests/s |`,
    `| items checked | ${tally.itemsChecked} |`,
    `| items with the seed's data (exact) | ${tally.itemsCorrectData} |`,
    `| items null with the expected error | ${tally.itemsExpectedError} |`,
    `| items cut by the request deadline (UPSTREAM_ERROR) | ${tally.itemsDeadline} |`,
    `| wrong data | ${tally.wrongData} |`,
    `| subgraph 5xx | ${tally.subgraph5xx} |`,
    `| AWS calls made (attempts, retries included) | ${awsCalls} |`,
    `| faults injected, by kind | ${Object.entries(faultsByKind).sort().map(([kind, count]) => `${kind} ${count}`).join(', ') || 'none'} |`,
    `| subgraph log lines at error level | ${logs.errorLines} |`,
    `| latency p50 / p95 / p99 / max | ${percentile(sortedLatencies, 50).toFixed(1)} / ${percentile(sortedLatencies, 95).toFixed(1)} / ${percentile(sortedLatencies, 99).toFixed(1)} / ${(sortedLatencies.at(-1) ?? Number.NaN).toFixed(1)} ms |`,
    '',
    '### Item outcomes that are errors, by code (and the fault behind them)',
    '',
    '| outcome | items |',
    '|---|---|',
    ...Object.entries(tally.outcomesByCode).sort().map(([code, count]) => `| ${code} | ${count} |`),
    '',
    '### Hostile raw requests, by kind',
    '',
    '| kind | status it must get | sent |',
    '|---|---|---|',
    ...HOSTILE_REQUESTS.map((request) => `| ${request.kind.replaceAll('|', '\\|')} | ${request.status} | ${hostileTally.byKind[request.kind] ?? 0} |`),
    '',
    '## Subgraph memory',
    '',
    'Live heap: V8\'s used heap right after each full collection (`--trace-gc`), what a leak would grow. The check compares the last of them to the first one after the first quarter of the load.',
    '',
    '| t (s) | heap before the full GC (MB) | live heap after it (MB) |',
    '|---|---|---|',
    ...fullGcs.map((gc) => `| ${((gc.atMs - loadStartedAt) / 1000).toFixed(1)} | ${gc.beforeMb} | ${gc.liveMb} |`),
    '',
    `RSS, sampled every second: min ${Math.min(...rssValues)} MB, max ${Math.max(...rssValues)} MB, median of the second quarter ${rssSecondQuarter} MB, of the last quarter ${rssLastQuarter} MB (${(rssGrowth * 100).toFixed(1)}%). RSS follows how far the heap has grown since the last full GC, so it moves by tens of MB between samples without any leak; it is reported, not checked.`,
    '',
    '| t (s) | RSS (MB) |',
    '|---|---|',
    ...rssTimeline.map((sample) => `| ${sample.atS} | ${sample.rssMb} |`),
    '',
    ...(tally.examples.length > 0 || hostileTally.examples.length > 0 || logs.errorExamples.length > 0
      ? ['## First violations and error log lines', '', '```', ...tally.examples, ...hostileTally.examples, ...logs.errorExamples, '```', '']
      : []),
    '## Knobs',
    '',
    'SOAK_DURATION_S, SOAK_MAX_REQUESTS, SOAK_CONCURRENCY, SOAK_SEED, SOAK_THROTTLE_RATE, SOAK_5XX_RATE, SOAK_RESET_RATE, SOAK_HANG_RATE, SOAK_HOSTILE_RATE, SOAK_BURST_PERIOD_MS, SOAK_BURST_MS, SOAK_AWS_REQUEST_TIMEOUT_MS, SOAK_REQUEST_DEADLINE_MS, SOAK_AWS_MAX_ATTEMPTS, SOAK_HEAP_GROWTH_LIMIT, SOAK_REPORT.',
    '',
  ];
  writeFileSync(REPORT_PATH, lines.join('\n'));
  console.log(lines.slice(0, 26).join('\n'));
  console.log(`soak: report written to ${REPORT_PATH}`);
  process.exitCode = passed ? 0 : 1;
}

await main();
