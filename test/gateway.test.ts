import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_AWS_ACCOUNT_ID, DEMO_DOMAIN_ID } from '../tools/emulator/seed.js';
import { CREDENTIAL_CACHE_CONTROL } from '../src/server/response-policy.js';
import { EXAMPLE_DASHBOARDS, type RunningSubgraph, startDashboardsSubgraph } from '../tools/supergraph/dashboards.js';
import {
  type RunningSupergraphGateway,
  type SubgraphRequestEvent,
  composeSupergraph,
  fetchSubgraphSdl,
  startSupergraphGateway,
} from '../tools/supergraph/gateway.js';
import { READ, SECRETS, type Stack, callsOf, mintToken, startStack } from './support/stack.js';
import { DASHBOARDS_QUERY, type GatewayResponse, postToGateway } from './support/gateway-client.js';

/**
 * A live supergraph: this subgraph (serving its gateway-compatible SDL) and the example
 * `dashboards` subgraph, composed with @apollo/composition and served by a real @apollo/gateway
 * on @apollo/server, all over real HTTP, the subgraph on the real SDK and the emulator.
 */
let stack: Stack;
let dashboards: RunningSubgraph;
let gateway: RunningSupergraphGateway;
/** `_service { sdl }` of the subgraph as served by default, with the auth directives (for Router deployments). */
let sdlWithDirectives: string;
let gatewayCompatibleSdl: string;
let dashboardsSdl: string;
let supergraphSdl: string;
const subgraphRequests: SubgraphRequestEvent[] = [];
let reader: string;
let secretsReader: string;

beforeAll(async () => {
  // The default SDL first, from a stack of its own (stacks point the SDK at their emulator through the environment).
  const withDirectives = await startStack();
  try {
    sdlWithDirectives = await fetchSubgraphSdl(withDirectives.subgraph.url);
  } finally {
    await withDirectives.close();
  }
  stack = await startStack({ env: { GATEWAY_COMPATIBLE_SDL: 'true' } });
  dashboards = await startDashboardsSubgraph({ port: 0 });
  gatewayCompatibleSdl = await fetchSubgraphSdl(stack.subgraph.url);
  dashboardsSdl = await fetchSubgraphSdl(dashboards.url);
  supergraphSdl = composeSupergraph([
    { name: 'aws-connections', url: stack.subgraph.url, sdl: gatewayCompatibleSdl },
    { name: 'dashboards', url: dashboards.url, sdl: dashboardsSdl },
  ]);
  gateway = await startSupergraphGateway({ supergraphSdl, port: 0, onSubgraphRequest: (event) => subgraphRequests.push(event) });
  reader = await mintToken([READ]);
  secretsReader = await mintToken([READ, SECRETS]);
});
afterAll(async () => {
  await gateway?.stop();
  await dashboards?.stop();
  await stack?.close();
});

function throughGateway(query: string, token?: string): Promise<GatewayResponse> {
  subgraphRequests.length = 0;
  stack.emulator.resetCalls();
  return postToGateway(gateway.url, query, token);
}

const distinct = (values: readonly string[]) => new Set(values).size;

describe('a live @apollo/gateway over this subgraph and a second one', () => {
  it('composition - the gateway-compatible SDL composes without any for: SECURITY feature', () => {
    expect(gatewayCompatibleSdl).not.toMatch(/@requiresScopes|@authenticated/);
    expect(supergraphSdl).toContain('type Dashboard');
    expect(supergraphSdl).toContain('type DataZoneConnection');
    expect(supergraphSdl).not.toContain('for: SECURITY');
  });

  it('dashboards for a reader - fields from both subgraphs; Authorization forwarded; one batched _entities per entity type; one AWS call per distinct entity', async () => {
    const response = await throughGateway(DASHBOARDS_QUERY, reader);
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
    const returned = response.body.data!['dashboards'] as Array<Record<string, any>>;
    expect(returned.map((dashboard) => [dashboard['id'], dashboard['title']])).toEqual(EXAMPLE_DASHBOARDS.map((dashboard) => [dashboard.id, dashboard.title]));

    // The gateway batched each entity type's representations into one _entities request...
    const toAwsConnections = subgraphRequests.filter((request) => request.subgraph === 'aws-connections');
    expect(toAwsConnections).toHaveLength(2);
    for (const request of toAwsConnections) {
      expect(request.query).toContain('_entities');
      expect((request.variables!['representations'] as unknown[]).length).toBe(EXAMPLE_DASHBOARDS.length);
    }
    // ...and the subgraph's DataLoaders made one AWS call per distinct entity.
    expect(callsOf(stack.emulator, 'DescribeActionConnector')).toHaveLength(distinct(EXAMPLE_DASHBOARDS.map((dashboard) => dashboard.alertConnectorId)));
    expect(callsOf(stack.emulator, 'GetConnection')).toHaveLength(distinct(EXAMPLE_DASHBOARDS.map((dashboard) => dashboard.sourceConnectionId)));

    // Each entity is the one the subgraph answers directly for that dashboard's key: the gateway joined the right ones.
    for (const [index, dashboard] of EXAMPLE_DASHBOARDS.entries()) {
      const direct = await stack.graphql(
        `{ c: quickSightActionConnector(awsAccountId: "${DEMO_AWS_ACCOUNT_ID}", actionConnectorId: "${dashboard.alertConnectorId}") { actionConnectorId name type status }
           d: dataZoneConnection(domainIdentifier: "${DEMO_DOMAIN_ID}", identifier: "${dashboard.sourceConnectionId}") { connectionId name type props { __typename } } }`,
        { token: reader },
      );
      expect(direct.body.data!['d'].name).toEqual(expect.any(String));
      expect(returned[index]!['alertConnector']).toEqual(direct.body.data!['c']);
      expect(returned[index]!['sourceConnection']).toEqual(direct.body.data!['d']);
    }
    // Both subgraphs' hints meet: dashboards 30 s, aws-connections 60 s; public, per Authorization.
    expect(response.headers.get('cache-control')).toBe('max-age=30, public');
    expect(response.headers.get('vary')).toMatch(/Authorization/i);
  });

  it('a reader asking for credentials - credential fields null with UNAUTHORIZED_FIELD_OR_TYPE at their paths, everything else intact, no secret fetched', async () => {
    const response = await throughGateway(`{ dashboards { id sourceConnection { connectionId name connectionCredentials { accessKeyId secretAccessKey } } } }`, reader);
    const returned = response.body.data!['dashboards'] as Array<Record<string, any>>;
    expect(returned).toHaveLength(EXAMPLE_DASHBOARDS.length);
    for (const [index, dashboard] of returned.entries()) {
      expect(dashboard['sourceConnection'].connectionId).toBe(EXAMPLE_DASHBOARDS[index]!.sourceConnectionId);
      expect(dashboard['sourceConnection'].name).toEqual(expect.any(String));
      expect(dashboard['sourceConnection'].connectionCredentials).toBeNull();
    }
    expect(response.body.errors!.length).toBeGreaterThan(0);
    for (const error of response.body.errors!) {
      expect(error.extensions!['code']).toBe('UNAUTHORIZED_FIELD_OR_TYPE');
      expect(error.path).toEqual(['dashboards', expect.any(Number), 'sourceConnection', 'connectionCredentials']);
      expect(error.extensions).not.toHaveProperty('stacktrace');
    }
    expect(JSON.stringify(response.body)).not.toContain('SECRET-CANARY');
    expect(callsOf(stack.emulator, 'GetConnection').every((call) => !call.withSecret)).toBe(true);
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('a secrets reader - sees the credentials through the gateway; the response is `private, no-store`', async () => {
    const response = await throughGateway(`{ dashboards { id sourceConnection { connectionId connectionCredentials { accessKeyId secretAccessKey } } } }`, secretsReader);
    expect(response.body.errors).toBeUndefined();
    const returned = response.body.data!['dashboards'] as Array<Record<string, any>>;
    const withCredentials = returned.filter((dashboard) => dashboard['sourceConnection'].connectionCredentials !== null);
    expect(withCredentials.length).toBeGreaterThan(0);
    for (const dashboard of withCredentials) {
      const { connectionId, connectionCredentials } = dashboard['sourceConnection'];
      expect(connectionCredentials.accessKeyId).toBe(`SECRET-CANARY-${connectionId}-accessKeyId`);
    }
    const calls = callsOf(stack.emulator, 'GetConnection');
    expect(calls).toHaveLength(distinct(EXAMPLE_DASHBOARDS.map((dashboard) => dashboard.sourceConnectionId)));
    expect(calls.every((call) => call.withSecret)).toBe(true);
    expect(response.headers.get('cache-control')).toBe(CREDENTIAL_CACHE_CONTROL);
  });

  it('no token - dashboards still come from their subgraph; every aws-connections entity is refused at its path, before any AWS call', async () => {
    const response = await throughGateway(`{ dashboards { id alertConnector { name } sourceConnection { name } } }`);
    const returned = response.body.data!['dashboards'] as Array<Record<string, any>>;
    expect(returned.map((dashboard) => dashboard['id'])).toEqual(EXAMPLE_DASHBOARDS.map((dashboard) => dashboard.id));
    // The gateway keeps the reference it got from dashboards; the fields only aws-connections resolves are null.
    expect(returned.every((dashboard) => dashboard['alertConnector'].name === null && dashboard['sourceConnection'].name === null)).toBe(true);
    const refused = response.body.errors!.map((error) => `${error.extensions!['code']} ${error.path!.join('.')}`).sort();
    const expected = EXAMPLE_DASHBOARDS.flatMap((_, index) => [`dashboards.${index}.alertConnector`, `dashboards.${index}.sourceConnection`]);
    expect(refused).toEqual(expected.map((path) => `UNAUTHORIZED_FIELD_OR_TYPE ${path}`).sort());
    expect(stack.emulator.calls).toHaveLength(0);
  });
});

describe('the SDL with the auth directives (Router deployments)', () => {
  it('composes, and the supergraph carries @requiresScopes as a for: SECURITY feature', () => {
    expect(sdlWithDirectives).toMatch(/@requiresScopes\(scopes: \[\["connections:secrets:read"\]\]\)/);
    const routerSupergraph = composeSupergraph([
      { name: 'aws-connections', url: stack.subgraph.url, sdl: sdlWithDirectives },
      { name: 'dashboards', url: dashboards.url, sdl: dashboardsSdl },
    ]);
    expect(routerSupergraph).toMatch(/@link\(url: "https:\/\/specs\.apollo\.dev\/requiresScopes\/v0\.1", for: SECURITY\)/);
    expect(routerSupergraph).toMatch(/@requiresScopes\(scopes: \[\["connections:secrets:read"\]\]\)/);
  });

  it('@apollo/gateway refuses it - its error names the SECURITY feature', async () => {
    const routerSupergraph = composeSupergraph([
      { name: 'aws-connections', url: stack.subgraph.url, sdl: sdlWithDirectives },
      { name: 'dashboards', url: dashboards.url, sdl: dashboardsSdl },
    ]);
    await expect(startSupergraphGateway({ supergraphSdl: routerSupergraph, port: 0 })).rejects.toThrow(/requiresScopes.*is for: SECURITY but is unsupported/);
  });
});
