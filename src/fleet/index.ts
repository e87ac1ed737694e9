import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import type { Logger } from 'pino';
import type { SlotSource } from '../aws/rate-limit.js';
import type { SharedReadStore } from '../aws/shared-reads.js';
import type { FleetConfig } from '../config/config.js';
import { FleetSlots } from './fleet-slots.js';
import { FleetResponseStore, RedisKeyValueCache, fleetPersistedQueries } from './redis-cache.js';
import { FLEET_KEY_PREFIX, FleetLink } from './redis-link.js';

/**
 * What replicas share through Redis (REDIS_URL, docs/fleet.md): the client-side AWS rate limit, the
 * non-secret response cache and the automatic persisted queries. In-flight coalescing and the fair
 * queue stay in each process.
 */
export interface Fleet {
  /** The slot source of one limit key (the rate limit's `slots` option). */
  slots(limitKey: string): SlotSource;
  /** The response cache's fleet level (SharedReads' `fleetStore`). */
  responses: SharedReadStore;
  /** Apollo Server's `persistedQueries.cache`. */
  persistedQueries: KeyValueCache<string>;
  link: FleetLink;
  close(): void;
}

export async function createFleet(config: FleetConfig, limitPerSecond: number, logger: Logger): Promise<Fleet> {
  const link = new FleetLink(config, logger);
  await link.connect();
  return {
    slots: (limitKey) => new FleetSlots(link, limitKey, limitPerSecond, config.expectedReplicas),
    responses: new FleetResponseStore(new RedisKeyValueCache(link, `${FLEET_KEY_PREFIX}response:`)),
    persistedQueries: fleetPersistedQueries(link),
    link,
    close: () => link.close(),
  };
}
