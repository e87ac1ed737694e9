/// <reference types="node" />
/**
 * Local emulator of Amazon QuickSight DescribeActionConnector and Amazon DataZone GetConnection,
 * speaking the restJson1 wire protocol the AWS SDK v3 clients parse. Point a client at it with
 * `endpoint: emulator.url` (or AWS_ENDPOINT_URL_QUICKSIGHT / AWS_ENDPOINT_URL_DATAZONE).
 * SigV4 signatures are not checked.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { ActionConnector } from '@aws-sdk/client-quicksight';
import type { GetConnectionOutput } from '@aws-sdk/client-datazone';
import { defaultErrorMessage, defaultErrorStatus } from './errors.js';
import { seedActionConnectors, seedConnections } from './seed.js';
import {
  DATAZONE_DATE_TIME_MEMBERS,
  QUICKSIGHT_DATE_TIME_MEMBERS,
  stripDataZoneSecrets,
  toWire,
} from './wire.js';
import type { WireObject } from './wire.js';

export type EmulatedService = 'quicksight' | 'datazone';
export type EmulatedOperation = 'DescribeActionConnector' | 'GetConnection';

export interface RecordedCall {
  service: EmulatedService;
  operation: EmulatedOperation;
  /** QuickSight: { AwsAccountId, ActionConnectorId }; DataZone: { domainIdentifier, identifier } (URL-decoded). */
  params: Record<string, string>;
  /** DataZone `withSecret=true` was sent (always false for QuickSight). */
  withSecret: boolean;
  /** The x-amzn-RequestId of the answer (also for faulted requests, even if nothing was sent). */
  requestId: string;
  /** Date.now() when the request arrived. */
  at: number;
  /** Refused with ThrottlingException by the quota (EmulatorOptions.quotaPerSecond). */
  throttled?: boolean;
}

export type FaultKind = 'error' | 'reset' | 'hang' | 'malformed' | 'truncated' | 'latency';

export interface FaultRule {
  service?: EmulatedService;
  operation?: string;
  /** Matches ActionConnectorId / identifier. */
  id?: string;
  kind: FaultKind;
  /** For 'error': the AWS exception name, e.g. 'ThrottlingException'. */
  errorName?: string;
  /** For 'error': HTTP status (default: the SDK's declared status for that error, 500 for unknown names). */
  status?: number;
  /** For 'error': message in the error body (default: a generic message for that error). */
  message?: string;
  /** Apply to the first N matching requests only (default: unlimited). */
  times?: number;
  /** 0..1: apply to that fraction of matching requests (seeded PRNG, reproducible; default 1). */
  rate?: number;
  /** For 'latency': extra delay before answering normally. */
  latencyMs?: number;
}

export interface EmulatorOptions {
  /** Default 0 (a free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Delay added to every response. */
  latencyMs?: number;
  /** Default true: load the demo data from seed.ts. */
  seed?: boolean;
  /** Seed of the PRNG used by fault rules with `rate` (default 0x5eed). */
  randomSeed?: number;
  /**
   * AWS's request quota: calls per second each operation accepts (in any 1 s window) before it
   * answers ThrottlingException, as the real services do. Default 0: no quota.
   */
  quotaPerSecond?: number;
}

export interface Emulator {
  readonly url: string;
  /** Every request received on the two operations, in order (faulted ones too). */
  readonly calls: RecordedCall[];
  resetCalls(): void;
  /**
   * Stores an SDK-shaped ActionConnector (PascalCase, Date for timestamps) under
   * (awsAccountId, connector.ActionConnectorId). Snapshot at call time. Unknown extra keys, enum
   * values the SDK lacks and `{ $unknown: [name, value] }` union members are sent as they are.
   */
  putActionConnector(awsAccountId: string, connector: ActionConnector | Record<string, unknown>): void;
  /** Stores an SDK-shaped GetConnectionOutput under (domainId, connectionId). Snapshot at call time. */
  putConnection(connection: GetConnectionOutput | Record<string, unknown>): void;
  clearData(): void;
  injectFault(rule: FaultRule): { remove(): void };
  clearFaults(): void;
  setLatency(ms: number): void;
  /** Sets the per-operation quota (see EmulatorOptions.quotaPerSecond); 0 removes it. */
  setQuota(callsPerSecond: number): void;
  /** Closes the server and every socket (hanging ones included); resolves when closed. */
  close(): Promise<void>;
}

// Validation patterns from the service API references.
const QS_ACCOUNT_ID = /^[0-9]{12}$/;
const QS_CONNECTOR_ID = /^[\w-]{1,512}$/;
const DZ_DOMAIN_ID = /^dzd[-_][a-zA-Z0-9_-]{1,36}$/;
const DZ_CONNECTION_ID_MAX = 128;

interface ActiveRule {
  rule: FaultRule;
  remaining: number;
  random: () => number;
}

interface ConnectionEntry {
  withSecret: string;
  withoutSecret: string;
}

/** mulberry32: small, fast, reproducible. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function key(a: string, b: string): string {
  return `${a}\u0000${b}`;
}

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

interface Request {
  service: EmulatedService;
  operation: EmulatedOperation;
  id: string;
  call: RecordedCall;
}

export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  const host = opts.host ?? '127.0.0.1';
  const baseSeed = (opts.randomSeed ?? 0x5eed) >>> 0;
  let latencyMs = Math.max(0, opts.latencyMs ?? 0);
  let quotaPerSecond = Math.max(0, opts.quotaPerSecond ?? 0);
  /** Arrival times of the calls each operation accepted within the last second. */
  const accepted = new Map<EmulatedOperation, number[]>();
  let ruleCounter = 0;
  let closing: Promise<void> | undefined;

  const calls: RecordedCall[] = [];
  const connectors = new Map<string, string>();
  const connections = new Map<string, ConnectionEntry>();
  let rules: ActiveRule[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  function putActionConnector(awsAccountId: string, connector: ActionConnector | Record<string, unknown>): void {
    const id = (connector as Record<string, unknown>)['ActionConnectorId'];
    if (typeof awsAccountId !== 'string' || typeof id !== 'string') {
      throw new TypeError('putActionConnector needs an awsAccountId and a connector with a string ActionConnectorId');
    }
    connectors.set(key(awsAccountId, id), JSON.stringify(toWire(connector, QUICKSIGHT_DATE_TIME_MEMBERS)));
  }

  function putConnection(connection: GetConnectionOutput | Record<string, unknown>): void {
    const c = connection as Record<string, unknown>;
    const domainId = c['domainId'];
    const connectionId = c['connectionId'];
    if (typeof domainId !== 'string' || typeof connectionId !== 'string') {
      throw new TypeError('putConnection needs a connection with string domainId and connectionId');
    }
    const full = JSON.stringify(toWire(connection, DATAZONE_DATE_TIME_MEMBERS));
    const redacted = toWire(connection, DATAZONE_DATE_TIME_MEMBERS) as WireObject;
    stripDataZoneSecrets(redacted);
    connections.set(key(domainId, connectionId), { withSecret: full, withoutSecret: JSON.stringify(redacted) });
  }

  function clearData(): void {
    connectors.clear();
    connections.clear();
  }

  if (opts.seed !== false) {
    for (const { awsAccountId, connector } of seedActionConnectors()) putActionConnector(awsAccountId, connector);
    for (const connection of seedConnections()) putConnection(connection);
  }

  // ---- responses -------------------------------------------------------------------------

  function send(res: ServerResponse, status: number, requestId: string, body: string, extra?: Record<string, string>): void {
    if (res.destroyed || res.writableEnded) return;
    const headers: Record<string, string | number> = {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      'x-amzn-RequestId': requestId,
    };
    if (extra) Object.assign(headers, extra);
    res.writeHead(status, headers);
    res.end(body);
  }

  function sendError(res: ServerResponse, service: EmulatedService, requestId: string, name: string, status: number, message: string): void {
    const body =
      service === 'quicksight'
        ? JSON.stringify({ Message: message, RequestId: requestId })
        : JSON.stringify({ message });
    send(res, status, requestId, body, { 'x-amzn-ErrorType': name });
  }

  /** The successful body, or undefined (after sending the error) when invalid / not found. */
  function answer(req: Request, res: ServerResponse): string | undefined {
    const { call } = req;
    if (req.service === 'quicksight') {
      const account = call.params['AwsAccountId'] as string;
      const id = call.params['ActionConnectorId'] as string;
      if (!QS_ACCOUNT_ID.test(account)) {
        sendError(res, 'quicksight', call.requestId, 'InvalidParameterValueException', 400,
          `The value for AwsAccountId '${account}' is not valid: it must be a 12-digit AWS account ID.`);
        return undefined;
      }
      if (!QS_CONNECTOR_ID.test(id)) {
        sendError(res, 'quicksight', call.requestId, 'InvalidParameterValueException', 400,
          `The value for ActionConnectorId '${id}' is not valid: it must match [\\w\\-]+ and be 1-512 characters long.`);
        return undefined;
      }
      const json = connectors.get(key(account, id));
      if (json === undefined) {
        sendError(res, 'quicksight', call.requestId, 'ResourceNotFoundException', 404,
          `Action connector '${id}' was not found in account ${account}.`);
        return undefined;
      }
      return `{"ActionConnector":${json},"RequestId":${JSON.stringify(call.requestId)}}`;
    }
    const domain = call.params['domainIdentifier'] as string;
    const id = call.params['identifier'] as string;
    if (!DZ_DOMAIN_ID.test(domain)) {
      sendError(res, 'datazone', call.requestId, 'ValidationException', 400,
        `1 validation error detected: Value '${domain}' at 'domainIdentifier' failed to satisfy constraint: Member must satisfy regular expression pattern: ^dzd[-_][a-zA-Z0-9_-]{1,36}$`);
      return undefined;
    }
    if (id.length === 0 || id.length > DZ_CONNECTION_ID_MAX) {
      sendError(res, 'datazone', call.requestId, 'ValidationException', 400,
        `1 validation error detected: Value at 'identifier' failed to satisfy constraint: Member must have length between 1 and ${DZ_CONNECTION_ID_MAX}`);
      return undefined;
    }
    const entry = connections.get(key(domain, id));
    if (entry === undefined) {
      sendError(res, 'datazone', call.requestId, 'ResourceNotFoundException', 404,
        `Connection '${id}' was not found in domain '${domain}'.`);
      return undefined;
    }
    return call.withSecret ? entry.withSecret : entry.withoutSecret;
  }

  function respond(req: Request, rule: FaultRule | undefined, httpReq: IncomingMessage, res: ServerResponse): void {
    if (res.destroyed || res.writableEnded) return;
    const requestId = req.call.requestId;
    switch (rule?.kind) {
      case 'reset': {
        const socket = httpReq.socket;
        if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
        else socket.destroy();
        return;
      }
      case 'hang':
        return; // never answered; close() destroys the socket
      case 'error': {
        const name = rule.errorName ?? 'InternalFailureException';
        sendError(res, req.service, requestId, name, rule.status ?? defaultErrorStatus(req.service, name),
          rule.message ?? defaultErrorMessage(name));
        return;
      }
      case 'malformed': {
        const body = req.service === 'quicksight'
          ? `{"ActionConnector":{"Arn":"arn:aws:quicksight:us-east-1:<html>oops`
          : `{"connectionId":"${req.id.replace(/["\\]/g, '')}","props":{{<html>oops`;
        send(res, 200, requestId, body);
        return;
      }
      case 'truncated': {
        const body = answer(req, res);
        if (body === undefined) return;
        const bytes = Buffer.from(body);
        res.writeHead(200, {
          'content-type': 'application/json',
          'content-length': bytes.length + 64,
          'x-amzn-RequestId': requestId,
        });
        const socket = httpReq.socket;
        res.write(bytes.subarray(0, Math.max(1, Math.floor(bytes.length / 2))), () => socket.destroy());
        return;
      }
      default: {
        const body = answer(req, res);
        if (body !== undefined) send(res, 200, requestId, body);
      }
    }
  }

  function pickFault(req: Request): FaultRule | undefined {
    for (const active of rules) {
      const { rule } = active;
      if (active.remaining <= 0) continue;
      if (rule.service !== undefined && rule.service !== req.service) continue;
      if (rule.operation !== undefined && rule.operation !== req.operation) continue;
      if (rule.id !== undefined && rule.id !== req.id) continue;
      const rate = rule.rate ?? 1;
      if (rate < 1 && !(active.random() < rate)) continue;
      active.remaining -= 1;
      return rule;
    }
    return undefined;
  }

  function route(httpReq: IncomingMessage, res: ServerResponse): Request | undefined {
    const url = httpReq.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const segs = path.split('/');
    const requestId = randomUUID();
    const isGet = httpReq.method === 'GET';
    if (isGet && segs.length === 5 && segs[0] === '' && segs[1] === 'accounts' && segs[3] === 'action-connectors') {
      const account = decode(segs[2] as string);
      const id = decode(segs[4] as string);
      if (account !== undefined && id !== undefined && account !== '' && id !== '') {
        const call: RecordedCall = {
          service: 'quicksight',
          operation: 'DescribeActionConnector',
          params: { AwsAccountId: account, ActionConnectorId: id },
          withSecret: false,
          requestId,
          at: Date.now(),
        };
        calls.push(call);
        return { service: 'quicksight', operation: 'DescribeActionConnector', id, call };
      }
    } else if (isGet && segs.length === 6 && segs[0] === '' && segs[1] === 'v2' && segs[2] === 'domains' && segs[4] === 'connections') {
      const domain = decode(segs[3] as string);
      const id = decode(segs[5] as string);
      let withSecretRaw: string | null = null;
      if (q !== -1) withSecretRaw = new URLSearchParams(url.slice(q + 1)).get('withSecret');
      if (domain !== undefined && id !== undefined && domain !== '' && id !== '') {
        const call: RecordedCall = {
          service: 'datazone',
          operation: 'GetConnection',
          params: { domainIdentifier: domain, identifier: id },
          withSecret: withSecretRaw === 'true',
          requestId,
          at: Date.now(),
        };
        calls.push(call);
        if (withSecretRaw !== null && withSecretRaw !== 'true' && withSecretRaw !== 'false') {
          sendError(res, 'datazone', requestId, 'ValidationException', 400,
            `Value '${withSecretRaw}' at 'withSecret' failed to satisfy constraint: Member must be a boolean`);
          return undefined;
        }
        return { service: 'datazone', operation: 'GetConnection', id, call };
      }
    }
    if (httpReq.method === 'GET' && path === '/_emulator/health') {
      send(res, 200, requestId, '{"status":"ok"}');
      return undefined;
    }
    const service: EmulatedService = path.startsWith('/v2/') ? 'datazone' : 'quicksight';
    sendError(res, service, requestId, 'UnknownOperationException', 404,
      `No operation matches ${httpReq.method ?? ''} ${path}`);
    return undefined;
  }

  function overQuota(req: Request): boolean {
    const times = accepted.get(req.operation) ?? [];
    accepted.set(req.operation, times);
    while (times.length > 0 && req.call.at - (times[0] as number) >= 1000) times.shift();
    if (times.length >= quotaPerSecond) return true;
    times.push(req.call.at);
    return false;
  }

  function onRequest(httpReq: IncomingMessage, res: ServerResponse): void {
    httpReq.resume();
    const req = route(httpReq, res);
    if (req === undefined) return;
    if (quotaPerSecond > 0 && overQuota(req)) {
      req.call.throttled = true;
      sendError(res, req.service, req.call.requestId, 'ThrottlingException', defaultErrorStatus(req.service, 'ThrottlingException'), 'Rate exceeded');
      return;
    }
    const rule = rules.length === 0 ? undefined : pickFault(req);
    const delay = latencyMs + (rule?.kind === 'latency' ? Math.max(0, rule.latencyMs ?? 0) : 0);
    if (delay <= 0) {
      respond(req, rule, httpReq, res);
      return;
    }
    const timer = setTimeout(() => {
      timers.delete(timer);
      respond(req, rule, httpReq, res);
    }, delay);
    timers.add(timer);
  }

  const server: Server = createServer({ noDelay: true }, onRequest);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_err: Error, socket: Socket) => {
    if (!socket.destroyed) socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const url = `http://${urlHost(host)}:${address.port}`;

  const emulator: Emulator = {
    url,
    calls,
    resetCalls(): void {
      calls.length = 0;
    },
    putActionConnector,
    putConnection,
    clearData,
    injectFault(rule: FaultRule): { remove(): void } {
      const active: ActiveRule = {
        rule: { ...rule },
        remaining: rule.times ?? Number.POSITIVE_INFINITY,
        random: mulberry32((baseSeed + Math.imul(++ruleCounter, 0x9e3779b9)) >>> 0),
      };
      rules = [...rules, active];
      return {
        remove(): void {
          rules = rules.filter((r) => r !== active);
        },
      };
    },
    clearFaults(): void {
      rules = [];
    },
    setLatency(ms: number): void {
      latencyMs = Math.max(0, ms);
    },
    setQuota(callsPerSecond: number): void {
      quotaPerSecond = Math.max(0, callsPerSecond);
      accepted.clear();
    },
    close(): Promise<void> {
      if (closing) return closing;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      closing = new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        for (const socket of sockets) socket.destroy();
        sockets.clear();
      });
      return closing;
    },
  };
  return emulator;
}
