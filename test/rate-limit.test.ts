import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { rateLimitStats } from '../src/aws/rate-limit.js';
import { DEMO_DOMAIN_ID } from '../tools/emulator/seed.js';
import { type GraphQLResponse, READ, type Stack, TEST_JWT_SECRET, callsOf, startStack } from './support/stack.js';

// The queue's rules, in-process on a fake clock: test/rate-limit-rules.test.ts (the mutation suite's).
describe('fairness between callers over HTTP', () => {
  const LIMIT = 4;
  let stack: Stack;
  let flooder: string;
  let victim: string;
  const floodIds = Array.from({ length: 14 }, (_, index) => `conn-flood-${index}`);
  const token = (subject: string) =>
    new SignJWT({ scope: READ }).setProtectedHeader({ alg: 'HS256' }).setSubject(subject).setIssuedAt().setExpirationTime('10m').sign(new TextEncoder().encode(TEST_JWT_SECRET));
  const read = (id: string, bearer: string) =>
    stack.graphql(`{ dataZoneConnection(domainIdentifier: "${DEMO_DOMAIN_ID}", identifier: "${id}") { connectionId } }`, { token: bearer });

  beforeAll(async () => {
    // Four starts per window (one per 262 ms once calls wait); a call with eight or more calls
    // ahead of it would wait 2 s or more and is refused. Cache off: every read is an AWS call.
    stack = await startStack({ env: { AWS_RATE_LIMIT_PER_SECOND: String(LIMIT), AWS_RATE_LIMIT_MAX_WAIT_MS: '2000', CACHE_TTL_SECONDS: '0' } });
    [flooder, victim] = await Promise.all([token('flooder'), token('victim')]);
    for (const id of [...floodIds, 'conn-victim']) stack.emulator.putConnection({ domainId: DEMO_DOMAIN_ID, connectionId: id, name: id, type: 'ATHENA' });
  });
  afterAll(() => stack.close());

  it('a flooding token\'s requests neither fail another token\'s read nor hold it back more than one call; the flood\'s excess is THROTTLED', async () => {
    stack.emulator.resetCalls();
    const queue = () => rateLimitStats(stack.subgraph.clients.datazone)['datazone:GetConnectionCommand'];
    const answered: GraphQLResponse[] = [];
    const flood = floodIds.map((id) =>
      read(id, flooder).then((response) => {
        answered.push(response);
        return response;
      }),
    );
    // Four start at once, eight queue, and the last two would wait beyond the bound: refused at once.
    await vi.waitFor(() => expect(answered.filter((response) => response.body.errors !== undefined)).toHaveLength(2), { timeout: 5_000, interval: 5 });
    for (const response of answered.filter((each) => each.body.errors !== undefined)) {
      expect(response.body.errors?.[0]?.extensions).toMatchObject({ code: 'THROTTLED', aws: { service: 'datazone', errorName: 'ClientRateLimitExceeded', requestId: null } });
      expect(response.body.errors?.[0]?.message).toMatch(/over its share of the AWS rate limit/);
    }
    // The victim's read, once it waits in the queue: how many calls had started by then?
    const victimRead = read('conn-victim', victim);
    let startedBefore = 0;
    await vi.waitFor(
      () => {
        const now = queue();
        expect(now?.callers).toBe(2);
        startedBefore = now?.started ?? 0;
        // The flooder still has calls waiting besides the victim's one: the victim is behind a queue.
        expect(now?.calls).toBeGreaterThanOrEqual(3);
      },
      { timeout: 5_000, interval: 2 },
    );
    const answer = await victimRead;
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data).toEqual({ dataZoneConnection: { connectionId: 'conn-victim' } });
    // At most one flooder call started after the victim's was queued; requests taking turns would
    // have started every flooder call still queued first (or refused the victim's).
    const order = callsOf(stack.emulator, 'GetConnection').map((call) => call.params['identifier']);
    expect(order.indexOf('conn-victim')).toBeLessThanOrEqual(startedBefore + 1);
    const all = await Promise.all(flood);
    expect(all.filter((response) => response.body.errors === undefined)).toHaveLength(12);
    expect(callsOf(stack.emulator, 'GetConnection')).toHaveLength(13);
    // Nothing waits any more, and nothing of either caller stays behind.
    expect(queue()).toMatchObject({ callers: 0, calls: 0 });
  });
});
