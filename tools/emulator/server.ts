/// <reference types="node" />
/**
 * Local emulator of Amazon QuickSight DescribeActionConnector, ListActionConnectors and
 * SearchActionConnectors, and of Amazon DataZone GetConnection and ListConnections, speaking the
 * restJson1 wire protocol the AWS SDK v3 clients parse (paths, query strings and bodies as bound by
 * the SDK's operation schemas). Point a client at it with
 * `endpoint: emulator.url` (or AWS_ENDPOINT_URL_QUICKSIGHT / AWS_ENDPOINT_URL_DATAZONE).
 * SigV4 signatures are not checked.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createHash, randomUUID } from 'node:crypto';
import type { ActionConnector } from '@aws-sdk/client-quicksight';
import type { GetConnectionOutput } from '@aws-sdk/client-datazone';
import { mulberry32 } from './prng.js';
import { defaultErrorMessage, defaultErrorStatus } from './errors.js';
import { seedActionConnectors, seedBulkActionConnectors, seedBulkConnections, seedConnections } from './seed.js';
import {
  ACTION_CONNECTOR_SUMMARY_MEMBERS,
  CONNECTION_SUMMARY_MEMBERS,
  DATAZONE_DATE_TIME_MEMBERS,
  QUICKSIGHT_DATE_TIME_MEMBERS,
  pickMembers,
  stripDataZoneSecrets,
  toWire,
} from './wire.js';
import type { CredentialMapEntries, WireObject } from './wire.js';

export type EmulatedService = 'quicksight' | 'datazone';
export type EmulatedOperation =
  | 'DescribeActionConnector'
  | 'ListActionConnectors'
  | 'SearchActionConnectors'
  | 'GetConnection'
  | 'ListConnections';

export interface RecordedCall {
  service: EmulatedService;
  operation: EmulatedOperation;
  /**
   * URL-decoded request members, named as in the SDK. Describe: { AwsAccountId, ActionConnectorId };
   * GetConnection: { domainIdentifier, identifier }; ListActionConnectors: { AwsAccountId, MaxResults?,
   * NextToken? }; SearchActionConnectors: the same plus `Filters` (the body's Filters as JSON text);
   * ListConnections: { domainIdentifier } plus each query member sent (maxResults, nextToken, sortBy,
   * sortOrder, name, environmentIdentifier, projectIdentifier, type, scope).
   */
  params: Record<string, string>;
  /** DataZone `withSecret=true` was sent (always false for QuickSight). */
  withSecret: boolean;
  /** The x-amzn-RequestId of the answer (also for faulted requests, even if nothing was sent). */
  requestId: string;
  /** Date.now() when the request arrived. */
  at: number;
  /** The gateway's `x-gateway-request-id` header, if the call carried one (ties a call to a gateway log line). */
  gatewayRequestId?: string;
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
  /** Matches ActionConnectorId / identifier; for the list operations, the AwsAccountId / domainIdentifier. */
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
  /** Default true: load the demo data and the generated bulk data from seed.ts. */
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
}

export interface Emulator {
  readonly url: string;
  /** Every request received on the emulated operations, in order (faulted ones too). */
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
const DZ_PROJECT_OR_ENVIRONMENT_ID = /^[a-zA-Z0-9_-]{1,36}$/;
const DZ_NAME_MAX = 64;
const DZ_NEXT_TOKEN_MAX = 8192;
const DZ_SCOPES = new Set(['DOMAIN', 'PROJECT']);
const DZ_SORT_ORDERS = new Set(['ASCENDING', 'DESCENDING']);
/** Page sizes: QuickSight's list and search allow up to 100 per call, DataZone's ListConnections 50. */
const QS_MAX_RESULTS = 100;
const DZ_MAX_RESULTS = 50;
const QS_SEARCH_FILTER_NAMES = new Set(['ACTION_CONNECTOR_NAME', 'ACTION_CONNECTOR_TYPE']);
const QS_OWNERSHIP_FILTER_NAMES = new Set([
  'QUICKSIGHT_OWNER',
  'QUICKSIGHT_VIEWER_OR_OWNER',
  'DIRECT_QUICKSIGHT_SOLE_OWNER',
  'DIRECT_QUICKSIGHT_OWNER',
  'DIRECT_QUICKSIGHT_VIEWER_OR_OWNER',
]);
/** Largest request body read (SearchActionConnectors); anything bigger is refused. */
const MAX_BODY_BYTES = 64 * 1024;

interface ActiveRule {
  rule: FaultRule;
  remaining: number;
  random: () => number;
  /** Date.now() when injected: the origin of `burst` windows. */
  since: number;
}

interface ConnectionEntry {
  withSecret: string;
  withoutSecret: string;
}

/** What the list operations see of one stored item: its owner (account or domain) and its summary. */
interface SummaryEntry {
  owner: string;
  summary: WireObject;
}

/**
 * NextTokens are opaque to clients, as AWS's are: base64url of the offset into the result and a
 * fingerprint of the query they belong to. A token that does not decode, or that belongs to another
 * query, is refused (QuickSight: InvalidNextTokenException; DataZone: ValidationException).
 */
function encodeNextToken(offset: number, fingerprint: string): string {
  return Buffer.from(JSON.stringify({ o: offset, q: fingerprint })).toString('base64url');
}

function decodeNextToken(token: string, fingerprint: string): number | undefined {
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o?: unknown; q?: unknown };
    if (decoded.q !== fingerprint || typeof decoded.o !== 'number' || !Number.isSafeInteger(decoded.o) || decoded.o < 0) return undefined;
    return decoded.o;
  } catch {
    return undefined;
  }
}

function queryFingerprint(parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 16);
}

/** One page of `items` from `offset`, and the token of the next page when there is one. */
function pageOf<T>(items: T[], offset: number, maxResults: number, fingerprint: string): { page: T[]; nextToken?: string } {
  const end = offset + maxResults;
  const page = items.slice(offset, end);
  return end < items.length ? { page, nextToken: encodeNextToken(end, fingerprint) } : { page };
}

/** `value` as an integer in [min, max], or undefined. */
function intInRange(value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined || !/^-?[0-9]+$/.test(value)) return undefined;
  const parsed = Number(value);
  return parsed >= min && parsed <= max ? parsed : undefined;
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
  service: EmulatedService;
  operation: EmulatedOperation;
  id: string;
  call: RecordedCall;
  /** The request body as text (only SearchActionConnectors has one). */
  body?: string;
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
  // Summaries for the list operations, in insertion order (an overwrite keeps the item's place).
  const connectorSummaries = new Map<string, SummaryEntry>();
  const connectionSummaries = new Map<string, SummaryEntry>();
  let rules: ActiveRule[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  function putActionConnector(awsAccountId: string, connector: ActionConnector | Record<string, unknown>): void {
    const id = (connector as Record<string, unknown>)['ActionConnectorId'];
    if (typeof awsAccountId !== 'string' || typeof id !== 'string') {
      throw new TypeError('putActionConnector needs an awsAccountId and a connector with a string ActionConnectorId');
    }
    const wire = toWire(connector, QUICKSIGHT_DATE_TIME_MEMBERS) as WireObject;
    connectors.set(key(awsAccountId, id), JSON.stringify(wire));
    connectorSummaries.set(key(awsAccountId, id), { owner: awsAccountId, summary: pickMembers(wire, ACTION_CONNECTOR_SUMMARY_MEMBERS) });
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
    stripDataZoneSecrets(redacted, opts.credentialMapEntries);
    connections.set(key(domainId, connectionId), { withSecret: full, withoutSecret: JSON.stringify(redacted) });
    // ListConnections has no withSecret: summaries are always cut from the redacted record.
    connectionSummaries.set(key(domainId, connectionId), { owner: domainId, summary: pickMembers(redacted, CONNECTION_SUMMARY_MEMBERS) });
  }

  function clearData(): void {
    connectors.clear();
    connections.clear();
    connectorSummaries.clear();
    connectionSummaries.clear();
  }

  if (opts.seed !== false) {
    for (const { awsAccountId, connector } of [...seedActionConnectors(), ...seedBulkActionConnectors()]) putActionConnector(awsAccountId, connector);
    for (const connection of [...seedConnections(), ...seedBulkConnections()]) putConnection(connection);
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
    switch (req.operation) {
      case 'ListActionConnectors':
      case 'SearchActionConnectors':
        return answerActionConnectorList(req, res);
      case 'ListConnections':
        return answerConnectionList(req, res);
      default:
        return answerDescribeOrGet(req, res);
    }
  }

  /**
   * ListActionConnectors / SearchActionConnectors: the account's connectors in insertion order,
   * paged by MaxResults (1..100, default 100) and NextToken. Search takes at most one filter, as
   * QuickSight does: ACTION_CONNECTOR_NAME or ACTION_CONNECTOR_TYPE with StringEquals (exact) or
   * StringLike (contains, ignoring case). The ownership filters need QuickSight users and
   * permissions, which the emulator does not model: it refuses them.
   */
  function answerActionConnectorList(req: Request, res: ServerResponse): string | undefined {
    const { call } = req;
    const account = call.params['AwsAccountId'] as string;
    const refuse = (name: string, message: string): undefined => {
      sendError(res, 'quicksight', call.requestId, name, 400, message);
      return undefined;
    };
    if (!QS_ACCOUNT_ID.test(account)) {
      return refuse('InvalidParameterValueException', `The value for AwsAccountId '${account}' is not valid: it must be a 12-digit AWS account ID.`);
    }
    const maxResultsRaw = call.params['MaxResults'];
    const maxResults = maxResultsRaw === undefined ? QS_MAX_RESULTS : intInRange(maxResultsRaw, 1, QS_MAX_RESULTS);
    if (maxResults === undefined) {
      return refuse('InvalidParameterValueException', `The value for MaxResults is not valid: it must be between 1 and ${QS_MAX_RESULTS}.`);
    }
    let matches: (summary: WireObject) => boolean = () => true;
    let filters: unknown[] = [];
    if (req.operation === 'SearchActionConnectors') {
      let body: { Filters?: unknown };
      try {
        body = JSON.parse(req.body || '{}') as { Filters?: unknown };
      } catch {
        return refuse('InvalidParameterValueException', 'The request body is not valid JSON.');
      }
      if (!Array.isArray(body.Filters)) return refuse('InvalidParameterValueException', 'Filters is required.');
      if (body.Filters.length > 1) return refuse('InvalidParameterValueException', 'Maximum of one filter is supported.');
      filters = body.Filters;
      const filter = body.Filters[0] as Record<string, unknown> | undefined;
      if (filter !== undefined) {
        const { Name: name, Operator: operator, Value: value } = filter;
        if (typeof name !== 'string' || typeof operator !== 'string' || typeof value !== 'string') {
          return refuse('InvalidParameterValueException', 'A filter needs a Name, an Operator and a Value.');
        }
        if (QS_OWNERSHIP_FILTER_NAMES.has(name)) {
          return refuse('InvalidParameterValueException', `The emulator does not model QuickSight users, so it cannot filter by ${name}.`);
        }
        if (!QS_SEARCH_FILTER_NAMES.has(name)) return refuse('InvalidParameterValueException', `Unknown filter name '${name}'.`);
        if (operator !== 'StringEquals' && operator !== 'StringLike') return refuse('InvalidParameterValueException', `Unknown filter operator '${operator}'.`);
        const member = name === 'ACTION_CONNECTOR_NAME' ? 'Name' : 'Type';
        const needle = value.toLowerCase();
        matches = (summary) => {
          const actual = summary[member];
          if (typeof actual !== 'string') return false;
          return operator === 'StringEquals' ? actual === value : actual.toLowerCase().includes(needle);
        };
      }
    }
    const fingerprint = queryFingerprint([req.operation, account, filters]);
    const token = call.params['NextToken'];
    const offset = token === undefined ? 0 : decodeNextToken(token, fingerprint);
    if (offset === undefined) return refuse('InvalidNextTokenException', 'The NextToken is not valid for this request.');
    const items: WireObject[] = [];
    for (const entry of connectorSummaries.values()) if (entry.owner === account && matches(entry.summary)) items.push(entry.summary);
    const { page, nextToken } = pageOf(items, offset, maxResults, fingerprint);
    return JSON.stringify({ ActionConnectorSummaries: page, ...(nextToken ? { NextToken: nextToken } : {}), RequestId: call.requestId });
  }

  /**
   * ListConnections: the domain's connections, filtered by every query member sent (project,
   * environment, exact name, type, scope), in insertion order or by name (sortBy=NAME), reversed by
   * sortOrder=DESCENDING; paged by maxResults (1..50, default 50) and nextToken.
   */
  function answerConnectionList(req: Request, res: ServerResponse): string | undefined {
    const { call } = req;
    const p = call.params;
    const domain = p['domainIdentifier'] as string;
    const refuse = (member: string, constraint: string): undefined => {
      sendError(res, 'datazone', call.requestId, 'ValidationException', 400,
        `1 validation error detected: Value at '${member}' failed to satisfy constraint: ${constraint}`);
      return undefined;
    };
    if (!DZ_DOMAIN_ID.test(domain)) return refuse('domainIdentifier', 'Member must satisfy regular expression pattern: ^dzd[-_][a-zA-Z0-9_-]{1,36}$');
    const maxResults = p['maxResults'] === undefined ? DZ_MAX_RESULTS : intInRange(p['maxResults'], 1, DZ_MAX_RESULTS);
    if (maxResults === undefined) return refuse('maxResults', `Member must have value between 1 and ${DZ_MAX_RESULTS}`);
    for (const member of ['projectIdentifier', 'environmentIdentifier']) {
      const value = p[member];
      if (value !== undefined && !DZ_PROJECT_OR_ENVIRONMENT_ID.test(value)) return refuse(member, 'Member must satisfy regular expression pattern: ^[a-zA-Z0-9_-]{1,36}$');
    }
    if (p['name'] !== undefined && p['name'].length > DZ_NAME_MAX) return refuse('name', `Member must have length less than or equal to ${DZ_NAME_MAX}`);
    if (p['scope'] !== undefined && !DZ_SCOPES.has(p['scope'])) return refuse('scope', 'Member must satisfy enum value set: [DOMAIN, PROJECT]');
    if (p['sortBy'] !== undefined && p['sortBy'] !== 'NAME') return refuse('sortBy', 'Member must satisfy enum value set: [NAME]');
    if (p['sortOrder'] !== undefined && !DZ_SORT_ORDERS.has(p['sortOrder'])) return refuse('sortOrder', 'Member must satisfy enum value set: [ASCENDING, DESCENDING]');
    const token = p['nextToken'];
    if (token !== undefined && (token.length < 1 || token.length > DZ_NEXT_TOKEN_MAX)) return refuse('nextToken', `Member must have length between 1 and ${DZ_NEXT_TOKEN_MAX}`);

    const filterMembers: Array<[string, string]> = [
      ['projectIdentifier', 'projectId'],
      ['environmentIdentifier', 'environmentId'],
      ['name', 'name'],
      ['type', 'type'],
      ['scope', 'scope'],
    ];
    const wanted = filterMembers.flatMap(([query, member]) => (p[query] === undefined ? [] : [[member, p[query]] as const]));
    const fingerprint = queryFingerprint(['ListConnections', domain, wanted, p['sortBy'] ?? null, p['sortOrder'] ?? null]);
    const offset = token === undefined ? 0 : decodeNextToken(token, fingerprint);
    if (offset === undefined) return refuse('nextToken', 'Member must be a token returned by a previous ListConnections call with the same parameters');

    const items: WireObject[] = [];
    for (const entry of connectionSummaries.values()) {
      if (entry.owner === domain && wanted.every(([member, value]) => entry.summary[member] === value)) items.push(entry.summary);
    }
    if (p['sortBy'] === 'NAME') {
      const text = (value: unknown) => (typeof value === 'string' ? value : '');
      items.sort((a, b) => text(a['name']).localeCompare(text(b['name'])) || text(a['connectionId']).localeCompare(text(b['connectionId'])));
    }
    if (p['sortOrder'] === 'DESCENDING') items.reverse();
    const { page, nextToken } = pageOf(items, offset, maxResults, fingerprint);
    return JSON.stringify({ items: page, ...(nextToken ? { nextToken } : {}) });
  }

  function answerDescribeOrGet(req: Request, res: ServerResponse): string | undefined {
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

  /** Records and describes one list request; `params` are the request members sent. */
  function listRequest(service: EmulatedService, operation: EmulatedOperation, owner: string, params: Record<string, string>, requestId: string, body?: string): Request {
    const call: RecordedCall = { service, operation, params, withSecret: false, requestId, at: Date.now() };
    calls.push(call);
    return { service, operation, id: owner, call, ...(body !== undefined ? { body } : {}) };
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
    const isGet = httpReq.method === 'GET';
    const isPost = httpReq.method === 'POST';
    // GET /accounts/{AwsAccountId}/action-connectors?max-results=&next-token=
    if (isGet && segs.length === 4 && segs[0] === '' && segs[1] === 'accounts' && segs[3] === 'action-connectors') {
      const account = decode(segs[2] as string);
      if (account !== undefined && account !== '') {
        const params = { AwsAccountId: account, ...queryMembers(url, q, { 'max-results': 'MaxResults', 'next-token': 'NextToken' }) };
        return listRequest('quicksight', 'ListActionConnectors', account, params, requestId);
      }
    }
    // POST /accounts/{AwsAccountId}/search/action-connectors?max-results=&next-token=  body: { Filters }
    if (isPost && segs.length === 5 && segs[0] === '' && segs[1] === 'accounts' && segs[3] === 'search' && segs[4] === 'action-connectors') {
      const account = decode(segs[2] as string);
      if (account !== undefined && account !== '') {
        let filters = '';
        try {
          filters = JSON.stringify((JSON.parse(body || '{}') as { Filters?: unknown }).Filters ?? null);
        } catch {
          filters = '(invalid JSON)';
        }
        const params = { AwsAccountId: account, ...queryMembers(url, q, { 'max-results': 'MaxResults', 'next-token': 'NextToken' }), Filters: filters };
        return listRequest('quicksight', 'SearchActionConnectors', account, params, requestId, body);
      }
    }
    // GET /v2/domains/{domainIdentifier}/connections?maxResults=&nextToken=&sortBy=&sortOrder=&name=&environmentIdentifier=&projectIdentifier=&type=&scope=
    if (isGet && segs.length === 5 && segs[0] === '' && segs[1] === 'v2' && segs[2] === 'domains' && segs[4] === 'connections') {
      const domain = decode(segs[3] as string);
      if (domain !== undefined && domain !== '') {
        const names = ['maxResults', 'nextToken', 'sortBy', 'sortOrder', 'name', 'environmentIdentifier', 'projectIdentifier', 'type', 'scope'];
        const params = { domainIdentifier: domain, ...queryMembers(url, q, Object.fromEntries(names.map((name) => [name, name]))) };
        return listRequest('datazone', 'ListConnections', domain, params, requestId);
      }
    }
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
          gatewayRequestId: headerValue(httpReq, 'x-gateway-request-id'),
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
          gatewayRequestId: headerValue(httpReq, 'x-gateway-request-id'),
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
    if (httpReq.method !== 'POST') {
      httpReq.resume();
      dispatch(httpReq, res, '');
      return;
    }
    // Only SearchActionConnectors has a body: read it whole before routing.
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
    const req = route(httpReq, res, body);
    if (req === undefined) return;
    if (quotaPerSecond > 0 && overQuota(req)) {
      req.call.throttled = true;
      sendError(res, req.service, req.call.requestId, 'ThrottlingException', defaultErrorStatus(req.service, 'ThrottlingException'), 'Rate exceeded');
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
