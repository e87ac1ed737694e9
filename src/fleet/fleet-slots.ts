import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RATE_WINDOW_GUARD_MS, SlidingWindowSlots, type SlotSource } from '../aws/rate-limit.js';
import { FLEET_KEY_PREFIX, type FleetLink } from './redis-link.js';

/**
 * The client-side AWS rate limit held for the whole fleet: a sliding log per limit key in Redis
 * (a sorted set of start times), checked and taken in one atomic Lua script, the same rule as the
 * process's own SlidingWindowSlots (at most `limit` starts in any window of 1.05 s). AWS counts calls
 * in any second, so a fixed window, which lets twice the limit through across its edge, would not do.
 *
 * Redis' own clock (TIME) orders the starts of every replica, so replicas' clocks need not agree.
 * A refused take answers how long until the oldest start leaves the window, having taken nothing;
 * each replica's fair queue then asks again no sooner than that (at most one question open per
 * operation and replica, see FairRateLimiter), so Redis sees about one command per start and replica.
 */
const TAKE_SLOT_SCRIPT = `
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) < limit then
  redis.call('ZADD', key, now, ARGV[3])
  redis.call('PEXPIRE', key, window)
  return 0
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + window - now)
`;

interface SlotCommands {
  takeFleetSlot(key: string, limit: number, windowMs: number, member: string): Promise<number>;
}

/** Registers the script on the connection once (ioredis sends it by SHA, and again after a Redis restart). */
function withSlotScript(redis: Redis): Redis & SlotCommands {
  const commands = redis as Redis & Partial<SlotCommands>;
  if (commands.takeFleetSlot === undefined) redis.defineCommand('takeFleetSlot', { numberOfKeys: 1, lua: TAKE_SLOT_SCRIPT });
  return redis as Redis & SlotCommands;
}

/** The limit's Redis key: the limit key as the rate limit names it (operation, later account and region), opaque here. */
export function fleetSlotsKey(limitKey: string): string {
  return `${FLEET_KEY_PREFIX}rate:${limitKey}`;
}

/**
 * A SlotSource shared by the fleet, with the replica's own share of the limit
 * (`limit / expectedReplicas`, at least 1) as its fallback while Redis cannot answer.
 */
export class FleetSlots implements SlotSource {
  /**
   * The rate a replica can expect: the fleet's limit divided among the replicas sharing it, so each
   * spreads its starts instead of racing the others for every start that frees up (a race that,
   * tried, let calls reach AWS close enough together to be throttled). A replica with a backlog
   * while the others idle therefore gets its share, not the whole limit.
   */
  readonly pace: { readonly intervalMs: number; readonly burst: number };
  private readonly fallback: SlidingWindowSlots;
  private readonly redisKey: string;
  /** Names this replica's starts in the log (members of a sorted set must differ). */
  private readonly replica = randomUUID();
  private sequence = 0;

  constructor(
    private readonly link: FleetLink,
    limitKey: string,
    private readonly limit: number,
    expectedReplicas: number,
    private readonly windowMs = 1_000 + RATE_WINDOW_GUARD_MS,
  ) {
    this.fallback = new SlidingWindowSlots(Math.max(1, Math.floor(limit / expectedReplicas)), windowMs);
    this.pace = this.fallback.pace;
    this.redisKey = fleetSlotsKey(limitKey);
    withSlotScript(link.redis);
  }

  take(): number | Promise<number> {
    if (!this.link.usable()) return this.fallback.take();
    const member = `${this.replica}:${(this.sequence += 1)}`;
    return this.link
      .run((redis) => withSlotScript(redis).takeFleetSlot(this.redisKey, this.limit, this.windowMs, member))
      .then((wait) => {
        if (wait === undefined) return this.fallback.take();
        // A little jitter, so that no replica wins every race for a start that frees up.
        return wait <= 0 ? 0 : wait + Math.random() * this.pace.intervalMs * 0.25;
      });
  }
}
