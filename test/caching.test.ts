import * as fc from 'fast-check';
import { getNamedType, isCompositeType, isObjectType, isUnionType } from 'graphql';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServedSchema } from '../src/schema/build.js';
import { CREDENTIAL_CACHE_CONTROL } from '../src/server/response-policy.js';
import { DEMO_AWS_ACCOUNT_ID, DEMO_DOMAIN_ID, seededIds } from '../tools/emulator/seed.js';
import { chooserFrom, collectCanaries, createOperationGenerator, secretSelection } from './support/operations.js';
import { READ, SECRETS, type Stack, callsOf, mintToken, startStack } from './support/stack.js';

let stack: Stack;
let reader: string;
let secretsReader: string;
const { schema, policy } = buildServedSchema();

beforeAll(async () => {
  stack = await startStack();
  reader = await mintToken([READ]);
  secretsReader = await mintToken([READ, SECRETS]);
});
afterAll(() => stack.close());

const NON_SECRET_READ = /* GraphQL */ `
  query Reads($domain: ID!, $connection: ID!, $account: ID!) {
    dataZoneConnection(domainIdentifier: $domain, identifier: $connection) { name type physicalEndpoints { protocol } props { __typename } }
    quickSightActionConnector(awsAccountId: $account, actionConnectorId: "jira-cloud") { name authenticationConfig { authenticationMetadata { __typename } } }
  }`;
const NON_SECRET_VARIABLES = { domain: DEMO_DOMAIN_ID, connection: 'conn-athena-sales', account: DEMO_AWS_ACCOUNT_ID };
const CREDENTIAL_READ = `{ dataZoneConnection(domainIdentifier: "${DEMO_DOMAIN_ID}", identifier: "conn-athena-sales", withSecret: true) { name connectionCredentials { accessKeyId secretAccessKey } } }`;

/** A GET request as a CDN would see it: everything in the URL; the header makes CSRF prevention let it through. */
function getQuery(params: Record<string, unknown>, token?: string): Promise<Response> {
  const search = new URLSearchParams(Object.entries(params).map(([name, value]) => [name, typeof value === 'string' ? value : JSON.stringify(value)]));
  return fetch(`${stack.subgraph.url}?${search}`, {
    headers: { 'apollo-require-preflight': 'true', ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });
}

function varyTokens(headers: Headers): string[] {
  return (headers.get('vary') ?? '').split(',').map((token) => token.trim().toLowerCase());
}

describe('cache-control from @cacheControl hints', () => {
  it('a reader\'s non-secret read - `max-age=60, public`, varying by Authorization (and Origin, for CORS)', async () => {
    const response = await stack.graphql(NON_SECRET_READ, { token: reader, variables: NON_SECRET_VARIABLES });
    expect(response.body.errors).toBeUndefined();
    expect(response.headers.get('cache-control')).toBe('max-age=60, public');
    expect(varyTokens(response.headers)).toEqual(expect.arrayContaining(['authorization', 'origin']));
  });

  it('_entities of both entity types - `max-age=60, public` (the entity types\' hints reach the _entities field)', async () => {
    const response = await stack.graphql(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on DataZoneConnection { name } ... on QuickSightActionConnector { name } } }`,
      {
        token: reader,
        variables: {
          r: [
            { __typename: 'DataZoneConnection', domainId: DEMO_DOMAIN_ID, connectionId: 'conn-athena-sales' },
            { __typename: 'QuickSightActionConnector', awsAccountId: DEMO_AWS_ACCOUNT_ID, actionConnectorId: 'jira-cloud' },
          ],
        },
      },
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.headers.get('cache-control')).toBe('max-age=60, public');
  });

  it('a response with an error (a reader asking for a credential, or no token) - `no-store`', async () => {
    const hidden = await stack.graphql(CREDENTIAL_READ, { token: reader });
    expect(hidden.body.data!['dataZoneConnection'].connectionCredentials).toBeNull();
    expect(hidden.body.errors![0]!.extensions!['code']).toBe('UNAUTHORIZED_FIELD_OR_TYPE');
    expect(hidden.headers.get('cache-control')).toBe('no-store');
    const anonymous = await stack.graphql(NON_SECRET_READ, { variables: NON_SECRET_VARIABLES });
    expect(anonymous.headers.get('cache-control')).toBe('no-store');
  });

  it('list pages - `max-age=30, public` (lists change whenever anything is created or deleted)', async () => {
    const response = await stack.graphql(
      `{ quickSightActionConnectors(awsAccountId: "${DEMO_AWS_ACCOUNT_ID}", first: 3) { edges { cursor node { name } } pageInfo { hasNextPage endCursor } }
         dataZoneConnections(domainIdentifier: "${DEMO_DOMAIN_ID}", first: 3) { edges { node { name type } } pageInfo { hasNextPage } } }`,
      { token: reader },
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data!['quickSightActionConnectors'].edges).toHaveLength(3);
    expect(response.headers.get('cache-control')).toBe('max-age=30, public');
  });

  it('every object and union type below the root fields - carries a @cacheControl hint, so nothing falls back to maxAge 0 unnoticed', () => {
    const unhinted: string[] = [];
    const seen = new Set<string>();
    const visit = (typeName: string) => {
      if (seen.has(typeName)) return;
      seen.add(typeName);
      const type = schema.getType(typeName);
      if (!isObjectType(type) && !isUnionType(type)) return;
      if (!type.astNode?.directives?.some((directive) => directive.name.value === 'cacheControl')) unhinted.push(typeName);
      const children = isUnionType(type) ? type.getTypes() : Object.values(type.getFields()).map((field) => getNamedType(field.type));
      for (const child of children) if (isCompositeType(child)) visit(child.name);
    };
    // Federation's own root fields (`_service`, `_entities`) are built by @apollo/subgraph; `_entities`
    // takes each entity type's hint (tested above).
    const rootFields = Object.values(schema.getQueryType()!.getFields()).filter((field) => !field.name.startsWith('_'));
    expect(rootFields.map((field) => field.name)).toEqual(expect.arrayContaining(['quickSightActionConnector', 'dataZoneConnection']));
    for (const field of rootFields) visit(getNamedType(field.type).name);
    expect(seen.size).toBeGreaterThan(40);
    expect(unhinted).toEqual([]);
  });
});

describe('responses that carry a credential are `private, no-store`', () => {
  it('a secrets reader\'s credentials - `private, no-store`; the same caller\'s non-secret read stays cacheable', async () => {
    const secret = await stack.graphql(CREDENTIAL_READ, { token: secretsReader });
    expect(secret.body.data!['dataZoneConnection'].connectionCredentials.secretAccessKey).toMatch(/SECRET-CANARY/);
    expect(secret.headers.get('cache-control')).toBe(CREDENTIAL_CACHE_CONTROL);
    expect(varyTokens(secret.headers)).toContain('authorization');

    const plain = await stack.graphql(NON_SECRET_READ, { token: secretsReader, variables: NON_SECRET_VARIABLES });
    expect(plain.body.errors).toBeUndefined();
    expect(plain.headers.get('cache-control')).toBe('max-age=60, public');
  });

  it('every seeded connection with every credential field selected, via _entities - `private, no-store` exactly when a credential came back', async () => {
    const { connectionIds } = seededIds();
    const outcomes = { withCredentials: 0, without: 0 };
    for (const connectionId of connectionIds) {
      const response = await stack.graphql(
        `query($r: [_Any!]!) { _entities(representations: $r) { ... on DataZoneConnection ${secretSelection(schema, policy.mayCarryCredentials, 'DataZoneConnection')} } }`,
        { token: secretsReader, variables: { r: [{ __typename: 'DataZoneConnection', domainId: DEMO_DOMAIN_ID, connectionId }] } },
      );
      expect(response.body.errors, connectionId).toBeUndefined();
      const withCredentials = collectCanaries(response.body.data).length > 0;
      outcomes[withCredentials ? 'withCredentials' : 'without'] += 1;
      expect(response.headers.get('cache-control'), connectionId).toBe(withCredentials ? CREDENTIAL_CACHE_CONTROL : 'max-age=60, public');
    }
    expect(outcomes.withCredentials).toBeGreaterThan(0);
    expect(outcomes.without).toBeGreaterThan(0);
  });

  it('random operations over the schema (fast-check) - a credential in the answer always means `private, no-store`; a clean read without secret fields is `max-age=60, public`', async () => {
    const generator = createOperationGenerator(schema, policy.mayCarryCredentials);
    const outcomes = { withCredentials: 0, cacheable: 0 };
    await fc.assert(
      fc.asyncProperty(fc.gen(), fc.boolean(), async (g, asSecretsReader) => {
        const operation = generator.generate(chooserFrom(g));
        const response = await stack.graphql(operation.query, { token: asSecretsReader ? secretsReader : reader, variables: operation.variables });
        const cacheControl = response.headers.get('cache-control');
        if (collectCanaries(response.body.data).length > 0) {
          outcomes.withCredentials += 1;
          expect(cacheControl).toBe(CREDENTIAL_CACHE_CONTROL);
        }
        if (response.body.errors === undefined && !operation.selectsSecrets) {
          outcomes.cacheable += 1;
          expect(cacheControl).toBe('max-age=60, public');
        }
        if (response.body.errors !== undefined) expect(cacheControl).toMatch(/no-store/);
      }),
      { numRuns: 60, seed: 4 },
    );
    // Both branches of the property were exercised.
    expect(outcomes.withCredentials).toBeGreaterThan(0);
    expect(outcomes.cacheable).toBeGreaterThan(0);
  });
});

describe('GET and automatic persisted queries', () => {
  it('GET with query and variables in the URL - executes, cacheable like the POST', async () => {
    const response = await getQuery({ query: NON_SECRET_READ, variables: NON_SECRET_VARIABLES }, reader);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data: Record<string, any>; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data['dataZoneConnection'].name).toBe('athena-sales');
    expect(response.headers.get('cache-control')).toBe('max-age=60, public');
  });

  it('APQ - a hash-only GET is PERSISTED_QUERY_NOT_FOUND until registered, then executes from the hash alone', async () => {
    // A document unique to this run, so no earlier test registered it.
    const query = `${NON_SECRET_READ} # apq ${Date.now()}`;
    const persistedQuery = { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') };

    const unknown = await getQuery({ extensions: { persistedQuery }, variables: NON_SECRET_VARIABLES }, reader);
    const unknownBody = (await unknown.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(unknownBody.errors[0]!.extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');

    const registered = await stack.graphql(query, { token: reader, variables: NON_SECRET_VARIABLES, extensions: { persistedQuery } });
    expect(registered.body.errors).toBeUndefined();

    stack.emulator.resetCalls();
    const hashOnly = await getQuery({ extensions: { persistedQuery }, variables: NON_SECRET_VARIABLES }, reader);
    expect(hashOnly.status).toBe(200);
    const body = (await hashOnly.json()) as { data: Record<string, any>; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data['quickSightActionConnector'].name).toBe(registered.body.data!['quickSightActionConnector'].name);
    expect(hashOnly.headers.get('cache-control')).toBe('max-age=60, public');
    // The hash really ran the query against AWS; nothing was answered from a response cache.
    expect(callsOf(stack.emulator, 'GetConnection')).toHaveLength(1);
    expect(callsOf(stack.emulator, 'DescribeActionConnector')).toHaveLength(1);

    // A hash that does not match its document is refused.
    const mismatched = await stack.graphql('{ __typename }', { extensions: { persistedQuery } });
    expect(mismatched.status).toBe(400);
  });

  it('APQ for a secrets reader - a hash-only GET that returns credentials is `private, no-store`', async () => {
    const query = `${CREDENTIAL_READ} # apq-secret ${Date.now()}`;
    const persistedQuery = { version: 1, sha256Hash: createHash('sha256').update(query).digest('hex') };
    await stack.graphql(query, { token: secretsReader, extensions: { persistedQuery } });
    const response = await getQuery({ extensions: { persistedQuery } }, secretsReader);
    const body = (await response.json()) as { data: Record<string, any> };
    expect(body.data['dataZoneConnection'].connectionCredentials.accessKeyId).toMatch(/SECRET-CANARY/);
    expect(response.headers.get('cache-control')).toBe(CREDENTIAL_CACHE_CONTROL);
  });
});
