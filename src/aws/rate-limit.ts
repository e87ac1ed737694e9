import type { DataZoneClient } from '@aws-sdk/client-datazone';
import type { QuickSightClient } from '@aws-sdk/client-quicksight';
import { type CallSignal, onAbort, scopeOf } from './call.js';

/**
 * Read APIs of AWS allow about 20 calls per second per account and region (DataZone's published
 * quotas); beyond that AWS answers ThrottlingException and the SDK backs off. Queuing on our side
 * instead keeps a burst's latency predictable and leaves the retry budget for real failures.
 */

/** Error name of a call refused because it would wait longer than the configured maximum. */
export const CLIENT_RATE_LIMIT_ERROR = 'ClientRateLimitExceeded';

/**
 * Network jitter between our clock and AWS's: a call started exactly one window after another may
 * arrive a little sooner. The window is this much longer than a second so AWS never counts one too
 * many in any second.
 */
export const RATE_WINDOW_GUARD_MS = 50;

export class RateLimitExceededError extends Error {
  override name = CLIENT_RATE_LIMIT_ERROR;
}

/**
 * At most `limit` call starts in any window of `windowMs` (a sliding log: start N+limit waits for
 * start N to leave the window).
 *
 * Waiters are grouped by the request they belong to and served round robin, one call per request
 * in turn (first come, first served within a request): a request with hundreds of calls queued (a
 * router's `_entities` batch, a page of aliases) cannot hold every other request's one call behind
 * all of its own.
 */
export class SlidingWindowRateLimiter {
  /** Start times of the last `limit` granted calls, oldest first. */
  private readonly starts: number[] = [];
  /**
   * Each waiting request's grants, oldest first; the map's order is the round-robin order. A
   * request leaves the map with its last waiter: no queue in it is ever empty.
   */
  private readonly queues = new Map<string, Array<() => void>>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly limit: number,
    private readonly maxWaitMs: number,
    private readonly windowMs = 1_000 + RATE_WINDOW_GUARD_MS,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /**
   * Resolves when the call may start; rejects at once if it would wait longer than `maxWaitMs`, and
   * with the signal's reason if `signal` fires while the call waits (it then leaves the queue
   * without taking a start). `owner` names the request the call is made for (calls without one
   * share a turn).
   */
  acquire(signal?: CallSignal, owner = ''): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.queues.size === 0 && this.tryGrant()) return Promise.resolve();
    // A waiter behind p others starts no sooner than floor(p / limit) windows from now.
    if (Math.floor(this.ahead(owner) / this.limit) * this.windowMs >= this.maxWaitMs) {
      return Promise.reject(new RateLimitExceededError(`more than ${this.maxWaitMs} ms of calls are already queued`));
    }
    return new Promise<void>((resolve, reject) => {
      let own = this.queues.get(owner);
      if (own === undefined) this.queues.set(owner, (own = []));
      if (signal === undefined) {
        own.push(resolve);
      } else {
        const grant = () => {
          stop();
          resolve();
        };
        const stop = onAbort(signal, (reason) => {
          this.leave(owner, grant);
          reject(reason);
        });
        own.push(grant);
      }
      this.schedule();
    });
  }

  /**
   * Waiters served before a new one of `owner`'s: the calls of its own request already queued, plus
   * up to one more than that of every other request's (one per turn until the new one's).
   */
  private ahead(owner: string): number {
    const own = this.queues.get(owner)?.length ?? 0;
    let ahead = own;
    for (const [other, queue] of this.queues) if (other !== owner) ahead += Math.min(queue.length, own + 1);
    return ahead;
  }

  private leave(owner: string, grant: () => void): void {
    const queue = this.queues.get(owner);
    const index = queue?.indexOf(grant) ?? -1;
    if (queue === undefined || index === -1) return;
    queue.splice(index, 1);
    if (queue.length === 0) this.queues.delete(owner);
  }

  /** The request whose turn it is gives up its oldest waiter and goes to the back of the line. */
  private next(): () => void {
    const [owner, queue] = this.queues.entries().next().value as [string, Array<() => void>];
    this.queues.delete(owner);
    if (queue.length > 1) this.queues.set(owner, queue);
    return queue.shift() as () => void;
  }

  private tryGrant(): boolean {
    const now = this.now();
    if (this.starts.length >= this.limit) {
      if (now - (this.starts[0] as number) < this.windowMs) return false;
      this.starts.shift();
    }
    this.starts.push(now);
    return true;
  }

  private schedule(): void {
    if (this.timer !== undefined || this.queues.size === 0) return;
    const oldest = this.starts[0] ?? this.now();
    const delay = Math.max(0, oldest + this.windowMs - this.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      while (this.queues.size > 0 && this.tryGrant()) this.next()();
      this.schedule();
    }, delay);
  }
}

/**
 * One limiter per AWS operation, applied to every attempt the SDK makes (retries included) just
 * before the request is signed and sent. A call whose request is abandoned (deadline, client gone)
 * leaves the queue at once.
 */
export function addRateLimitMiddleware(
  client: QuickSightClient | DataZoneClient,
  service: string,
  options: { limitPerSecond: number; maxWaitMs: number },
): void {
  if (options.limitPerSecond <= 0) return;
  const limiters = new Map<string, SlidingWindowRateLimiter>();
  const middleware =
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
    async (args: unknown): Promise<unknown> => {
      const operation = `${service}:${context.commandName ?? 'unknown'}`;
      let limiter = limiters.get(operation);
      if (limiter === undefined) {
        limiter = new SlidingWindowRateLimiter(options.limitPerSecond, options.maxWaitMs);
        limiters.set(operation, limiter);
      }
      const scope = scopeOf(args);
      await limiter.acquire(scope?.signal, scope?.requestId);
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
