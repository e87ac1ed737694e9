import type { DataZoneClient } from '@aws-sdk/client-datazone';
import type { QuickSightClient } from '@aws-sdk/client-quicksight';
import { type CallSignal, type CallTurn, SharedTurns, onAbort, scopeOf, turnOf } from './call.js';

/**
 * Read APIs of AWS allow about 20 calls per second per account and region (DataZone's published
 * quotas); beyond that AWS answers ThrottlingException and the SDK backs off. Queuing on our side
 * instead keeps a burst's latency predictable and leaves the retry budget for real failures.
 *
 * Two parts, kept apart so that the limit can move (to a store shared by replicas) while the
 * fairness stays in each process (docs/rate-limit.md):
 * - a SlotSource says whether a call may start now: the limit itself;
 * - the FairRateLimiter decides which waiting call gets a start: callers in turn, and within a
 *   caller its requests in turn.
 */

/** Error name of a call refused because it would wait longer than the configured maximum. */
export const CLIENT_RATE_LIMIT_ERROR = 'ClientRateLimitExceeded';

/**
 * Network jitter between our clock and AWS's: a call started exactly one window after another may
 * arrive a little sooner. The window is this much longer than a second so AWS never counts one too
 * many in any second.
 */
export const RATE_WINDOW_GUARD_MS = 50;

/** How long the queue waits before asking a slot source again after the source failed to answer. */
const SOURCE_RETRY_MS = 100;

export class RateLimitExceededError extends Error {
  override name = CLIENT_RATE_LIMIT_ERROR;
}

/**
 * Where the fair queue gets permission to start a call. One source per AWS operation. The queue
 * asks again only after an answer, so at most one question per operation and process is ever
 * open: a source shared by replicas is asked by each replica in turn, whatever its backlog.
 */
export interface SlotSource {
  /**
   * Takes one start if the limit allows it now and answers 0; otherwise answers how many ms until
   * one may be free, having taken nothing. A source that must ask elsewhere answers with a promise;
   * it never rejects (a source that cannot reach its store answers from a local fallback).
   */
  take(): number | Promise<number>;
  /**
   * The pace at which the queue starts waiting calls (see FairRateLimiter): one every `intervalMs`
   * (the limit's steady rate), and up to `burst` at once to catch up when it fell behind that pace
   * (a timer that fired late on a busy event loop). The queue's bound is judged by it too: a call
   * with `n` calls ahead waits about `n * intervalMs`.
   */
  readonly pace: { readonly intervalMs: number; readonly burst: number };
}

/**
 * The local slot source: at most `limit` starts in any window of `windowMs` (a sliding log: start
 * N+limit waits for start N to leave the window).
 */
export class SlidingWindowSlots implements SlotSource {
  /** Start times of the last `limit` starts, oldest first. */
  // Stryker disable next-line ArrayDeclaration: equivalent, a non-number first entry is read only once `limit` entries are held, where it makes the wait NaN and is dropped as expired.
  private readonly starts: number[] = [];
  /** A quarter of the window's starts may go at once to catch up. */
  readonly pace: { intervalMs: number; burst: number };

  constructor(
    private readonly limit: number,
    private readonly windowMs = 1_000 + RATE_WINDOW_GUARD_MS,
    private readonly now: () => number = () => Date.now(),
  ) {
    this.pace = { intervalMs: windowMs / limit, burst: Math.max(1, Math.floor(limit / 4)) };
  }

  take(): number {
    const now = this.now();
    if (this.starts.length >= this.limit) {
      const wait = (this.starts[0] as number) + this.windowMs - now;
      if (wait > 0) return wait;
      this.starts.shift();
    }
    this.starts.push(now);
    return 0;
  }

}

/** One waiting call, queued in one place per caller that waits on it (several for a shared call). */
interface Waiter {
  start(): void;
  places: CallTurn[];
}

/** One caller's waiting calls, by request; the map's order is the requests' round-robin order. */
interface CallerLine {
  requests: Map<string, Waiter[]>;
  size: number;
}

export interface FairQueueStats {
  /** Callers with at least one call waiting. */
  callers: number;
  /** Waiting calls (a shared call counts once). */
  calls: number;
  /** Calls started so far. */
  started: number;
}

/**
 * The fair queue in front of a slot source. Waiting calls are grouped by caller, then by request,
 * and served round robin at both levels: each start goes to the next caller in turn, and within
 * that caller to its next request in turn (first come, first served within a request). A caller
 * with hundreds of calls queued (a flood of `_entities` requests) waits behind its own calls; any
 * other caller's call waits for at most one call of each other waiting caller.
 *
 * A call is refused at once (RateLimitExceededError) when the calls that would start before it
 * would make it wait `maxWaitMs` or more. Those are its own caller's calls ahead of it, plus up
 * to one more than that of every other waiting caller: a caller with a long queue is refused long
 * before a caller with one call waiting is.
 *
 * While calls wait, starts are paced (the source's `pace`, scheduled as GCRA does: a start is due
 * one interval after the previous one was due, so a timer that fires late is caught up with a few
 * starts at once instead of slowing every start after it). A sliding window alone would hand out a
 * whole window's starts at the instant its oldest ones expire, and a caller whose call arrives just
 * after that instant would wait a whole window for its turn; paced, its turn comes within a few
 * intervals. Calls that find the queue empty start at once as far as the source allows, so a burst
 * within the limit still goes out together.
 *
 * A caller, and a request, is in the queue only while one of its calls waits: an idle caller costs
 * nothing.
 */
export class FairRateLimiter {
  private readonly lines = new Map<string, CallerLine>();
  private waiting = 0;
  private startedCount = 0;
  private asking = false;
  private timer: NodeJS.Timeout | undefined;
  /** When the next start is due at the pace (GCRA's theoretical arrival time; `now`'s clock). */
  private due = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly source: SlotSource,
    private readonly maxWaitMs: number,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /**
   * Resolves when the call may start; rejects at once if it would wait `maxWaitMs` or more, and
   * with the signal's reason if `signal` fires while the call waits (it then leaves the queue
   * without taking a start). `turn` names the caller and request the call is made for; a shared
   * call waits in the turn of every caller that waits on it, and starts at the first of them.
   */
  acquire(turn: CallTurn | SharedTurns, signal?: CallSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    let answer: number | Promise<number> | undefined;
    if (this.lines.size === 0 && !this.asking && this.timer === undefined) {
      answer = this.source.take();
      if (answer === 0) {
        this.started();
        return Promise.resolve();
      }
    }
    const shared = turn instanceof SharedTurns ? turn : undefined;
    const admitted = (shared ? shared.turns : [turn as CallTurn]).filter((candidate) => this.withinShare(candidate));
    if (admitted.length === 0) {
      // Stryker disable next-line StringLiteral: equivalent, a number answered here is not 0 and nobody waits, so applying it does nothing.
      if (answer !== undefined && typeof answer !== 'number') this.apply(answer);
      return Promise.reject(new RateLimitExceededError(`more than ${this.maxWaitMs} ms of this caller's calls are already queued`));
    }
    return new Promise<void>((resolve, reject) => {
      let stopAbort: (() => void) | undefined;
      let stopWatching: (() => void) | undefined;
      const waiter: Waiter = {
        places: [],
        start: () => {
          this.leave(waiter);
          stopAbort?.();
          stopWatching?.();
          resolve();
        },
      };
      for (const place of admitted) this.enter(waiter, place);
      if (shared) {
        stopWatching = shared.watch((joined) => {
          if (waiter.places.length > 0 && this.withinShare(joined)) this.enter(waiter, joined);
        });
      }
      if (signal) {
        stopAbort = onAbort(signal, (reason) => {
          this.leave(waiter);
          stopWatching?.();
          reject(reason);
        });
      }
      if (answer !== undefined) this.apply(answer);
      this.pump();
    });
  }

  stats(): FairQueueStats {
    return { callers: this.lines.size, calls: this.waiting, started: this.startedCount };
  }

  /**
   * Whether a new call in `turn` would start within `maxWaitMs`. Calls ahead of it: those of its
   * own request, up to one more than that of each other request of its caller (one per turn), and
   * up to one more than all of those of each other caller.
   */
  private withinShare(turn: CallTurn): boolean {
    const line = this.lines.get(turn.caller);
    let own = 0;
    if (line !== undefined) {
      const mine = line.requests.get(turn.request)?.length ?? 0;
      own = mine;
      for (const [request, queue] of line.requests) if (request !== turn.request) own += Math.min(queue.length, mine + 1);
    }
    let ahead = own;
    for (const [caller, other] of this.lines) if (caller !== turn.caller) ahead += Math.min(other.size, own + 1);
    return ahead * this.source.pace.intervalMs < this.maxWaitMs;
  }

  private enter(waiter: Waiter, place: CallTurn): void {
    // Stryker disable next-line ArrowFunction: equivalent, a shared call's turns name each caller once, so no place repeats a caller.
    if (waiter.places.some((known) => known.caller === place.caller)) return;
    let line = this.lines.get(place.caller);
    if (line === undefined) this.lines.set(place.caller, (line = { requests: new Map(), size: 0 }));
    let queue = line.requests.get(place.request);
    if (queue === undefined) line.requests.set(place.request, (queue = []));
    queue.push(waiter);
    line.size += 1;
    if (waiter.places.length === 0) this.waiting += 1;
    waiter.places.push(place);
  }

  /** Takes `waiter` out of every place it waits in; empty requests and callers leave the queue. */
  private leave(waiter: Waiter): void {
    if (waiter.places.length === 0) return;
    for (const place of waiter.places) {
      // Every place of a waiter holds it in its queue (enter and leave keep them so): the checks only guard that.
      const line = this.lines.get(place.caller);
      // Stryker disable next-line OptionalChaining: equivalent, a waiter's place always has its caller's line.
      const queue = line?.requests.get(place.request);
      // Stryker disable next-line OptionalChaining,UnaryOperator: equivalent, a waiter's place always has its request's queue.
      const index = queue?.indexOf(waiter) ?? -1;
      // Stryker disable next-line LogicalOperator: equivalent, a missing line or queue already means index -1, so the index decides.
      if (line === undefined || queue === undefined || index === -1) continue;
      queue.splice(index, 1);
      line.size -= 1;
      if (queue.length === 0) line.requests.delete(place.request);
      if (line.size === 0) this.lines.delete(place.caller);
    }
    waiter.places = [];
    this.waiting -= 1;
    if (this.lines.size === 0 && this.timer !== undefined) {
      // Nobody left to wake up for: the next call asks the source itself.
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  /** The caller whose turn it is, and within it the request whose turn it is, go to the back of their lines. */
  private next(): Waiter {
    const [caller, line] = this.lines.entries().next().value as [string, CallerLine];
    const [request, queue] = line.requests.entries().next().value as [string, Waiter[]];
    const waiter = queue[0] as Waiter;
    this.leave(waiter);
    if (queue.length > 0) {
      line.requests.delete(request);
      line.requests.set(request, queue);
    }
    if (line.size > 0) {
      this.lines.delete(caller);
      this.lines.set(caller, line);
    }
    return waiter;
  }

  private started(): void {
    this.startedCount += 1;
    this.due = Math.max(this.due, this.now()) + this.source.pace.intervalMs;
  }

  /** Asks the source for starts while calls wait, no answer is pending and the pace allows one. */
  private pump(): void {
    const { intervalMs, burst } = this.source.pace;
    while (this.lines.size > 0 && !this.asking && this.timer === undefined) {
      // The next start may come up to `burst - 1` intervals before it is due.
      const early = this.due - (burst - 1) * intervalMs - this.now();
      this.apply(early > 0 ? early : this.source.take());
    }
  }

  private apply(answer: number | Promise<number>): void {
    if (typeof answer !== 'number') {
      this.asking = true;
      answer
        .then(undefined, () => SOURCE_RETRY_MS)
        .then((settled) => {
          this.asking = false;
          this.apply(settled);
          this.pump();
        });
      return;
    }
    if (answer <= 0) {
      // A start granted with nobody left waiting (all gave up while the source answered) goes unused.
      if (this.lines.size > 0) {
        this.started();
        this.next().start();
      }
      return;
    }
    if (this.lines.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, answer);
  }
}

export interface RateLimitOptions {
  limitPerSecond: number;
  maxWaitMs: number;
  /** The slot source of one operation (`service:Command`); the local sliding window by default. */
  slots?: (operation: string) => SlotSource;
}

/** Each client's fair queues, by operation, for rateLimitStats. */
const limitersByClient = new WeakMap<object, Map<string, FairRateLimiter>>();

/** What waits in a client's rate limit queues right now, by operation (`service:Command`). */
export function rateLimitStats(client: QuickSightClient | DataZoneClient): Record<string, FairQueueStats> {
  const limiters = limitersByClient.get(client) ?? new Map<string, FairRateLimiter>();
  return Object.fromEntries([...limiters].map(([operation, limiter]) => [operation, limiter.stats()]));
}

/**
 * One fair queue and slot source per AWS operation, applied to every attempt the SDK makes
 * (retries included) just before the request is signed and sent. A call whose request is
 * abandoned (deadline, client gone) leaves the queue at once.
 */
export function addRateLimitMiddleware(client: QuickSightClient | DataZoneClient, service: string, options: RateLimitOptions): void {
  if (options.limitPerSecond <= 0) return;
  const slots = options.slots ?? (() => new SlidingWindowSlots(options.limitPerSecond));
  const limiters = new Map<string, FairRateLimiter>();
  limitersByClient.set(client, limiters);
  const middleware =
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
    async (args: unknown): Promise<unknown> => {
      const operation = `${service}:${context.commandName ?? 'unknown'}`;
      let limiter = limiters.get(operation);
      if (limiter === undefined) {
        limiter = new FairRateLimiter(slots(operation), options.maxWaitMs);
        limiters.set(operation, limiter);
      }
      const scope = scopeOf(args);
      await limiter.acquire(scope?.turns ?? turnOf(scope), scope?.signal);
      return next(args);
    };
  // Cast: the stack's overloads of addRelativeTo do not infer a middleware of the finalizeRequest step.
  (client.middlewareStack as QuickSightClient['middlewareStack']).addRelativeTo(middleware as never, {
    name: 'clientRateLimitMiddleware',
    relation: 'before',
    toMiddleware: 'httpSigningMiddleware',
    override: true,
  });
}
