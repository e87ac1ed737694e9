import type { DataZoneClient } from '@aws-sdk/client-datazone';
import type { QuickSightClient } from '@aws-sdk/client-quicksight';
import { scopeOf } from './call.js';

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
 * start N to leave the window). Waiters are served first come, first served.
 */
export class SlidingWindowRateLimiter {
  /** Start times of the last `limit` granted calls, oldest first. */
  private readonly starts: number[] = [];
  private readonly waiters: Array<() => void> = [];
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
   * without taking a start).
   */
  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.waiters.length === 0 && this.tryGrant()) return Promise.resolve();
    // A waiter behind p others starts no sooner than floor(p / limit) windows from now.
    if (Math.floor(this.waiters.length / this.limit) * this.windowMs >= this.maxWaitMs) {
      return Promise.reject(new RateLimitExceededError(`more than ${this.maxWaitMs} ms of calls are already queued`));
    }
    return new Promise<void>((resolve, reject) => {
      if (signal === undefined) {
        this.waiters.push(resolve);
      } else {
        const onAbort = () => {
          const index = this.waiters.indexOf(grant);
          if (index !== -1) this.waiters.splice(index, 1);
          reject(signal.reason);
        };
        const grant = () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
        signal.addEventListener('abort', onAbort, { once: true });
        this.waiters.push(grant);
      }
      this.schedule();
    });
  }

  get queued(): number {
    return this.waiters.length;
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
    if (this.timer !== undefined || this.waiters.length === 0) return;
    const oldest = this.starts[0] ?? this.now();
    const delay = Math.max(0, oldest + this.windowMs - this.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      while (this.waiters.length > 0 && this.tryGrant()) (this.waiters.shift() as () => void)();
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
      await limiter.acquire(scopeOf(args)?.signal);
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
