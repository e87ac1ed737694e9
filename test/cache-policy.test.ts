/**
 * The cache policy (src/server/cache-policy.ts): the `cache-control` both Apollo Server's path and
 * the fast path answer with. First against Apollo's own cache control plugin, the reference for what
 * `@cacheControl` means, over a schema made to have policies that depend on the data; then the real
 * schema, whose hints never make the policy depend on the data.
 */
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControl } from '@apollo/server/plugin/cacheControl';
import { type GraphQLSchema, buildSchema, getNamedType, isObjectType, isUnionType, parse } from 'graphql';
import assert from 'node:assert';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildServedSchema } from '../src/schema/build.js';
import { cacheControlFor, planCachePolicy } from '../src/server/cache-policy.js';

const planOf = (schema: GraphQLSchema, query: string) => {
  const document = parse(query);
  const operation = document.definitions.find((definition) => definition.kind === 'OperationDefinition');
  assert(operation?.kind === 'OperationDefinition');
  return planCachePolicy(schema, document, operation);
};
const planned = (schema: GraphQLSchema, query: string, variables: Record<string, unknown> = {}): string | undefined => {
  const plan = planOf(schema, query);
  return plan ? cacheControlFor(plan, schema, variables) : undefined;
};

/** The most restrictive of some `cache-control` headers (the shortest max-age; private if any is). */
function strictest(headers: readonly string[]): string {
  if (headers.includes('no-store')) return 'no-store';
  const parsed = headers.map((header) => /^max-age=(\d+), (public|private)$/.exec(header));
  const maxAge = Math.min(...parsed.map((match) => Number(match?.[1])));
  return `max-age=${maxAge}, ${parsed.some((match) => match?.[2] === 'private') ? 'private' : 'public'}`;
}

describe('the cache policy against Apollo\'s cache control plugin', () => {
  const typeDefs = `
    enum CacheControlScope { PUBLIC PRIVATE }
    directive @cacheControl(maxAge: Int, scope: CacheControlScope, inheritMaxAge: Boolean) on FIELD_DEFINITION | OBJECT | INTERFACE | UNION
    type Query {
      a: A @cacheControl(maxAge: 60)
      list: [A] @cacheControl(maxAge: 100)
      pub: Int @cacheControl(maxAge: 30)
      plain: Int
      u: U
      i: I @cacheControl(maxAge: 80)
    }
    type A @cacheControl(maxAge: 120) { x: Int b: B p: P priv: Int @cacheControl(scope: PRIVATE) c: C long: Long }
    type B { y: Int }
    type P @cacheControl(maxAge: 10) { z: Int }
    type Long @cacheControl(maxAge: 500) { z: Int }
    type C @cacheControl(inheritMaxAge: true) { w: Int }
    union U @cacheControl(maxAge: 45) = A | D
    type D @cacheControl(maxAge: 5) { v: Int }
    interface I { id: Int }
    type I1 implements I @cacheControl(maxAge: 70) { id: Int }
    type I2 implements I { id: Int @cacheControl(maxAge: 3) }
  `;
  const full = { x: 1, b: { y: 1 }, p: { z: 1 }, priv: 1, c: { w: 1 }, long: { z: 1 } };
  const hollow = { x: 1, b: null, p: null, priv: null, c: null, long: null };
  /** The same fields resolving to different data: which nested fields resolve differs from one to the next. */
  const DATA: Record<string, Record<string, unknown>> = {
    nulls: { a: null, list: null, pub: null, plain: null, u: null, i: null },
    full: { a: full, list: [full, hollow], pub: 1, plain: 1, u: { __typename: 'A', ...full }, i: { __typename: 'I2', id: 1 } },
    hollow: { a: hollow, list: [], pub: 1, plain: 1, u: { __typename: 'D', v: 1 }, i: { __typename: 'I1', id: 1 } },
  };
  const resolvers = {
    Query: Object.fromEntries(['a', 'list', 'pub', 'plain', 'u', 'i'].map((name) => [name, (_: unknown, __: unknown, data: Record<string, unknown>) => data[name]])),
    U: { __resolveType: (value: { __typename: string }) => value.__typename },
    I: { __resolveType: (value: { __typename: string }) => value.__typename },
  };
  const schema = buildSchema(typeDefs);
  let apollo: ApolloServer<Record<string, unknown>>;

  beforeAll(async () => {
    apollo = new ApolloServer<Record<string, unknown>>({ typeDefs, resolvers, plugins: [ApolloServerPluginCacheControl({ defaultMaxAge: 0, calculateHttpHeaders: true })] });
    await apollo.start();
  });
  afterAll(() => apollo.stop());

  /** Apollo's `cache-control` for the query over each kind of data. */
  async function apolloHeaders(query: string, variables?: Record<string, unknown>): Promise<string[]> {
    const headers: string[] = [];
    for (const data of Object.values(DATA)) {
      const response = await apollo.executeOperation({ query, variables }, { contextValue: data });
      assert(response.body.kind === 'single');
      expect(response.body.singleResult.errors).toBeUndefined();
      headers.push(response.http.headers.get('cache-control') ?? '(none)');
    }
    return headers;
  }

  const DECIDED: Array<[query: string, header: string]> = [
    ['{ pub }', 'max-age=30, public'],
    ['{ plain }', 'no-store'],
    ['{ a { x } }', 'max-age=60, public'],
    ['{ a { x c { w } long { z } } pub }', 'max-age=30, public'],
    ['{ list { x long { z } } }', 'max-age=100, public'],
    ['{ u { ... on A { x } ... on D { v } } }', 'max-age=45, public'],
    ['{ ...Root } fragment Root on Query { a { x } }', 'max-age=60, public'],
    ['{ a { b { y } } plain }', 'no-store'],
    ['{ __typename }', 'no-store'],
    ['{ a @include(if: true) { x } }', 'max-age=60, public'],
    ['{ a { x } plain @skip(if: true) }', 'max-age=60, public'],
  ];
  const DEPENDS_ON_DATA = ['{ a { b { y } } }', '{ a { p { z } } }', '{ a { priv } }', '{ list { p { z } } }', '{ i { id } }', '{ u { ... on A { p { z } } } }'];

  for (const [query, header] of DECIDED) {
    test(`${query} - ${header}, as Apollo computes it for any data`, async () => {
      expect(planned(schema, query)).toBe(header);
      expect(await apolloHeaders(query)).toEqual([header, header, header]);
    });
  }

  test('a policy Apollo would let the data decide - the most restrictive Apollo gives for any data, decided before anything runs', async () => {
    let varying = 0;
    for (const query of DEPENDS_ON_DATA) {
      const headers = await apolloHeaders(query);
      expect(planned(schema, query), query).toBe(strictest(headers));
      if (new Set(headers).size > 1) varying += 1;
    }
    // Not vacuous: each of these changes with the data under Apollo's plugin.
    expect(varying).toBe(DEPENDS_ON_DATA.length);
  });

  test('@skip and @include on root selections - decided by the request\'s variables and their defaults, as Apollo decides them', async () => {
    const queries = [
      'query($x: Boolean!) { a @include(if: $x) { x } pub }',
      'query($x: Boolean!) { pub ... @skip(if: $x) { plain } }',
      'query($x: Boolean! = true) { plain @skip(if: $x) pub }',
      'query($x: Boolean!) { ...R @include(if: $x) pub } fragment R on Query { plain }',
    ];
    const seen = new Set<string>();
    for (const query of queries) {
      for (const variables of [{ x: true }, { x: false }]) {
        const header = planned(schema, query, variables);
        expect(await apolloHeaders(query, variables), `${query} ${JSON.stringify(variables)}`).toEqual([header, header, header]);
        seen.add(header ?? '(none)');
      }
    }
    expect(planned(schema, queries[2]!, {})).toBe('max-age=30, public');
    // Not vacuous: the conditions changed the header.
    expect(seen).toEqual(new Set(['max-age=30, public', 'no-store']));
    // A condition that is no boolean: the request fails (its answer is `no-store`), nothing is planned for it.
    expect(planned(schema, queries[0]!, { x: 'yes' })).toBeUndefined();
  });
});

describe('the cache policy of the real schema', () => {
  const { schema } = buildServedSchema();

  test('_entities - restricted by each representation type, as @apollo/subgraph has Apollo\'s plugin do; representations that cannot succeed plan nothing', () => {
    const query = 'query E($r: [_Any!]!) { _entities(representations: $r) { ... on DataZoneConnection { name } } }';
    const connection = { __typename: 'DataZoneConnection', domainId: 'd', connectionId: 'c' };
    const connector = { __typename: 'QuickSightActionConnector', awsAccountId: '1', actionConnectorId: 'c' };
    expect(planned(schema, query, { r: [connection] })).toBe('max-age=60, public');
    expect(planned(schema, query, { r: [connection, connector] })).toBe('max-age=60, public');
    // graphql-js makes a single representation a list of one.
    expect(planned(schema, query, { r: connection })).toBe('max-age=60, public');
    expect(planned(schema, query, { r: [] })).toBe('no-store');
    expect(planned(schema, query, { r: [connection, { __typename: 'Nope' }] })).toBeUndefined();
    expect(planned(schema, query, {})).toBeUndefined();
    expect(planned(schema, '{ _entities(representations: [{ __typename: "DataZoneConnection", domainId: "d", connectionId: "c" }]) { __typename } }')).toBe('max-age=60, public');
    expect(planned(schema, 'query($c: _Any!) { _entities(representations: [$c]) { __typename } }', { c: connector })).toBe('max-age=60, public');
  });

  /** A selection of every field below a type, arguments left out (planning reads no argument but `representations`). */
  function everything(typeName: string, path: readonly string[] = []): string {
    const type = schema.getType(typeName);
    if (isUnionType(type)) return `{ __typename ${type.getTypes().map((member) => `... on ${member.name} ${everything(member.name, [...path, typeName])}`).join(' ')} }`;
    assert(isObjectType(type));
    const selections = Object.values(type.getFields()).flatMap((field) => {
      const named = getNamedType(field.type);
      if (!isObjectType(named) && !isUnionType(named)) return [field.name];
      return path.includes(named.name) ? [] : [`${field.name} ${everything(named.name, [...path, typeName])}`];
    });
    return `{ __typename ${selections.join(' ')} }`;
  }

  test('no hint below a root field is stricter than the root field\'s own - so no policy depends on the data, and Apollo\'s plugin would answer the same', () => {
    const rootFields = Object.values(schema.getQueryType()!.getFields()).filter((field) => !field.name.startsWith('_'));
    expect(rootFields.map((field) => field.name).sort()).toEqual(['dataZoneConnection', 'dataZoneConnections', 'quickSightActionConnector', 'quickSightActionConnectors']);
    const headers = new Set<string>();
    for (const field of rootFields) {
      const alone = planned(schema, `{ ${field.name} { __typename } }`);
      const deep = `{ ${field.name} ${everything(getNamedType(field.type).name)} }`;
      expect(deep.length, field.name).toBeGreaterThan(1_000);
      expect(planned(schema, deep), field.name).toBe(alone);
      headers.add(alone ?? '(none)');
    }
    for (const entity of ['DataZoneConnection', 'QuickSightActionConnector']) {
      const variables = { r: [{ __typename: entity }] };
      const alone = planned(schema, 'query($r: [_Any!]!) { _entities(representations: $r) { __typename } }', variables);
      const deep = `query($r: [_Any!]!) { _entities(representations: $r) { ... on ${entity} ${everything(entity)} } }`;
      expect(planned(schema, deep, variables), entity).toBe(alone);
      headers.add(alone ?? '(none)');
    }
    // The documented policies: entities for a minute, list pages for half of one.
    expect(headers).toEqual(new Set(['max-age=60, public', 'max-age=30, public']));
  });
});
