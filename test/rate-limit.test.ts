import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RateLimitExceededError, SlidingWindowRateLimiter } from '../src/aws/rate-limit.js';

/** The limiter on vitest's fake clock: one start per 100 ms window. */
function limiter(maxWaitMs: number) {
  return new SlidingWindowRateLimiter(1, maxWaitMs, 100);
}

describe('SlidingWindowRateLimiter, requests taking turns', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('serves the waiting requests round robin, each request\'s own calls in order', async () => {
    const queue = limiter(10_000);
    const started: string[] = [];
    const call = (owner: string, index: number) => queue.acquire(undefined, owner).then(() => started.push(`${owner}${index}`));
    const calls = [
      ...[0, 1, 2, 3].map((index) => call('a', index)),
      ...[0, 1].map((index) => call('b', index)),
      call('c', 0),
    ];
    await vi.advanceTimersByTimeAsync(1_000);
    await Promise.all(calls);
    // a0 starts at once; then one call per request per turn, in the order the requests first waited.
    expect(started).toEqual(['a0', 'a1', 'b0', 'c0', 'a2', 'b1', 'a3']);
  });

  it('judges the queue bound by the calls that will start before the new one, not by the whole queue', async () => {
    // 300 ms: a call with three starts or more ahead of it (one every 100 ms) is refused at once.
    const queue = limiter(300);
    const settled: string[] = [];
    const call = (owner: string, index: number) =>
      queue.acquire(undefined, owner).then(
        () => settled.push(`${owner}${index} started`),
        (error: unknown) => settled.push(`${owner}${index} ${error instanceof RateLimitExceededError ? 'refused' : 'failed'}`),
      );
    // a0 starts at once; a1, a2, a3 wait; a4 and a5 would have three or more of a's own calls ahead.
    const burst = [0, 1, 2, 3, 4, 5].map((index) => call('a', index));
    // b0 has one of a's calls ahead of it (a1), whatever the length of a's queue.
    const single = call('b', 0);
    await vi.advanceTimersByTimeAsync(1_000);
    await Promise.all([...burst, single]);
    // First come, first served would have refused b0 too: a1, a2 and a3 were ahead of it.
    expect(settled).toEqual(['a0 started', 'a4 refused', 'a5 refused', 'a1 started', 'b0 started', 'a2 started', 'a3 started']);
  });

  it('a waiter whose signal fires leaves its request\'s queue; the rest keep their turns', async () => {
    const queue = limiter(10_000);
    const started: string[] = [];
    const controller = new AbortController();
    const a = [0, 1, 2].map((index) => queue.acquire(index === 1 ? controller.signal : undefined, 'a').then(() => started.push(`a${index}`)));
    const b = queue.acquire(undefined, 'b').then(() => started.push('b0'));
    const reason = new Error('deadline');
    controller.abort(reason);
    await expect(a[1]).rejects.toBe(reason);
    await vi.advanceTimersByTimeAsync(1_000);
    await Promise.all([a[0], a[2], b]);
    // a2 moves up to a1's turn; had a1 kept its place, its turn would have gone unused.
    expect(started).toEqual(['a0', 'a2', 'b0']);
  });
});
