import { setMaxListeners } from 'node:events';
import type { Context } from '@opentelemetry/api';
import type { DataZoneClient } from '@aws-sdk/client-datazone';
import type { QuickSightClient } from '@aws-sdk/client-quicksight';

/**
 * What one GraphQL request hands down to every AWS call it makes: its request id (sent as a header,
 * so an AWS-side or emulator-side record can be tied back to the subgraph's log line) and the
 * signal of its overall deadline (see installCallScope: the caller stops waiting, retrying and
 * backing off as soon as it fires, and the HTTP request in flight is closed).
 */
export interface AwsCallScope {
  requestId?: string;
  signal?: CallSignal;
  /**
   * Who the request is made for, as the client-side rate limit's fair queue knows callers
   * (`Caller.principal`: a claim of the verified token, never the token itself). Absent for
   * callers the token does not name (and anonymous ones): they share one turn.
   */
  caller?: string;
  /**
   * Set instead of `caller` on a call shared by several requests (see shared-reads.ts): every
   * caller waiting on it, so that it takes the earliest of their turns.
   */
  turns?: SharedTurns;
  /**
   * The trace context the call's span is parented to (the request's operation span, or its loader
   * batch's), when tracing is on: the call runs in a DataLoader batch, not in the resolver's context.
   */
  traceContext?: Context;
}

/** A caller's place in the rate limiter's fair queue: its key, then the request within it. */
export interface CallTurn {
  /** The caller's key; `UNIDENTIFIED_CALLER` for anonymous callers and tokens that name no one. */
  caller: string;
  request: string;
}

/** The one key that anonymous callers and tokens naming no subject or client share. */
export const UNIDENTIFIED_CALLER = '';

/** The turn a call of `scope` takes. */
export function turnOf(scope: AwsCallScope | undefined): CallTurn {
  return { caller: scope?.caller ?? UNIDENTIFIED_CALLER, request: scope?.requestId ?? '' };
}

/**
 * The callers waiting on one shared AWS call: the one that started it, then each caller that
 * joined it (once per caller, at the turn of the first of its requests that joined). The rate
 * limiter queues the call in each of their turns and starts it at whichever comes first: a caller
 * with a long queue of its own cannot hold another caller's read of the same id behind that queue.
 */
export class SharedTurns {
  readonly #turns: CallTurn[];
  readonly #watchers = new Set<(turn: CallTurn) => void>();

  constructor(first: CallTurn) {
    this.#turns = [first];
  }

  get turns(): readonly CallTurn[] {
    return this.#turns;
  }

  join(turn: CallTurn): void {
    if (this.#turns.some((known) => known.caller === turn.caller)) return;
    this.#turns.push(turn);
    for (const watcher of this.#watchers) watcher(turn);
  }

  /** Tells `watcher` of every caller that joins from now on; returns the function that stops it. */
  watch(watcher: (turn: CallTurn) => void): () => void {
    this.#watchers.add(watcher);
    return () => this.#watchers.delete(watcher);
  }
}

/** The header carrying the subgraph's request id on every AWS call. */
export const SUBGRAPH_REQUEST_ID_HEADER = 'x-subgraph-request-id';

/** Why a request's signal fired; the reason becomes `extensions.aws.errorName` of the fields still waiting. */
export class RequestDeadlineExceededError extends Error {
  override name = 'RequestDeadlineExceeded';
  constructor(deadlineMs: number) {
    super(`The request did not complete within its ${deadlineMs} ms deadline.`);
  }
}

export class ClientClosedRequestError extends Error {
  override name = 'ClientClosedRequest';
  constructor() {
    super('The client closed the connection before the response was sent.');
  }
}

/**
 * Where a call's scope travels: with the command's input object, in a WeakMap keyed by it. The SDK
 * hands the same input object to every middleware step and every retry, and the scope is never a
 * member of it, so it never goes on the wire. (A symbol property defined on the input did the same
 * at about a microsecond more per call: `Object.defineProperty` showed in the CPU profile.)
 *
 * The scope deliberately does not go through `client.send(command, { abortSignal })`: any options
 * object makes the SDK rebuild the command's middleware stack on every call instead of reusing the
 * handler it caches per command class (`cacheMiddleware: true`), work that showed on every request
 * of the subgraph's CPU profile. Per-command middleware is ruled out for the same reason: the cached
 * handler ignores it. The client-level middleware that `installCallScope` adds
 * once reads the scope from the input instead.
 */
const callScopes = new WeakMap<object, AwsCallScope>();

/** Attaches `scope` to a command input (before `new XCommand(input)`); returns the input. */
export function withScope<I extends object>(input: I, scope: AwsCallScope): I {
  if (scope.requestId !== undefined || scope.signal !== undefined || scope.caller !== undefined || scope.turns !== undefined || scope.traceContext !== undefined) callScopes.set(input, scope);
  return input;
}

/** The scope a middleware's `args` carry, if any. */
export function scopeOf(args: unknown): AwsCallScope | undefined {
  const input = (args as { input?: unknown } | null)?.input;
  return typeof input === 'object' && input !== null ? callScopes.get(input) : undefined;
}

/**
 * What an AWS call of a request listens to for its abort: a request's own `RequestSignal`, or any
 * DOM `AbortSignal`. The SDK's Node request handler takes either: it reads `aborted` and `reason`,
 * and listens with `addEventListener` / `removeEventListener` when the signal has them.
 */
export interface CallSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/**
 * The signal of one request (see RequestAbort): the part of an AbortSignal the subgraph and the SDK
 * use, without Node's EventTarget. A Node AbortController per request, its EventTarget bookkeeping
 * on the first listener and `setMaxListeners` for a fan-out showed on every request of the
 * subgraph's CPU profile; this is a flag, a reason and a set of listeners. It has no listener limit
 * (a fan-out of 100 `_entities` is 100 listeners by design), and each listener is called once.
 */
export class RequestSignal implements CallSignal {
  #aborted = false;
  #reason: unknown = undefined;
  readonly #listeners = new Set<() => void>();

  get aborted(): boolean {
    return this.#aborted;
  }

  get reason(): unknown {
    return this.#reason;
  }

  /** How many listeners wait on this signal (they leave when told, or when they stop listening). */
  get listenerCount(): number {
    return this.#listeners.size;
  }

  addEventListener(type: 'abort', listener: () => void): void {
    if (type === 'abort' && !this.#aborted) this.#listeners.add(listener);
  }

  removeEventListener(type: 'abort', listener: () => void): void {
    if (type === 'abort') this.#listeners.delete(listener);
  }

  /** Fires the signal once: a later call changes nothing. */
  fire(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    const told = [...this.#listeners];
    this.#listeners.clear();
    for (const listener of told) listener();
  }
}

/**
 * One request's abort (its deadline, or its client gone): `signal` goes to every AWS call of the
 * request, to the subgraph's own waiters (untilAborted, the rate limiter's queue) and to the SDK's
 * request handler, which closes the HTTP request in flight when it fires.
 */
export class RequestAbort {
  readonly signal = new RequestSignal();

  abort(reason: unknown): void {
    this.signal.fire(reason);
  }
}

/**
 * The subgraph's waiters on a DOM AbortSignal (one not made by RequestAbort: a caller's own). The
 * first `addEventListener` on such a signal is costly next to a promise hop (Node's EventTarget
 * bookkeeping), so all of a signal's waiters share one listener on it.
 */
const waitersBySignal = new WeakMap<CallSignal, Set<(reason: unknown) => void>>();

/**
 * Calls `listener` with the signal's reason when `signal` fires (at once if it already has);
 * returns the function that stops listening.
 */
export function onAbort(signal: CallSignal, listener: (reason: unknown) => void): () => void {
  if (signal.aborted) {
    listener(signal.reason);
    return () => undefined;
  }
  if (signal instanceof RequestSignal) {
    const told = () => listener(signal.reason);
    signal.addEventListener('abort', told);
    return () => signal.removeEventListener('abort', told);
  }
  let waiters = waitersBySignal.get(signal);
  if (waiters === undefined) {
    const created = new Set<(reason: unknown) => void>();
    waitersBySignal.set(signal, created);
    signal.addEventListener(
      'abort',
      () => {
        const told = [...created];
        created.clear();
        for (const waiter of told) waiter(signal.reason);
      },
      { once: true },
    );
    waiters = created;
  }
  waiters.add(listener);
  const stop = waiters;
  return () => stop.delete(listener);
}

const manyListenersAllowed = new WeakSet<object>();

/**
 * Lifts Node's warning at 10 listeners for a DOM AbortSignal, once: every AWS call that goes to
 * the SDK with the signal adds a listener, and a fan-out of 100 `_entities` is 100 of them by
 * design, not the leak the warning suspects. A RequestSignal has no such limit.
 */
export function allowManyListeners(signal: CallSignal): void {
  if (signal instanceof RequestSignal || manyListenersAllowed.has(signal)) return;
  manyListenersAllowed.add(signal);
  setMaxListeners(0, signal as AbortSignal);
}

/** `promise`, or a rejection with the signal's reason as soon as `signal` fires. */
export function untilAborted<T>(promise: Promise<T>, signal: CallSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) {
    // The abandoned call may still reject later: nobody is left to see it.
    promise.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const stop = onAbort(signal, reject);
    promise.then(
      (value) => {
        stop();
        resolve(value);
      },
      (error: unknown) => {
        stop();
        reject(error);
      },
    );
  });
}

type Next = (args: unknown) => Promise<unknown>;
type Step = 'initialize' | 'build' | 'deserialize';

interface HttpRequestLike {
  headers?: Record<string, string>;
}

interface RequestHandlerLike {
  handle(request: unknown, options?: { abortSignal?: CallSignal } & Record<string, unknown>): Promise<unknown>;
}

/** The SDK's middleware stack, as far as `installCallScope` uses it (its overloads are per step). */
interface MiddlewareStackLike {
  add(middleware: (next: Next) => Next, options: { step: Step; name: string; priority?: 'high' | 'low' }): void;
}

const installed = new WeakSet<object>();
/** Request handlers whose `handle` passes the request's signal on (one handler may serve several clients). */
const scopedHandlers = new WeakSet<object>();
/** The signal of each signed HTTP request about to be sent, for the request handler. */
const requestSignals = new WeakMap<object, CallSignal>();

/**
 * Makes every call of `client` honour the scope attached with `withScope` (idempotent):
 * - the request id goes out as `x-subgraph-request-id`, added at the build step (so it is signed
 *   like any other header);
 * - the signal aborts the HTTP request in flight (handed to the request handler, as
 *   `send(command, { abortSignal })` would), and the caller stops waiting at once, backoff between
 *   retries included.
 */
export function installCallScope(client: QuickSightClient | DataZoneClient): void {
  if (installed.has(client)) return;
  installed.add(client);
  const stack = client.middlewareStack as unknown as MiddlewareStackLike;
  stack.add(
    (next) => (args) => {
      const signal = scopeOf(args)?.signal;
      return signal === undefined ? next(args) : untilAborted(next(args), signal);
    },
    { step: 'initialize', priority: 'high', name: 'subgraphCallScopeSignal' },
  );
  stack.add(
    (next) => (args) => {
      const requestId = scopeOf(args)?.requestId;
      const request = (args as { request?: HttpRequestLike }).request;
      if (requestId && request && typeof request.headers === 'object') request.headers[SUBGRAPH_REQUEST_ID_HEADER] = requestId;
      return next(args);
    },
    { step: 'build', name: 'subgraphRequestIdHeader' },
  );
  // Last before the request handler: `args.request` is the signed request actually sent.
  stack.add(
    (next) => (args) => {
      const signal = scopeOf(args)?.signal;
      const request = (args as { request?: object }).request;
      if (signal !== undefined && request !== undefined) requestSignals.set(request, signal);
      return next(args);
    },
    { step: 'deserialize', priority: 'low', name: 'subgraphRequestSignal' },
  );
  // The request handler hands each signed request's signal to the HTTP call: its `handle` is wrapped
  // on the instance. A Proxy around the handler, as before, made the SDK's every read of the handler
  // go through it: `npm run bench:ab` measured 0.97x the CPU per request without it.
  const handler = client.config.requestHandler as unknown as RequestHandlerLike;
  if (!scopedHandlers.has(handler)) {
    scopedHandlers.add(handler);
    const handle = handler.handle;
    handler.handle = (request, options = {}) => {
      const signal = requestSignals.get(request as object);
      if (signal !== undefined) allowManyListeners(signal);
      return handle.call(handler, request, signal !== undefined && options.abortSignal === undefined ? { ...options, abortSignal: signal } : options);
    };
  }
  // A handler the client cached before this (it caches one per command class on first use) was
  // built without the middleware above: drop it, as the SDK itself does when a call comes with options.
  delete (client as unknown as { handlers?: unknown }).handlers;
}

/**
 * The SDK rejects an aborted call with a bare `AbortError`; name the actual cause (the request's
 * deadline, or a client that went away) so that the error and the log say why the field is null.
 */
export function explainAbort(error: unknown, scope: AwsCallScope): unknown {
  const reason: unknown = scope.signal?.aborted ? scope.signal.reason : undefined;
  if (!(reason instanceof RequestDeadlineExceededError || reason instanceof ClientClosedRequestError)) return error;
  const metadata = (error as { $metadata?: unknown } | null)?.$metadata;
  return { name: reason.name, message: reason.message, $metadata: metadata };
}
