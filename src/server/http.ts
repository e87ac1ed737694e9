import { type ApolloServer, HeaderMap } from '@apollo/server';
import cors from 'cors';
import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { type CallSignal, ClientClosedRequestError, RequestAbort, RequestDeadlineExceededError } from '../aws/call.js';
import type { SubgraphContext, RequestLogEntry } from '../core/context.js';
import { INCLUDE_TRACE_HEADER } from './apollo.js';
import { VARY_BY_CALLER } from './response-policy.js';
import type { FastPath } from './accelerator/fast-path.js';
import type { Context } from '@opentelemetry/api';
import type { SubgraphMetrics } from '../telemetry/metrics.js';
import { type TracedSpan, endOperationSpan, endRequestSpan, startOperationSpan, startRequestSpan, traceIdsOf } from '../telemetry/tracing.js';

/** Where Apollo Sandbox runs; always allowed by CORS besides the configured frontend origins. */
export const APOLLO_SANDBOX_ORIGIN = 'https://studio.apollographql.com';
export const GRAPHQL_PATH = '/graphql';
/** Largest request body accepted; GraphQL documents are small, a larger body is abuse. */
export const MAX_BODY_BYTES = 256 * 1024;

/** What the HTTP layer hands to the context of one GraphQL request. */
export interface RequestScope {
  requestId: string;
  /** Fires at the request's deadline, or when the client goes away; every AWS call of the request honours it. */
  signal: CallSignal;
  /** Filled in from the response policy (response-policy.ts), written as one log line when the response is done. */
  log: RequestLogEntry;
  /** The request's server span, when tracing is on (src/telemetry/tracing.ts). */
  trace?: TracedSpan;
  /** The span the request's AWS calls are traced under (its operation span), when tracing is on. */
  traceContext?: Context;
}

export interface HttpHandlerOptions {
  apollo: ApolloServer<SubgraphContext>;
  createContext: (request: IncomingMessage, scope: RequestScope) => Promise<SubgraphContext>;
  corsOrigins: string[];
  logger: Logger;
  isReady: () => boolean;
  /** Overall deadline of one GraphQL request (REQUEST_DEADLINE_MS). */
  requestDeadlineMs: number;
  /** Answers requests for operations Apollo Server has compiled already, without its pipeline (see accelerator/fast-path.ts). */
  fastPath?: FastPath;
  /** Served at `GET /metrics`, and told of every GraphQL request where its log line is written. */
  metrics?: Pick<SubgraphMetrics, 'contentType' | 'exposition' | 'requestDone'>;
}

/** Prometheus' scrape path, on the GraphQL port. */
export const METRICS_PATH = '/metrics';

/** A body Apollo Server reads as JSON and its CSRF prevention lets through. */
const JSON_CONTENT_TYPE = /^application\/json\s*(;|$)/i;

/** A caller's x-request-id is reused only if it is a plain token: it goes into logs and AWS request headers. */
const CALLER_REQUEST_ID = /^[\w.:-]{1,128}$/;

class PayloadTooLargeError extends Error {}

interface RequestTarget {
  pathname: string;
  search: string;
}

const ABSOLUTE_FORM = /^https?:\/\//i;

/**
 * Path and query of the request target (RFC 9112, section 3.2), or undefined for a target this
 * server does not take (authority-form, asterisk-form, an absolute URL that does not parse).
 *
 * Origin-form (`/path?query`) is split as it is, never resolved as a URL: the WHATWG parser reads
 * `//localhost:99999` as a host and port and throws on it, and resolving would also rewrite the
 * path (`/a/../graphql`). Absolute-form (`http://host/path?query`, which servers must accept) goes
 * through the WHATWG parser, guarded.
 */
function requestTarget(raw: string): RequestTarget | undefined {
  if (raw.startsWith('/')) {
    const fragment = raw.indexOf('#');
    const target = fragment === -1 ? raw : raw.slice(0, fragment);
    const query = target.indexOf('?');
    return query === -1 ? { pathname: target, search: '' } : { pathname: target.slice(0, query), search: target.slice(query) };
  }
  if (!ABSOLUTE_FORM.test(raw) || !URL.canParse(raw)) return undefined;
  const url = new URL(raw);
  return { pathname: url.pathname, search: url.search };
}

/** The request body ended early: its client went away (or reset the connection) while sending it. */
class BodyAbortedError extends Error {}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > MAX_BODY_BYTES) {
      reject(new PayloadTooLargeError());
      request.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const collect = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        // Stop keeping the body but keep reading it, so the 413 can still be written back.
        request.off('data', collect);
        chunks.length = 0;
        reject(new PayloadTooLargeError());
        request.resume();
        return;
      }
      chunks.push(chunk);
    };
    request.on('data', collect);
    // Broken UTF-8 becomes U+FFFD here; what it then means is JSON.parse's and GraphQL's to say.
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    // A body cut short ('error' with "aborted", or a 'close' before 'end') settles too, so no
    // request waits forever on a body that will never come.
    request.on('error', () => reject(new BodyAbortedError()));
    request.on('close', () => {
      if (!request.complete) reject(new BodyAbortedError());
    });
  });
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload) });
  response.end(payload);
}

/** Sets a response header; `vary` keeps the `Vary: Origin` the CORS middleware set, next to `Vary: Authorization`. */
function setHeaderMergingVary(response: ServerResponse, name: string, value: string): void {
  const earlier = name === 'vary' ? response.getHeader('vary') : undefined;
  response.setHeader(name, earlier ? `${String(earlier)}, ${value}` : value);
}

function toHeaderMap(request: IncomingMessage): HeaderMap {
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
}

/** A thin node:http integration of Apollo Server: health probes, CORS, a body limit, then GraphQL. */
export function createHttpHandler(options: HttpHandlerOptions) {
  const allowedOrigins = new Set([APOLLO_SANDBOX_ORIGIN, ...options.corsOrigins]);
  const corsMiddleware = cors({
    origin: (origin, callback) => callback(null, origin === undefined || allowedOrigins.has(origin)),
    methods: ['GET', 'POST', 'OPTIONS'],
    allowedHeaders: ['authorization', 'content-type', 'apollo-require-preflight', 'x-apollo-operation-name', 'apollographql-client-name', 'apollographql-client-version', 'x-request-id'],
    maxAge: 600,
  });

  /**
   * The request line's logger, without pino's redaction: redaction walks every wildcard path over
   * each logged object (most of this line's cost in the CPU profile), and this line is built right
   * here from fields that cannot hold a secret (ids, method, status, timing, operation name, error
   * codes). Every other log line goes through the redacting logger.
   */
  const requestLogger = options.logger.child({}, { redact: [] });

  async function handleGraphQL(request: IncomingMessage, response: ServerResponse, url: RequestTarget, scope: RequestScope): Promise<void> {
    let body: unknown;
    if (request.method === 'POST') {
      const raw = await readBody(request);
      const contentType = request.headers['content-type'] ?? '';
      if (contentType.includes('json')) {
        try {
          body = raw.length > 0 ? JSON.parse(raw) : undefined;
        } catch {
          sendJson(response, 400, { errors: [{ message: 'The request body is not valid JSON.', extensions: { code: 'BAD_REQUEST' } }] });
          return;
        }
      } else {
        body = raw;
      }
    }
    // The operation's span (tracing on): its AWS calls are traced under it.
    if (scope.trace === undefined) return executeGraphQL(request, response, url, scope, body);
    const operation = startOperationSpan(scope.trace);
    scope.traceContext = operation.context;
    try {
      await executeGraphQL(request, response, url, scope, body);
    } finally {
      endOperationSpan(operation, scope.log);
    }
  }

  async function executeGraphQL(request: IncomingMessage, response: ServerResponse, url: RequestTarget, scope: RequestScope, body: unknown): Promise<void> {
    let context = (): Promise<SubgraphContext> => options.createContext(request, scope);
    if (options.fastPath && request.method === 'POST' && JSON_CONTENT_TYPE.test(request.headers['content-type'] ?? '')) {
      const outcome = await options.fastPath.serve(
        { body, accept: request.headers.accept, traceHeader: request.headers[INCLUDE_TRACE_HEADER] as string | undefined },
        context,
      );
      if (outcome.kind === 'served') {
        // The response policy's headers and log field (response-policy.ts), as Apollo's path gets them.
        response.setHeader('cache-control', outcome.cacheControl);
        setHeaderMergingVary(response, 'vary', VARY_BY_CALLER);
        response.setHeader('content-type', outcome.contentType);
        if (!options.isReady()) response.setHeader('connection', 'close');
        scope.log.operationName = outcome.operationName;
        // The fast path runs only compiled operations of the schema's one root type.
        scope.log.operationType = 'query';
        scope.log.path = 'fast';
        response.statusCode = 200;
        response.end(outcome.body);
        return;
      }
      const made = outcome.context;
      if (made) context = () => made;
    }
    scope.log.path = 'apollo';
    const result = await options.apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: request.method ?? 'GET', headers: toHeaderMap(request), search: url.search, body },
      context,
    });
    for (const [name, value] of result.headers) setHeaderMergingVary(response, name, value);
    // Draining began while this request ran: its connection ends with it.
    if (!options.isReady()) response.setHeader('connection', 'close');
    response.statusCode = result.status ?? 200;
    if (result.body.kind === 'complete') {
      response.end(result.body.string);
      return;
    }
    for await (const chunk of result.body.asyncIterator) response.write(chunk);
    response.end();
  }

  /**
   * One line per GraphQL request, written when the response is done: cheap (no per-field logging) and
   * free of secrets (no headers, variables or documents; error codes only).
   */
  function logRequest(request: IncomingMessage, response: ServerResponse, scope: RequestScope, startedAt: bigint): void {
    const elapsedNs = Number(process.hrtime.bigint() - startedAt);
    const durationMs = Math.round(elapsedNs / 1e4) / 100;
    const aborted = !response.writableFinished;
    // The request's metrics and span end where its log line is written, from the same fields.
    options.metrics?.requestDone({ status: response.statusCode, durationSeconds: elapsedNs / 1e9, aborted, log: scope.log });
    if (scope.trace !== undefined) endRequestSpan(scope.trace, response.statusCode, scope.log, aborted);
    requestLogger.info(
      {
        requestId: scope.requestId,
        method: request.method,
        status: response.statusCode,
        durationMs,
        operationName: scope.log.operationName,
        errorCodes: scope.log.errorCodes,
        ...(scope.log.refusal === undefined ? {} : { refusal: scope.log.refusal }),
        ...(scope.log.path === undefined ? {} : { path: scope.log.path }),
        ...(aborted ? { aborted: true } : {}),
        ...(scope.trace === undefined ? {} : traceIdsOf(scope.trace)),
      },
      'graphql request',
    );
  }

  /**
   * The last resort for an error nobody expected (a bug, not a client's input): one log line (name
   * and message only) and a 500, or the connection cut if the response had begun. Never a throw:
   * an exception out of the request listener would be uncaught and end the process.
   */
  function answerUnexpected(response: ServerResponse, error: unknown): void {
    try {
      options.logger.error({ err: error instanceof Error ? { name: error.name, message: error.message } : String(error) }, 'request failed');
      if (!response.headersSent) {
        response.setHeader('connection', 'close');
        sendJson(response, 500, { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      } else {
        response.destroy();
      }
    } catch {
      response.destroy();
    }
  }

  function handleRequest(request: IncomingMessage, response: ServerResponse): void {
    // While draining, every response asks the client to close its connection, so keep-alive
    // connections end with their last in-flight request instead of holding the shutdown up.
    if (!options.isReady()) response.setHeader('connection', 'close');
    const url = requestTarget(request.url ?? '');
    if (url === undefined) return sendJson(response, 400, { error: 'Bad request target: send a path such as /graphql' });
    if (url.pathname === '/healthz' && request.method === 'GET') return sendJson(response, 200, { status: 'ok' });
    if (url.pathname === '/readyz' && request.method === 'GET') {
      return options.isReady() ? sendJson(response, 200, { status: 'ready' }) : sendJson(response, 503, { status: 'not ready' });
    }
    if (url.pathname === METRICS_PATH && request.method === 'GET' && options.metrics !== undefined) return serveMetrics(response, options.metrics);
    if (url.pathname !== GRAPHQL_PATH) return sendJson(response, 404, { error: 'Not found: GraphQL is served at /graphql' });
    const serve = () => {
      if (request.method === 'OPTIONS') {
        response.statusCode = 204;
        response.end();
        return;
      }
      const startedAt = process.hrtime.bigint();
      const callerRequestId = request.headers['x-request-id'];
      const requestId = typeof callerRequestId === 'string' && CALLER_REQUEST_ID.test(callerRequestId) ? callerRequestId : randomUUID();
      response.setHeader('x-request-id', requestId);
      const requestAbort = new RequestAbort();
      const deadline = setTimeout(() => requestAbort.abort(new RequestDeadlineExceededError(options.requestDeadlineMs)), options.requestDeadlineMs);
      const scope: RequestScope = { requestId, signal: requestAbort.signal, log: { operationName: null, errorCodes: {} } };
      // The request's server span, continuing the caller's trace (tracing on; undefined otherwise).
      const trace = startRequestSpan(request.method ?? 'GET', url.pathname, request.headers);
      if (trace !== undefined) scope.trace = trace;
      response.once('close', () => {
        clearTimeout(deadline);
        // A client that went away needs no answer: stop its AWS calls too.
        if (!response.writableFinished) requestAbort.abort(new ClientClosedRequestError());
        logRequest(request, response, scope, startedAt);
      });
      handleGraphQL(request, response, url, scope).catch((error: unknown) => {
        if (error instanceof PayloadTooLargeError) {
          response.setHeader('connection', 'close');
          sendJson(response, 413, { errors: [{ message: `The request body exceeds ${MAX_BODY_BYTES} bytes.`, extensions: { code: 'BAD_REQUEST' } }] });
          return;
        }
        // The client went away while sending: nobody to answer, nothing gone wrong here (the
        // request's log line says `aborted`).
        if (error instanceof BodyAbortedError) {
          response.destroy();
          return;
        }
        answerUnexpected(response, error);
      }).catch((error: unknown) => answerUnexpected(response, error));
    };
    // Without an Origin (a router, a server) there is nothing for CORS to decide: the middleware
    // would only add `Vary: Origin`, so skip its per-request work.
    if (request.headers.origin === undefined && request.method !== 'OPTIONS') {
      response.setHeader('vary', 'Origin');
      serve();
      return;
    }
    corsMiddleware(request, response, serve);
  }

  function serveMetrics(response: ServerResponse, metrics: NonNullable<HttpHandlerOptions['metrics']>): void {
    metrics.exposition().then(
      (text) => {
        response.writeHead(200, { 'content-type': metrics.contentType, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
        response.end(text);
      },
      (error: unknown) => answerUnexpected(response, error),
    );
  }

  return (request: IncomingMessage, response: ServerResponse): void => {
    try {
      handleRequest(request, response);
    } catch (error) {
      answerUnexpected(response, error);
    }
  };
}

/** What a CONNECT gets: this server is no proxy (without an answer Node would only drop the connection). */
const CONNECT_REFUSED = 'HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, POST, OPTIONS\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';

/**
 * The HTTP server around the handler. What never reaches the handler is Node's to answer: a request
 * its parser refuses (a malformed request line, header or chunked body) gets Node's own
 * `400 Bad Request` (431 for oversized headers, 408 for a request that takes too long) and its
 * connection is closed; the handler and the rest of the process never see it. test/raw-requests.test.ts
 * sends such bytes over TCP.
 */
export function createHttpServer(handler: ReturnType<typeof createHttpHandler>): Server {
  const server = createServer(handler);
  server.keepAliveTimeout = 65_000;
  server.on('connect', (_request: IncomingMessage, socket: Duplex) => {
    // The socket is ours now, Node's error handling included: a reset must not become an
    // unhandled 'error' event.
    socket.on('error', () => socket.destroy());
    socket.end(CONNECT_REFUSED, () => socket.destroy());
  });
  return server;
}
