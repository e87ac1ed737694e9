import { InMemoryLRUCache, type KeyValueCache, type KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import type { SharedReadStore } from '../aws/shared-reads.js';
import { FLEET_KEY_PREFIX, type FleetLink } from './redis-link.js';

/**
 * Apollo's KeyValueCache over the fleet's Redis: the store behind the shared response cache and the
 * automatic persisted queries. Every command goes through the FleetLink, so an unreachable or slow
 * Redis is a miss on `get` and a skipped write on `set`, never an error (Apollo Server would fail
 * a persisted query's request on a rejected `get`).
 */
export class RedisKeyValueCache implements KeyValueCache<string> {
  constructor(
    private readonly link: FleetLink,
    private readonly prefix: string,
  ) {}

  async get(key: string): Promise<string | undefined> {
    return (await this.link.run((redis) => redis.get(this.prefix + key))) ?? undefined;
  }

  /** `ttl` in seconds, as KeyValueCache has it; none or 0: kept until Redis evicts it. */
  async set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void> {
    const ttlMs = Math.round((options?.ttl ?? 0) * 1000);
    await this.link.run((redis) => (ttlMs > 0 ? redis.set(this.prefix + key, value, 'PX', ttlMs) : redis.set(this.prefix + key, value)));
  }

  async delete(key: string): Promise<boolean> {
    return ((await this.link.run((redis) => redis.del(this.prefix + key))) ?? 0) > 0;
  }
}

/**
 * The process's own LRU in front of the fleet's store, for values that never change under their key
 * (a persisted query's document under its hash): a hash seen once is not asked of Redis again.
 */
export class TieredKeyValueCache implements KeyValueCache<string> {
  constructor(
    private readonly local: KeyValueCache<string>,
    private readonly fleet: KeyValueCache<string>,
  ) {}

  async get(key: string): Promise<string | undefined> {
    const local = await this.local.get(key);
    if (local !== undefined) return local;
    const fleet = await this.fleet.get(key);
    if (fleet !== undefined) await this.local.set(key, fleet);
    return fleet;
  }

  async set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void> {
    await Promise.all([this.local.set(key, value, options), this.fleet.set(key, value, options)]);
  }

  async delete(key: string): Promise<boolean> {
    const [local, fleet] = await Promise.all([this.local.delete(key), this.fleet.delete(key)]);
    return Boolean(local) || Boolean(fleet);
  }
}

/** How long a persisted query's document stays in Redis: clients register it again after a miss. */
export const PERSISTED_QUERY_TTL_SECONDS = 24 * 60 * 60;

/** Automatic persisted queries for the fleet: one replica registers a hash, every replica serves it. */
export function fleetPersistedQueries(link: FleetLink): KeyValueCache<string> {
  return new TieredKeyValueCache(new InMemoryLRUCache<string>(), new RedisKeyValueCache(link, `${FLEET_KEY_PREFIX}`));
}

/**
 * SDK outputs hold `Date`s (timestamps), which the DateTime scalar serializes; JSON would bring
 * them back as strings. They are written as `{"$date": "<ISO-8601>"}` (MongoDB's Extended JSON
 * spelling) and read back as Dates, so a value from Redis is the value the SDK returned.
 */
const DATE_TAG = '$date';

export function serializeResponse(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, converted: unknown) {
    const raw = this[key];
    return raw instanceof Date ? { [DATE_TAG]: Number.isNaN(raw.getTime()) ? null : raw.toISOString() } : converted;
  });
}

export function deserializeResponse(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown) => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const tagged = (value as Record<string, unknown>)[DATE_TAG];
      if (Object.keys(value).length === 1 && (typeof tagged === 'string' || tagged === null)) return new Date(tagged ?? Number.NaN);
    }
    return value;
  });
}

interface StoredResponse {
  /** Epoch ms when the fleet stops serving it; the replicas' clocks are assumed to agree within ms. */
  expiresAt: number;
  value: unknown;
}

/**
 * The response cache's fleet level (SharedReads' SharedReadStore) on a KeyValueCache. An entry
 * carries its expiry, so a replica that copies it into its own cache keeps it only for what it has
 * left: no entry outlives CACHE_TTL_SECONDS from its AWS call, anywhere in the fleet. What reaches
 * `set` has passed SharedReads' credential check (SharedReads.store, the one place values enter a
 * cache); secret-bearing reads never reach SharedReads at all.
 */
export class FleetResponseStore implements SharedReadStore {
  constructor(
    private readonly store: KeyValueCache<string>,
    private readonly now: () => number = () => Date.now(),
  ) {}

  async get(key: string): Promise<{ value: unknown; ttlMs: number } | undefined> {
    const text = await this.store.get(key).catch(() => undefined);
    if (text === undefined) return undefined;
    let stored: StoredResponse;
    try {
      stored = deserializeResponse(text) as StoredResponse;
    } catch {
      return undefined;
    }
    const ttlMs = (typeof stored?.expiresAt === 'number' ? stored.expiresAt : 0) - this.now();
    return ttlMs > 0 ? { value: stored.value, ttlMs } : undefined;
  }

  set(key: string, value: unknown, ttlMs: number): void {
    const stored: StoredResponse = { expiresAt: this.now() + ttlMs, value };
    this.store.set(key, serializeResponse(stored), { ttl: ttlMs / 1000 }).catch(() => undefined);
  }
}
