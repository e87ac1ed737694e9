import {
  ActionConnectorSummary$,
  ListActionConnectorsCommand,
  QuickSightClient,
  SearchActionConnectorsCommand,
  paginateListActionConnectors,
  paginateSearchActionConnectors,
} from '@aws-sdk/client-quicksight';
import { ConnectionSummary$, DataZoneClient, ListConnectionsCommand, type ListConnectionsInput, paginateListConnections } from '@aws-sdk/client-datazone';
import { NormalizedSchema } from '@smithy/core/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ACTION_CONNECTOR_SUMMARY_MEMBERS,
  CONNECTION_SUMMARY_MEMBERS,
  DEMO_AWS_ACCOUNT_ID,
  DEMO_DOMAIN_ID,
  type Emulator,
  seedActionConnectors,
  seedBulkActionConnectors,
  seedBulkConnections,
  seedConnections,
  startEmulator,
} from '../src/emulator/index.js';

const CREDENTIALS = { accessKeyId: 'AKIDEMULATOR', secretAccessKey: 'emulator-does-not-check-signatures' };

/** Every connector / connection the emulator is seeded with: the demo items and the generated ones. */
const allConnectors = () => [...seedActionConnectors(), ...seedBulkActionConnectors()].map(({ connector }) => connector);
const allConnections = () => [...seedConnections(), ...seedBulkConnections()];

/** Asserts that `ids` holds each expected id exactly once, and returns nothing else. */
function expectEachOnce(ids: string[], expected: string[]): void {
  expect(new Set(ids).size, 'an id came back twice').toBe(ids.length);
  expect([...ids].sort()).toEqual([...expected].sort());
}

describe('emulator: ListActionConnectors, SearchActionConnectors and ListConnections through the real SDK', () => {
  let emulator: Emulator;
  let quicksight: QuickSightClient;
  let datazone: DataZoneClient;
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    quicksight = new QuickSightClient({ endpoint: emulator.url, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 });
    datazone = new DataZoneClient({ endpoint: emulator.url, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 });
  });
  afterAll(async () => {
    quicksight.destroy();
    datazone.destroy();
    await emulator.close();
  });

  it('the seed - holds a few hundred items besides the demo ones, with unique ids', () => {
    expect(seedBulkActionConnectors().length).toBeGreaterThanOrEqual(200);
    expect(seedBulkConnections().length).toBeGreaterThanOrEqual(200);
    expect(new Set(allConnectors().map((c) => c.ActionConnectorId)).size).toBe(allConnectors().length);
    expect(new Set(allConnections().map((c) => c.connectionId)).size).toBe(allConnections().length);
    // Deterministic: two calls give the same data.
    expect(seedBulkConnections()).toEqual(seedBulkConnections());
  });

  it('summaries - carry exactly the members of the SDK summary shapes', () => {
    const memberNames = (schema: unknown) => [...NormalizedSchema.of(schema as never).structIterator()].map(([name]) => name).sort();
    expect([...ACTION_CONNECTOR_SUMMARY_MEMBERS].sort()).toEqual(memberNames(ActionConnectorSummary$));
    expect([...CONNECTION_SUMMARY_MEMBERS].sort()).toEqual(memberNames(ConnectionSummary$));
  });

  it('ListActionConnectors - the SDK paginator visits every seeded connector exactly once, one recorded call per page', async () => {
    emulator.resetCalls();
    const ids: string[] = [];
    let pages = 0;
    for await (const page of paginateListActionConnectors({ client: quicksight, pageSize: 37 }, { AwsAccountId: DEMO_AWS_ACCOUNT_ID })) {
      pages += 1;
      expect(page.Status).toBe(200);
      expect(page.RequestId).toBeTruthy();
      for (const summary of page.ActionConnectorSummaries ?? []) {
        ids.push(summary.ActionConnectorId!);
        expect(Object.keys(summary).every((member) => ACTION_CONNECTOR_SUMMARY_MEMBERS.includes(member))).toBe(true);
      }
    }
    expectEachOnce(ids, allConnectors().map((c) => c.ActionConnectorId!));
    expect(pages).toBe(Math.ceil(allConnectors().length / 37));
    expect(emulator.calls.map((call) => call.operation)).toEqual(Array(pages).fill('ListActionConnectors'));
    expect(emulator.calls[0]!.params).toEqual({ AwsAccountId: DEMO_AWS_ACCOUNT_ID, MaxResults: '37' });
    expect(emulator.calls[1]!.params['NextToken']).toEqual(expect.any(String));
  });

  it('ListActionConnectors - a summary has the timestamps as Dates and no detail members', async () => {
    const page = await quicksight.send(new ListActionConnectorsCommand({ AwsAccountId: DEMO_AWS_ACCOUNT_ID, MaxResults: 1 }));
    const seeded = allConnectors().find((c) => c.ActionConnectorId === page.ActionConnectorSummaries![0]!.ActionConnectorId)!;
    expect(page.ActionConnectorSummaries![0]).toEqual({
      Arn: seeded.Arn,
      ActionConnectorId: seeded.ActionConnectorId,
      Type: seeded.Type,
      Name: seeded.Name,
      CreatedTime: seeded.CreatedTime,
      LastUpdatedTime: seeded.LastUpdatedTime,
      Status: seeded.Status,
    });
  });

  it('SearchActionConnectors - name (StringEquals, StringLike) and type filters page through exactly the matching connectors', async () => {
    const search = async (filter: { Name: 'ACTION_CONNECTOR_NAME' | 'ACTION_CONNECTOR_TYPE'; Operator: 'StringEquals' | 'StringLike'; Value: string }) => {
      const ids: string[] = [];
      for await (const page of paginateSearchActionConnectors({ client: quicksight, pageSize: 10 }, { AwsAccountId: DEMO_AWS_ACCOUNT_ID, Filters: [filter] })) {
        ids.push(...(page.ActionConnectorSummaries ?? []).map((summary) => summary.ActionConnectorId!));
      }
      return ids;
    };
    const finance = allConnectors().filter((c) => c.Name!.toLowerCase().includes('finance'));
    expect(finance.length).toBeGreaterThan(10);
    expectEachOnce(await search({ Name: 'ACTION_CONNECTOR_NAME', Operator: 'StringLike', Value: 'fInAnCe' }), finance.map((c) => c.ActionConnectorId!));
    expectEachOnce(await search({ Name: 'ACTION_CONNECTOR_NAME', Operator: 'StringEquals', Value: 'Zendesk Support' }), ['zendesk-support']);
    const slack = allConnectors().filter((c) => c.Type === 'SLACK');
    expect(slack.length).toBeGreaterThan(10);
    expectEachOnce(await search({ Name: 'ACTION_CONNECTOR_TYPE', Operator: 'StringEquals', Value: 'SLACK' }), slack.map((c) => c.ActionConnectorId!));
    const call = emulator.calls.at(-1)!;
    expect(call.operation).toBe('SearchActionConnectors');
    expect(JSON.parse(call.params['Filters']!)).toEqual([{ Name: 'ACTION_CONNECTOR_TYPE', Operator: 'StringEquals', Value: 'SLACK' }]);
  });

  it('SearchActionConnectors - refuses two filters, ownership filters and a token of another query', async () => {
    const failure = (promise: Promise<unknown>) => promise.then(() => { throw new Error('expected a failure'); }, (error: Error) => error.name);
    expect(await failure(quicksight.send(new SearchActionConnectorsCommand({
      AwsAccountId: DEMO_AWS_ACCOUNT_ID,
      Filters: [
        { Name: 'ACTION_CONNECTOR_TYPE', Operator: 'StringEquals', Value: 'SLACK' },
        { Name: 'ACTION_CONNECTOR_NAME', Operator: 'StringLike', Value: 'x' },
      ],
    })))).toBe('InvalidParameterValueException');
    expect(await failure(quicksight.send(new SearchActionConnectorsCommand({
      AwsAccountId: DEMO_AWS_ACCOUNT_ID,
      Filters: [{ Name: 'QUICKSIGHT_OWNER', Operator: 'StringEquals', Value: 'arn:aws:quicksight:us-east-1:111122223333:user/default/alice' }],
    })))).toBe('InvalidParameterValueException');
    const listed = await quicksight.send(new ListActionConnectorsCommand({ AwsAccountId: DEMO_AWS_ACCOUNT_ID, MaxResults: 2 }));
    expect(await failure(quicksight.send(new SearchActionConnectorsCommand({
      AwsAccountId: DEMO_AWS_ACCOUNT_ID,
      Filters: [{ Name: 'ACTION_CONNECTOR_TYPE', Operator: 'StringEquals', Value: 'SLACK' }],
      NextToken: listed.NextToken,
    })))).toBe('InvalidNextTokenException');
    expect(await failure(quicksight.send(new ListActionConnectorsCommand({ AwsAccountId: DEMO_AWS_ACCOUNT_ID, NextToken: 'not-a-token' })))).toBe('InvalidNextTokenException');
    expect(await failure(quicksight.send(new ListActionConnectorsCommand({ AwsAccountId: DEMO_AWS_ACCOUNT_ID, MaxResults: 101 })))).toBe('InvalidParameterValueException');
  });

  it('ListConnections - the SDK paginator visits every seeded connection exactly once, with and without filters', async () => {
    const list = async (input: Omit<ListConnectionsInput, 'domainIdentifier'>, pageSize = 50) => {
      const ids: string[] = [];
      for await (const page of paginateListConnections({ client: datazone, pageSize }, { domainIdentifier: DEMO_DOMAIN_ID, ...input })) {
        for (const item of page.items ?? []) {
          ids.push(item.connectionId!);
          expect(Object.keys(item).every((member) => CONNECTION_SUMMARY_MEMBERS.includes(member))).toBe(true);
        }
      }
      return ids;
    };
    const ids = (connections: ReturnType<typeof allConnections>) => connections.map((c) => c.connectionId!);
    expectEachOnce(await list({}), ids(allConnections()));
    expectEachOnce(await list({ projectIdentifier: 'prj_marketing' }, 7), ids(allConnections().filter((c) => c.projectId === 'prj_marketing')));
    expectEachOnce(await list({ environmentIdentifier: 'env_finance_tooling' }), ids(allConnections().filter((c) => c.environmentId === 'env_finance_tooling')));
    expectEachOnce(await list({ type: 'REDSHIFT', scope: 'PROJECT' }), ids(allConnections().filter((c) => c.type === 'REDSHIFT' && c.scope === 'PROJECT')));
    expectEachOnce(await list({ name: 'athena-sales' }), ['conn-athena-sales']);
    const call = emulator.calls.at(-1)!;
    expect(call).toMatchObject({ operation: 'ListConnections', params: { domainIdentifier: DEMO_DOMAIN_ID, name: 'athena-sales', maxResults: '50' } });
  });

  it('ListConnections - sorts by name both ways, never returns credentials, refuses bad parameters', async () => {
    const names: string[] = [];
    for await (const page of paginateListConnections({ client: datazone, pageSize: 40 }, { domainIdentifier: DEMO_DOMAIN_ID, sortBy: 'NAME', sortOrder: 'DESCENDING' })) {
      names.push(...(page.items ?? []).map((item) => item.name!));
      expect(JSON.stringify(page.items)).not.toContain('SECRET-CANARY-');
    }
    expect(names).toEqual(allConnections().map((c) => c.name!).sort((a, b) => b.localeCompare(a)));
    const failure = (input: Partial<ListConnectionsInput>) =>
      datazone.send(new ListConnectionsCommand({ domainIdentifier: DEMO_DOMAIN_ID, ...input })).then(() => 'ok', (error: Error) => error.name);
    expect(await failure({ maxResults: 51 })).toBe('ValidationException');
    expect(await failure({ nextToken: 'forged' })).toBe('ValidationException');
    expect(await failure({ projectIdentifier: 'has spaces' })).toBe('ValidationException');
    expect(await failure({ maxResults: 50 })).toBe('ok');
  });
});
