import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { FleetConfig } from '../config/config.js';

/**
 * The replica's one connection to the fleet's Redis, and the rule every use of it follows: Redis is
 * a helper, never a dependency of a request (docs/fleet.md).
 *
 * - Every command is bounded by `REDIS_TIMEOUT_MS` (ioredis' `commandTimeout`); while the connection
 *   is down a command fails at once (no offline queue) instead of waiting for a reconnect.
 * - The first failure starts an outage: one warning, and for the next RETRY_MS no command is sent
 *   at all, so requests do not each pay the timeout; callers use their local fallback. Then one
 *   command is let through as a probe; its success ends the outage (one info line).
 */

/** How long an outage lasts at least before Redis is asked again. */
export const REDIS_RETRY_MS = 1_000;

/** Keys of this service, apart from anything else a shared Redis holds. */
export const FLEET_KEY_PREFIX = 'aws-connections-subgraph:';

export interface FleetLinkOptions {
  /** Injectable clock (ms). */
  now?: () => number;
  retryMs?: number;
}

export class FleetLink {
  readonly redis: Redis;
  private healthy = true;
  /** While not healthy: when the next probe may go. */
  private retryAt = 0;
  private readonly now: () => number;
  private readonly retryMs: number;
  private readonly connectTimeoutMs: number;
  private closed = false;

  constructor(
    config: FleetConfig,
    private readonly logger: Logger,
    options: FleetLinkOptions = {},
  ) {
    this.now = options.now ?? (() => Date.now());
    this.retryMs = options.retryMs ?? REDIS_RETRY_MS;
    this.connectTimeoutMs = Math.max(config.timeoutMs, 1_000);
    this.redis = new Redis(config.redisUrl, {
      commandTimeout: config.timeoutMs,
      connectTimeout: this.connectTimeoutMs,
      // Fail at once while disconnected: the caller's fallback answers, not a queue waiting for Redis.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      // Reconnect forever, at most once a second, so sharing resumes when Redis is back.
      retryStrategy: (attempt) => Math.min(attempt * 100, REDIS_RETRY_MS),
    });
    // Connection errors are reported through the commands that fail (once per outage, below);
    // without a listener ioredis would print every reconnect failure to the console.
    this.redis.on('error', () => undefined);
  }

  /**
   * Waits up to the connect timeout for the first connection, so the first requests share at once;
   * a Redis that is not there starts an outage (the replica serves without it meanwhile).
   */
  async connect(): Promise<void> {
    if (this.redis.status === 'ready') return;
    const ready = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => finish(false), this.connectTimeoutMs);
      const finish = (value: boolean) => {
        clearTimeout(timer);
        this.redis.off('ready', onReady);
        resolve(value);
      };
      const onReady = () => finish(true);
      this.redis.once('ready', onReady);
    });
    if (!ready) await this.run(() => Promise.reject(new Error(`no connection within ${this.connectTimeoutMs} ms`)));
  }

  /** Whether a command may be sent now: Redis is healthy, or an outage's next probe is due. */
  usable(): boolean {
    return !this.closed && (this.healthy || this.now() >= this.retryAt);
  }

  /**
   * Runs `command` unless an outage says not to; answers undefined when it is skipped, fails or
   * times out (never rejects).
   */
  async run<T>(command: (redis: Redis) => Promise<T>): Promise<T | undefined> {
    if (!this.usable()) return undefined;
    const probe = !this.healthy;
    // One probe per retry period: concurrent callers keep using their fallback meanwhile.
    if (probe) this.retryAt = this.now() + this.retryMs;
    try {
      const result = await command(this.redis);
      if (!this.healthy) {
        this.healthy = true;
        this.logger.info('Redis reachable again: the fleet shares its AWS rate limit, cache and persisted queries again');
      }
      return result;
    } catch (error) {
      if (this.healthy && !this.closed) {
        this.healthy = false;
        this.retryAt = this.now() + this.retryMs;
        // The error's name and message only: never the URL, which may carry a password.
        this.logger.warn(
          { err: { name: (error as Error).name, message: (error as Error).message } },
          'Redis unreachable or slow: this replica falls back to its own share of the AWS rate limit and to its own cache until Redis answers again',
        );
      } else if (probe && !this.closed && this.redis.status === 'ready') {
        // An outage's probe failed on a connection that looks open (a hung Redis, or a peer gone
        // without a word): a new connection, rather than waiting on that one for ever.
        this.redis.disconnect(true);
      }
      return undefined;
    }
  }

  /** Whether the last command succeeded (false during an outage). */
  get sharing(): boolean {
    return this.healthy;
  }

  close(): void {
    this.closed = true;
    // Not QUIT: it waits for an answer, and a hung Redis would hold the shutdown.
    this.redis.disconnect();
  }
}
