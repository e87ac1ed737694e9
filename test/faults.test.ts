import { DataZoneClient, GetConnectionCommand } from '@aws-sdk/client-datazone';
import { DescribeActionConnectorCommand, QuickSightClient } from '@aws-sdk/client-quicksight';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulator, startEmulator } from '../tools/emulator/index.js';
import { DEMO_AWS_ACCOUNT_ID, DEMO_DOMAIN_ID } from '../tools/emulator/seed.js';

let emulator: Emulator;
let quicksight: QuickSightClient;
let datazone: DataZoneClient;
beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  const options = { endpoint: emulator.url, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'AKIDEMULATOR', secretAccessKey: 'emulator' } };
  quicksight = new QuickSightClient(options);
  datazone = new DataZoneClient(options);
});
afterAll(async () => {
  quicksight.destroy();
  datazone.destroy();
  await emulator.close();
});

const describeConnector = () => quicksight.send(new DescribeActionConnectorCommand({ AwsAccountId: DEMO_AWS_ACCOUNT_ID, ActionConnectorId: 'jira-cloud' })).then(() => 'ok', (error: Error) => error.name);
const getConnection = () => datazone.send(new GetConnectionCommand({ domainIdentifier: DEMO_DOMAIN_ID, identifier: 'conn-iam-project' })).then(() => 'ok', (error: Error) => error.name);

describe('emulator fault patterns', () => {
  it('burst - a throttling rule for one operation applies only in the first 100 ms of every 300 ms', async () => {
    emulator.clearFaults();
    emulator.resetCalls();
    const injectedAt = Date.now();
    emulator.injectFault({ operation: 'DescribeActionConnector', kind: 'error', errorName: 'ThrottlingException', burst: { periodMs: 300, durationMs: 100 } });
    while (Date.now() - injectedAt < 900) {
      const [, connection] = await Promise.all([describeConnector(), getConnection()]);
      // The other operation is never affected.
      expect(connection).toBe('ok');
    }
    emulator.clearFaults();
    // Phases of arrival at the emulator, away from the window edges, follow the pattern exactly.
    const arrivals = emulator.calls
      .filter((call) => call.operation === 'DescribeActionConnector')
      .map((call) => ({ phase: (call.at - injectedAt) % 300, outcome: call.fault?.errorName ?? 'ok' }));
    // A margin at every window edge, the period's start included: `injectedAt` is read just before
    // the emulator stamps its own origin, so phases near 0 may still belong to the previous period.
    const inBurst = arrivals.filter(({ phase }) => phase > 5 && phase < 95);
    const between = arrivals.filter(({ phase }) => phase > 105 && phase < 295);
    expect(inBurst.length).toBeGreaterThan(3);
    expect(between.length).toBeGreaterThan(3);
    expect(new Set(inBurst.map(({ outcome }) => outcome))).toEqual(new Set(['ThrottlingException']));
    expect(new Set(between.map(({ outcome }) => outcome))).toEqual(new Set(['ok']));
  });

  it('calls record the fault they received, so a checker knows what the caller should have seen', async () => {
    emulator.clearFaults();
    emulator.resetCalls();
    emulator.injectFault({ operation: 'GetConnection', kind: 'error', errorName: 'ThrottlingException', times: 1 });
    emulator.injectFault({ operation: 'DescribeActionConnector', kind: 'reset', times: 1 });
    expect(await getConnection()).toBe('ThrottlingException');
    expect(await getConnection()).toBe('ok');
    expect(await describeConnector()).not.toBe('ok');
    expect(emulator.calls.map((call) => [call.operation, call.fault])).toEqual([
      ['GetConnection', { kind: 'error', errorName: 'ThrottlingException' }],
      ['GetConnection', undefined],
      ['DescribeActionConnector', { kind: 'reset' }],
    ]);
  });

  it('rate per operation - about the configured fraction of one operation, reproducibly, none of the other', async () => {
    const run = async () => {
      const seeded = await startEmulator({ port: 0, randomSeed: 7 });
      const client = new DataZoneClient({ endpoint: seeded.url, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'AKIDEMULATOR', secretAccessKey: 'emulator' } });
      const qs = new QuickSightClient({ endpoint: seeded.url, region: 'us-east-1', maxAttempts: 1, credentials: { accessKeyId: 'AKIDEMULATOR', secretAccessKey: 'emulator' } });
      seeded.injectFault({ operation: 'GetConnection', kind: 'error', errorName: 'InternalServerException', status: 500, rate: 0.2 });
      const outcomes: string[] = [];
      for (let index = 0; index < 200; index += 1) {
        outcomes.push(await client.send(new GetConnectionCommand({ domainIdentifier: DEMO_DOMAIN_ID, identifier: 'conn-iam-project' })).then(() => 'ok', (error: Error) => error.name));
        outcomes.push(await qs.send(new DescribeActionConnectorCommand({ AwsAccountId: DEMO_AWS_ACCOUNT_ID, ActionConnectorId: 'jira-cloud' })).then(() => 'qs-ok', (error: Error) => error.name));
      }
      client.destroy();
      qs.destroy();
      await seeded.close();
      return outcomes;
    };
    const first = await run();
    const failures = first.filter((outcome) => outcome === 'InternalServerException').length;
    expect(failures).toBeGreaterThan(20);
    expect(failures).toBeLessThan(60);
    expect(first.filter((outcome) => outcome === 'qs-ok')).toHaveLength(200);
    expect(await run()).toEqual(first);
  });
});
