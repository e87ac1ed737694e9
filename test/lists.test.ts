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
import { isInputObjectType, isObjectType } from 'graphql';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ACTION_CONNECTOR_SUMMARY_MEMBERS,
  CONNECTION_SUMMARY_MEMBERS,
  DATAZONE_ERROR_STATUS,
  DECLARED_ERRORS,
  DEMO_AWS_ACCOUNT_ID,
  DEMO_DOMAIN_ID,
  type Emulator,
  QUICKSIGHT_ERROR_STATUS,
  seedActionConnectors,
  seedBulkActionConnectors,
  seedBulkConnections,
  seedConnections,
  startEmulator,
} from '../tools/emulator/index.js';
import { dataZoneResolvers } from '../src/datazone/domain.js';
import { quickSightResolvers } from '../src/quicksight/domain.js';
import { buildServedSchema } from '../src/schema/build.js';
import { isCredentialMapKey } from '../src/auth/credential-map-keys.js';
import { fullSelection } from './support/selection.js';
import { READ, SECRETS, type Stack, mintToken, startStack } from './support/stack.js';

const CREDENTIALS = { accessKeyId: 'AKIDEMULATOR', secretAccessKey: 'emulator-does-not-check-signatures' };

/** Every connector / connection the emulator is seeded with: the demo items and the generated ones. */
const allConnectors = () => [...seedActionConnectors(), ...seedBulkActionConnectors()].map(({ connector }) => connector);
const allConnections = () => [...seedConnections(), ...seedBulkConnections()];

/** Asserts that `ids` holds each expected id exactly once, and returns nothing else. */
function expectEachOnce(ids: string[], expected: string[]): void {
  expect(new Set(ids).size, 'an id came back twice').toBe(ids.length);
  expect([...ids].sort()).toEqual([...expected].sort());
}

const MAP_MEMBERS = new Set(['connectionProperties', 'sparkProperties', 'athenaProperties', 'pythonProperties', 'tokenUrlParametersMap', 'properties']);

/** A copy of `value` without the entries of its string maps whose key names a credential. */
function withoutCredentialMapEntries(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutCredentialMapEntries);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([name, child]) =>
      MAP_MEMBERS.has(name) && child !== null && typeof child === 'object'
        ? [name, Object.fromEntries(Object.entries(child).filter(([key]) => !isCredentialMapKey(key)))]
        : [name, withoutCredentialMapEntries(child)],
    ),
  );
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

  it('declared errors - every error the list operations declare has its SDK status in the error tables', () => {
    for (const name of [...DECLARED_ERRORS.ListActionConnectors, ...DECLARED_ERRORS.SearchActionConnectors]) expect(QUICKSIGHT_ERROR_STATUS).toHaveProperty(name);
    for (const name of DECLARED_ERRORS.ListConnections) expect(DATAZONE_ERROR_STATUS).toHaveProperty(name);
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
      // Map entries whose key names a credential pass through (EmulatorOptions.credentialMapEntries); nothing else does.
      expect(JSON.stringify(withoutCredentialMapEntries(page.items))).not.toContain('SECRET-CANARY-');
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

// ------------------------------------------------------------------------------------------------
// The GraphQL lists, over real HTTP: subgraph -> SDK -> emulator
// ------------------------------------------------------------------------------------------------

const { schema } = buildServedSchema();

let stack: Stack;
let reader: string;
let secretsReader: string;
beforeAll(async () => {
  stack = await startStack();
  reader = await mintToken([READ]);
  secretsReader = await mintToken([READ, SECRETS]);
});
afterAll(() => stack.close());

const operationsCalled = () => stack.emulator.calls.map((call) => call.operation);

interface PageOf<Node> {
  edges: Array<{ cursor: string; node: Node }>;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

const PAGE_INFO = 'pageInfo { hasNextPage hasPreviousPage startCursor endCursor }';

const CONNECTORS_QUERY = (selection: string) => /* GraphQL */ `
  query Connectors($account: ID!, $first: Int, $after: String, $filter: QuickSightActionConnectorFilter) {
    quickSightActionConnectors(awsAccountId: $account, first: $first, after: $after, filter: $filter) {
      edges { cursor node ${selection} }
      ${PAGE_INFO}
    }
  }`;

const CONNECTIONS_QUERY = (selection: string) => /* GraphQL */ `
  query Connections($domain: ID!, $first: Int, $after: String, $filter: DataZoneConnectionFilter, $sortBy: DataZoneSortFieldConnection, $sortOrder: DataZoneSortOrder) {
    dataZoneConnections(domainIdentifier: $domain, first: $first, after: $after, filter: $filter, sortBy: $sortBy, sortOrder: $sortOrder) {
      edges { cursor node ${selection} }
      ${PAGE_INFO}
    }
  }`;

/**
 * Follows `endCursor` until `hasNextPage` is false, one HTTP request per page, and checks on the way
 * that each page cost exactly the AWS calls `expectCalls` allows. Returns every node in order.
 */
async function pageThrough<Node>(
  field: 'quickSightActionConnectors' | 'dataZoneConnections',
  query: string,
  variables: Record<string, unknown>,
  options: { token: string; expectCalls: (operations: string[], page: PageOf<Node>) => void },
): Promise<{ nodes: Node[]; pages: number }> {
  const nodes: Node[] = [];
  let after: string | null = null;
  let pages = 0;
  for (;;) {
    stack.emulator.resetCalls();
    const response = await stack.graphql(query, { token: options.token, variables: { ...variables, after } });
    expect(response.body.errors).toBeUndefined();
    const page = response.body.data![field] as PageOf<Node>;
    options.expectCalls(operationsCalled(), page);
    expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
    expect(page.pageInfo.startCursor).toBe(page.edges[0]?.cursor ?? null);
    if (page.edges.length > 0) expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)!.cursor);
    nodes.push(...page.edges.map((edge) => edge.node));
    pages += 1;
    if (!page.pageInfo.hasNextPage) return { nodes, pages };
    expect(pages, 'paging does not end').toBeLessThan(100);
    after = page.pageInfo.endCursor;
  }
}

const onlyListCalls = (operation: string) => (operations: string[]) => expect(operations).toEqual([operation]);

describe('quickSightActionConnectors - Relay connection over ListActionConnectors / SearchActionConnectors', () => {
  const seeded = allConnectors();

  it('pages through every seeded connector exactly once; summary fields cost one ListActionConnectors call per page', async () => {
    const { nodes, pages } = await pageThrough<{ actionConnectorId: string; awsAccountId: string; arn: string; name: string; type: string; typeRaw: string; status: string; createdTime: string; lastUpdatedTime: string; error: { message: string } | null }>(
      'quickSightActionConnectors',
      CONNECTORS_QUERY('{ __typename actionConnectorId awsAccountId arn name type typeRaw status createdTime lastUpdatedTime error { message } }'),
      { account: DEMO_AWS_ACCOUNT_ID, first: 25 },
      { token: reader, expectCalls: onlyListCalls('ListActionConnectors') },
    );
    expectEachOnce(nodes.map((node) => node.actionConnectorId), seeded.map((c) => c.ActionConnectorId!));
    expect(pages).toBe(Math.ceil(seeded.length / 25));
    for (const node of nodes) {
      const seed = seeded.find((c) => c.ActionConnectorId === node.actionConnectorId)!;
      expect(node).toEqual({
        __typename: 'QuickSightActionConnector',
        actionConnectorId: seed.ActionConnectorId,
        awsAccountId: DEMO_AWS_ACCOUNT_ID,
        arn: seed.Arn,
        name: seed.Name,
        // The demo's connector of a type newer than the SDK keeps its fallback in lists too.
        type: seed.ActionConnectorId === 'holo-future' ? 'UNRECOGNIZED' : seed.Type,
        typeRaw: seed.Type,
        status: seed.Status,
        createdTime: seed.CreatedTime!.toISOString(),
        lastUpdatedTime: seed.LastUpdatedTime!.toISOString(),
        error: seed.Error ? { message: seed.Error.Message } : null,
      });
    }
  });

  it('filter - nameLike, name and type page through exactly the matching connectors, one SearchActionConnectors call per page', async () => {
    const search = async (filter: Record<string, unknown>, first: number) => {
      const { nodes } = await pageThrough<{ actionConnectorId: string }>(
        'quickSightActionConnectors',
        CONNECTORS_QUERY('{ actionConnectorId }'),
        { account: DEMO_AWS_ACCOUNT_ID, first, filter },
        { token: reader, expectCalls: onlyListCalls('SearchActionConnectors') },
      );
      return nodes.map((node) => node.actionConnectorId);
    };
    const finance = seeded.filter((c) => c.Name!.toLowerCase().includes('finance')).map((c) => c.ActionConnectorId!);
    expectEachOnce(await search({ nameLike: 'finance' }, 7), finance);
    expectEachOnce(await search({ name: 'Jira Cloud (Engineering)' }, 10), ['jira-cloud']);
    const slack = seeded.filter((c) => c.Type === 'SLACK').map((c) => c.ActionConnectorId!);
    expectEachOnce(await search({ type: 'SLACK' }, 5), slack);
    expect(JSON.parse(stack.emulator.calls[0]!.params['Filters']!)).toEqual([{ Name: 'ACTION_CONNECTOR_TYPE', Operator: 'StringEquals', Value: 'SLACK' }]);
    // An empty filter is no filter: the plain list.
    stack.emulator.resetCalls();
    const all = await stack.graphql(CONNECTORS_QUERY('{ actionConnectorId }'), { token: reader, variables: { account: DEMO_AWS_ACCOUNT_ID, first: 3, filter: {} } });
    expect(all.body.data!['quickSightActionConnectors'].edges).toHaveLength(3);
    expect(operationsCalled()).toEqual(['ListActionConnectors']);
  });

  it('details - a page of 25 asking for the auth config costs 1 list call + 25 batched DescribeActionConnector calls, in one request', async () => {
    const latencyMs = 300;
    const slowDescribe = stack.emulator.injectFault({ operation: 'DescribeActionConnector', kind: 'latency', latencyMs });
    try {
      stack.emulator.resetCalls();
      const response = await stack.graphql(
        CONNECTORS_QUERY(`{ actionConnectorId name description enabledActions vpcConnectionArn describeResponse { status }
          authenticationConfig { authenticationType authenticationMetadata { __typename ... on QuickSightIamConnectionMetadata { roleArn } } } }`),
        { token: reader, variables: { account: DEMO_AWS_ACCOUNT_ID, first: 25 } },
      );
      expect(response.body.errors).toBeUndefined();
      const edges = response.body.data!['quickSightActionConnectors'].edges as Array<{ node: Record<string, any> }>;
      expect(edges).toHaveLength(25);
      // One list call, then one describe per connector on the page, however many detail fields each asks for.
      const operations = operationsCalled();
      expect(operations[0]).toBe('ListActionConnectors');
      expect(operations.slice(1)).toEqual(Array(25).fill('DescribeActionConnector'));
      const described = stack.emulator.calls.slice(1).map((call) => call.params['ActionConnectorId']);
      expectEachOnce(described as string[], edges.map((edge) => edge.node['actionConnectorId']));
      // Batched: the describes were in flight together, not one after another: as many at once as
      // AWS_MAX_CONCURRENCY and the client-side rate limit (AWS_RATE_LIMIT_PER_SECOND) let through.
      const describes = stack.emulator.calls.slice(1);
      const firstWave = describes.filter((call) => call.at - describes[0]!.at < latencyMs / 2);
      const { maxConcurrency, rateLimitPerSecond } = stack.config.aws;
      expect(firstWave.length).toBe(Math.min(25, maxConcurrency, rateLimitPerSecond > 0 ? rateLimitPerSecond : Infinity));
      for (const { node } of edges) {
        const seed = seeded.find((c) => c.ActionConnectorId === node['actionConnectorId'])!;
        expect(node['description']).toBe(seed.Description);
        expect(node['enabledActions']).toEqual(seed.EnabledActions);
        expect(node['vpcConnectionArn']).toBe(seed.VpcConnectionArn ?? null);
        expect(node['describeResponse']).toEqual({ status: 200 });
        const authenticationType: string = seed.AuthenticationConfig!.AuthenticationType!;
        expect(node['authenticationConfig'].authenticationType).toBe(authenticationType === 'HOLOGRAPHIC_HANDSHAKE' ? 'UNRECOGNIZED' : authenticationType);
      }
    } finally {
      slowDescribe.remove();
    }
  });

  it('list items are the same entity: every field of a page equals what _entities resolves for the same keys', async () => {
    const selection = fullSelection(schema, 'QuickSightActionConnector');
    const listed = await stack.graphql(CONNECTORS_QUERY(selection), { token: secretsReader, variables: { account: DEMO_AWS_ACCOUNT_ID, first: 40 } });
    expect(listed.body.errors).toBeUndefined();
    const nodes = (listed.body.data!['quickSightActionConnectors'].edges as Array<{ node: Record<string, any> }>).map((edge) => edge.node);
    const entities = await stack.graphql(`query($r: [_Any!]!) { _entities(representations: $r) { ... on QuickSightActionConnector ${selection} } }`, {
      token: secretsReader,
      variables: { r: nodes.map((node) => ({ __typename: 'QuickSightActionConnector', awsAccountId: node['awsAccountId'], actionConnectorId: node['actionConnectorId'] })) },
    });
    expect(entities.body.errors).toBeUndefined();
    const withoutRequestId = (node: Record<string, any>) => ({ ...node, describeResponse: { ...node['describeResponse'], requestId: typeof node['describeResponse'].requestId } });
    expect(nodes.map(withoutRequestId)).toEqual((entities.body.data!['_entities'] as Array<Record<string, any>>).map(withoutRequestId));
  });

  it('cursors - any edge cursor resumes right after its edge; the page that ends with an AWS page resumes from its NextToken', async () => {
    const ids = async (variables: Record<string, unknown>) => {
      stack.emulator.resetCalls();
      const response = await stack.graphql(CONNECTORS_QUERY('{ actionConnectorId }'), { token: reader, variables: { account: DEMO_AWS_ACCOUNT_ID, ...variables } });
      expect(response.body.errors).toBeUndefined();
      return response.body.data!['quickSightActionConnectors'] as PageOf<{ actionConnectorId: string }>;
    };
    const first = await ids({ first: 20 });
    const fromMiddle = await ids({ first: 20, after: first.edges[9]!.cursor });
    // Resuming mid-page re-reads that AWS page from its start token, in one call of 10 + 20 items.
    expect(stack.emulator.calls.map((call) => [call.operation, call.params['MaxResults'], call.params['NextToken']])).toEqual([['ListActionConnectors', '30', undefined]]);
    const next = await ids({ first: 20, after: first.pageInfo.endCursor });
    expect(stack.emulator.calls[0]!.params).toEqual({ AwsAccountId: DEMO_AWS_ACCOUNT_ID, MaxResults: '20', NextToken: expect.any(String) });
    expect(fromMiddle.edges.map((edge) => edge.node.actionConnectorId)).toEqual([
      ...first.edges.slice(10).map((edge) => edge.node.actionConnectorId),
      ...next.edges.slice(0, 10).map((edge) => edge.node.actionConnectorId),
    ]);
    expect(fromMiddle.edges.at(-1)!.node.actionConnectorId).toBe(next.edges[9]!.node.actionConnectorId);
  });

  it('aliases of the same page share one ListActionConnectors call', async () => {
    stack.emulator.resetCalls();
    const response = await stack.graphql(
      `{ a: quickSightActionConnectors(awsAccountId: "${DEMO_AWS_ACCOUNT_ID}", first: 5) { edges { node { name } } }
         b: quickSightActionConnectors(awsAccountId: "${DEMO_AWS_ACCOUNT_ID}", first: 5) { edges { node { arn } } } }`,
      { token: reader },
    );
    expect(response.body.errors).toBeUndefined();
    expect(operationsCalled()).toEqual(['ListActionConnectors']);
  });
});

describe('dataZoneConnections - Relay connection over ListConnections', () => {
  const seeded = allConnections();

  it('pages through every seeded connection exactly once; summary fields cost one ListConnections call per page', async () => {
    const { nodes, pages } = await pageThrough<Record<string, any>>(
      'dataZoneConnections',
      CONNECTIONS_QUERY(`{ __typename connectionId domainId domainUnitId name type typeRaw scope scopeRaw projectId environmentId
        configurations { classification } physicalEndpoints { protocolRaw awsLocation { awsRegion } }
        props { __typename ... on DataZoneAthenaProperties { workgroupName } } }`),
      { domain: DEMO_DOMAIN_ID, first: 50 },
      { token: reader, expectCalls: onlyListCalls('ListConnections') },
    );
    expectEachOnce(nodes.map((node) => node['connectionId']), seeded.map((c) => c.connectionId!));
    expect(pages).toBe(Math.ceil(seeded.length / 50));
    for (const node of nodes) {
      const seed = seeded.find((c) => c.connectionId === node['connectionId'])!;
      expect(node).toMatchObject({
        __typename: 'DataZoneConnection',
        domainId: DEMO_DOMAIN_ID,
        domainUnitId: seed.domainUnitId,
        name: seed.name,
        typeRaw: seed.type,
        scopeRaw: seed.scope,
        projectId: seed.projectId,
        environmentId: seed.environmentId,
        configurations: seed.configurations?.map((c) => ({ classification: c.classification })) ?? null,
        physicalEndpoints: seed.physicalEndpoints!.map((endpoint) => ({ protocolRaw: endpoint.protocol, awsLocation: { awsRegion: endpoint.awsLocation!.awsRegion } })),
      });
      if (seed.props?.athenaProperties) expect(node['props']).toEqual({ __typename: 'DataZoneAthenaProperties', workgroupName: seed.props.athenaProperties.workgroupName });
    }
  });

  it('filters and sort - project, environment, type, scope and name select exactly the matching connections, sorted as asked', async () => {
    const list = async (variables: Record<string, unknown>, first = 20) => {
      const { nodes } = await pageThrough<{ connectionId: string; name: string }>(
        'dataZoneConnections',
        CONNECTIONS_QUERY('{ connectionId name }'),
        { domain: DEMO_DOMAIN_ID, first, ...variables },
        { token: reader, expectCalls: onlyListCalls('ListConnections') },
      );
      return nodes;
    };
    const ids = (connections: typeof seeded) => connections.map((c) => c.connectionId!);
    expectEachOnce((await list({ filter: { projectIdentifier: 'prj_marketing' } })).map((n) => n.connectionId), ids(seeded.filter((c) => c.projectId === 'prj_marketing')));
    expectEachOnce(
      (await list({ filter: { environmentIdentifier: 'env_finance_tooling', type: 'REDSHIFT' } }, 3)).map((n) => n.connectionId),
      ids(seeded.filter((c) => c.environmentId === 'env_finance_tooling' && c.type === 'REDSHIFT')),
    );
    expectEachOnce((await list({ filter: { scope: 'DOMAIN' } })).map((n) => n.connectionId), ids(seeded.filter((c) => c.scope === 'DOMAIN')));
    expectEachOnce((await list({ filter: { name: 'redshift-sales-cluster' } })).map((n) => n.connectionId), ['conn-redshift-cluster']);
    expect(stack.emulator.calls[0]!.params).toEqual({ domainIdentifier: DEMO_DOMAIN_ID, maxResults: '20', name: 'redshift-sales-cluster' });
    const descending = await list({ filter: { projectIdentifier: 'prj_finance_ops' }, sortBy: 'NAME', sortOrder: 'DESCENDING' }, 50);
    expect(descending.map((n) => n.name)).toEqual(seeded.filter((c) => c.projectId === 'prj_finance_ops').map((c) => c.name!).sort((a, b) => b.localeCompare(a)));
  });

  it('details - a page of 25 asking for description and environmentUserRole costs 1 list call + 25 batched GetConnection calls without secrets', async () => {
    stack.emulator.resetCalls();
    const response = await stack.graphql(CONNECTIONS_QUERY('{ connectionId name description environmentUserRole }'), {
      token: secretsReader,
      variables: { domain: DEMO_DOMAIN_ID, first: 25 },
    });
    expect(response.body.errors).toBeUndefined();
    const nodes = (response.body.data!['dataZoneConnections'].edges as Array<{ node: Record<string, string> }>).map((edge) => edge.node);
    expect(operationsCalled()).toEqual(['ListConnections', ...Array(25).fill('GetConnection')]);
    expectEachOnce(stack.emulator.calls.slice(1).map((call) => call.params['identifier']!), nodes.map((node) => node['connectionId']!));
    // No credential field selected: even a secrets reader's detail calls do not ask for secrets.
    expect(stack.emulator.calls.some((call) => call.withSecret)).toBe(false);
    for (const node of nodes) {
      const seed = seeded.find((c) => c.connectionId === node['connectionId'])!;
      expect(node['description']).toBe(seed.description);
      expect(node['environmentUserRole']).toBe(seed.environmentUserRole);
    }
  });

  it('list items are the same entity: every field of a page equals what _entities resolves for the same keys (secrets reader)', async () => {
    const selection = fullSelection(schema, 'DataZoneConnection');
    const listed = await stack.graphql(CONNECTIONS_QUERY(selection), { token: secretsReader, variables: { domain: DEMO_DOMAIN_ID, first: 50 } });
    expect(listed.body.errors).toBeUndefined();
    const nodes = (listed.body.data!['dataZoneConnections'].edges as Array<{ node: Record<string, any> }>).map((edge) => edge.node);
    const entities = await stack.graphql(`query($r: [_Any!]!) { _entities(representations: $r) { ... on DataZoneConnection ${selection} } }`, {
      token: secretsReader,
      variables: { r: nodes.map((node) => ({ __typename: 'DataZoneConnection', domainId: node['domainId'], connectionId: node['connectionId'] })) },
    });
    expect(entities.body.errors).toBeUndefined();
    expect(nodes).toEqual(entities.body.data!['_entities']);
    // The page held credentials, and they came through.
    expect(listed.text).toContain('SECRET-CANARY-conn-athena-sales-secretAccessKey');
  });
});

describe('credential fields in list items follow the authorization rules', () => {
  const SECRET_SELECTION = `{ connectionId name
    connectionCredentials { accessKeyId secretAccessKey sessionToken }
    props { __typename ... on DataZoneRedshiftProperties { credentials { ... on DataZoneUsernamePassword { username password } } } } }`;

  it('reader - credentials are null with UNAUTHORIZED_FIELD_OR_TYPE at each path, the rest resolves, no secrets are fetched', async () => {
    stack.emulator.resetCalls();
    const response = await stack.graphql(CONNECTIONS_QUERY(SECRET_SELECTION), { token: reader, variables: { domain: DEMO_DOMAIN_ID, first: 30 } });
    expect(response.text).not.toContain('SECRET-CANARY-');
    const edges = response.body.data!['dataZoneConnections'].edges as Array<{ node: Record<string, any> }>;
    expect(edges).toHaveLength(30);
    const redshift = edges.filter((edge) => edge.node['props']?.__typename === 'DataZoneRedshiftProperties' && edge.node['props'].credentials?.username);
    expect(redshift.length).toBeGreaterThan(0);
    for (const { node } of edges) {
      expect(node['name']).toEqual(expect.any(String));
      expect(node['connectionCredentials']).toBeNull();
    }
    for (const { node } of redshift) expect(node['props'].credentials.password).toBeNull();
    const unauthorized = response.body.errors!.filter((error) => error.extensions?.['code'] === 'UNAUTHORIZED_FIELD_OR_TYPE');
    expect(unauthorized).toHaveLength(response.body.errors!.length);
    const paths = unauthorized.map((error) => error.path!.join('.'));
    edges.forEach((_edge, index) => expect(paths).toContain(`dataZoneConnections.edges.${index}.node.connectionCredentials`));
    for (const { node } of redshift) {
      const index = edges.findIndex((edge) => edge.node === node);
      expect(paths).toContain(`dataZoneConnections.edges.${index}.node.props.credentials.password`);
    }
    // The summaries answer everything a reader may see: no GetConnection at all, and never withSecret=true.
    expect(operationsCalled()).toEqual(['ListConnections']);
    expect(stack.emulator.calls.some((call) => call.withSecret)).toBe(false);
  });

  it('secrets reader - credentials resolve through one GetConnection per item with withSecret=true', async () => {
    stack.emulator.resetCalls();
    const response = await stack.graphql(CONNECTIONS_QUERY(SECRET_SELECTION), { token: secretsReader, variables: { domain: DEMO_DOMAIN_ID, first: 30 } });
    expect(response.body.errors).toBeUndefined();
    const nodes = (response.body.data!['dataZoneConnections'].edges as Array<{ node: Record<string, any> }>).map((edge) => edge.node);
    expect(operationsCalled()).toEqual(['ListConnections', ...Array(30).fill('GetConnection')]);
    expect(stack.emulator.calls.slice(1).every((call) => call.withSecret)).toBe(true);
    for (const node of nodes) {
      const seed = allConnections().find((c) => c.connectionId === node['connectionId'])!;
      expect(node['connectionCredentials']).toEqual(
        seed.connectionCredentials
          ? { accessKeyId: seed.connectionCredentials.accessKeyId, secretAccessKey: seed.connectionCredentials.secretAccessKey, sessionToken: seed.connectionCredentials.sessionToken }
          : null,
      );
      const password = seed.props?.redshiftProperties?.credentials?.usernamePassword?.password;
      if (password) expect(node['props'].credentials.password).toBe(password);
    }
  });

  it('anonymous - the list is null with UNAUTHORIZED_FIELD_OR_TYPE and AWS is never called', async () => {
    stack.emulator.resetCalls();
    const response = await stack.graphql(
      `{ dataZoneConnections(domainIdentifier: "${DEMO_DOMAIN_ID}") { edges { node { name } } }
         quickSightActionConnectors(awsAccountId: "${DEMO_AWS_ACCOUNT_ID}") { edges { node { name } } } }`,
    );
    expect(response.body.data).toEqual({ dataZoneConnections: null, quickSightActionConnectors: null });
    expect(response.body.errors!.map((error) => error.extensions!['code'])).toEqual(['UNAUTHORIZED_FIELD_OR_TYPE', 'UNAUTHORIZED_FIELD_OR_TYPE']);
    expect(stack.emulator.calls).toEqual([]);
  });
});

describe('bad input and AWS errors on lists', () => {
  const codeAndArgument = (response: { body: { errors?: Array<{ extensions?: Record<string, any> }> } }) =>
    response.body.errors!.map((error) => [error.extensions!['code'], error.extensions!['argumentName']]);

  it('first - outside 1..100 (QuickSight) or 1..50 (DataZone) is BAD_USER_INPUT naming `first`, before any AWS call', async () => {
    stack.emulator.resetCalls();
    for (const first of [0, -1, 101]) {
      const response = await stack.graphql(CONNECTORS_QUERY('{ name }'), { token: reader, variables: { account: DEMO_AWS_ACCOUNT_ID, first } });
      expect(response.body.data!['quickSightActionConnectors']).toBeNull();
      expect(codeAndArgument(response)).toEqual([['BAD_USER_INPUT', 'first']]);
    }
    for (const first of [0, 51]) {
      const response = await stack.graphql(CONNECTIONS_QUERY('{ name }'), { token: reader, variables: { domain: DEMO_DOMAIN_ID, first } });
      expect(codeAndArgument(response)).toEqual([['BAD_USER_INPUT', 'first']]);
    }
    expect(stack.emulator.calls).toEqual([]);
  });

  it('after - garbled cursors, cursors of another list or filter are BAD_USER_INPUT naming `after`, before any AWS call', async () => {
    const connectorsPage = await stack.graphql(CONNECTORS_QUERY('{ name }'), { token: reader, variables: { account: DEMO_AWS_ACCOUNT_ID, first: 2 } });
    const connectorCursor = connectorsPage.body.data!['quickSightActionConnectors'].pageInfo.endCursor as string;
    const connectionsPage = await stack.graphql(CONNECTIONS_QUERY('{ name }'), { token: reader, variables: { domain: DEMO_DOMAIN_ID, first: 2 } });
    const connectionCursor = connectionsPage.body.data!['dataZoneConnections'].pageInfo.endCursor as string;
    stack.emulator.resetCalls();
    const garbled = [
      'not a cursor!',
      '',
      Buffer.from('{"hello":"world"}').toString('base64url'),
      Buffer.from('[1,2,3]').toString('base64url'),
      connectorCursor.slice(0, -3),
      'A'.repeat(20_000),
    ];
    for (const after of garbled) {
      const response = await stack.graphql(CONNECTORS_QUERY('{ name }'), { token: reader, variables: { account: DEMO_AWS_ACCOUNT_ID, after } });
      expect(codeAndArgument(response), after.slice(0, 30)).toEqual([['BAD_USER_INPUT', 'after']]);
    }
    const crossed = [
      stack.graphql(CONNECTORS_QUERY('{ name }'), { token: reader, variables: { account: DEMO_AWS_ACCOUNT_ID, after: connectionCursor } }),
      stack.graphql(CONNECTORS_QUERY('{ name }'), { token: reader, variables: { account: DEMO_AWS_ACCOUNT_ID, after: connectorCursor, filter: { type: 'SLACK' } } }),
      stack.graphql(CONNECTORS_QUERY('{ name }'), { token: reader, variables: { account: '444455556666', after: connectorCursor } }),
      stack.graphql(CONNECTIONS_QUERY('{ name }'), { token: reader, variables: { domain: DEMO_DOMAIN_ID, after: connectorCursor } }),
      stack.graphql(CONNECTIONS_QUERY('{ name }'), { token: reader, variables: { domain: DEMO_DOMAIN_ID, after: connectionCursor, sortBy: 'NAME' } }),
    ];
    for (const response of await Promise.all(crossed)) {
      expect(codeAndArgument(response)).toEqual([['BAD_USER_INPUT', 'after']]);
      expect(response.body.errors![0]!.message).toMatch(/different list or filter|not a cursor/);
    }
    expect(stack.emulator.calls).toEqual([]);
  });

  it('after - a well-formed cursor carrying a forged NextToken is refused by AWS, reported as BAD_USER_INPUT naming `after`', async () => {
    const forge = (cursor: string) => {
      const decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, unknown>;
      return Buffer.from(JSON.stringify({ ...decoded, t: 'forged-token' })).toString('base64url');
    };
    const connectors = await stack.graphql(CONNECTORS_QUERY('{ name }'), { token: reader, variables: { account: DEMO_AWS_ACCOUNT_ID, first: 2 } });
    const connections = await stack.graphql(CONNECTIONS_QUERY('{ name }'), { token: reader, variables: { domain: DEMO_DOMAIN_ID, first: 2 } });
    const forgedConnectors = await stack.graphql(CONNECTORS_QUERY('{ name }'), {
      token: reader,
      variables: { account: DEMO_AWS_ACCOUNT_ID, first: 2, after: forge(connectors.body.data!['quickSightActionConnectors'].pageInfo.endCursor) },
    });
    expect(forgedConnectors.body.data!['quickSightActionConnectors']).toBeNull();
    expect(forgedConnectors.body.errors![0]!.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      argumentName: 'after',
      aws: { service: 'quicksight', errorName: 'InvalidNextTokenException', requestId: expect.any(String) },
    });
    const forgedConnections = await stack.graphql(CONNECTIONS_QUERY('{ name }'), {
      token: reader,
      variables: { domain: DEMO_DOMAIN_ID, first: 2, after: forge(connections.body.data!['dataZoneConnections'].pageInfo.endCursor) },
    });
    expect(forgedConnections.body.errors![0]!.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      argumentName: 'after',
      aws: { service: 'datazone', errorName: 'ValidationException' },
    });
  });

  it('filters and ids - refused as BAD_USER_INPUT naming the argument, before any AWS call', async () => {
    stack.emulator.resetCalls();
    const connectors = (variables: Record<string, unknown>) => stack.graphql(CONNECTORS_QUERY('{ name }'), { token: reader, variables: { account: DEMO_AWS_ACCOUNT_ID, ...variables } });
    const connections = (variables: Record<string, unknown>) => stack.graphql(CONNECTIONS_QUERY('{ name }'), { token: reader, variables: { domain: DEMO_DOMAIN_ID, ...variables } });
    const cases: Array<[Promise<{ body: { errors?: Array<{ extensions?: Record<string, any> }> } }>, string]> = [
      [connectors({ account: '12345' }), 'awsAccountId'],
      [connectors({ filter: { name: 'a', type: 'SLACK' } }), 'filter'],
      [connectors({ filter: { nameLike: '' } }), 'filter'],
      [connectors({ filter: { type: 'UNRECOGNIZED' } }), 'filter.type'],
      [connections({ domain: 'domain-1' }), 'domainIdentifier'],
      [connections({ filter: { projectIdentifier: 'has spaces' } }), 'filter.projectIdentifier'],
      [connections({ filter: { environmentIdentifier: 'x'.repeat(37) } }), 'filter.environmentIdentifier'],
      [connections({ filter: { name: 'n'.repeat(65) } }), 'filter.name'],
      [connections({ filter: { scope: 'UNRECOGNIZED' } }), 'filter.scope'],
      [connections({ filter: { type: 'UNRECOGNIZED' } }), 'filter.type'],
    ];
    for (const [pending, argumentName] of cases) expect(codeAndArgument(await pending), argumentName).toEqual([['BAD_USER_INPUT', argumentName]]);
    expect(stack.emulator.calls).toEqual([]);
  });

  it('AWS errors - a failing list call is null with its contract code, siblings intact; a failing detail nulls only that field', async () => {
    const faults = [
      stack.emulator.injectFault({ operation: 'ListConnections', kind: 'error', errorName: 'AccessDeniedException' }),
      stack.emulator.injectFault({ operation: 'SearchActionConnectors', kind: 'error', errorName: 'ThrottlingException' }),
      stack.emulator.injectFault({ operation: 'DescribeActionConnector', id: 'jira-cloud', kind: 'error', errorName: 'InternalFailureException' }),
    ];
    try {
      const response = await stack.graphql(
        `{ connections: dataZoneConnections(domainIdentifier: "${DEMO_DOMAIN_ID}") { edges { node { name } } }
           searched: quickSightActionConnectors(awsAccountId: "${DEMO_AWS_ACCOUNT_ID}", filter: { type: SLACK }) { edges { node { name } } }
           listed: quickSightActionConnectors(awsAccountId: "${DEMO_AWS_ACCOUNT_ID}", first: 3) { edges { node { actionConnectorId description } } }
           single: dataZoneConnection(domainIdentifier: "${DEMO_DOMAIN_ID}", identifier: "conn-athena-sales") { name } }`,
        { token: reader },
      );
      const data = response.body.data!;
      expect(data['connections']).toBeNull();
      expect(data['searched']).toBeNull();
      expect(data['single']).toEqual({ name: 'athena-sales' });
      const listed = data['listed'].edges as Array<{ node: { actionConnectorId: string; description: string | null } }>;
      expect(listed.map((edge) => edge.node.actionConnectorId)).toEqual(['jira-cloud', 'servicenow-prod', 'zendesk-support']);
      expect(listed[0]!.node.description).toBeNull();
      expect(listed[1]!.node.description).toEqual(expect.any(String));
      const errorAt = (path: string) => response.body.errors!.find((error) => error.path!.join('.') === path)!;
      expect(errorAt('connections').extensions).toMatchObject({ code: 'FORBIDDEN', aws: { service: 'datazone', errorName: 'AccessDeniedException' } });
      expect(errorAt('searched').extensions).toMatchObject({ code: 'THROTTLED', aws: { service: 'quicksight', errorName: 'ThrottlingException' } });
      expect(errorAt('listed.edges.0.node.description').extensions).toMatchObject({ code: 'UPSTREAM_ERROR', aws: { service: 'quicksight', errorName: 'InternalFailureException' } });
      expect(response.body.errors).toHaveLength(3);
    } finally {
      for (const fault of faults) fault.remove();
    }
  });
});

describe('schema', () => {
  it('every argument and input field - has a description for Apollo Sandbox', () => {
    const undocumented: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('_') || !type.astNode) continue;
      if (isObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (field.name.startsWith('_')) continue;
          for (const arg of field.args) if (!arg.description) undocumented.push(`${type.name}.${field.name}(${arg.name})`);
        }
      }
      if (isInputObjectType(type)) {
        if (!type.description) undocumented.push(type.name);
        for (const field of Object.values(type.getFields())) if (!field.description) undocumented.push(`${type.name}.${field.name}`);
      }
    }
    expect(undocumented).toEqual([]);
  });

  it('the entity types - resolve every field explicitly, so list items (summaries) never fall through to a default resolver', () => {
    // A default resolver reads `parent[fieldName]`, which a list item (summary + key) does not have.
    const unresolved = (typeName: string, resolvers: object | undefined) => {
      const type = schema.getType(typeName);
      if (!isObjectType(type)) throw new Error(`${typeName} is not an object type`);
      return Object.keys(type.getFields()).filter((field) => !field.endsWith('Raw') && !(field in (resolvers ?? {})));
    };
    expect(unresolved('QuickSightActionConnector', quickSightResolvers.QuickSightActionConnector)).toEqual([]);
    expect(unresolved('DataZoneConnection', dataZoneResolvers.DataZoneConnection)).toEqual([]);
  });

  it('the new root fields - require connections:read like the single-item fields', () => {
    const { policy } = buildServedSchema();
    expect(policy.fieldRequirement('Query', 'quickSightActionConnectors')).toEqual({ authenticated: true, scopes: [[READ]] });
    expect(policy.fieldRequirement('Query', 'dataZoneConnections')).toEqual({ authenticated: true, scopes: [[READ]] });
  });
});

describe('docs/paging.md - Listing and paging', () => {
  const section = readFileSync('docs/paging.md', 'utf8');
  const blocks = (language: string) => [...section.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((match) => match[1]!);

  it('its operations and variables run as shown: endCursor as after continues the list', async () => {
    const [connectorsQuery, connectionsQuery] = blocks('graphql');
    const [firstVariables, , nextVariables] = blocks('json').map((json) => json.trim());
    expect(connectorsQuery).toContain('quickSightActionConnectors');
    expect(section).toContain(`The demo account holds ${allConnectors().length} connectors`);
    const first = await stack.graphql(connectorsQuery!, { token: reader, variables: JSON.parse(firstVariables!) });
    expect(first.body.errors).toBeUndefined();
    const page = first.body.data!['quickSightActionConnectors'] as PageOf<{ actionConnectorId: string }>;
    expect(page.edges).toHaveLength(25);
    expect(page.pageInfo.hasNextPage).toBe(true);
    expect(page.pageInfo.endCursor!.startsWith(JSON.parse(nextVariables!.replace('…', '')).after)).toBe(true);
    const next = await stack.graphql(connectorsQuery!, { token: reader, variables: { ...JSON.parse(firstVariables!), after: page.pageInfo.endCursor } });
    expect(next.body.errors).toBeUndefined();
    expect(next.body.data!['quickSightActionConnectors'].edges[0].node.actionConnectorId).not.toBe(page.edges[0]!.node.actionConnectorId);
    const connections = await stack.graphql(connectionsQuery!, { token: reader, variables: { domain: DEMO_DOMAIN_ID, first: 50 } });
    expect(connections.body.errors).toBeUndefined();
    expect(connections.body.data!['dataZoneConnections'].edges.length).toBeGreaterThan(0);
  });
});
