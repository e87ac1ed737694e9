/**
 * The rules of the schema's authorization policy (src/auth/policy.ts), in-process: each rule on a
 * small schema made for it (any-of and all-of in `@requiresScopes`, a field's requirement together
 * with its return type's, `@authenticated`, entity types), the walk that decides whether an
 * operation selects a credential, and two selection shapes of that walk through the real schema.
 */
import { ApolloServer } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { type DocumentNode, type FieldNode, type GraphQLResolveInfo, type GraphQLSchema, Kind, type OperationDefinitionNode, parse, print } from 'graphql';
import assert from 'node:assert/strict';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { AuthPolicy, type Requirement, SECRETS_SCOPE, READ_SCOPE, isSatisfied, stripAuthDirectives, unauthorizedFieldOrType } from '../src/auth/policy.js';
import type { ConnectionKey } from '../src/datazone/model.js';
import { buildGatewaySchema } from '../src/schema/build.js';
import type { Caller } from '../src/server/context.js';

const UNAUTHORIZED = 'UNAUTHORIZED_FIELD_OR_TYPE';

const anonymous: Caller = { authenticated: false, scopes: new Set() };
const signedIn = (...scopes: string[]): Caller => ({ authenticated: true, scopes: new Set(scopes) });
/** Not a caller the verifier makes; shows that a scope requirement also requires authentication. */
const unauthenticatedWith = (...scopes: string[]): Caller => ({ authenticated: false, scopes: new Set(scopes) });

function describeCaller(caller: Caller): string {
  if (!caller.authenticated) return caller.scopes.size === 0 ? 'an anonymous caller' : `an unauthenticated caller with [${[...caller.scopes].join(', ')}]`;
  return caller.scopes.size === 0 ? 'a signed-in caller without scopes' : `a caller with [${[...caller.scopes].join(', ')}]`;
}

interface Result {
  data: Record<string, unknown> | null | undefined;
  errors: Array<{ message: string; path?: ReadonlyArray<string | number>; extensions?: Record<string, unknown> }>;
}

async function execute(server: ApolloServer<Record<string, unknown>>, query: string, contextValue: Record<string, unknown>, variables?: Record<string, unknown>): Promise<Result> {
  const response = await server.executeOperation({ query, variables }, { contextValue });
  assert(response.body.kind === 'single');
  const { data, errors } = response.body.singleResult;
  return { data: data as Result['data'], errors: (errors ?? []) as Result['errors'] };
}

/** Exactly one error, UNAUTHORIZED_FIELD_OR_TYPE at `path`, and null there. */
function expectRefusedAt(result: Result, path: Array<string | number>): void {
  expect(result.errors.map((error) => ({ path: error.path, code: error.extensions?.['code'], message: error.message }))).toEqual([
    { path, code: UNAUTHORIZED, message: 'Unauthorized field or type' },
  ]);
  let value: unknown = result.data;
  for (const segment of path) value = (value as Record<string | number, unknown>)[segment];
  expect(value).toBeNull();
}

// ---------------------------------------------------------------------------------------------
// A schema made for the rules
// ---------------------------------------------------------------------------------------------

const RULES_SDL = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key", "@authenticated", "@requiresScopes"])

  type Query {
    open: String
    signedIn: String @authenticated
    anyOf: String @requiresScopes(scopes: [["a"], ["b"]])
    allOf: String @requiresScopes(scopes: [["a", "b"]])
    mixed: String @requiresScopes(scopes: [["a", "b"], ["c"]])
    authenticatedThenScopes: String @authenticated @requiresScopes(scopes: [["a"]])
    scopesThenAuthenticated: String @requiresScopes(scopes: [["a"]]) @authenticated
    vault: Vault @requiresScopes(scopes: [["field"]])
    anyVault: Vault
    vaults: [Vault!]
    profile: Profile
    secretOrA: String @requiresScopes(scopes: [["a"], ["${SECRETS_SCOPE}"]])
    readAndSecret: String @requiresScopes(scopes: [["${READ_SCOPE}", "${SECRETS_SCOPE}"]])
    locker: Locker
  }

  "Its requirement holds for every field that returns it, on top of that field's own."
  type Vault @requiresScopes(scopes: [["type"]]) {
    id: ID
    "No resolver of its own: graphql's default resolver reads it."
    pin: String @requiresScopes(scopes: [["pin"]])
  }

  # An extension without directives adds fields and leaves the type's requirement alone.
  extend type Vault {
    note: String
  }

  type Profile @authenticated {
    name: String
  }

  type Thing @key(fields: "id") @requiresScopes(scopes: [["thing"]]) {
    id: ID!
    name: String
  }

  "An entity type without a reference resolver: _entities answers with the representation."
  type Badge @key(fields: "id") @authenticated {
    id: ID!
  }

  type Plain @key(fields: "id") {
    id: ID!
    label: String
  }

  type Locker {
    label: String
    key: String @requiresScopes(scopes: [["${SECRETS_SCOPE}"]])
    inner: Locker
    items: [Item]
  }

  union Item = Locker | Note

  type Note {
    text: String
  }
`;

const VAULT = { id: 'v1', pin: '1234', note: 'a note' };
const LOCKER = { label: 'outer', key: 'outer-key', inner: { label: 'inner', key: 'inner-key' }, items: [{ text: 'note' }, { label: 'item', key: 'item-key' }] };

describe('AuthPolicy on a schema made for its rules', () => {
  const typeDefs = parse(RULES_SDL);
  const policy = new AuthPolicy(typeDefs);
  let referenceResolutions: string[] = [];
  /** What `selectsSecretFields` answered in Query.locker, and the info it was asked with. */
  let lockerSelections: Array<{ selects: boolean; info: GraphQLResolveInfo }> = [];
  let server: ApolloServer<Record<string, unknown>>;
  let schema: GraphQLSchema;

  const named = (name: string) => () => name;
  const resolvers = {
    Query: {
      open: named('open'),
      signedIn: named('signedIn'),
      anyOf: named('anyOf'),
      allOf: named('allOf'),
      mixed: named('mixed'),
      authenticatedThenScopes: named('authenticatedThenScopes'),
      scopesThenAuthenticated: named('scopesThenAuthenticated'),
      secretOrA: named('secretOrA'),
      readAndSecret: named('readAndSecret'),
      vault: () => VAULT,
      anyVault: () => VAULT,
      vaults: () => [VAULT],
      profile: () => ({ name: 'profile' }),
      locker: (_parent: unknown, _args: unknown, _context: unknown, info: GraphQLResolveInfo) => {
        lockerSelections.push({ selects: policy.selectsSecretFields(info), info });
        return LOCKER;
      },
    },
    Item: { __resolveType: (item: object) => ('text' in item ? 'Note' : 'Locker') },
    Thing: {
      __resolveReference: (reference: { id: string }) => {
        referenceResolutions.push(`Thing:${reference.id}`);
        return { id: reference.id, name: `thing ${reference.id}` };
      },
    },
    Plain: {
      __resolveReference: (reference: { id: string }) => {
        referenceResolutions.push(`Plain:${reference.id}`);
        return { id: reference.id, label: 'plain' };
      },
    },
  };

  beforeAll(async () => {
    schema = buildSubgraphSchema([{ typeDefs, resolvers: resolvers as never }]);
    policy.enforce(schema);
    server = new ApolloServer<Record<string, unknown>>({ schema });
    await server.start();
  });
  afterAll(() => server?.stop());
  beforeEach(() => {
    referenceResolutions = [];
    lockerSelections = [];
  });

  const run = (query: string, caller: Caller, variables?: Record<string, unknown>) => execute(server, query, { caller }, variables);

  // -------------------------------------------------------------------------------------------
  // Requirements as the policy reads them from the SDL
  // -------------------------------------------------------------------------------------------

  test('AuthPolicy - reads @requiresScopes as alternatives (outer list) of scope sets (inner lists), implying @authenticated', () => {
    expect(policy.fieldRequirement('Query', 'anyOf')).toEqual({ authenticated: true, scopes: [['a'], ['b']] });
    expect(policy.fieldRequirement('Query', 'allOf')).toEqual({ authenticated: true, scopes: [['a', 'b']] });
    expect(policy.fieldRequirement('Query', 'mixed')).toEqual({ authenticated: true, scopes: [['a', 'b'], ['c']] });
  });

  test('AuthPolicy - reads @authenticated alone, and together with @requiresScopes in either order', () => {
    expect(policy.fieldRequirement('Query', 'signedIn')).toEqual({ authenticated: true });
    expect(policy.fieldRequirement('Query', 'authenticatedThenScopes')).toEqual({ authenticated: true, scopes: [['a']] });
    expect(policy.fieldRequirement('Query', 'scopesThenAuthenticated')).toEqual({ authenticated: true, scopes: [['a']] });
    expect(policy.fieldRequirement('Query', 'open')).toBeUndefined();
  });

  test("AuthPolicy - reads a type's requirement, which a later extension of the type without directives keeps", () => {
    expect(policy.typeRequirement('Vault')).toEqual({ authenticated: true, scopes: [['type']] });
    expect(policy.typeRequirement('Profile')).toEqual({ authenticated: true });
    expect(policy.typeRequirement('Locker')).toBeUndefined();
    expect(policy.fieldRequirement('Vault', 'pin')).toEqual({ authenticated: true, scopes: [['pin']] });
    expect(policy.fieldRequirement('Vault', 'note')).toBeUndefined();
  });

  test('AuthPolicy.secretFields - holds every field one of whose alternatives names the secrets scope, and no other', () => {
    expect([...policy.secretFields].sort()).toEqual(['Locker.key', 'Query.readAndSecret', 'Query.secretOrA']);
  });

  test('AuthPolicy - reads requirements from type extensions (`extend type Query`) as from definitions', () => {
    const extended = new AuthPolicy(parse(`
      type Query { a: String }
      extend type Query { b: String @requiresScopes(scopes: [["x"]]) }
      extend type Other @authenticated { c: String @requiresScopes(scopes: [["${SECRETS_SCOPE}"]]) }
      interface Ignored @authenticated { d: String }
    `));
    expect(extended.fieldRequirement('Query', 'b')).toEqual({ authenticated: true, scopes: [['x']] });
    expect(extended.typeRequirement('Other')).toEqual({ authenticated: true });
    expect([...extended.secretFields]).toEqual(['Other.c']);
    expect(extended.typeRequirement('Ignored')).toBeUndefined();
  });

  // -------------------------------------------------------------------------------------------
  // isSatisfied
  // -------------------------------------------------------------------------------------------

  const SATISFACTION: Array<{ requirement: Requirement; caller: Caller; satisfied: boolean }> = [
    { requirement: { authenticated: false }, caller: anonymous, satisfied: true },
    { requirement: { authenticated: true }, caller: anonymous, satisfied: false },
    { requirement: { authenticated: true }, caller: signedIn(), satisfied: true },
    { requirement: { authenticated: true, scopes: [['a'], ['b']] }, caller: signedIn('b'), satisfied: true },
    { requirement: { authenticated: true, scopes: [['a'], ['b']] }, caller: signedIn('c'), satisfied: false },
    { requirement: { authenticated: true, scopes: [['a', 'b']] }, caller: signedIn('a'), satisfied: false },
    { requirement: { authenticated: true, scopes: [['a', 'b']] }, caller: signedIn('b', 'a'), satisfied: true },
    { requirement: { authenticated: true, scopes: [['a', 'b']] }, caller: unauthenticatedWith('a', 'b'), satisfied: false },
    { requirement: { authenticated: false, scopes: [['a']] }, caller: unauthenticatedWith('a'), satisfied: true },
    { requirement: { authenticated: false, scopes: [['a']] }, caller: anonymous, satisfied: false },
  ];
  for (const { requirement, caller, satisfied } of SATISFACTION) {
    test(`isSatisfied - ${JSON.stringify(requirement)} is ${satisfied ? '' : 'not '}met by ${describeCaller(caller)}`, () => {
      expect(isSatisfied(requirement, caller)).toBe(satisfied);
    });
  }

  test('unauthorizedFieldOrType - is the Apollo Router\'s error: its message and code', () => {
    const error = unauthorizedFieldOrType();
    expect(error.message).toBe('Unauthorized field or type');
    expect(error.extensions).toEqual({ code: UNAUTHORIZED });
  });

  // -------------------------------------------------------------------------------------------
  // Enforcement, field by field
  // -------------------------------------------------------------------------------------------

  interface Rule {
    rule: string;
    field: string;
    selection?: string;
    value: unknown;
    visible: Caller[];
    hidden: Caller[];
  }

  const RULES: Rule[] = [
    { rule: 'a field without requirements', field: 'open', value: 'open', visible: [anonymous, signedIn()], hidden: [] },
    { rule: '@authenticated', field: 'signedIn', value: 'signedIn', visible: [signedIn()], hidden: [anonymous, unauthenticatedWith('a')] },
    {
      rule: 'any one alternative of @requiresScopes (outer list: any of)',
      field: 'anyOf',
      value: 'anyOf',
      visible: [signedIn('a'), signedIn('b'), signedIn('a', 'b')],
      hidden: [signedIn('c'), signedIn(), anonymous, unauthenticatedWith('a', 'b')],
    },
    {
      rule: 'every scope of an alternative (inner list: all of)',
      field: 'allOf',
      value: 'allOf',
      visible: [signedIn('a', 'b'), signedIn('a', 'b', 'c')],
      hidden: [signedIn('a'), signedIn('b'), signedIn('a', 'c')],
    },
    {
      rule: 'any of, each all of',
      field: 'mixed',
      value: 'mixed',
      visible: [signedIn('c'), signedIn('a', 'b'), signedIn('a', 'c')],
      hidden: [signedIn('a'), signedIn('b'), signedIn()],
    },
    { rule: '@authenticated before @requiresScopes', field: 'authenticatedThenScopes', value: 'authenticatedThenScopes', visible: [signedIn('a')], hidden: [signedIn(), unauthenticatedWith('a')] },
    { rule: '@requiresScopes before @authenticated', field: 'scopesThenAuthenticated', value: 'scopesThenAuthenticated', visible: [signedIn('a')], hidden: [signedIn(), unauthenticatedWith('a')] },
    {
      rule: "both the field's requirement and its return type's",
      field: 'vault',
      selection: '{ id note }',
      value: { id: 'v1', note: 'a note' },
      visible: [signedIn('field', 'type')],
      hidden: [signedIn('field'), signedIn('type'), anonymous],
    },
    { rule: "the return type's requirement alone", field: 'anyVault', selection: '{ id }', value: { id: 'v1' }, visible: [signedIn('type')], hidden: [signedIn('field'), signedIn()] },
    { rule: "a list's item type's requirement", field: 'vaults', selection: '{ id }', value: [{ id: 'v1' }], visible: [signedIn('type')], hidden: [signedIn()] },
    { rule: 'a type marked @authenticated', field: 'profile', selection: '{ name }', value: { name: 'profile' }, visible: [signedIn()], hidden: [anonymous] },
  ];

  for (const rule of RULES) {
    for (const caller of rule.visible) {
      test(`AuthPolicy.enforce - ${rule.rule}: Query.${rule.field} is resolved for ${describeCaller(caller)}`, async () => {
        const result = await run(`{ ${rule.field} ${rule.selection ?? ''} }`, caller);
        expect(result.errors).toEqual([]);
        expect(result.data).toEqual({ [rule.field]: rule.value });
      });
    }
    for (const caller of rule.hidden) {
      test(`AuthPolicy.enforce - ${rule.rule}: Query.${rule.field} is null with UNAUTHORIZED_FIELD_OR_TYPE for ${describeCaller(caller)}, siblings intact`, async () => {
        const result = await run(`{ open ${rule.field} ${rule.selection ?? ''} }`, caller);
        expectRefusedAt(result, [rule.field]);
        expect(result.data?.['open']).toBe('open');
      });
    }
  }

  test('AuthPolicy.enforce - a guarded field read by the default resolver: null for a caller without its scope, its value with it', async () => {
    const without = await run('{ vault { id pin } }', signedIn('field', 'type'));
    expectRefusedAt(without, ['vault', 'pin']);
    expect(without.data).toEqual({ vault: { id: 'v1', pin: null } });
    const withScope = await run('{ vault { id pin } }', signedIn('field', 'type', 'pin'));
    expect(withScope.errors).toEqual([]);
    expect(withScope.data).toEqual({ vault: { id: 'v1', pin: '1234' } });
  });

  // -------------------------------------------------------------------------------------------
  // Entities
  // -------------------------------------------------------------------------------------------

  const entities = (representations: object[], selection: string) => ({
    query: `query($representations: [_Any!]!) { _entities(representations: $representations) { ${selection} } }`,
    variables: { representations },
  });

  test("AuthPolicy.enforce - _entities: an entity type's requirement guards its reference resolver", async () => {
    const { query, variables } = entities([{ __typename: 'Thing', id: 't1' }], '... on Thing { id name }');
    for (const caller of [anonymous, signedIn('other')]) {
      const refused = await run(query, caller, variables);
      expectRefusedAt(refused, ['_entities', 0]);
    }
    expect(referenceResolutions).toEqual([]);
    const allowed = await run(query, signedIn('thing'), variables);
    expect(allowed.errors).toEqual([]);
    expect(allowed.data).toEqual({ _entities: [{ id: 't1', name: 'thing t1' }] });
    expect(referenceResolutions).toEqual(['Thing:t1']);
  });

  test('AuthPolicy.enforce - _entities: an entity type without a reference resolver is still guarded, and answered as represented when allowed', async () => {
    const { query, variables } = entities([{ __typename: 'Badge', id: 'b1' }], '... on Badge { id }');
    expectRefusedAt(await run(query, anonymous, variables), ['_entities', 0]);
    const allowed = await run(query, signedIn(), variables);
    expect(allowed.errors).toEqual([]);
    expect(allowed.data).toEqual({ _entities: [{ id: 'b1' }] });
  });

  test('AuthPolicy.enforce - _entities: an entity type without requirements resolves for anyone', async () => {
    const { query, variables } = entities([{ __typename: 'Plain', id: 'p1' }], '... on Plain { id label }');
    const result = await run(query, anonymous, variables);
    expect(result.errors).toEqual([]);
    expect(result.data).toEqual({ _entities: [{ id: 'p1', label: 'plain' }] });
    expect(referenceResolutions).toEqual(['Plain:p1']);
  });

  // -------------------------------------------------------------------------------------------
  // selectsSecretFields: does the operation select a credential below the field?
  // -------------------------------------------------------------------------------------------

  const WALKS: Array<{ name: string; query: string; variables?: Record<string, unknown>; selects: boolean }> = [
    { name: 'plain fields only', query: '{ locker { label } }', selects: false },
    { name: 'the secret field', query: '{ locker { key } }', selects: true },
    { name: 'the secret field one level down', query: '{ locker { inner { label inner { key } } } }', selects: true },
    { name: 'the secret field under an inline fragment on a union member', query: '{ locker { items { ... on Note { text } ... on Locker { key } } } }', selects: true },
    { name: 'only the union member without secrets', query: '{ locker { items { ... on Note { text } } } }', selects: false },
    { name: 'the secret field under an inline fragment without a type condition', query: '{ locker { label ... { key } } }', selects: true },
    { name: 'the secret field in a named fragment', query: '{ locker { ...Plain ...Secret } } fragment Plain on Locker { label } fragment Secret on Locker { key }', selects: true },
    { name: 'a named fragment spread twice, without secrets', query: '{ locker { ...Plain inner { ...Plain } } } fragment Plain on Locker { label }', selects: false },
    { name: 'the secret field under @skip(if: true)', query: '{ locker { label key @skip(if: true) } }', selects: false },
    { name: 'the secret field under @skip(if: false)', query: '{ locker { key @skip(if: false) } }', selects: true },
    { name: 'the secret field under @include(if: false)', query: '{ locker { label key @include(if: false) } }', selects: false },
    { name: 'the secret field under @include(if: true)', query: '{ locker { key @include(if: true) } }', selects: true },
    { name: 'the secret field under @skip(if: false) @include(if: false)', query: '{ locker { label key @skip(if: false) @include(if: false) } }', selects: false },
    { name: 'the secret field under @skip(if: true) @include(if: true)', query: '{ locker { label key @skip(if: true) @include(if: true) } }', selects: false },
    { name: 'an inline fragment under @include(if: false)', query: '{ locker { label ... @include(if: false) { key } } }', selects: false },
    { name: 'a fragment spread under @skip(if: true)', query: '{ locker { label ...Secret @skip(if: true) } } fragment Secret on Locker { key }', selects: false },
    { name: 'the secret field after a skipped plain field', query: '{ locker { label @skip(if: true) key } }', selects: true },
  ];
  for (const walk of WALKS) {
    test(`AuthPolicy.selectsSecretFields - ${walk.name}: ${walk.selects}`, async () => {
      await run(walk.query, signedIn(SECRETS_SCOPE), walk.variables);
      expect(lockerSelections.map((selection) => selection.selects)).toEqual([walk.selects]);
    });
  }

  test('AuthPolicy.selectsSecretFields - under @include(if: $variable), each request gets the answer for its own variables', async () => {
    const query = 'query($withKey: Boolean!) { locker { label key @include(if: $withKey) } }';
    for (const withKey of [true, false, true, false]) await run(query, signedIn(SECRETS_SCOPE), { withKey });
    expect(lockerSelections.map((selection) => selection.selects)).toEqual([true, false, true, false]);
  });

  test('AuthPolicy.selectsSecretFields - without @skip/@include, the answer is kept per field node and not worked out again', async () => {
    await run('{ locker { ...Secret } } fragment Secret on Locker { key }', signedIn(SECRETS_SCOPE));
    const info = lockerSelections[0]?.info;
    assert(info);
    // Without the fragment a fresh walk finds nothing; the kept answer is still the first one.
    expect(policy.selectsSecretFields({ ...info, fragments: {} })).toBe(true);
    // Another node of the same shape is walked afresh.
    const copy = parse(print(info.operation));
    const copiedField = firstField(copy);
    expect(policy.selectsSecretFields({ ...info, fieldNodes: [copiedField], fragments: {} })).toBe(false);
  });

  // Documents that validation would refuse, handed to the walk directly: it answers without throwing.
  const UNVALIDATED: Array<{ name: string; query: string; selects: boolean }> = [
    { name: 'a field the schema does not know, with a selection', query: '{ locker { unknown { key } } }', selects: false },
    { name: 'a spread of a fragment the document lacks', query: '{ locker { ...Missing } }', selects: false },
    { name: 'fragments that spread each other', query: '{ locker { ...A } } fragment A on Locker { ...B } fragment B on Locker { ...A }', selects: false },
    { name: 'a field with a selection on a union', query: '{ locker { items { ... on Item { unknown { key } } } } }', selects: false },
    { name: 'the secret field after a cycle of fragments', query: '{ locker { ...A key } } fragment A on Locker { ...B } fragment B on Locker { ...A }', selects: true },
  ];
  for (const { name, query, selects } of UNVALIDATED) {
    test(`AuthPolicy.selectsSecretFields - ${name}: ${selects}, without throwing`, () => {
      expect(policy.selectsSecretFields(unvalidatedInfo(schema, query))).toBe(selects);
    });
  }

  test('AuthPolicy.selectsSecretFields - an info without field nodes selects nothing', () => {
    expect(policy.selectsSecretFields({ ...unvalidatedInfo(schema, '{ locker { key } }'), fieldNodes: [] })).toBe(false);
  });
});

function firstField(document: DocumentNode): FieldNode {
  const operation = document.definitions.find((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
  const field = operation?.selectionSet.selections[0];
  assert(field?.kind === Kind.FIELD);
  return field;
}

/** The parts of a GraphQLResolveInfo the walk reads, for `Query.<first field>` of an unvalidated document. */
function unvalidatedInfo(schema: GraphQLSchema, query: string): GraphQLResolveInfo {
  const document = parse(query);
  const fragments = Object.fromEntries(
    document.definitions.flatMap((definition) => (definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition]] : [])),
  );
  const queryType = schema.getQueryType();
  assert(queryType);
  return { schema, fieldNodes: [firstField(document)], parentType: queryType, fragments, variableValues: {} } as unknown as GraphQLResolveInfo;
}

// ---------------------------------------------------------------------------------------------
// stripAuthDirectives
// ---------------------------------------------------------------------------------------------

test('stripAuthDirectives - removes @authenticated/@requiresScopes applications and imports, and nothing else', () => {
  const stripped = print(
    stripAuthDirectives(
      parse(`
        extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key", "@authenticated", "@requiresScopes", "@tag"])
        type Query { a: String @requiresScopes(scopes: [["x"]]) @tag(name: "t") b: T @deprecated(reason: "old") }
        type T @key(fields: "id") @authenticated { id: ID! }
      `),
    ),
  );
  expect(stripped).not.toMatch(/authenticated|requiresScopes/);
  expect(stripped).toContain('@link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key", "@tag"])');
  expect(stripped).toContain('a: String @tag(name: "t")');
  expect(stripped).toContain('b: T @deprecated(reason: "old")');
  expect(stripped).toContain('type T @key(fields: "id")');
});

// ---------------------------------------------------------------------------------------------
// Through the real schema: which selections make the subgraph ask AWS for secrets
// ---------------------------------------------------------------------------------------------

describe('withSecret through the real schema', () => {
  const { schema, policy } = buildGatewaySchema();
  const server = new ApolloServer<Record<string, unknown>>({ schema });
  let loads: ConnectionKey[] = [];
  const DOMAIN = 'dzd_rules0001';

  /** The request's DataLoader stand-in: records each GetConnection key; AWS returns credentials only when asked. */
  const context = (caller: Caller) => ({
    caller,
    policy,
    requestId: 'policy-rules',
    loaders: {
      connection: {
        load: async (key: ConnectionKey) => {
          loads.push(key);
          return {
            domainId: key.domainIdentifier,
            connectionId: key.identifier,
            name: `name of ${key.identifier}`,
            ...(key.withSecret ? { connectionCredentials: { accessKeyId: 'ASIA-TEST', secretAccessKey: 'secret-test', sessionToken: 'token-test' } } : {}),
          };
        },
      },
    },
  });

  beforeAll(() => server.start());
  afterAll(() => server.stop());
  beforeEach(() => {
    loads = [];
  });

  const connection = (selection: string, alias = '') => `${alias}dataZoneConnection(domainIdentifier: "${DOMAIN}", identifier: "conn-1") ${selection}`;

  test('DataZoneConnection.connectionCredentials - under an inline fragment without a type condition, a secrets reader gets them (withSecret=true)', async () => {
    const result = await execute(server, `{ ${connection('{ connectionId ... { connectionCredentials { accessKeyId } } }')} }`, context(signedIn(READ_SCOPE, SECRETS_SCOPE)));
    expect(result.errors).toEqual([]);
    expect(result.data).toEqual({ dataZoneConnection: { connectionId: 'conn-1', connectionCredentials: { accessKeyId: 'ASIA-TEST' } } });
    expect(loads.map((key) => key.withSecret)).toEqual([true]);
  });

  test('DataZoneConnection.connectionCredentials - under an inline fragment without a type condition, a reader gets null and AWS is not asked for secrets', async () => {
    const result = await execute(server, `{ ${connection('{ connectionId ... { connectionCredentials { accessKeyId } } }')} }`, context(signedIn(READ_SCOPE)));
    expectRefusedAt(result, ['dataZoneConnection', 'connectionCredentials']);
    expect(loads.map((key) => key.withSecret)).toEqual([false]);
  });

  test('DataZoneConnection - selected twice, only the second time with credentials: one GetConnection with withSecret=true', async () => {
    const result = await execute(
      server,
      `{ ${connection('{ connectionId }')} ${connection('{ connectionCredentials { accessKeyId } }')} }`,
      context(signedIn(READ_SCOPE, SECRETS_SCOPE)),
    );
    expect(result.errors).toEqual([]);
    expect(result.data).toEqual({ dataZoneConnection: { connectionId: 'conn-1', connectionCredentials: { accessKeyId: 'ASIA-TEST' } } });
    expect(loads.map((key) => key.withSecret)).toEqual([true]);
  });

  test('DataZoneConnection - under two aliases, only the one selecting credentials asks for secrets', async () => {
    const result = await execute(
      server,
      `{ ${connection('{ connectionId }', 'plain: ')} ${connection('{ connectionCredentials { accessKeyId } }', 'secret: ')} }`,
      context(signedIn(READ_SCOPE, SECRETS_SCOPE)),
    );
    expect(result.errors).toEqual([]);
    expect(result.data).toEqual({ plain: { connectionId: 'conn-1' }, secret: { connectionCredentials: { accessKeyId: 'ASIA-TEST' } } });
    expect(loads.map((key) => key.withSecret).sort()).toEqual([false, true]);
  });

  test('DataZoneConnection - an inline fragment without a type condition around plain fields asks for no secrets', async () => {
    const result = await execute(server, `{ ${connection('{ connectionId ... { name } }')} }`, context(signedIn(READ_SCOPE, SECRETS_SCOPE)));
    expect(result.errors).toEqual([]);
    expect(result.data).toEqual({ dataZoneConnection: { connectionId: 'conn-1', name: 'name of conn-1' } });
    expect(loads.map((key) => key.withSecret)).toEqual([false]);
  });
});
