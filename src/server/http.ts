import { type ApolloServer, HeaderMap } from '@apollo/server';
import cors from 'cors';
import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { Logger } from 'pino';
import { type CallSignal, ClientClosedRequestError, RequestAbort, RequestDeadlineExceededError } from '../aws/call.js';
import type { GatewayContext, RequestLogEntry } from '../core/context.js';
import { INCLUDE_TRACE_HEADER } from './apollo.js';
import type { FastPath } from './fast-path.js';

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
  /** Filled in by Apollo Server (see requestLogPlugin), written as one log line when the response is done. */
  log: RequestLogEntry;
}

export interface HttpHandlerOptions {
  apollo: ApolloServer<GatewayContext>;
  createContext: (request: IncomingMessage, scope: RequestScope) => Promise<GatewayContext>;
  corsOrigins: string[];
  logger: Logger;
  isReady: () => boolean;
  /** Overall deadline of one GraphQL request (REQUEST_DEADLINE_MS). */
  requestDeadlineMs: number;
  /** Answers requests for operations Apollo Server has compiled already, without its pipeline (see fast-path.ts). */
  fastPath?: FastPath;
}

/** A body Apollo Server reads as JSON and its CSRF prevention lets through. */
const JSON_CONTENT_TYPE = /^application\/json\s*(;|$)/i;

/** A caller's x-request-id is reused only if it is a plain token: it goes into logs and AWS request headers. */
const CALLER_REQUEST_ID = /^[\w.:-]{1,128}$/;

class PayloadTooLargeError extends Error {}

interface RequestTarget {
  pathname: string;
  search: string;
}

/** Path and query of the request; the usual `/graphql[?…]` without building a URL object. */
function requestTarget(raw = '/'): RequestTarget {
  if (raw.startsWith(GRAPHQL_PATH) && (raw.length === GRAPHQL_PATH.length || raw[GRAPHQL_PATH.length] === '?')) {
    return { pathname: GRAPHQL_PATH, search: raw.slice(GRAPHQL_PATH.length) };
  }
  const url = new URL(raw, 'http://localhost');
  return { pathname: url.pathname, search: url.search };
}

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
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload) });
  response.end(payload);
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
    let context = (): Promise<GatewayContext> => options.createContext(request, scope);
    if (options.fastPath && request.method === 'POST' && JSON_CONTENT_TYPE.test(request.headers['content-type'] ?? '')) {
      const outcome = await options.fastPath.serve(
        { body, accept: request.headers.accept, traceHeader: request.headers[INCLUDE_TRACE_HEADER] as string | undefined },
        context,
      );
      if (outcome.kind === 'served') {
        // The headers Apollo Server and its plugins would write for this response (see fast-path.ts).
        response.setHeader('cache-control', outcome.cacheControl);
        const earlier = response.getHeader('vary');
        response.setHeader('vary', earlier ? `${String(earlier)}, Authorization` : 'Authorization');
        response.setHeader('content-type', outcome.contentType);
        if (!options.isReady()) response.setHeader('connection', 'close');
        scope.log.operationName = outcome.operationName === null ? null : outcome.operationName.slice(0, 100);
        response.statusCode = 200;
        response.end(outcome.body);
        return;
      }
      const made = outcome.context;
      if (made) context = () => made;
    }
    const result = await options.apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: request.method ?? 'GET', headers: toHeaderMap(request), search: url.search, body },
      context,
    });
    for (const [name, value] of result.headers) {
      // Keep the `Vary: Origin` the CORS middleware set next to Apollo's `Vary: Authorization`.
      const earlier = name === 'vary' ? response.getHeader('vary') : undefined;
      response.setHeader(name, earlier ? `${String(earlier)}, ${value}` : value);
    }
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
    const durationMs = Math.round(Number(process.hrtime.bigint() - startedAt) / 1e4) / 100;
    requestLogger.info(
      {
        requestId: scope.requestId,
        method: request.method,
        status: response.statusCode,
        durationMs,
        operationName: scope.log.operationName,
        errorCodes: scope.log.errorCodes,
        ...(response.writableFinished ? {} : { aborted: true }),
      },
      'graphql request',
    );
  }

  return (request: IncomingMessage, response: ServerResponse): void => {
    const url = requestTarget(request.url);
    // While draining, every response asks the client to close its connection, so keep-alive
    // connections end with their last in-flight request instead of holding the shutdown up.
    if (!options.isReady()) response.setHeader('connection', 'close');
    if (url.pathname === '/healthz' && request.method === 'GET') return sendJson(response, 200, { status: 'ok' });
    if (url.pathname === '/readyz' && request.method === 'GET') {
      return options.isReady() ? sendJson(response, 200, { status: 'ready' }) : sendJson(response, 503, { status: 'not ready' });
    }
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
        options.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'request failed');
        if (!response.headersSent) sendJson(response, 500, { errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
        else response.end();
      });
    };
    // Without an Origin (a router, a server) there is nothing for CORS to decide: the middleware
    // would only add `Vary: Origin`, so skip its per-request work.
    if (request.headers.origin === undefined && request.method !== 'OPTIONS') {
      response.setHeader('vary', 'Origin');
      serve();
      return;
    }
    corsMiddleware(request, response, serve);
  };
}

export function createHttpServer(handler: ReturnType<typeof createHttpHandler>): Server {
  const server = createServer(handler);
  server.keepAliveTimeout = 65_000;
  return server;
}
