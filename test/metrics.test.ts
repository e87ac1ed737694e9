import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { rateLimitStats } from '../src/aws/rate-limit.js';
import { DEMO_AWS_ACCOUNT_ID, DEMO_DOMAIN_ID, SECRET_CANARY_PREFIX } from '../tools/emulator/seed.js';
import { READ, SECRETS, type Stack, TEST_JWT_SECRET, mintToken, startStack } from './support/stack.js';

const PREFIX = 'aws_connections_subgraph_';

/** One sample line of the text format: `name{a="1",b="2"} value`. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseSamples(exposition: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of exposition.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[key as string] = value as string;
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The sum of `name`'s samples whose labels include `labels`. */
function total(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
    .reduce((sum, sample) => sum + sample.value, 0);
}

async function scrape(stack: Stack): Promise<{ contentType: string | null; text: string; samples: Sample[] }> {
  const response = await fetch(stack.subgraph.metricsUrl);
  expect(response.status).toBe(200);
  const text = await response.text();
  return { contentType: response.headers.get('content-type'), text, samples: parseSamples(text) };
}

const connection = (id: string) => `{ dataZoneConnection(domainIdentifier: "${DEMO_DOMAIN_ID}", identifier: "${id}") { connectionId name } }`;

describe('GET /metrics', () => {
  let stack: Stack;
  let reader: string;
  beforeAll(async () => {
    stack = await startStack({ env: { CACHE_TTL_SECONDS: '0' } });
    reader = await mintToken([READ]);
  });
  afterAll(() => stack.close());

  it("GET /metrics - answers Prometheus' text format, which promtool check metrics accepts without a lint finding", async () => {
    await stack.graphql(connection('conn-athena-sales'), { token: reader });
    await stack.graphql(`query Missing ${connection('conn-does-not-exist')}`, { token: reader });
    const { contentType, text } = await scrape(stack);
    expect(contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
    const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(check.error).toBeUndefined();
    expect({ status: check.status, findings: `${check.stdout}${check.stderr}`.trim() }).toEqual({ status: 0, findings: '' });
    // Node's process and event loop metrics are there too.
    expect(text).toMatch(/^process_cpu_seconds_total /m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
  });

  it('aws_attempts_total - after queries that succeed, fail with NotFound and are throttled then retried, equals the emulator call log per operation and outcome', async () => {
    const before = (await scrape(stack)).samples;
    stack.emulator.resetCalls();
    // Throttled twice, then answered: three HTTP requests for one call.
    const fault = stack.emulator.injectFault({ service: 'datazone', id: 'conn-redshift-cluster', kind: 'error', errorName: 'ThrottlingException', times: 2 });
    const queries = [
      connection('conn-athena-sales'),
      connection('conn-redshift-cluster'),
      connection('conn-missing-1'),
      connection('conn-missing-2'),
      `{ quickSightActionConnector(awsAccountId: "${DEMO_AWS_ACCOUNT_ID}", actionConnectorId: "jira-cloud") { name } }`,
      `{ quickSightActionConnector(awsAccountId: "${DEMO_AWS_ACCOUNT_ID}", actionConnectorId: "no-such-connector") { name } }`,
      `{ dataZoneConnections(domainIdentifier: "${DEMO_DOMAIN_ID}", first: 5) { edges { node { name } } } }`,
    ];
    for (const query of queries) await stack.graphql(query, { token: reader });
    fault.remove();
    const after = (await scrape(stack)).samples;
    const delta = (labels: Record<string, string>) => total(after, `${PREFIX}aws_attempts_total`, labels) - total(before, `${PREFIX}aws_attempts_total`, labels);

    const calls = stack.emulator.calls;
    expect(calls.length).toBeGreaterThanOrEqual(queries.length + 2);
    for (const operation of new Set(calls.map((call) => call.operation))) {
      const logged = calls.filter((call) => call.operation === operation);
      expect({ operation, counted: delta({ operation }) }).toEqual({ operation, counted: logged.length });
      expect({ operation, throttled: delta({ operation, outcome: 'throttled' }) }).toEqual({ operation, throttled: logged.filter((call) => call.fault?.errorName === 'ThrottlingException').length });
    }
    expect(delta({ operation: 'GetConnection', outcome: 'throttled' })).toBe(2);
    expect(delta({ operation: 'GetConnection', outcome: 'not_found' })).toBe(2);
    expect(delta({ operation: 'DescribeActionConnector', outcome: 'not_found' })).toBe(1);
    // Per call: the throttled one succeeded on its third attempt, two retries.
    const callDelta = (labels: Record<string, string>) =>
      total(after, `${PREFIX}aws_call_duration_seconds_count`, labels) - total(before, `${PREFIX}aws_call_duration_seconds_count`, labels);
    expect(callDelta({ service: 'datazone', operation: 'GetConnection', outcome: 'ok' })).toBe(2);
    expect(callDelta({ service: 'datazone', operation: 'GetConnection', outcome: 'not_found' })).toBe(2);
    expect(total(after, `${PREFIX}aws_call_retries_total`, { operation: 'GetConnection' }) - total(before, `${PREFIX}aws_call_retries_total`, { operation: 'GetConnection' })).toBe(2);
  });

  it('graphql_request_duration_seconds - counts requests by operation name, outcome and path; names beyond the bound fold into __other', async () => {
    const before = (await scrape(stack)).samples;
    const count = (samples: Sample[], labels: Record<string, string>) => total(samples, `${PREFIX}graphql_request_duration_seconds_count`, labels);
    await stack.graphql(`query Sales ${connection('conn-athena-sales')}`, { token: reader });
    await stack.graphql(`query Sales ${connection('conn-athena-sales')}`, { token: reader });
    await stack.graphql(connection('conn-athena-sales'), { token: reader });
    const missing = await stack.graphql(`query Gone ${connection('conn-not-there')}`, { token: reader });
    expect(missing.body.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
    const refused = await stack.graphql(`query Refused ${connection('conn-athena-sales')}`, { token: 'not-a-jwt' });
    expect(refused.status).toBe(401);
    const after = (await scrape(stack)).samples;
    expect(count(after, { operation_name: 'Sales', outcome: 'ok' }) - count(before, { operation_name: 'Sales', outcome: 'ok' })).toBe(2);
    expect(count(after, { operation_name: '__anonymous', outcome: 'ok' }) - count(before, { operation_name: '__anonymous', outcome: 'ok' })).toBe(1);
    expect(count(after, { operation_name: 'Gone', outcome: 'errors', path: 'apollo' }) - count(before, { operation_name: 'Gone', outcome: 'errors' })).toBe(1);
    // A refused request never ran: its name gets no label of its own.
    expect(count(after, { operation_name: 'Refused' })).toBe(0);
    expect(count(after, { outcome: 'refused' }) - count(before, { outcome: 'refused' })).toBe(1);
    expect(total(after, `${PREFIX}graphql_errors_total`, { code: 'NOT_FOUND' }) - total(before, `${PREFIX}graphql_errors_total`, { code: 'NOT_FOUND' })).toBe(1);

    // 120 more distinct names: at most 100 names ever get a label, the rest are counted as __other.
    for (let index = 0; index < 120; index += 1) await stack.graphql(`query Op${index} { __typename }`, { token: reader });
    const many = (await scrape(stack)).samples.filter((sample) => sample.name === `${PREFIX}graphql_request_duration_seconds_count`);
    const names = new Set(many.map((sample) => sample.labels['operation_name']));
    names.delete('__anonymous');
    names.delete('__other');
    expect(names.size).toBe(100);
    // Each of the 120 requests is counted once: under its own name while there was room, else as __other.
    const ownLabels = [...names].filter((name) => /^Op\d+$/.test(name as string)).length;
    expect(ownLabels).toBeLessThan(100);
    expect(count(many, { operation_name: '__other' }) - count(after, { operation_name: '__other' })).toBe(120 - ownLabels);
  });

  it('no label or value holds a token, an id the caller typed or a credential', async () => {
    const secretsReader = await mintToken([READ, SECRETS]);
    await stack.graphql(
      `query WithSecret { dataZoneConnection(domainIdentifier: "${DEMO_DOMAIN_ID}", identifier: "conn-athena-sales", withSecret: true) { connectionCredentials { accessKeyId secretAccessKey sessionToken } } }`,
      { token: secretsReader },
    );
    await stack.graphql(connection('conn-typed-by-the-caller-42'), { token: reader });
    const { text } = await scrape(stack);
    for (const forbidden of [reader, secretsReader, TEST_JWT_SECRET, SECRET_CANARY_PREFIX, 'conn-typed-by-the-caller-42', 'conn-athena-sales', DEMO_DOMAIN_ID, DEMO_AWS_ACCOUNT_ID]) {
      expect(text).not.toContain(forbidden);
    }
  });

  it('shared_reads_* - count the coalesced reads and fetches the shared reads count', async () => {
    stack.emulator.injectFault({ service: 'datazone', id: 'conn-s3-datalake', kind: 'latency', latencyMs: 600 });
    const before = (await scrape(stack)).samples;
    const stats = stack.subgraph.sharedReads.stats();
    await Promise.all(Array.from({ length: 6 }, () => stack.graphql(connection('conn-s3-datalake'), { token: reader })));
    stack.emulator.clearFaults();
    const after = (await scrape(stack)).samples;
    const now = stack.subgraph.sharedReads.stats();
    const delta = (name: string) => total(after, `${PREFIX}${name}`) - total(before, `${PREFIX}${name}`);
    expect(delta('shared_reads_coalesced_total')).toBe(now.coalesced - stats.coalesced);
    expect(delta('shared_reads_coalesced_total')).toBeGreaterThan(0);
    expect(delta('shared_reads_fetched_total')).toBe(now.fetched - stats.fetched);
    expect(total(after, `${PREFIX}shared_reads_cache_hits_total`)).toBe(0);
  });
});

describe('GET /metrics with the client-side rate limit on', () => {
  let stack: Stack;
  beforeAll(async () => {
    // Two starts a second; a call with two or more calls ahead of it would wait 1 s or more and is refused.
    stack = await startStack({ env: { AWS_RATE_LIMIT_PER_SECOND: '2', AWS_RATE_LIMIT_MAX_WAIT_MS: '1100', CACHE_TTL_SECONDS: '0' } });
  });
  afterAll(() => stack.close());

  it('rate_limit_* - shows the queue while calls wait, their wait times, and the calls refused', async () => {
    const reader = await mintToken([READ]);
    const ids = Array.from({ length: 8 }, (_, index) => `conn-queued-${index}`);
    for (const id of ids) stack.emulator.putConnection({ domainId: DEMO_DOMAIN_ID, connectionId: id, name: id, type: 'ATHENA' });
    const answers = Promise.all(ids.map((id) => stack.graphql(connection(id), { token: reader })));
    let queuedSeen = 0;
    await vi.waitFor(
      async () => {
        const queued = rateLimitStats(stack.subgraph.clients.datazone)['datazone:GetConnectionCommand']?.calls ?? 0;
        expect(queued).toBeGreaterThan(0);
        queuedSeen = total((await scrape(stack)).samples, `${PREFIX}rate_limit_queued_calls`, { service: 'datazone', operation: 'GetConnection' });
        expect(queuedSeen).toBeGreaterThan(0);
      },
      { timeout: 5_000, interval: 5 },
    );
    const responses = await answers;
    const refusedAnswers = responses.filter((response) => response.body.errors?.[0]?.extensions?.['aws']?.errorName === 'ClientRateLimitExceeded').length;
    expect(refusedAnswers).toBeGreaterThan(0);
    const { samples } = await scrape(stack);
    expect(total(samples, `${PREFIX}rate_limit_refused_total`, { operation: 'GetConnection' })).toBe(refusedAnswers);
    expect(total(samples, `${PREFIX}aws_call_duration_seconds_count`, { operation: 'GetConnection', outcome: 'rate_limited' })).toBe(refusedAnswers);
    // Every call that went out waited in the queue first (the first ones for no time at all).
    expect(total(samples, `${PREFIX}rate_limit_wait_seconds_count`, { operation: 'GetConnection' })).toBe(stack.emulator.calls.length);
    expect(total(samples, `${PREFIX}rate_limit_wait_seconds_sum`, { operation: 'GetConnection' })).toBeGreaterThan(0.4);
    expect(total(samples, `${PREFIX}rate_limit_queued_calls`)).toBe(0);
  });
});
