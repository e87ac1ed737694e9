/**
 * Process-wide reuse of AWS reads across requests, for reads that carry no secret:
 *
 * - In-flight coalescing: concurrent identical reads share one AWS call. Always on; it only ever
 *   merges calls that were already running at the same time, so it serves nothing stale.
 * - A short-TTL cache of successful responses (`CACHE_TTL_SECONDS`, off by default); with
 *   `REDIS_URL`, backed by the fleet's cache (SharedReadStore, src/fleet/), so what one replica read
 *   the others serve too. Coalescing stays per process.
 *
 * Secret-bearing reads (DataZone `withSecret=true`) never come here: the loaders pass
 * `shareable: false` and the call goes straight to AWS, and callers holding the secrets scope use
 * UNSHARED_READS for everything, so a credential is neither stored in nor served from anything
 * shared between callers (CONTRACT.md, "Authorization"). As a second line of defence, a response
 * that nonetheless carries a credential member, or a map entry whose key names a credential, is
 * never stored.
 *
 * Values handed out are shared between requests: resolvers treat AWS responses as read-only.
 */

import { isCredentialMapKey } from '../auth/credential-map-keys.js';
import { type AwsCallScope, SharedTurns, turnOf, untilAborted } from './call.js';

/** How a loader reads from AWS: through the shared coalescing/cache, or on its own. */
export interface AwsReads {
  /**
   * `fetch` receives the scope its AWS call runs in. A call of one request gets that request's
   * `scope`. A shared call gets the request id of the request that started it and no signal, since
   * it belongs to no single request: each request waiting on it stops waiting when its own signal
   * fires, and the call itself is bounded by the SDK's per-attempt timeout and retry budget. Its
   * turn in the rate limiter's queue is that of every caller waiting on it (SharedTurns): it
   * starts at the earliest, so joining another caller's call never waits longer than one's own.
   */
  read<T>(key: string, shareable: boolean, fetch: (scope: AwsCallScope) => Promise<T>, scope?: AwsCallScope): Promise<T>;
}

/**
 * For callers who may read secrets (`connections:secrets:read`): every read is their own. They
 * neither join nor start shared calls and never read from or write to the cache, whether or not a
 * given call asks for secrets.
 */
export const UNSHARED_READS: AwsReads = { read: (_key, _shareable, fetch, scope = {}) => fetch(scope) };

/** Most entries the cache holds; the oldest are evicted first, so memory stays bounded. */
export const CACHE_MAX_ENTRIES = 10_000;

/**
 * A cache level shared by the replicas of a fleet (src/fleet/), behind the process's own: asked on
 * a miss there (within the shared in-flight read, so concurrent misses ask once), and written with
 * every value the process caches.
 */
export interface SharedReadStore {
  /** The value and the ms it has left to live, or undefined (a miss, or the store unreachable). Never rejects. */
  get(key: string): Promise<{ value: unknown; ttlMs: number } | undefined>;
  /** Stores for `ttlMs`, in the background: never rejects, nobody waits for it. */
  set(key: string, value: unknown, ttlMs: number): void;
}

export interface SharedReadsOptions {
  /** 0 turns the cache off; coalescing stays on. */
  cacheTtlMs: number;
  /** The fleet's cache level, if replicas share one (REDIS_URL); used only while `cacheTtlMs` > 0. */
  fleetStore?: SharedReadStore;
  /** Whether a response carries a credential member (then it is never cached). */
  containsSecret?: (value: unknown) => boolean;
  maxEntries?: number;
  /** Injectable clock (ms); Date.now by default. */
  now?: () => number;
  /** Injectable source of the refresh-ahead jitter, in [0, 1); Math.random by default. */
  random?: () => number;
}

export interface SharedReadsStats {
  /** Reads that went to AWS. */
  fetched: number;
  /** Reads that joined an AWS call already in flight. */
  coalesced: number;
  /** Reads answered from the cache. */
  cacheHits: number;
  /** Reads answered from the fleet's cache (another replica's AWS call); counted in `coalesced` for those that joined one. */
  fleetCacheHits: number;
  cacheEntries: number;
}

interface InFlightRead {
  call: Promise<unknown>;
  turns: SharedTurns;
}

interface CacheEntry {
  value: unknown;
  expiresAt: number;
  /** When a hit refreshes it ahead of its expiry (with a fleet store only; else never). */
  refreshAt: number;
}

/**
 * With a fleet store, replicas serving the same hot entry would all miss at the instant it expires
 * (a copy lives exactly as long as the original) and all call AWS. Instead, a hit in the last part
 * of an entry's life refreshes it in the background, at a point drawn at random per replica and
 * entry: the first replica to get there asks the fleet's cache (nothing newer) and AWS, and writes
 * the new value; the others, a little later, find that newer value in the fleet's cache and take
 * it. The entry keeps being served until it expires, so nothing is older than the TTL.
 */
const REFRESH_AHEAD_MAX_MS = 1_000;
/** A fleet entry whose expiry is within this of the one being refreshed is that same entry. */
const SAME_ENTRY_MS = 5;

export class SharedReads implements AwsReads {
  private readonly inFlight = new Map<string, InFlightRead>();
  private readonly cache = new Map<string, CacheEntry>();
  private readonly cacheTtlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  private readonly containsSecret: (value: unknown) => boolean;
  private readonly fleetStore: SharedReadStore | undefined;
  private readonly random: () => number;
  private readonly counters = { fetched: 0, coalesced: 0, cacheHits: 0, fleetCacheHits: 0 };

  constructor(options: SharedReadsOptions) {
    this.cacheTtlMs = options.cacheTtlMs;
    this.maxEntries = options.maxEntries ?? CACHE_MAX_ENTRIES;
    this.now = options.now ?? (() => Date.now());
    this.containsSecret = options.containsSecret ?? (() => false);
    this.fleetStore = this.cacheTtlMs > 0 ? options.fleetStore : undefined;
    this.random = options.random ?? Math.random;
  }

  /**
   * `key` must name the operation and every parameter of the call. With `shareable: false` the
   * call is made as it is, seen by nothing else.
   */
  read<T>(key: string, shareable: boolean, fetch: (scope: AwsCallScope) => Promise<T>, scope: AwsCallScope = {}): Promise<T> {
    if (!shareable) {
      this.counters.fetched += 1;
      return fetch(scope);
    }
    if (this.cacheTtlMs > 0) {
      const entry = this.cache.get(key);
      if (entry !== undefined) {
        const now = this.now();
        if (entry.expiresAt > now) {
          this.counters.cacheHits += 1;
          if (entry.refreshAt <= now && !this.inFlight.has(key)) {
            // Refresh ahead, in the background: this request is answered from the entry.
            entry.refreshAt = Number.POSITIVE_INFINITY;
            this.startShared(key, fetch, scope, entry.expiresAt);
          }
          return Promise.resolve(entry.value as T);
        }
        this.cache.delete(key);
      }
    }
    const running = this.inFlight.get(key);
    if (running !== undefined) {
      this.counters.coalesced += 1;
      running.turns.join(turnOf(scope));
      return untilAborted(running.call as Promise<T>, scope.signal);
    }
    return untilAborted(this.startShared(key, fetch, scope), scope.signal);
  }

  /**
   * Starts the shared call of `key`: the fleet's cache first (if there is one), else AWS; registered
   * as in flight so that identical reads join it. `replacing` is the expiry of the entry a refresh
   * ahead replaces: a fleet entry that expires no later than it is the same one, not a newer one.
   */
  private startShared<T>(key: string, fetch: (scope: AwsCallScope) => Promise<T>, scope: AwsCallScope, replacing?: number): Promise<T> {
    const turns = new SharedTurns(turnOf(scope));
    // No request's signal: one caller going away (or reaching its deadline) must not fail the others.
    const fromAws = (): Promise<T> => {
      this.counters.fetched += 1;
      // Traced as a call of the request that started it.
      return fetch({ requestId: scope.requestId, turns, traceContext: scope.traceContext }).then((value) => {
        this.store(key, value);
        return value;
      });
    };
    const fleetStore = this.fleetStore;
    const read =
      fleetStore === undefined
        ? fromAws()
        : fleetStore.get(key).then((hit) => {
            // A value that carries a credential was never written by a replica: not served either.
            if (hit === undefined || this.containsSecret(hit.value)) return fromAws();
            if (replacing !== undefined && this.now() + hit.ttlMs <= replacing + SAME_ENTRY_MS) return fromAws();
            this.counters.fleetCacheHits += 1;
            // Kept here for what it has left to live in the fleet, not a whole TTL more.
            this.remember(key, hit.value, Math.min(hit.ttlMs, this.cacheTtlMs));
            return hit.value as T;
          });
    const call = read.then(
      (value) => {
        this.inFlight.delete(key);
        return value;
      },
      (error: unknown) => {
        // Failures are never cached: the next read tries AWS again.
        this.inFlight.delete(key);
        throw error;
      },
    );
    this.inFlight.set(key, { call, turns });
    // A shared call that every waiter abandoned may still reject later: nobody is left to see it.
    call.catch(() => undefined);
    return call;
  }

  stats(): SharedReadsStats {
    return { ...this.counters, cacheEntries: this.cache.size };
  }

  /** The one place a value enters a cache, the process's or the fleet's: never one that carries a credential. */
  private store(key: string, value: unknown): void {
    if (this.cacheTtlMs <= 0 || this.containsSecret(value)) return;
    this.remember(key, value, this.cacheTtlMs);
    this.fleetStore?.set(key, value, this.cacheTtlMs);
  }

  private remember(key: string, value: unknown, ttlMs: number): void {
    if (ttlMs <= 0) return;
    if (this.cache.size >= this.maxEntries) this.evict();
    const expiresAt = this.now() + ttlMs;
    // The refresh point: in the last fifth of the TTL (at most a second), in its later half's spread.
    const ahead = Math.min(REFRESH_AHEAD_MAX_MS, this.cacheTtlMs / 5) * (0.5 + this.random() * 0.5);
    this.cache.set(key, { value, expiresAt, refreshAt: this.fleetStore === undefined ? Number.POSITIVE_INFINITY : expiresAt - ahead });
  }

  /** Drops expired entries, then, if still full, the oldest tenth (Map keeps insertion order). */
  private evict(): void {
    const now = this.now();
    for (const [key, entry] of this.cache) if (entry.expiresAt <= now) this.cache.delete(key);
    if (this.cache.size < this.maxEntries) return;
    let toDrop = Math.max(1, Math.floor(this.maxEntries / 10));
    for (const key of this.cache.keys()) {
      if (toDrop-- <= 0) break;
      this.cache.delete(key);
    }
  }
}

/**
 * A `containsSecret` check from the schema's secret fields and string maps (DataZone member names
 * equal the field names): true when any member of a secret field's name holds a value anywhere in
 * the response, or a map member holds an entry whose key names a credential (credential-map-keys.ts).
 */
export function secretMemberDetector(secretMemberNames: Iterable<string>, mapMemberNames: Iterable<string> = []): (value: unknown) => boolean {
  const names = new Set(secretMemberNames);
  const maps = new Set(mapMemberNames);
  const hasCredentialEntry = (map: object): boolean =>
    Object.entries(map).some(([key, entry]) => entry !== null && entry !== undefined && isCredentialMapKey(key));
  const visit = (value: unknown, depth: number): boolean => {
    if (value === null || typeof value !== 'object' || depth > 32) return false;
    if (Array.isArray(value)) return value.some((item) => visit(item, depth + 1));
    for (const [member, child] of Object.entries(value)) {
      if (names.has(member) && child !== null && child !== undefined) return true;
      if (maps.has(member) && typeof child === 'object' && child !== null && hasCredentialEntry(child)) return true;
      if (visit(child, depth + 1)) return true;
    }
    return false;
  };
  return (value) => visit(value, 0);
}
