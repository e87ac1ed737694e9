import { createGatewayRuntime, type GatewayRuntime } from '@graphql-hive/gateway-runtime';
import { Kind, type OperationDefinitionNode, parse } from 'graphql';
import { SignJWT } from 'jose';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_AWS_ACCOUNT_ID, DEMO_DOMAIN_ID } from '../tools/emulator/seed.js';
import { CREDENTIAL_CACHE_CONTROL } from '../src/server/response-policy.js';
import { EXAMPLE_DASHBOARDS, type RunningSubgraph, startDashboardsSubgraph } from '../tools/supergraph/dashboards.js';
import { hiveGatewayAuthConfig } from '../tools/supergraph/hive-gateway.js';
import { composeWithMesh } from '../tools/supergraph/mesh.config.js';
import { type RecordingProxy, startRecordingProxy } from './support/recording-proxy.js';
import { READ, SECRETS, type Stack, TEST_JWT_SECRET, callsOf, mintToken, startStack } from './support/stack.js';
import { DASHBOARDS_QUERY, type GatewayResponse, postToGateway } from './support/gateway-client.js';

/**
 * A live supergraph served by The Guild's Hive Gateway: this subgraph (its default SDL, with
 * `@requiresScopes`) and the example `dashboards` subgraph, composed by The Guild's composer and
 * served by Hive's gateway runtime on node:http with the configuration in
 * tools/supergraph/hive-gateway.ts, all over real HTTP, the subgraph on the real SDK and the emulator.
 * A recording proxy in front of aws-connections shows what reaches the subgraph.
 */
let stack: Stack;
let dashboards: RunningSubgraph;
let awsConnections: RecordingProxy;
let supergraphSdl: string;
let runtime: GatewayRuntime;
let server: Server;
let gatewayUrl: string;
let reader: string;
let secretsReader: string;

beforeAll(async () => {
  stack = await startStack();
  dashboards = await startDashboardsSubgraph({ port: 0 });
  awsConnections = await startRecordingProxy(stack.subgraph.url);
  supergraphSdl = await composeWithMesh([
    { name: 'aws-connections', url: awsConnections.url },
    { name: 'dashboards', url: dashboards.url },
  ]);
  runtime = createGatewayRuntime({ supergraph: supergraphSdl, logging: false, ...hiveGatewayAuthConfig({ jwtSecret: TEST_JWT_SECRET }) });
  server = createServer(runtime);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  gatewayUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  reader = await mintToken([READ]);
  secretsReader = await mintToken([READ, SECRETS]);
});
afterAll(async () => {
  await runtime?.dispose();
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  await awsConnections?.close();
  await dashboards?.stop();
  await stack?.close();
});

function throughGateway(query: string, token?: string): Promise<GatewayResponse> {
  awsConnections.requests.length = 0;
  stack.emulator.resetCalls();
  return postToGateway(gatewayUrl, query, token);
}

/** Each `_entities` selection the subgraph received: the entity type asked for and the keys sent. */
function entitiesSelections(proxy: RecordingProxy) {
  return proxy.requests.flatMap(({ body }) => {
    const operation = parse(body.query ?? '').definitions.find((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION)!;
    return operation.selectionSet.selections.flatMap((selection) => {
      if (selection.kind !== Kind.FIELD || selection.name.value !== '_entities') return [];
      const argument = selection.arguments!.find((candidate) => candidate.name.value === 'representations')!;
      const variable = argument.value.kind === Kind.VARIABLE ? argument.value.name.value : '';
      const representations = body.variables![variable] as Array<Record<string, string>>;
      return [{ typenames: new Set(representations.map((representation) => representation['__typename'])), representations }];
    });
  });
}

const distinct = (values: readonly string[]) => [...new Set(values)].sort();

describe('a live Hive Gateway over this subgraph and a second one', () => {
  it("composition - The Guild's composer keeps @requiresScopes from the default SDL, and the subgraph's four root fields", () => {
    expect(supergraphSdl).toMatch(/connectionCredentials: DataZoneConnectionCredentials[^\n]*@requiresScopes\(scopes: \[\["connections:secrets:read"\]\]\)/);
    for (const field of ['quickSightActionConnector(', 'quickSightActionConnectors(', 'dataZoneConnection(', 'dataZoneConnections(', 'dashboards:']) {
      expect(supergraphSdl).toContain(field);
    }
  });

  it('dashboards for a reader - fields from both subgraphs; Authorization forwarded; one batched _entities per entity type; one AWS call per distinct entity', async () => {
    const response = await throughGateway(DASHBOARDS_QUERY, reader);
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
    const returned = response.body.data!['dashboards'] as Array<Record<string, any>>;
    expect(returned.map((dashboard) => [dashboard['id'], dashboard['title']])).toEqual(EXAMPLE_DASHBOARDS.map((dashboard) => [dashboard.id, dashboard.title]));

    // One request reached aws-connections, with the caller's own Authorization...
    expect(awsConnections.requests).toHaveLength(1);
    expect(awsConnections.requests[0]!.headers.authorization).toBe(`Bearer ${reader}`);
    // ...holding one _entities selection per entity type, each distinct key once.
    const selections = entitiesSelections(awsConnections);
    expect(selections.map((selection) => [...selection.typenames]).sort()).toEqual([['DataZoneConnection'], ['QuickSightActionConnector']]);
    const keysOf = (typename: string, key: string) => selections.find((selection) => selection.typenames.has(typename))!.representations.map((representation) => representation[key]!).sort();
    expect(keysOf('QuickSightActionConnector', 'actionConnectorId')).toEqual(distinct(EXAMPLE_DASHBOARDS.map((dashboard) => dashboard.alertConnectorId)));
    expect(keysOf('DataZoneConnection', 'connectionId')).toEqual(distinct(EXAMPLE_DASHBOARDS.map((dashboard) => dashboard.sourceConnectionId)));
    // The subgraph's DataLoaders made one AWS call per distinct entity.
    expect(callsOf(stack.emulator, 'DescribeActionConnector')).toHaveLength(distinct(EXAMPLE_DASHBOARDS.map((dashboard) => dashboard.alertConnectorId)).length);
    expect(callsOf(stack.emulator, 'GetConnection')).toHaveLength(distinct(EXAMPLE_DASHBOARDS.map((dashboard) => dashboard.sourceConnectionId)).length);

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
    // The subgraph's Vary reaches the client; Hive combines no cache hints, so nothing says the response may be stored.
    expect(response.headers.get('vary')).toMatch(/\bAuthorization\b/);
    expect(response.headers.get('cache-control')).toBeNull();
  });

  it('a reader asking for credentials - refused by the gateway with UNAUTHORIZED_FIELD_OR_TYPE and HTTP 200; the subgraph is never asked for them', async () => {
    const response = await throughGateway(`{ dashboards { id sourceConnection { connectionId name connectionCredentials { accessKeyId secretAccessKey } } } }`, reader);
    expect(response.status).toBe(200);
    const returned = response.body.data!['dashboards'] as Array<Record<string, any>>;
    expect(returned).toHaveLength(EXAMPLE_DASHBOARDS.length);
    for (const [index, dashboard] of returned.entries()) {
      expect(dashboard['sourceConnection'].connectionId).toBe(EXAMPLE_DASHBOARDS[index]!.sourceConnectionId);
      expect(dashboard['sourceConnection'].name).toEqual(expect.any(String));
      expect(dashboard['sourceConnection'].connectionCredentials).toBeNull();
    }
    // Hive refuses a field once for the whole document (at its path without list indices), before execution.
    expect(response.body.errors).toEqual([
      expect.objectContaining({ path: ['dashboards', 'sourceConnection', 'connectionCredentials'], extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE' } }),
    ]);
    expect(awsConnections.requests.length).toBeGreaterThan(0);
    expect(awsConnections.requests.every((request) => !request.body.query!.includes('connectionCredentials'))).toBe(true);
    expect(callsOf(stack.emulator, 'GetConnection').every((call) => !call.withSecret)).toBe(true);
    expect(JSON.stringify(response.body)).not.toContain('SECRET-CANARY');
    expect(response.headers.get('cache-control')).toBeNull();
  });

  it('a secrets reader - sees the credentials; the subgraph asked AWS for secrets once per connection; `private, no-store` reaches the client', async () => {
    const response = await throughGateway(`{ dashboards { id sourceConnection { connectionId connectionCredentials { accessKeyId secretAccessKey } } } }`, secretsReader);
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
    const returned = response.body.data!['dashboards'] as Array<Record<string, any>>;
    const withCredentials = returned.filter((dashboard) => dashboard['sourceConnection'].connectionCredentials !== null);
    expect(withCredentials.length).toBeGreaterThan(0);
    for (const dashboard of withCredentials) {
      const { connectionId, connectionCredentials } = dashboard['sourceConnection'];
      expect(connectionCredentials.accessKeyId).toBe(`SECRET-CANARY-${connectionId}-accessKeyId`);
    }
    const calls = callsOf(stack.emulator, 'GetConnection');
    expect(calls).toHaveLength(distinct(EXAMPLE_DASHBOARDS.map((dashboard) => dashboard.sourceConnectionId)).length);
    expect(calls.every((call) => call.withSecret)).toBe(true);
    expect(response.headers.get('cache-control')).toBe(CREDENTIAL_CACHE_CONTROL);
    expect(response.headers.get('vary')).toMatch(/\bAuthorization\b/);
  });

  it('a secrets reader whose token carries `scp` - the gateway reads its scopes as the subgraph does', async () => {
    const token = await mintToken([READ, SECRETS], { claim: 'scp' });
    const response = await throughGateway(`{ dashboards { sourceConnection { connectionId connectionCredentials { accessKeyId } } } }`, token);
    expect(response.status).toBe(200);
    expect(response.body.errors).toBeUndefined();
    const credentials = (response.body.data!['dashboards'] as Array<Record<string, any>>).map((dashboard) => dashboard['sourceConnection'].connectionCredentials);
    expect(credentials.some((credential) => credential?.accessKeyId?.startsWith('SECRET-CANARY-'))).toBe(true);
  });

  it('no token - anonymous: dashboards served; every aws-connections field refused by the gateway; no AWS call', async () => {
    const response = await throughGateway(`{ dashboards { id sourceConnection { name } } }`);
    expect(response.status).toBe(200);
    expect((response.body.data!['dashboards'] as Array<Record<string, any>>).map((dashboard) => dashboard['id'])).toEqual(EXAMPLE_DASHBOARDS.map((dashboard) => dashboard.id));
    expect(response.body.errors).toEqual([expect.objectContaining({ path: ['dashboards', 'sourceConnection', 'name'], extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE' } })]);
    expect(awsConnections.requests).toHaveLength(0);
    expect(stack.emulator.calls).toHaveLength(0);
  });

  it('a token signed with another secret - HTTP 401 from the gateway; no subgraph asked', async () => {
    const forged = await mintToken([READ, SECRETS], { secret: 'another-secret-0123456789abcdef0123' });
    const response = await throughGateway(`{ dashboards { id sourceConnection { name } } }`, forged);
    expect(response.status).toBe(401);
    expect(response.body.data).toBeUndefined();
    expect(awsConnections.requests).toHaveLength(0);
  });

  it('a token without `exp` - HTTP 401 UNAUTHENTICATED from the gateway, as from the subgraph; no subgraph asked', async () => {
    const neverExpires = await new SignJWT({ scope: `${READ} ${SECRETS}` }).setProtectedHeader({ alg: 'HS256' }).setSubject('test-user').setIssuedAt().sign(new TextEncoder().encode(TEST_JWT_SECRET));
    const response = await throughGateway(`{ dashboards { id sourceConnection { name } } }`, neverExpires);
    expect(response.status).toBe(401);
    expect(response.body.errors).toEqual([expect.objectContaining({ extensions: { code: 'UNAUTHENTICATED' } })]);
    expect(response.body.data).toBeUndefined();
    expect(awsConnections.requests).toHaveLength(0);
  });
});

describe('tools/supergraph/hive-gateway.ts', () => {
  it('hiveGatewayAuthConfig - refuses to configure without exactly one of a shared secret and a JWKS URL', () => {
    expect(() => hiveGatewayAuthConfig({})).toThrow(/AUTH_JWT_SECRET.*AUTH_JWKS_URL/);
    expect(() => hiveGatewayAuthConfig({ jwtSecret: 's', jwksUrl: 'https://idp.example.com/jwks.json' })).toThrow(/exactly one/);
  });

  it('hive-gateway.config.ts - the gatewayConfig the CLI reads verifies tokens with AUTH_JWT_SECRET and serves a secrets reader', async () => {
    const previous = process.env['AUTH_JWT_SECRET'];
    process.env['AUTH_JWT_SECRET'] = TEST_JWT_SECRET;
    const { gatewayConfig } = await import('../tools/supergraph/hive-gateway.config.js').finally(() => {
      if (previous === undefined) delete process.env['AUTH_JWT_SECRET'];
      else process.env['AUTH_JWT_SECRET'] = previous;
    });
    // The runtime's own fetch, no port: the configuration as the CLI would serve it.
    const cliRuntime = createGatewayRuntime({ supergraph: supergraphSdl, logging: false, ...gatewayConfig });
    try {
      const response = await cliRuntime.fetch('http://gateway/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${secretsReader}` },
        body: JSON.stringify({ query: '{ dashboards { sourceConnection { connectionCredentials { accessKeyId } } } }' }),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe(CREDENTIAL_CACHE_CONTROL);
      expect(await response.text()).toContain('SECRET-CANARY-');
    } finally {
      await cliRuntime.dispose();
    }
  });
});
