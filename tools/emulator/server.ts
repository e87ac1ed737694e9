/// <reference types="node" />
/**
 * Local emulator of the AWS operations listed in registry.ts (QuickSight action connectors, DataZone
 * connections, ...), speaking the restJson1 wire protocol the AWS SDK v3 clients parse (paths, query
 * strings and bodies as bound by the SDK's operation schemas). Each operation is described in its
 * own file in operations/; this server routes requests to them by method and path, records every
 * call, and applies the quota, latency and fault rules to all of them alike. Point a client at it
 * with `endpoint: emulator.url` (or AWS_ENDPOINT_URL_QUICKSIGHT / AWS_ENDPOINT_URL_DATAZONE /
 * AWS_ENDPOINT_URL_STS). SigV4 signatures are not checked, but their credential scope is read: STS
 * AssumeRole issues keys of the role's account, and calls for another account, or for a domain in
 * another region, are refused as AWS refuses them (iam.ts).
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { randomUUID } from 'node:crypto';
import type { ActionConnector } from '@aws-sdk/client-quicksight';
import type { GetConnectionOutput } from '@aws-sdk/client-datazone';
import { mulberry32 } from './prng.js';
import { defaultErrorMessage, defaultErrorStatus } from './errors.js';
import { EmulatedIam, type IamOptions, signingScopeOf } from './iam.js';
import { type EmulatedOperationSpec, type EmulatedResource, type EmulatedService, EmulatorStore } from './operation.js';
import { actionConnectors } from './operations/describe-action-connector.js';
import { connections } from './operations/get-connection.js';
import { ALL_OPERATIONS, type EmulatedOperation, RESOURCES } from './registry.js';
import type { CredentialMapEntries } from './wire.js';

export type { EmulatedService } from './operation.js';
export type { EmulatedOperation } from './registry.js';

export interface RecordedCall {
  service: EmulatedService;
  operation: EmulatedOperation;
  /**
   * URL-decoded request members, named as in the SDK: the path's labels, each query member the
   * operation binds that was sent, and its body members (SearchActionConnectors: `Filters`, the
   * body's Filters as JSON text). Describe: { AwsAccountId, ActionConnectorId }; GetConnection:
   * { domainIdentifier, identifier }; ListConnections: { domainIdentifier, maxResults?, nextToken?, ... }.
   */
  params: Record<string, string>;
  /** DataZone `withSecret=true` was sent (always false for QuickSight). */
  withSecret: boolean;
  /** The x-amzn-RequestId of the answer (also for faulted requests, even if nothing was sent). */
  requestId: string;
  /** Date.now() when the request arrived. */
  at: number;
  /** The access key id that signed the call (its SigV4 credential scope); absent for an unsigned call. */
  accessKeyId?: string;
  /** The region the call was signed for (its SigV4 credential scope). */
  region?: string;
  /** Refused by AWS's own rules (iam.ts): signed for another account, or the wrong region for its domain. */
  refused?: string;
  /** The subgraph's `x-subgraph-request-id` header, if the call carried one (ties a call to a subgraph log line). */
  subgraphRequestId?: string;
  /** The fault rule applied to this call, if any (what a checker expects the caller to have seen). */
  fault?: { kind: FaultKind; errorName?: string };
  /** Refused with ThrottlingException by the quota (EmulatorOptions.quotaPerSecond). */
  throttled?: boolean;
  /** The caller closed the connection before the answer was sent (an aborted or timed-out call). */
  abandoned?: boolean;
}

export type FaultKind = 'error' | 'reset' | 'hang' | 'malformed' | 'truncated' | 'latency';

export interface FaultRule {
  service?: EmulatedService;
  operation?: string;
  /** Matches the member each operation names as its `faultId`: ActionConnectorId / identifier; for the list operations, the AwsAccountId / domainIdentifier. */
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
  /**
   * A pattern in time, e.g. throttling bursts: the rule applies only during the first `durationMs` of
   * every `periodMs`, counted from when it was injected (default: all the time).
   */
  burst?: { periodMs: number; durationMs: number };
}

export interface EmulatorOptions {
  /** Default 0 (a free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Delay added to every response. */
  latencyMs?: number;
  /** Default true: load every resource's demo data and generated bulk data (seed.ts). */
  seed?: boolean;
  /** Seed of the PRNG used by fault rules with `rate` (default 0x5eed). */
  randomSeed?: number;
  /**
   * AWS's request quota: calls per second each operation accepts (in any 1 s window) before it
   * answers ThrottlingException, as the real services do. Default 0: no quota.
   */
  quotaPerSecond?: number;
  /**
   * Whether GetConnection and ListConnections return a map entry whose key names a credential
   * without `withSecret=true` (see CredentialMapEntries in wire.ts). Default `'returned'`.
   */
  credentialMapEntries?: CredentialMapEntries;
  /** Accounts of access keys, roles STS refuses, regions of domains (iam.ts). Default: no key bound to an account, every domain in the demo region. */
  iam?: IamOptions;
}

export interface Emulator {
  readonly url: string;
  /** Every request received on the emulated operations, in order (faulted ones too). */
  readonly calls: RecordedCall[];
  /** STS: AssumeRole calls, issued credentials, accounts of keys, regions of domains. */
  readonly iam: EmulatedIam;
  resetCalls(): void;
  /**
   * Stores an SDK-shaped ActionConnector (PascalCase, Date for timestamps) under
   * (awsAccountId, connector.ActionConnectorId). Snapshot at call time. Unknown extra keys, enum
   * values the SDK lacks and `{ $unknown: [name, value] }` union members are sent as they are.
   */
  putActionConnector(awsAccountId: string, connector: ActionConnector | Record<string, unknown>): void;
  /** Stores an SDK-shaped GetConnectionOutput under (domainId, connectionId). Snapshot at call time. */
  putConnection(connection: GetConnectionOutput | Record<string, unknown>): void;
  /** Stores an SDK-shaped item of any resource (see operation.ts), e.g. `put(projects, project)`. Snapshot at call time. */
  put<Item>(resource: EmulatedResource<Item, unknown>, item: Item): void;
  clearData(): void;
  injectFault(rule: FaultRule): { remove(): void };
  clearFaults(): void;
  setLatency(ms: number): void;
  /** Sets the per-operation quota (see EmulatorOptions.quotaPerSecond); 0 removes it. */
  setQuota(callsPerSecond: number): void;
  /** Closes the server and every socket (hanging ones included); resolves when closed. */
  close(): Promise<void>;
}

/** Largest request body read (SearchActionConnectors); anything bigger is refused. */
const MAX_BODY_BYTES = 64 * 1024;

interface ActiveRule {
  rule: FaultRule;
  remaining: number;
  random: () => number;
  /** Date.now() when injected: the origin of `burst` windows. */
  since: number;
}

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function headerValue(httpReq: IncomingMessage, name: string): string | undefined {
  const value = httpReq.headers[name];
  return typeof value === 'string' ? value : undefined;
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

interface Request {
  operation: EmulatedOperationSpec;
  /** The value of the operation's `faultId` member, which fault rules' `id` matches. */
  id: string;
  call: RecordedCall;
  /** The request body as text (empty for GET). */
  body: string;
}

/** A path segment of an operation's URI: a literal, or a label naming a request member. */
type PathSegment = { literal: string } | { label: string };

/** Every operation with its URI split into segments, as the router tries them. */
const ROUTES = ALL_OPERATIONS.map((operation) => ({
  operation,
  segments: operation.path.split('/').map((segment): PathSegment =>
    segment.startsWith('{') && segment.endsWith('}') ? { label: segment.slice(1, -1) } : { literal: segment },
  ),
}));

/** The URL-decoded path labels of `segs` if they match `pattern` (every label non-empty), else undefined. */
function matchPath(pattern: readonly PathSegment[], segs: readonly string[]): Record<string, string> | undefined {
  if (segs.length !== pattern.length) return undefined;
  const labels: Record<string, string> = {};
  for (let index = 0; index < pattern.length; index++) {
    const expected = pattern[index] as PathSegment;
    const actual = segs[index] as string;
    if ('literal' in expected) {
      if (actual !== expected.literal) return undefined;
      continue;
    }
    const value = decode(actual);
    if (value === undefined || value === '') return undefined;
    labels[expected.label] = value;
  }
  return labels;
}

export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  const host = opts.host ?? '127.0.0.1';
  const baseSeed = (opts.randomSeed ?? 0x5eed) >>> 0;
  let latencyMs = Math.max(0, opts.latencyMs ?? 0);
  let quotaPerSecond = Math.max(0, opts.quotaPerSecond ?? 0);
  /** Arrival times of the calls each operation accepted within the last second. */
  const accepted = new Map<string, number[]>();
  let ruleCounter = 0;
  let closing: Promise<void> | undefined;

  const calls: RecordedCall[] = [];
  const store = new EmulatorStore({ credentialMapEntries: opts.credentialMapEntries });
  const iam = new EmulatedIam(opts.iam);
  let rules: ActiveRule[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  if (opts.seed !== false) {
    for (const resource of RESOURCES) for (const item of resource.seed()) store.put(resource, item);
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
    const result = req.operation.answer({ params: call.params, body: req.body, requestId: call.requestId, withSecret: call.withSecret }, store);
    if (typeof result === 'string') return result;
    sendError(res, req.operation.service, call.requestId, result.error, result.status, result.message);
    return undefined;
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
        sendError(res, req.operation.service, requestId, name, rule.status ?? defaultErrorStatus(req.operation.service, name),
          rule.message ?? defaultErrorMessage(name));
        return;
      }
      case 'malformed': {
        const body = req.operation.service === 'quicksight'
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
      if (rule.service !== undefined && rule.service !== req.operation.service) continue;
      if (rule.operation !== undefined && rule.operation !== req.operation.name) continue;
      if (rule.id !== undefined && rule.id !== req.id) continue;
      // The window is judged at the call's recorded arrival, not whenever handling gets here, so a
      // busy event loop never moves a call across a window edge from what `calls` shows.
      if (rule.burst && (req.call.at - active.since) % Math.max(1, rule.burst.periodMs) >= rule.burst.durationMs) continue;
      const rate = rule.rate ?? 1;
      if (rate < 1 && !(active.random() < rate)) continue;
      active.remaining -= 1;
      return rule;
    }
    return undefined;
  }

  /** The query members of `url` the SDK binds with @httpQuery, renamed to their member names. */
  function queryMembers(url: string, q: number, names: Record<string, string>): Record<string, string> {
    const members: Record<string, string> = {};
    if (q === -1) return members;
    for (const [name, value] of new URLSearchParams(url.slice(q + 1))) {
      const member = names[name];
      if (member !== undefined) members[member] = value;
    }
    return members;
  }

  function route(httpReq: IncomingMessage, res: ServerResponse, body: string): Request | undefined {
    const url = httpReq.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const segs = path.split('/');
    const requestId = randomUUID();
    for (const { operation, segments } of ROUTES) {
      if (httpReq.method !== operation.method) continue;
      const labels = matchPath(segments, segs);
      if (labels === undefined) continue;
      const params = { ...labels, ...queryMembers(url, q, operation.query ?? {}), ...operation.bodyMembers?.(body) };
      const signing = signingScopeOf(headerValue(httpReq, 'authorization'));
      const withSecretRaw = operation.withSecret && q !== -1 ? new URLSearchParams(url.slice(q + 1)).get('withSecret') : null;
      const call: RecordedCall = {
        service: operation.service,
        operation: operation.name as EmulatedOperation,
        params,
        withSecret: withSecretRaw === 'true',
        requestId,
        at: Date.now(),
        subgraphRequestId: headerValue(httpReq, 'x-subgraph-request-id'),
        ...(signing ? { accessKeyId: signing.accessKeyId, region: signing.region } : {}),
      };
      calls.push(call);
      if (withSecretRaw !== null && withSecretRaw !== 'true' && withSecretRaw !== 'false') {
        sendError(res, operation.service, requestId, 'ValidationException', 400,
          `Value '${withSecretRaw}' at 'withSecret' failed to satisfy constraint: Member must be a boolean`);
        return undefined;
      }
      const refusal = iam.refusal(operation.service, params, signing);
      if (refusal !== undefined) {
        call.refused = refusal.error;
        sendError(res, operation.service, requestId, refusal.error, defaultErrorStatus(operation.service, refusal.error), refusal.message);
        return undefined;
      }
      return { operation, id: params[operation.faultId] ?? '', call, body };
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
    const times = accepted.get(req.operation.name) ?? [];
    accepted.set(req.operation.name, times);
    while (times.length > 0 && req.call.at - (times[0] as number) >= 1000) times.shift();
    if (times.length >= quotaPerSecond) return true;
    times.push(req.call.at);
    return false;
  }

  function onRequest(httpReq: IncomingMessage, res: ServerResponse): void {
    if (httpReq.method !== 'POST') {
      httpReq.resume();
      dispatch(httpReq, res, '');
      return;
    }
    // Only POST operations (SearchActionConnectors) have a body: read it whole before routing.
    const chunks: Buffer[] = [];
    let size = 0;
    httpReq.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        httpReq.destroy();
        return;
      }
      chunks.push(chunk);
    });
    httpReq.on('end', () => dispatch(httpReq, res, Buffer.concat(chunks).toString('utf8')));
  }

  function dispatch(httpReq: IncomingMessage, res: ServerResponse, body: string): void {
    // STS's Query protocol: a form-encoded POST to the root (AWS_ENDPOINT_URL_STS).
    if (httpReq.method === 'POST' && (httpReq.url ?? '/').split('?')[0] === '/') {
      const answer = iam.answerSts(body, headerValue(httpReq, 'authorization'));
      if (res.destroyed || res.writableEnded) return;
      res.writeHead(answer.status, { 'content-type': 'text/xml', 'content-length': Buffer.byteLength(answer.body), 'x-amzn-RequestId': answer.requestId });
      res.end(answer.body);
      return;
    }
    const req = route(httpReq, res, body);
    if (req === undefined) return;
    if (quotaPerSecond > 0 && overQuota(req)) {
      req.call.throttled = true;
      sendError(res, req.operation.service, req.call.requestId, 'ThrottlingException', defaultErrorStatus(req.operation.service, 'ThrottlingException'), 'Rate exceeded');
      return;
    }
    res.once('close', () => {
      if (!res.writableEnded) req.call.abandoned = true;
    });
    const rule = rules.length === 0 ? undefined : pickFault(req);
    if (rule) req.call.fault = rule.kind === 'error' ? { kind: rule.kind, errorName: rule.errorName ?? 'InternalFailureException' } : { kind: rule.kind };
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
    iam,
    resetCalls(): void {
      calls.length = 0;
    },
    putActionConnector(awsAccountId, connector) {
      store.put(actionConnectors, { awsAccountId, connector });
    },
    putConnection(connection) {
      store.put(connections, connection);
    },
    put(resource, item) {
      store.put(resource, item);
    },
    clearData() {
      store.clear();
    },
    injectFault(rule: FaultRule): { remove(): void } {
      const active: ActiveRule = {
        rule: { ...rule },
        remaining: rule.times ?? Number.POSITIVE_INFINITY,
        random: mulberry32((baseSeed + Math.imul(++ruleCounter, 0x9e3779b9)) >>> 0),
        since: Date.now(),
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
