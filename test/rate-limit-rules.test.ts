import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type CallTurn, SharedTurns } from '../src/aws/call.js';
import { toGraphQLError } from '../src/aws/errors.js';
import { FairRateLimiter, RateLimitExceededError, SlidingWindowSlots, type SlotSource } from '../src/aws/rate-limit.js';
import { principalOf } from '../src/auth/verify.js';

/** One start per 100 ms window, on vitest's fake clock. */
const WINDOW = 100;
function fairQueue(maxWaitMs: number): FairRateLimiter {
  return new FairRateLimiter(new SlidingWindowSlots(1, WINDOW), maxWaitMs);
}
const turn = (caller: string, request: string): CallTurn => ({ caller, request });

describe('FairRateLimiter, callers taking turns', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('callers take turns: each start goes to the next waiting caller, however many requests a caller has', async () => {
    const queue = fairQueue(60_000);
    const started: string[] = [];
    const call = (caller: string, request: string, index: number) => queue.acquire(turn(caller, request)).then(() => started.push(`${caller}:${request}.${index}`));
    const calls = [
      ...['r0', 'r1', 'r2', 'r3'].flatMap((request) => [0, 1].map((index) => call('flooder', request, index))),
      call('victim', 'v', 0),
      call('other', 'o', 0),
    ];
    await vi.advanceTimersByTimeAsync(20 * WINDOW);
    await Promise.all(calls);
    // Requests taking turns alone would start all four flooder requests' calls before the victim's.
    expect(started).toEqual([
      'flooder:r0.0',
      'flooder:r0.1',
      'victim:v.0',
      'other:o.0',
      'flooder:r1.0',
      'flooder:r2.0',
      'flooder:r3.0',
      'flooder:r1.1',
      'flooder:r2.1',
      'flooder:r3.1',
    ]);
  });

  it('a flooding caller holds another caller\'s call back by at most one of its own calls', async () => {
    const queue = fairQueue(60_000);
    const started: string[] = [];
    // 40 requests of three calls each, as a flood of `_entities` requests brings them.
    for (let request = 0; request < 40; request += 1) {
      for (let index = 0; index < 3; index += 1) void queue.acquire(turn('flooder', `r${request}`)).then(() => started.push('flooder'));
    }
    await vi.advanceTimersByTimeAsync(5 * WINDOW);
    // The victim reads one connection at a time, in a loop.
    for (let read = 0; read < 5; read += 1) {
      const before = started.length;
      let done = false;
      const victim = queue.acquire(turn('victim', `v${read}`)).then(() => {
        started.push('victim');
        done = true;
      });
      while (!done) await vi.advanceTimersToNextTimerAsync();
      await victim;
      const since = started.slice(before);
      expect(since.at(-1)).toBe('victim');
      expect(since.length).toBeLessThanOrEqual(2);
    }
    // The flood still waits; every start the victim did not need went to it.
    expect(queue.stats()).toMatchObject({ callers: 1, calls: 120 - started.filter((who) => who === 'flooder').length });
  });

  it('a caller over its share is refused at once, as THROTTLED saying so, while another caller is still admitted', async () => {
    // 300 ms: a call with three starts or more ahead of it (one every 100 ms) is refused.
    const queue = fairQueue(300);
    const outcomes: string[] = [];
    const refusals: unknown[] = [];
    const call = (caller: string, request: string) =>
      queue.acquire(turn(caller, request)).then(
        () => outcomes.push(`${caller}:${request} started`),
        (error: unknown) => {
          refusals.push(error);
          outcomes.push(`${caller}:${request} refused`);
        },
      );
    const flood = ['f0', 'f1', 'f2', 'f3', 'f4', 'f5'].map((request) => call('flooder', request));
    // One flooder call is ahead of the victim's, however long the flooder's queue.
    const victim = call('victim', 'v0');
    // Refused without waiting for any start.
    await vi.advanceTimersByTimeAsync(0);
    expect(outcomes).toEqual(['flooder:f0 started', 'flooder:f4 refused', 'flooder:f5 refused']);
    await vi.advanceTimersByTimeAsync(10 * WINDOW);
    await Promise.all([...flood, victim]);
    expect(outcomes.slice(3)).toEqual(['flooder:f1 started', 'victim:v0 started', 'flooder:f2 started', 'flooder:f3 started']);
    expect(refusals[0]).toBeInstanceOf(RateLimitExceededError);
    const error = toGraphQLError(refusals[0], 'datazone', 'DataZone connection c1 in domain dzd_1');
    expect(error.message).toMatch(/^DataZone connection c1 in domain dzd_1 could not be read: .*this caller, which is over its share of the AWS rate limit/);
    expect(error.extensions).toEqual({ code: 'THROTTLED', aws: { service: 'datazone', errorName: 'ClientRateLimitExceeded', requestId: null } });
  });

  it('within one caller, its requests take turns, each request\'s own calls in order', async () => {
    const queue = fairQueue(10_000);
    const started: string[] = [];
    const call = (request: string, index: number) => queue.acquire(turn('caller', request)).then(() => started.push(`${request}${index}`));
    const calls = [...[0, 1, 2, 3].map((index) => call('a', index)), ...[0, 1].map((index) => call('b', index)), call('c', 0)];
    await vi.advanceTimersByTimeAsync(10 * WINDOW);
    await Promise.all(calls);
    // a0 starts at once; then one call per request per turn, in the order the requests first waited.
    expect(started).toEqual(['a0', 'a1', 'b0', 'c0', 'a2', 'b1', 'a3']);
  });

  it('within one caller, the bound counts the calls that will start before the new one, not the caller\'s whole queue', async () => {
    const queue = fairQueue(300);
    const settled: string[] = [];
    const call = (request: string, index: number) =>
      queue.acquire(turn('caller', request)).then(
        () => settled.push(`${request}${index} started`),
        (error: unknown) => settled.push(`${request}${index} ${error instanceof RateLimitExceededError ? 'refused' : 'failed'}`),
      );
    // a0 starts at once; a1, a2, a3 wait; a4 and a5 would have three or more of a's own calls ahead.
    const burst = [0, 1, 2, 3, 4, 5].map((index) => call('a', index));
    // b0 has one of a's calls ahead of it (a1), whatever the length of a's queue.
    const single = call('b', 0);
    await vi.advanceTimersByTimeAsync(10 * WINDOW);
    await Promise.all([...burst, single]);
    expect(settled).toEqual(['a0 started', 'a4 refused', 'a5 refused', 'a1 started', 'b0 started', 'a2 started', 'a3 started']);
  });

  it('a waiter whose signal fires leaves the queue at once; the others keep their turns', async () => {
    const queue = fairQueue(10_000);
    const started: string[] = [];
    const controller = new AbortController();
    const flood = [0, 1, 2].map((index) => queue.acquire(turn('flooder', `r${index}`), index === 1 ? controller.signal : undefined).then(() => started.push(`flooder${index}`)));
    const victim = queue.acquire(turn('victim', 'v0'), controller.signal).then(() => started.push('victim'));
    expect(queue.stats()).toMatchObject({ callers: 2, calls: 3 });
    const reason = new Error('deadline');
    controller.abort(reason);
    await expect(flood[1]).rejects.toBe(reason);
    await expect(victim).rejects.toBe(reason);
    // Gone before any time passed: the victim's caller has left the queue with its only call.
    expect(queue.stats()).toMatchObject({ callers: 1, calls: 1 });
    await vi.advanceTimersByTimeAsync(10 * WINDOW);
    await Promise.all([flood[0], flood[2]]);
    expect(started).toEqual(['flooder0', 'flooder2']);
  });

  it('a caller leaves the queue with its last waiting call: idle callers cost nothing', async () => {
    const queue = fairQueue(60_000);
    const controller = new AbortController();
    const calls = Array.from({ length: 50 }, (_, index) =>
      queue.acquire(turn(`caller-${index}`, 'r'), index % 2 === 1 ? controller.signal : undefined).then(
        () => 'started',
        () => 'aborted',
      ),
    );
    // caller-0 started at once; 49 callers wait, one call each.
    expect(queue.stats()).toMatchObject({ callers: 49, calls: 49 });
    controller.abort(new Error('gone'));
    expect(queue.stats()).toMatchObject({ callers: 24, calls: 24 });
    await vi.runAllTimersAsync();
    expect(await Promise.all(calls)).toEqual(Array.from({ length: 50 }, (_, index) => (index % 2 === 1 ? 'aborted' : 'started')));
    expect(queue.stats()).toMatchObject({ callers: 0, calls: 0 });
    // Nor does an emptied queue keep a timer.
    expect(vi.getTimerCount()).toBe(0);
    const lone = new AbortController();
    const waiting = queue.acquire(turn('late', 'r'), lone.signal).catch(() => 'aborted');
    expect(vi.getTimerCount()).toBe(1);
    lone.abort(new Error('gone'));
    expect(await waiting).toBe('aborted');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a shared call waits in the turn of every caller waiting on it, starts at the earliest, and spends only that turn', async () => {
    const queue = fairQueue(60_000);
    const started: string[] = [];
    const flood = [0, 1, 2, 3, 4, 5].map((index) => queue.acquire(turn('flooder', `r${index}`)).then(() => started.push(`flooder:r${index}`)));
    // The flooder starts a read that is coalesced: it waits behind the flooder's own calls.
    const turns = new SharedTurns(turn('flooder', 'r6'));
    const shared = queue.acquire(turns).then(() => started.push('shared'));
    await vi.advanceTimersToNextTimerAsync();
    // The victim joins the shared read: the call now also waits in the victim's turn.
    turns.join(turn('victim', 'v0'));
    turns.join(turn('victim', 'v1'));
    expect(queue.stats()).toMatchObject({ callers: 2, calls: 5 });
    await vi.advanceTimersByTimeAsync(10 * WINDOW);
    await Promise.all([...flood, shared]);
    // Without the victim's turn it would have started last; it starts once, and the flooder loses no turn.
    expect(started).toEqual(['flooder:r0', 'flooder:r1', 'flooder:r2', 'shared', 'flooder:r3', 'flooder:r4', 'flooder:r5']);
    expect(queue.stats()).toMatchObject({ callers: 0, calls: 0 });
  });

  it('while calls wait, starts are paced over the window: a caller arriving after a start waits a pace or two, not a window', async () => {
    // Three starts per 300 ms window: one every 100 ms at the steady rate.
    const queue = new FairRateLimiter(new SlidingWindowSlots(3, 300), 60_000);
    const began = Date.now();
    const starts: Array<[string, number]> = [];
    const flood = Array.from({ length: 9 }, (_, index) => queue.acquire(turn('flooder', `r${index}`)).then(() => starts.push(['flooder', Date.now() - began])));
    await vi.advanceTimersByTimeAsync(310);
    const victim = queue.acquire(turn('victim', 'v0')).then(() => starts.push(['victim', Date.now() - began]));
    await vi.advanceTimersByTimeAsync(2_000);
    await Promise.all([...flood, victim]);
    // A burst within the limit goes out at once; queued calls then start one per 100 ms, not three
    // at each window's turn (300, 300, 300, 600, ...), which would have held the victim until 600.
    expect(starts).toEqual([
      ['flooder', 0],
      ['flooder', 0],
      ['flooder', 0],
      ['flooder', 300],
      ['flooder', 400],
      ['victim', 500],
      ['flooder', 600],
      ['flooder', 700],
      ['flooder', 800],
      ['flooder', 900],
    ]);
  });

  it('when the timer fires late, the queue catches up with its pace: a few starts at once, not every later start delayed', async () => {
    // A source that refuses until opened, then allows any start: the pace alone decides, one per
    // 100 ms and up to three at once to catch up.
    let open = false;
    const source: SlotSource = { take: () => (open ? 0 : 1_000), pace: { intervalMs: 100, burst: 3 } };
    const queue = new FairRateLimiter(source, 60_000);
    const began = Date.now();
    const starts: number[] = [];
    const calls = Array.from({ length: 12 }, (_, index) => queue.acquire(turn('caller', `r${index}`)).then(() => starts.push(Date.now() - began)));
    open = true;
    await vi.advanceTimersByTimeAsync(1_200);
    expect(starts).toEqual([1_000, 1_000, 1_000, 1_100, 1_200]);
    // The event loop is busy: the timer due at 1300 fires at 1650 (350 ms on the clock, then the 100 ms it had left).
    vi.setSystemTime(began + 1_550);
    await vi.advanceTimersToNextTimerAsync();
    // Three at once catch up (paced from the late start, only one would go), then one per 100 ms.
    expect(starts.slice(5)).toEqual([1_650, 1_650, 1_650]);
    await vi.advanceTimersByTimeAsync(1_000);
    await Promise.all(calls);
    expect(starts.slice(8)).toEqual([1_750, 1_850, 1_950, 2_050]);
  });

  it('a slot source that answers asynchronously is asked one question at a time, and callers still take turns', async () => {
    /** Like a store shared by replicas: every answer takes 10 ms, and every other one says "wait 50 ms". */
    class RemoteSlots implements SlotSource {
      readonly pace = { intervalMs: 0, burst: 1 };
      open = 0;
      mostOpen = 0;
      asked = 0;
      take(): Promise<number> {
        this.asked += 1;
        this.open += 1;
        this.mostOpen = Math.max(this.mostOpen, this.open);
        const answer = this.asked % 2 === 0 ? 0 : 50;
        return new Promise((resolve) =>
          setTimeout(() => {
            this.open -= 1;
            resolve(answer);
          }, 10),
        );
      }
    }
    const slots = new RemoteSlots();
    const queue = new FairRateLimiter(slots, 60_000);
    const started: string[] = [];
    const calls = [
      ...[0, 1, 2].map((index) => queue.acquire(turn('a', 'r')).then(() => started.push(`a${index}`))),
      queue.acquire(turn('b', 'r')).then(() => started.push('b0')),
      queue.acquire(turn('c', 'r')).then(() => started.push('c0')),
    ];
    await vi.advanceTimersByTimeAsync(2_000);
    await Promise.all(calls);
    expect(started).toEqual(['a0', 'b0', 'c0', 'a1', 'a2']);
    expect(slots.mostOpen).toBe(1);
    expect(slots.asked).toBe(10);
  });
});

describe('Caller.principal: whose share a token\'s calls take', () => {
  it('is the subject, else the OAuth client (client_id, then azp), else absent', () => {
    expect(principalOf({ sub: 'alice', client_id: 'app' })).toBe('sub:alice');
    expect(principalOf({ client_id: 'app', azp: 'other' })).toBe('client:app');
    expect(principalOf({ azp: 'spa' })).toBe('client:spa');
    // A subject named like a client is still another caller.
    expect(principalOf({ sub: 'app' })).not.toBe(principalOf({ client_id: 'app' }));
    expect(principalOf({ sub: '', scope: 'connections:read' })).toBeUndefined();
  });
});
