import { getEventListeners } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RequestAbort, onAbort, untilAborted } from '../src/aws/call.js';
import { DEMO_DOMAIN_ID } from '../tools/emulator/seed.js';
import { READ, SECRETS, type Stack, callsOf, mintToken, startStack } from './support/stack.js';

const never = () => new Promise<never>(() => undefined);
/** What a promise settled with, or 'pending' if it has not settled by the next macrotask. */
const outcome = async (promise: Promise<unknown>) => {
  const pending = Symbol('pending');
  const settled = await Promise.race([
    promise.then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    ),
    new Promise((resolve) => setImmediate(() => resolve(pending))),
  ]);
  return settled === pending ? 'pending' : settled;
};

describe('waiting on a request abort', () => {
  it("a request's abort rejects each of its waiters with the reason, once; a settled waiter stops listening", async () => {
    const abort = new RequestAbort();
    const waiting = [untilAborted(never(), abort.signal), untilAborted(never(), abort.signal), untilAborted(never(), abort.signal)];
    const told: unknown[] = [];
    onAbort(abort.signal, (reason) => told.push(reason));
    expect(abort.signal.listenerCount).toBe(4);
    expect(await untilAborted(Promise.resolve('answer'), abort.signal)).toBe('answer');
    expect(abort.signal.listenerCount).toBe(4);
    expect(await outcome(waiting[0] as Promise<unknown>)).toBe('pending');

    const reason = new Error('deadline');
    abort.abort(reason);
    abort.abort(new Error('a second abort changes nothing'));
    for (const promise of waiting) expect(await outcome(promise)).toEqual({ error: reason });
    expect(told).toEqual([reason]);
    expect(abort.signal.aborted).toBe(true);
    expect(abort.signal.reason).toBe(reason);
    expect(abort.signal.listenerCount).toBe(0);
  });

  it('a waiter that already settled, or stopped listening, is not told of a later abort', async () => {
    const abort = new RequestAbort();
    expect(await untilAborted(Promise.resolve('answer'), abort.signal)).toBe('answer');
    const told: unknown[] = [];
    const stop = onAbort(abort.signal, (reason) => told.push(reason));
    stop();
    const failed = untilAborted(Promise.reject(new Error('AWS said no')), abort.signal);
    expect(await outcome(failed)).toEqual({ error: new Error('AWS said no') });
    abort.abort(new Error('late'));
    expect(told).toEqual([]);
  });

  it('any other AbortSignal: one listener for all its waiters, every one rejected when it fires', async () => {
    const controller = new AbortController();
    const waiting = Array.from({ length: 5 }, () => untilAborted(never(), controller.signal));
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    const reason = new Error('gone');
    controller.abort(reason);
    for (const promise of waiting) expect(await outcome(promise)).toEqual({ error: reason });
  });

  it('a signal that has already fired: the waiter is told at once', async () => {
    const abort = new RequestAbort();
    const reason = new Error('before');
    abort.abort(reason);
    const told: unknown[] = [];
    onAbort(abort.signal, (why) => told.push(why));
    expect(told).toEqual([reason]);
    expect(await outcome(untilAborted(never(), abort.signal))).toEqual({ error: reason });
  });
});

describe("a request's signal in the SDK's hands", () => {
  let stack: Stack;
  let secretsReader: string;
  beforeAll(async () => {
    stack = await startStack({ env: { AWS_RATE_LIMIT_PER_SECOND: '0' } });
    secretsReader = await mintToken([READ, SECRETS]);
  });
  afterAll(() => stack.close());

  it("12 concurrent calls of one request, each listening on the request's signal, raise no MaxListenersExceededWarning", async () => {
    // A secrets reader's calls are its own (never shared), so each goes to the SDK with the signal.
    stack.emulator.setLatency(200);
    const warnings: Error[] = [];
    const collect = (warning: Error) => warnings.push(warning);
    process.on('warning', collect);
    try {
      const fields = Array.from({ length: 12 }, (_, index) => `c${index}: dataZoneConnection(domainIdentifier: "${DEMO_DOMAIN_ID}", identifier: "missing-${index}") { connectionId }`);
      const response = await stack.graphql(`{ ${fields.join('\n')} }`, { token: secretsReader });
      expect(response.body.errors).toHaveLength(12);
      expect(response.body.errors?.every((error) => error.extensions?.['code'] === 'NOT_FOUND')).toBe(true);
      expect(callsOf(stack.emulator, 'GetConnection')).toHaveLength(12);
      // Warnings are emitted on a later tick.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', collect);
      stack.emulator.setLatency(0);
    }
    expect(warnings.filter((warning) => warning.name === 'MaxListenersExceededWarning')).toEqual([]);
  });
});
