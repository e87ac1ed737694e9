import { DataZoneClient, GetConnectionCommand, type GetConnectionCommandOutput } from '@aws-sdk/client-datazone';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, test, vi } from 'vitest';
import { type AwsCallScope, type CallTurn, SharedTurns, withScope } from '../src/aws/call.js';
import { toGraphQLError } from '../src/aws/errors.js';
import {
  FairRateLimiter,
  RateLimitExceededError,
  type RateLimitOptions,
  SlidingWindowSlots,
  type SlotSource,
  addRateLimitMiddleware,
  rateLimitStats,
} from '../src/aws/rate-limit.js';
import { principalOf } from '../src/auth/verify.js';

/**
 * The client-side rate limiter's rules (src/aws/rate-limit.ts, docs/rate-limit.md), in-process: the
 * fair queue on vitest's fake clock, and its middleware on a real SDK client calling a local HTTP
 * server. `npm run test:mutation` runs this file; the end-to-end test over the whole stack is
 * test/rate-limit.test.ts. Tests check what started before they await the calls, so that a mutant
 * that stalls the queue fails them at once instead of running into the timeout.
 */

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
    await Promise.all(calls);
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
      // A few starts at most (bounded, so that a queue that stalls fails the test rather than hangs it).
      for (let timer = 0; !done && timer < 10; timer += 1) await vi.advanceTimersToNextTimerAsync();
      expect(done).toBe(true);
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
    expect(outcomes.slice(3)).toEqual(['flooder:f1 started', 'victim:v0 started', 'flooder:f2 started', 'flooder:f3 started']);
    expect(refusals[0]).toBeInstanceOf(RateLimitExceededError);
    // The refusal's own message (the log line's) names the bound; the field error says it for users.
    expect((refusals[0] as Error).message).toBe("more than 300 ms of this caller's calls are already queued");
    const error = toGraphQLError(refusals[0], 'datazone', 'DataZone connection c1 in domain dzd_1');
    expect(error.message).toMatch(/^DataZone connection c1 in domain dzd_1 could not be read: .*this caller, which is over its share of the AWS rate limit/);
    expect(error.extensions).toEqual({ code: 'THROTTLED', aws: { service: 'datazone', errorName: 'ClientRateLimitExceeded', requestId: null } });
    await Promise.all([...flood, victim]);
  });

  it('within one caller, its requests take turns, each request\'s own calls in order', async () => {
    const queue = fairQueue(10_000);
    const started: string[] = [];
    const call = (request: string, index: number) => queue.acquire(turn('caller', request)).then(() => started.push(`${request}${index}`));
    const calls = [...[0, 1, 2, 3].map((index) => call('a', index)), ...[0, 1].map((index) => call('b', index)), call('c', 0)];
    await vi.advanceTimersByTimeAsync(10 * WINDOW);
    // a0 starts at once; then one call per request per turn, in the order the requests first waited.
    expect(started).toEqual(['a0', 'a1', 'b0', 'c0', 'a2', 'b1', 'a3']);
    await Promise.all(calls);
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
    expect(settled).toEqual(['a0 started', 'a4 refused', 'a5 refused', 'a1 started', 'b0 started', 'a2 started', 'a3 started']);
    await Promise.all([...burst, single]);
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
    expect(started).toEqual(['flooder0', 'flooder2']);
    await Promise.all([flood[0], flood[2]]);
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
    // Without the victim's turn it would have started last; it starts once, and the flooder loses no turn.
    expect(started).toEqual(['flooder:r0', 'flooder:r1', 'flooder:r2', 'shared', 'flooder:r3', 'flooder:r4', 'flooder:r5']);
    expect(queue.stats()).toMatchObject({ callers: 0, calls: 0 });
    await Promise.all([...flood, shared]);
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
    await Promise.all([...flood, victim]);
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
    expect(starts.slice(8)).toEqual([1_750, 1_850, 1_950, 2_050]);
    await Promise.all(calls);
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
    expect(started).toEqual(['a0', 'b0', 'c0', 'a1', 'a2']);
    expect(slots.mostOpen).toBe(1);
    expect(slots.asked).toBe(10);
    await Promise.all(calls);
  });
});

/** A slot source that answers each question `delayMs` later, as a store shared by replicas would: the given answers in turn, the last one from then on. */
class SlotsAnsweringLater implements SlotSource {
  readonly pace = { intervalMs: WINDOW, burst: 1 };
  asked = 0;
  private open = 0;
  mostOpen = 0;
  constructor(
    private readonly answers: number[],
    private readonly delayMs = 10,
  ) {}
  take(): Promise<number> {
    const answer = this.answers[Math.min(this.asked, this.answers.length - 1)] as number;
    this.asked += 1;
    this.open += 1;
    this.mostOpen = Math.max(this.mostOpen, this.open);
    return new Promise((resolve) =>
      setTimeout(() => {
        this.open -= 1;
        resolve(answer);
      }, this.delayMs),
    );
  }
}

describe('FairRateLimiter, its bounds, aborts and answers', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('a call whose signal has already fired is refused with its reason and takes no start', async () => {
    const queue = fairQueue(10_000);
    const controller = new AbortController();
    const reason = new Error('deadline');
    controller.abort(reason);
    await expect(queue.acquire(turn('a', 'r0'), controller.signal)).rejects.toBe(reason);
    // The window's one start is still there for the next call, at once.
    await expect(queue.acquire(turn('a', 'r1'))).resolves.toBeUndefined();
    expect(queue.stats()).toEqual({ callers: 0, calls: 0, started: 1 });
  });

  it('with a maximum wait of 0, a call starts if the limit allows it now and is refused at once otherwise', async () => {
    const queue = fairQueue(0);
    await expect(queue.acquire(turn('a', 'r0'))).resolves.toBeUndefined();
    await expect(queue.acquire(turn('b', 'r0'))).rejects.toBeInstanceOf(RateLimitExceededError);
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(WINDOW);
    await expect(queue.acquire(turn('b', 'r1'))).resolves.toBeUndefined();
    expect(queue.stats()).toEqual({ callers: 0, calls: 0, started: 2 });
  });

  it('a new caller\'s call is refused when one call of each waiting caller would make it wait too long', async () => {
    // 300 ms: a call with three starts or more ahead of it (one every 100 ms) is refused.
    const queue = fairQueue(300);
    const began = Date.now();
    const settled: string[] = [];
    const call = (caller: string, request: string) =>
      queue.acquire(turn(caller, request)).then(
        () => settled.push(`${request} at ${Date.now() - began}`),
        (error: unknown) => settled.push(`${request} ${error instanceof RateLimitExceededError ? 'refused' : 'failed'}`),
      );
    // a0 starts at once; a1 and a2 wait, then b0 (one of a's calls ahead), c0 (one of a's, b0).
    const calls = [call('a', 'a0'), call('a', 'a1'), call('a', 'a2'), call('b', 'b0'), call('c', 'c0')];
    // d0 would wait for one call of each of a, b and c: three starts.
    calls.push(call('d', 'd0'));
    await vi.advanceTimersByTimeAsync(0);
    expect(settled).toEqual(['a0 at 0', 'd0 refused']);
    await vi.advanceTimersByTimeAsync(10 * WINDOW);
    expect(settled.slice(2)).toEqual(['a1 at 100', 'b0 at 200', 'c0 at 300', 'a2 at 400']);
    await Promise.all(calls);
  });

  it('a shared call is not queued in the turn of a caller that joins it over its share', async () => {
    const queue = fairQueue(300);
    const started: string[] = [];
    const call = (caller: string, name: string, shared?: SharedTurns) => queue.acquire(shared ?? turn(caller, caller)).then(() => started.push(name));
    // The flooder's calls, all of one request: the shared read is its fourth, behind f1 and f2.
    const flood = [call('f', 'f0'), call('f', 'f1'), call('f', 'f2')];
    const turns = new SharedTurns(turn('f', 'f'));
    const shared = call('f', 'shared', turns);
    const others = [call('c1', 'c1'), call('c2', 'c2')];
    // A new caller's call would wait for one call of each of f, c1 and c2: three starts, over its share.
    turns.join(turn('j', 'j'));
    expect(queue.stats()).toMatchObject({ callers: 3, calls: 5 });
    await vi.advanceTimersByTimeAsync(10 * WINDOW);
    // In j's turn it would have started fourth, before f2; it waits in f's turn alone.
    expect(started).toEqual(['f0', 'f1', 'c1', 'c2', 'f2', 'shared']);
    await Promise.all([...flood, shared, ...others]);
  });

  it('a call that leaves from the middle of its request\'s queue takes only itself out; the calls around it keep their order', async () => {
    const queue = fairQueue(10_000);
    const controller = new AbortController();
    const settled: string[] = [];
    const calls = [0, 1, 2, 3].map((index) =>
      queue.acquire(turn('a', 'r'), index === 2 ? controller.signal : undefined).then(
        () => settled.push(`r${index}`),
        () => settled.push(`r${index} left`),
      ),
    );
    // r0 started; r1, r2, r3 wait in one request, r2 between the others.
    expect(queue.stats()).toMatchObject({ callers: 1, calls: 3 });
    controller.abort(new Error('gone'));
    expect(queue.stats()).toMatchObject({ callers: 1, calls: 2 });
    await vi.advanceTimersByTimeAsync(10 * WINDOW);
    expect(settled).toEqual(['r0', 'r2 left', 'r1', 'r3']);
    expect(queue.stats()).toEqual({ callers: 0, calls: 0, started: 3 });
    await Promise.all(calls);
  });

  it('a slot source that fails to answer is asked again 100 ms later, and the waiting call then starts', async () => {
    let asked = 0;
    const source: SlotSource = {
      pace: { intervalMs: 0, burst: 1 },
      take: () => {
        asked += 1;
        return asked === 1 ? Promise.reject(new Error('store unreachable')) : 0;
      },
    };
    const queue = new FairRateLimiter(source, 10_000);
    const began = Date.now();
    let startedAt: number | undefined;
    const call = queue.acquire(turn('a', 'r')).then(() => {
      startedAt = Date.now() - began;
    });
    await vi.advanceTimersByTimeAsync(99);
    expect(startedAt).toBeUndefined();
    expect(asked).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(startedAt).toBe(100);
    expect(asked).toBe(2);
    await call;
  });

  it('with a maximum wait of 0 and a source that answers later, calls are refused, and the question one of them asked stays the only one open', async () => {
    const source = new SlotsAnsweringLater([0]);
    const queue = new FairRateLimiter(source, 0);
    // The answer is not known at once: the call would wait for it.
    await expect(queue.acquire(turn('a', 'r0'))).rejects.toBeInstanceOf(RateLimitExceededError);
    await expect(queue.acquire(turn('b', 'r0'))).rejects.toBeInstanceOf(RateLimitExceededError);
    expect(source.asked).toBe(1);
    await vi.advanceTimersByTimeAsync(10);
    // Its start came with nobody waiting: unused, and not counted. The next call asks again.
    expect(queue.stats()).toEqual({ callers: 0, calls: 0, started: 0 });
    await expect(queue.acquire(turn('c', 'r0'))).rejects.toBeInstanceOf(RateLimitExceededError);
    expect(source.asked).toBe(2);
  });

  it('a call arriving while the source answers for a call that has left waits for that answer, and takes its start', async () => {
    const source = new SlotsAnsweringLater([0]);
    const queue = new FairRateLimiter(source, 10_000);
    const began = Date.now();
    const controller = new AbortController();
    const first = queue.acquire(turn('a', 'r'), controller.signal).then(
      () => 'started',
      () => 'left',
    );
    controller.abort(new Error('gone'));
    expect(await first).toBe('left');
    await vi.advanceTimersByTimeAsync(5);
    const second = queue.acquire(turn('b', 'r')).then(() => Date.now() - began);
    expect(source.asked).toBe(1);
    await vi.advanceTimersByTimeAsync(5);
    expect(await second).toBe(10);
    expect(source.mostOpen).toBe(1);
    expect(queue.stats()).toEqual({ callers: 0, calls: 0, started: 1 });
  });

  it('a "wait" answered after every call has left sets no timer: the next call asks the source at once', async () => {
    const source = new SlotsAnsweringLater([50, 0]);
    const queue = new FairRateLimiter(source, 10_000);
    const controller = new AbortController();
    const first = queue.acquire(turn('a', 'r'), controller.signal).catch(() => 'left');
    controller.abort(new Error('gone'));
    expect(await first).toBe('left');
    await vi.advanceTimersByTimeAsync(10);
    expect(vi.getTimerCount()).toBe(0);
    const second = queue.acquire(turn('b', 'r'));
    expect(source.asked).toBe(2);
    await vi.advanceTimersByTimeAsync(10);
    expect(queue.stats()).toEqual({ callers: 0, calls: 0, started: 1 });
    await second;
  });
});

describe('SlidingWindowSlots, the local limit', () => {
  it('takes at most `limit` starts in any window; a start exactly one window after the oldest is allowed', () => {
    let now = 0;
    const slots = new SlidingWindowSlots(2, 100, () => now);
    expect([slots.take(), slots.take()]).toEqual([0, 0]);
    now = 40;
    expect(slots.take()).toBe(60);
    now = 100;
    // Both starts of time 0 have left the window: two more starts, then a wait for those.
    expect([slots.take(), slots.take(), slots.take()]).toEqual([0, 0, 100]);
  });

  it('by default counts over 1.05 s and paces one start per 1/limit of it, a quarter of the limit at once to catch up', () => {
    let now = 0;
    const slots = new SlidingWindowSlots(2, undefined, () => now);
    expect([slots.take(), slots.take()]).toEqual([0, 0]);
    now = 1_049;
    expect(slots.take()).toBe(1);
    now = 1_050;
    expect(slots.take()).toBe(0);
    expect(slots.pace).toEqual({ intervalMs: 525, burst: 1 });
    expect(new SlidingWindowSlots(15).pace).toEqual({ intervalMs: 70, burst: 3 });
  });
});

/** A local HTTP server answering DataZone's GetConnection, and real SDK clients calling it. */
interface DataZoneStandIn {
  /** The `identifier` of each GetConnection request received, in order. */
  received: string[];
  /** Answers the next this many requests with a 500 InternalServerException, which the SDK retries. */
  failures: { next: number };
  /** A DataZoneClient (two attempts per call) whose endpoint is the server; no rate limit until one is added. */
  client(): DataZoneClient;
}

const sdkTest = test.extend<{ datazone: DataZoneStandIn }>({
  // eslint-disable-next-line no-empty-pattern -- vitest reads the fixture's dependencies from this pattern
  datazone: async ({}, use) => {
    const received: string[] = [];
    const failures = { next: 0 };
    const server = createServer((request, response) => {
      // GET /v2/domains/{domainIdentifier}/connections/{identifier}
      const identifier = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname.split('/').at(-1) ?? '');
      received.push(identifier);
      if (failures.next > 0) {
        failures.next -= 1;
        response.writeHead(500, { 'content-type': 'application/json', 'x-amzn-errortype': 'InternalServerException' });
        response.end(JSON.stringify({ message: 'try again' }));
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ connectionId: identifier, domainId: 'dzd_rules0001', name: identifier, type: 'ATHENA' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const clients: DataZoneClient[] = [];
    await use({
      received,
      failures,
      client: () => {
        const client = new DataZoneClient({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'AKIDRULES', secretAccessKey: 'rules-only' }, maxAttempts: 2 });
        clients.push(client);
        return client;
      },
    });
    for (const client of clients) client.destroy();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  },
});

function read(client: DataZoneClient, identifier: string, scope?: AwsCallScope): Promise<GetConnectionCommandOutput> {
  const input = { domainIdentifier: 'dzd_rules0001', identifier };
  return client.send(new GetConnectionCommand(scope ? withScope(input, scope) : input));
}

const GET_CONNECTION = 'datazone:GetConnectionCommand';

/** A slot source that grants a start only when the test says so. */
class SlotsOnRequest implements SlotSource {
  readonly pace = { intervalMs: 0, burst: 1 };
  private readonly questions: Array<(answer: number) => void> = [];
  take(): Promise<number> {
    return new Promise((resolve) => this.questions.push(resolve));
  }
  grant(): void {
    this.questions.shift()?.(0);
  }
}

describe('addRateLimitMiddleware on a real SDK client', () => {
  sdkTest('addRateLimitMiddleware - a limit of 0 turns it off: nothing joins the middleware stack, every call goes at once', async ({ datazone }) => {
    const client = datazone.client();
    addRateLimitMiddleware(client, 'datazone', { limitPerSecond: 0, maxWaitMs: 0 });
    expect(client.middlewareStack.identify().filter((name) => name.startsWith('clientRateLimitMiddleware'))).toEqual([]);
    const answers = await Promise.all(['c-1', 'c-2', 'c-3'].map((identifier) => read(client, identifier)));
    expect(answers.map((answer) => answer.connectionId)).toEqual(['c-1', 'c-2', 'c-3']);
    expect(rateLimitStats(client)).toEqual({});
  });

  sdkTest('addRateLimitMiddleware - each attempt waits its turn just before it is signed; added again, the limit replaces the first', async ({ datazone }) => {
    const client = datazone.client();
    addRateLimitMiddleware(client, 'datazone', { limitPerSecond: 1, maxWaitMs: 0 });
    addRateLimitMiddleware(client, 'datazone', { limitPerSecond: 10, maxWaitMs: 0 });
    const stack = client.middlewareStack.identify();
    expect(stack.filter((name) => name.startsWith('clientRateLimitMiddleware'))).toEqual(['clientRateLimitMiddleware - before httpSigningMiddleware']);
    const at = stack.indexOf('clientRateLimitMiddleware - before httpSigningMiddleware');
    // After the retry middleware (every attempt waits), right before signing (the signature is as fresh as the call).
    expect(stack[at - 1]).toMatch(/^retryMiddleware /);
    expect(stack[at + 1]).toMatch(/^httpSigningMiddleware /);
    // Only the second limit holds: three calls at once are within it; the first would refuse two.
    const answers = await Promise.all(['c-1', 'c-2', 'c-3'].map((identifier) => read(client, identifier)));
    expect(answers.map((answer) => answer.connectionId)).toEqual(['c-1', 'c-2', 'c-3']);
    expect(rateLimitStats(client)).toEqual({ [GET_CONNECTION]: { callers: 0, calls: 0, started: 3 } });
  });

  sdkTest('addRateLimitMiddleware - an operation\'s calls share one queue: beyond the limit they wait, beyond the bound they are refused, and a wait aborted never reaches AWS', async ({ datazone }) => {
    const client = datazone.client();
    // One start per 1.05 s: a call with one call ahead of it would wait 1.05 s, over the 1 s bound.
    addRateLimitMiddleware(client, 'datazone', { limitPerSecond: 1, maxWaitMs: 1_000 });
    expect((await read(client, 'c-1')).connectionId).toBe('c-1');
    const controller = new AbortController();
    const waiting = read(client, 'c-2', { requestId: 'request-2', signal: controller.signal }).catch((error: unknown) => error);
    await vi.waitFor(() => expect(rateLimitStats(client)).toEqual({ [GET_CONNECTION]: { callers: 1, calls: 1, started: 1 } }), { interval: 5 });
    const refused = await read(client, 'c-3').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RateLimitExceededError);
    expect(refused).toMatchObject({ name: 'ClientRateLimitExceeded' });
    const reason = new Error('deadline');
    controller.abort(reason);
    expect(await waiting).toBe(reason);
    expect(rateLimitStats(client)).toEqual({ [GET_CONNECTION]: { callers: 0, calls: 0, started: 1 } });
    expect(datazone.received).toEqual(['c-1']);
  });

  sdkTest('addRateLimitMiddleware - calls wait in the turn of the caller and request their scope names', async ({ datazone }) => {
    const client = datazone.client();
    const slots = new SlotsOnRequest();
    const operations: string[] = [];
    const options: RateLimitOptions = {
      limitPerSecond: 10,
      maxWaitMs: 10_000,
      slots: (operation) => {
        operations.push(operation);
        return slots;
      },
    };
    addRateLimitMiddleware(client, 'datazone', options);
    const queued = (calls: number) => vi.waitFor(() => expect(rateLimitStats(client)[GET_CONNECTION]?.calls).toBe(calls), { interval: 5 });
    // Caller a's request asks twice, then caller b once; all wait for the source.
    const reads = [read(client, 'a-1', { caller: 'sub:a', requestId: 'request-a' })];
    await queued(1);
    reads.push(read(client, 'a-2', { caller: 'sub:a', requestId: 'request-a' }));
    await queued(2);
    reads.push(read(client, 'b-1', { caller: 'sub:b', requestId: 'request-b' }));
    await queued(3);
    expect(rateLimitStats(client)[GET_CONNECTION]).toMatchObject({ callers: 2 });
    for (let granted = 1; granted <= 3; granted += 1) {
      slots.grant();
      await vi.waitFor(() => expect(datazone.received).toHaveLength(granted), { interval: 5 });
    }
    await Promise.all(reads);
    // Callers take turns: b's call before a's second. One queue, one source, for the operation.
    expect(datazone.received).toEqual(['a-1', 'b-1', 'a-2']);
    expect(operations).toEqual([GET_CONNECTION]);
  });

  sdkTest('addRateLimitMiddleware - every attempt of the SDK takes a start, retries included', async ({ datazone }) => {
    const client = datazone.client();
    let taken = 0;
    const slots = (): SlotSource => ({
      pace: { intervalMs: 0, burst: 1 },
      take: () => {
        taken += 1;
        return 0;
      },
    });
    addRateLimitMiddleware(client, 'datazone', { limitPerSecond: 10, maxWaitMs: 1_000, slots });
    datazone.failures.next = 1;
    expect((await read(client, 'c-1')).connectionId).toBe('c-1');
    expect(datazone.received).toEqual(['c-1', 'c-1']);
    expect(taken).toBe(2);
    expect(rateLimitStats(client)).toEqual({ [GET_CONNECTION]: { callers: 0, calls: 0, started: 2 } });
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
