import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RATE_WINDOW_GUARD_MS, SlidingWindowSlots, type SlotSource } from '../aws/rate-limit.js';
import { FLEET_KEY_PREFIX, type FleetLink } from './redis-link.js';

/**
 * The client-side AWS rate limit held for the whole fleet: a log per limit key in Redis (a sorted set
 * of start times), checked and taken in one atomic Lua script with two rules:
 *
 * - at most `limit` starts in any window of 1.05 s (the process's own SlidingWindowSlots' rule). AWS
 *   counts calls in any second, so a fixed window, which lets twice the limit through across its
 *   edge, would not do;
 * - at most `burst` starts in any `burst` intervals of the limit's pace (a quarter of the window). A
 *   sliding log alone lets a whole window's starts go at one instant, and again at the instant they
 *   expire; a replica then sends them one after the other, so the last of a bunch reaches AWS tens of
 *   ms after Redis stamped it while the first of the next bunch goes at once, and AWS counts one too
 *   many in a second. Spread out, each start is sent as soon as it is stamped.
 *
 * Redis' own clock (TIME) orders the starts of every replica, so replicas' clocks need not agree.
 * A refused take answers how long until both rules allow a start, having taken nothing; each
 * replica's fair queue then asks again no sooner than that (at most one question open per operation
 * and replica, see FairRateLimiter), so Redis sees about one command per start and replica.
 *
 * ARGV[6] names a start to drop before taking: one whose grant reached the replica too late to be
 * sent at the time Redis stamped it (see FleetSlots.take).
 */
const TAKE_SLOT_SCRIPT = `
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local span = tonumber(ARGV[4])
if ARGV[6] ~= '' then redis.call('ZREM', key, ARGV[6]) end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
local wait = 0
local count = redis.call('ZCARD', key)
if count >= limit then
  local leaving = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
  wait = tonumber(leaving[2]) + window - now
end
local recent = redis.call('ZRANGEBYSCORE', key, '(' .. (now - span), '+inf', 'WITHSCORES')
local inSpan = #recent / 2
if inSpan >= burst then
  wait = math.max(wait, tonumber(recent[(inSpan - burst) * 2 + 2]) + span - now)
end
if wait <= 0 then
  redis.call('ZADD', key, now, ARGV[5])
  redis.call('PEXPIRE', key, window)
  return 0
end
return math.max(1, wait)
`;

/**
 * A grant that took longer than this to come back (an event loop stall, a slow network) is taken
 * again: its call would reach AWS later than Redis stamped it by more than the window's guard allows
 * for, and the window would then hold one start too many as AWS counts them.
 */
export const FRESH_GRANT_MS = RATE_WINDOW_GUARD_MS / 2;

/** How often a late grant is taken again before it is used as it is (a replica too slow for any answer to be fresh still makes progress). */
const MAX_RETAKES = 2;

interface SlotCommands {
  takeFleetSlot(key: string, limit: number, windowMs: number, burst: number, spanMs: number, member: string, drop: string): Promise<number>;
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
  /** The pace of the whole limit: what one busy replica may use while the others idle. */
  private readonly fleetPace: { readonly intervalMs: number; readonly burst: number };
  private readonly fallback: SlidingWindowSlots;
  private readonly redisKey: string;
  /** Names this replica's starts in the log (members of a sorted set must differ). */
  private readonly replica = randomUUID();
  private sequence = 0;
  private retaken = 0;

  constructor(
    private readonly link: FleetLink,
    limitKey: string,
    private readonly limit: number,
    expectedReplicas: number,
    private readonly windowMs = 1_000 + RATE_WINDOW_GUARD_MS,
  ) {
    this.fallback = new SlidingWindowSlots(Math.max(1, Math.floor(limit / expectedReplicas)), windowMs);
    this.fleetPace = new SlidingWindowSlots(limit, windowMs).pace;
    this.redisKey = fleetSlotsKey(limitKey);
    withSlotScript(link.redis);
  }

  /**
   * While Redis answers, the queue paces at the whole limit and Redis' refusals (with their wait)
   * share it out: a busy replica uses what idle ones leave. While Redis is gone, the replica's share.
   */
  get pace(): { readonly intervalMs: number; readonly burst: number } {
    return this.link.sharing ? this.fleetPace : this.fallback.pace;
  }

  /** Grants taken again because they came back late (see FRESH_GRANT_MS). */
  get retakes(): number {
    return this.retaken;
  }

  take(): number | Promise<number> {
    if (!this.link.usable()) return this.fallback.take();
    return this.ask('', 0);
  }

  private async ask(drop: string, retakes: number): Promise<number> {
    const member = `${this.replica}:${(this.sequence += 1)}`;
    const { intervalMs, burst } = this.fleetPace;
    const sent = performance.now();
    const wait = await this.link.run((redis) =>
      withSlotScript(redis).takeFleetSlot(this.redisKey, this.limit, this.windowMs, burst, burst * intervalMs, member, drop),
    );
    if (wait === undefined) return this.fallback.take();
    // A little jitter, so that no replica wins every race for a start that frees up.
    if (wait > 0) return wait + Math.random() * intervalMs * 0.25;
    if (performance.now() - sent <= FRESH_GRANT_MS || retakes >= MAX_RETAKES) return 0;
    this.retaken += 1;
    return this.ask(member, retakes + 1);
  }
}
