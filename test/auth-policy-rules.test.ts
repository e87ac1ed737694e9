/**
 * The rules of the schema's authorization policy (src/auth/policy.ts), in-process: each rule on a
 * small schema made for it (any-of and all-of in `@requiresScopes`, a field's requirement together
 * with its return type's, `@authenticated`, entity types), the walk that decides whether an
 * operation selects a credential, and two selection shapes of that walk through the real schema.
 */
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { type DocumentNode, type FieldNode, type GraphQLResolveInfo, type GraphQLSchema, Kind, type OperationDefinitionNode, parse, print } from 'graphql';
import assert from 'node:assert/strict';
import { describe, expect, test } from 'vitest';
import { AuthPolicy, type Requirement, SECRETS_SCOPE, READ_SCOPE, describeRequirements, isSatisfied, stripAuthDirectives, unauthorizedFieldOrType } from '../src/auth/policy.js';
import type { ConnectionKey } from '../src/datazone/model.js';
import { buildServedSchema } from '../src/schema/build.js';
import type { Caller } from '../src/core/context.js';

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
    // The Apollo Router's message, then what the field requires (describeRequirements, tested below).
    { path, code: UNAUTHORIZED, message: expect.stringMatching(/^Unauthorized field or type(: it requires .+)?$/) },
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

const RULES_TYPE_DEFS = parse(RULES_SDL);

/**
 * The schema of RULES_SDL with its policy enforced, served by Apollo Server, made afresh for each
 * test: the policy code then runs inside the test (mutation testing attributes it per test, and a
 * failure in it fails the test rather than the file's collection).
 */
interface RulesFixture {
  policy: AuthPolicy;
  schema: GraphQLSchema;
  run(query: string, caller: Caller, variables?: Record<string, unknown>): Promise<Result>;
  /** What `selectsSecretFields` answered in Query.locker, and the info it was asked with. */
  lockerSelections: Array<{ selects: boolean; info: GraphQLResolveInfo }>;
  referenceResolutions: string[];
}

async function startRulesFixture(): Promise<RulesFixture & { stop(): Promise<void> }> {
  const policy = new AuthPolicy(RULES_TYPE_DEFS);
  const lockerSelections: RulesFixture['lockerSelections'] = [];
  const referenceResolutions: string[] = [];
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
  const schema = buildSubgraphSchema([{ typeDefs: RULES_TYPE_DEFS, resolvers: resolvers as never }]);
  policy.enforce(schema);
  const server = new ApolloServer<Record<string, unknown>>({ schema, plugins: [ApolloServerPluginInlineTraceDisabled()] });
  await server.start();
  return {
    policy,
    schema,
    lockerSelections,
    referenceResolutions,
    run: (query, caller, variables) => execute(server, query, { caller }, variables),
    stop: () => server.stop(),
  };
}

const rulesTest = test.extend<{ rules: RulesFixture }>({
  // eslint-disable-next-line no-empty-pattern -- vitest reads the fixture's dependencies from this pattern
  rules: async ({}, use) => {
    const fixture = await startRulesFixture();
    await use(fixture);
    await fixture.stop();
  },
});

describe('AuthPolicy on a schema made for its rules', () => {
  // -------------------------------------------------------------------------------------------
  // Requirements as the policy reads them from the SDL
  // -------------------------------------------------------------------------------------------

  test('AuthPolicy - reads @requiresScopes as alternatives (outer list) of scope sets (inner lists), implying @authenticated', () => {
    const policy = new AuthPolicy(RULES_TYPE_DEFS);
    expect(policy.fieldRequirement('Query', 'anyOf')).toEqual({ authenticated: true, scopes: [['a'], ['b']] });
    expect(policy.fieldRequirement('Query', 'allOf')).toEqual({ authenticated: true, scopes: [['a', 'b']] });
    expect(policy.fieldRequirement('Query', 'mixed')).toEqual({ authenticated: true, scopes: [['a', 'b'], ['c']] });
  });

  test('AuthPolicy - reads @authenticated alone, and together with @requiresScopes in either order', () => {
    const policy = new AuthPolicy(RULES_TYPE_DEFS);
    expect(policy.fieldRequirement('Query', 'signedIn')).toEqual({ authenticated: true });
    expect(policy.fieldRequirement('Query', 'authenticatedThenScopes')).toEqual({ authenticated: true, scopes: [['a']] });
    expect(policy.fieldRequirement('Query', 'scopesThenAuthenticated')).toEqual({ authenticated: true, scopes: [['a']] });
    expect(policy.fieldRequirement('Query', 'open')).toBeUndefined();
  });

  test("AuthPolicy - reads a type's requirement, which a later extension of the type without directives keeps", () => {
    const policy = new AuthPolicy(RULES_TYPE_DEFS);
    expect(policy.typeRequirement('Vault')).toEqual({ authenticated: true, scopes: [['type']] });
    expect(policy.typeRequirement('Profile')).toEqual({ authenticated: true });
    expect(policy.typeRequirement('Locker')).toBeUndefined();
    expect(policy.fieldRequirement('Vault', 'pin')).toEqual({ authenticated: true, scopes: [['pin']] });
    expect(policy.fieldRequirement('Vault', 'note')).toBeUndefined();
  });

  test('AuthPolicy.secretFields - holds every field one of whose alternatives names the secrets scope, and no other', () => {
    const policy = new AuthPolicy(RULES_TYPE_DEFS);
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

  test('AuthPolicy - reads an AST built without its optional arrays (no directives, arguments or fields)', () => {
    const policy = new AuthPolicy(
      withoutEmptyArrays(parse('type Query { open: String guarded: String @requiresScopes(scopes: [["a"]]) closed: String @requiresScopes } type Empty type Profile @authenticated { name: String }', { noLocation: true })),
    );
    expect(policy.fieldRequirement('Query', 'open')).toBeUndefined();
    expect(policy.fieldRequirement('Query', 'guarded')).toEqual({ authenticated: true, scopes: [['a']] });
    expect(policy.fieldRequirement('Query', 'closed')).toEqual({ authenticated: true, scopes: [] });
    expect(policy.typeRequirement('Empty')).toBeUndefined();
    expect(policy.typeRequirement('Profile')).toEqual({ authenticated: true });
  });

  test('AuthPolicy - a @requiresScopes without a list of scope lists lets no caller through (fails closed)', () => {
    const policy = new AuthPolicy(parse(`type Query {
      noArgument: String @requiresScopes
      oneString: String @requiresScopes(scopes: "a")
      flatList: String @requiresScopes(scopes: ["a"])
      otherArgument: String @requiresScopes(other: [["a"]])
    }`));
    for (const field of ['noArgument', 'oneString', 'flatList', 'otherArgument']) {
      const requirement = policy.fieldRequirement('Query', field);
      expect(requirement, field).toEqual({ authenticated: true, scopes: [] });
      expect(isSatisfied(requirement!, signedIn('a')), field).toBe(false);
    }
  });

  test('AuthPolicy - reads the `scopes` argument of @requiresScopes, whatever comes before it', () => {
    const policy = new AuthPolicy(parse('type Query { f: String @requiresScopes(other: [["x"]], scopes: [["a"]]) }'));
    expect(policy.fieldRequirement('Query', 'f')).toEqual({ authenticated: true, scopes: [['a']] });
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
      rulesTest(`AuthPolicy.enforce - ${rule.rule}: Query.${rule.field} is resolved for ${describeCaller(caller)}`, async ({ rules }) => {
        const result = await rules.run(`{ ${rule.field} ${rule.selection ?? ''} }`, caller);
        expect(result.errors).toEqual([]);
        expect(result.data).toEqual({ [rule.field]: rule.value });
      });
    }
    for (const caller of rule.hidden) {
      rulesTest(`AuthPolicy.enforce - ${rule.rule}: Query.${rule.field} is null with UNAUTHORIZED_FIELD_OR_TYPE for ${describeCaller(caller)}, siblings intact`, async ({ rules }) => {
        const result = await rules.run(`{ open ${rule.field} ${rule.selection ?? ''} }`, caller);
        expectRefusedAt(result, [rule.field]);
        expect(result.data?.['open']).toBe('open');
      });
    }
  }

  rulesTest('AuthPolicy.enforce - a guarded field read by the default resolver: null for a caller without its scope, its value with it', async ({ rules }) => {
    const without = await rules.run('{ vault { id pin } }', signedIn('field', 'type'));
    expectRefusedAt(without, ['vault', 'pin']);
    expect(without.data).toEqual({ vault: { id: 'v1', pin: null } });
    const withScope = await rules.run('{ vault { id pin } }', signedIn('field', 'type', 'pin'));
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

  rulesTest("AuthPolicy.enforce - _entities: an entity type's requirement guards its reference resolver", async ({ rules }) => {
    const { query, variables } = entities([{ __typename: 'Thing', id: 't1' }], '... on Thing { id name }');
    for (const caller of [anonymous, signedIn('other')]) {
      const refused = await rules.run(query, caller, variables);
      expectRefusedAt(refused, ['_entities', 0]);
    }
    expect(rules.referenceResolutions).toEqual([]);
    const allowed = await rules.run(query, signedIn('thing'), variables);
    expect(allowed.errors).toEqual([]);
    expect(allowed.data).toEqual({ _entities: [{ id: 't1', name: 'thing t1' }] });
    expect(rules.referenceResolutions).toEqual(['Thing:t1']);
  });

  rulesTest('AuthPolicy.enforce - _entities: an entity type without a reference resolver is still guarded, and answered as represented when allowed', async ({ rules }) => {
    const { query, variables } = entities([{ __typename: 'Badge', id: 'b1' }], '... on Badge { id }');
    expectRefusedAt(await rules.run(query, anonymous, variables), ['_entities', 0]);
    const allowed = await rules.run(query, signedIn(), variables);
    expect(allowed.errors).toEqual([]);
    expect(allowed.data).toEqual({ _entities: [{ id: 'b1' }] });
  });

  rulesTest('AuthPolicy.enforce - _entities: an entity type without requirements resolves for anyone', async ({ rules }) => {
    const { query, variables } = entities([{ __typename: 'Plain', id: 'p1' }], '... on Plain { id label }');
    const result = await rules.run(query, anonymous, variables);
    expect(result.errors).toEqual([]);
    expect(result.data).toEqual({ _entities: [{ id: 'p1', label: 'plain' }] });
    expect(rules.referenceResolutions).toEqual(['Plain:p1']);
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
    rulesTest(`AuthPolicy.selectsSecretFields - ${walk.name}: ${walk.selects}`, async ({ rules }) => {
      await rules.run(walk.query, signedIn(SECRETS_SCOPE), walk.variables);
      expect(rules.lockerSelections.map((selection) => selection.selects)).toEqual([walk.selects]);
    });
  }

  rulesTest('AuthPolicy.selectsSecretFields - under @include(if: $variable), each request gets the answer for its own variables', async ({ rules }) => {
    const query = 'query($withKey: Boolean!) { locker { label key @include(if: $withKey) } }';
    for (const withKey of [true, false, true, false]) await rules.run(query, signedIn(SECRETS_SCOPE), { withKey });
    expect(rules.lockerSelections.map((selection) => selection.selects)).toEqual([true, false, true, false]);
  });

  rulesTest('AuthPolicy.selectsSecretFields - without @skip/@include, the answer is kept per field node and not worked out again', async ({ rules }) => {
    await rules.run('{ locker { ...Secret } } fragment Secret on Locker { key }', signedIn(SECRETS_SCOPE));
    const info = rules.lockerSelections[0]?.info;
    assert(info);
    // Without the fragment a fresh walk finds nothing; the kept answer is still the first one.
    expect(rules.policy.selectsSecretFields({ ...info, fragments: {} })).toBe(true);
    // Another node of the same shape is walked afresh.
    const copy = parse(print(info.operation));
    const copiedField = firstField(copy);
    expect(rules.policy.selectsSecretFields({ ...info, fieldNodes: [copiedField], fragments: {} })).toBe(false);
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
    rulesTest(`AuthPolicy.selectsSecretFields - ${name}: ${selects}, without throwing`, ({ rules }) => {
      expect(rules.policy.selectsSecretFields(unvalidatedInfo(rules.schema, query))).toBe(selects);
    });
  }

  rulesTest('AuthPolicy.selectsSecretFields - an info without field nodes selects nothing', ({ rules }) => {
    expect(rules.policy.selectsSecretFields({ ...unvalidatedInfo(rules.schema, '{ locker { key } }'), fieldNodes: [] })).toBe(false);
  });

  rulesTest('AuthPolicy.selectsSecretFields - reads selections built without directive arrays', ({ rules }) => {
    expect(rules.policy.selectsSecretFields(unvalidatedInfo(rules.schema, '{ locker { label ... { key } } }', { withoutEmptyArrays: true }))).toBe(true);
    expect(rules.policy.selectsSecretFields(unvalidatedInfo(rules.schema, '{ locker { label ...Plain } } fragment Plain on Locker { label }', { withoutEmptyArrays: true }))).toBe(false);
  });

  rulesTest('AuthPolicy.selectsSecretFields - a directive other than @skip/@include does not make the answer depend on variables: it is kept', ({ rules }) => {
    const other = unvalidatedInfo(rules.schema, '{ locker { ...Secret @other } } fragment Secret on Locker { key }');
    expect(rules.policy.selectsSecretFields(other)).toBe(true);
    expect(rules.policy.selectsSecretFields({ ...other, fragments: {} })).toBe(true);
    // Under @include the answer is worked out for each request: without the fragment, nothing is selected.
    const included = unvalidatedInfo(rules.schema, '{ locker { ...Secret @include(if: true) } } fragment Secret on Locker { key }');
    expect(rules.policy.selectsSecretFields(included)).toBe(true);
    expect(rules.policy.selectsSecretFields({ ...included, fragments: {} })).toBe(false);
  });
});

/** The document as a hand-built AST may be: the optional arrays (directives, arguments, fields) left out where empty. */
function withoutEmptyArrays(document: DocumentNode): DocumentNode {
  const optional = new Set(['directives', 'arguments', 'fields', 'interfaces', 'variableDefinitions']);
  return JSON.parse(JSON.stringify(document, (key, value: unknown) => (optional.has(key) && Array.isArray(value) && value.length === 0 ? undefined : value))) as DocumentNode;
}

function firstField(document: DocumentNode): FieldNode {
  const operation = document.definitions.find((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
  const field = operation?.selectionSet.selections[0];
  assert(field?.kind === Kind.FIELD);
  return field;
}

/** The parts of a GraphQLResolveInfo the walk reads, for `Query.<first field>` of an unvalidated document. */
function unvalidatedInfo(schema: GraphQLSchema, query: string, options: { withoutEmptyArrays?: boolean } = {}): GraphQLResolveInfo {
  const parsed = parse(query, { noLocation: true });
  const document = options.withoutEmptyArrays ? withoutEmptyArrays(parsed) : parsed;
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

test('stripAuthDirectives - edits only the import lists of @link, keeping imports in other forms', () => {
  const stripped = print(
    stripAuthDirectives(
      parse(`
        extend schema
          @link(url: "https://specs.apollo.dev/federation/v2.5", import: [{ name: "@tag", as: "@label" }, "@authenticated"])
          @link(url: "https://specs.apollo.dev/link/v1.0", import: "@key")
          @other(import: ["@authenticated"])
        type Query { a: String }
      `),
    ),
  );
  expect(stripped).toContain('import: [{name: "@tag", as: "@label"}])');
  expect(stripped).toContain('import: "@key")');
  expect(stripped).toContain('@other(import: ["@authenticated"])');
});

// ---------------------------------------------------------------------------------------------
// Through the real schema: which selections make the subgraph ask AWS for secrets
// ---------------------------------------------------------------------------------------------

/**
 * The real schema (its SDL, resolvers and policy), made afresh for each test, with a stand-in for
 * the request's GetConnection DataLoader that records each key; AWS returns credentials only when asked.
 */
interface SubgraphFixture {
  run(query: string, caller: Caller): Promise<Result>;
  loads: ConnectionKey[];
}

const subgraphTest = test.extend<{ subgraph: SubgraphFixture }>({
  // eslint-disable-next-line no-empty-pattern -- vitest reads the fixture's dependencies from this pattern
  subgraph: async ({}, use) => {
    const { schema, policy } = buildServedSchema();
    const server = new ApolloServer<Record<string, unknown>>({ schema, plugins: [ApolloServerPluginInlineTraceDisabled()] });
    await server.start();
    const loads: ConnectionKey[] = [];
    const connection = {
      load: async (key: ConnectionKey) => {
        loads.push(key);
        return {
          domainId: key.domainIdentifier,
          connectionId: key.identifier,
          name: `name of ${key.identifier}`,
          ...(key.withSecret ? { connectionCredentials: { accessKeyId: 'ASIA-TEST', secretAccessKey: 'secret-test', sessionToken: 'token-test' } } : {}),
        };
      },
    };
    await use({ loads, run: (query, caller) => execute(server, query, { caller, policy, requestId: 'policy-rules', loaders: { connection } }) });
    await server.stop();
  },
});

describe('withSecret through the real schema', () => {
  const DOMAIN = 'dzd_rules0001';
  const connection = (selection: string, alias = '') => `${alias}dataZoneConnection(domainIdentifier: "${DOMAIN}", identifier: "conn-1") ${selection}`;
  const secretsReader = signedIn(READ_SCOPE, SECRETS_SCOPE);

  subgraphTest('DataZoneConnection.connectionCredentials - under an inline fragment without a type condition, a secrets reader gets them (withSecret=true)', async ({ subgraph }) => {
    const result = await subgraph.run(`{ ${connection('{ connectionId ... { connectionCredentials { accessKeyId } } }')} }`, secretsReader);
    expect(result.errors).toEqual([]);
    expect(result.data).toEqual({ dataZoneConnection: { connectionId: 'conn-1', connectionCredentials: { accessKeyId: 'ASIA-TEST' } } });
    expect(subgraph.loads.map((key) => key.withSecret)).toEqual([true]);
  });

  subgraphTest('DataZoneConnection.connectionCredentials - under an inline fragment without a type condition, a reader gets null and AWS is not asked for secrets', async ({ subgraph }) => {
    const result = await subgraph.run(`{ ${connection('{ connectionId ... { connectionCredentials { accessKeyId } } }')} }`, signedIn(READ_SCOPE));
    expectRefusedAt(result, ['dataZoneConnection', 'connectionCredentials']);
    expect(subgraph.loads.map((key) => key.withSecret)).toEqual([false]);
  });

  subgraphTest('DataZoneConnection - selected twice, only the second time with credentials: one GetConnection with withSecret=true', async ({ subgraph }) => {
    const result = await subgraph.run(`{ ${connection('{ connectionId }')} ${connection('{ connectionCredentials { accessKeyId } }')} }`, secretsReader);
    expect(result.errors).toEqual([]);
    expect(result.data).toEqual({ dataZoneConnection: { connectionId: 'conn-1', connectionCredentials: { accessKeyId: 'ASIA-TEST' } } });
    expect(subgraph.loads.map((key) => key.withSecret)).toEqual([true]);
  });

  subgraphTest('DataZoneConnection - under two aliases, only the one selecting credentials asks for secrets', async ({ subgraph }) => {
    const result = await subgraph.run(`{ ${connection('{ connectionId }', 'plain: ')} ${connection('{ connectionCredentials { accessKeyId } }', 'secret: ')} }`, secretsReader);
    expect(result.errors).toEqual([]);
    expect(result.data).toEqual({ plain: { connectionId: 'conn-1' }, secret: { connectionCredentials: { accessKeyId: 'ASIA-TEST' } } });
    expect(subgraph.loads.map((key) => key.withSecret).sort()).toEqual([false, true]);
  });

  subgraphTest('DataZoneConnection - an inline fragment without a type condition around plain fields asks for no secrets', async ({ subgraph }) => {
    const result = await subgraph.run(`{ ${connection('{ connectionId ... { name } }')} }`, secretsReader);
    expect(result.errors).toEqual([]);
    expect(result.data).toEqual({ dataZoneConnection: { connectionId: 'conn-1', name: 'name of conn-1' } });
    expect(subgraph.loads.map((key) => key.withSecret)).toEqual([false]);
  });
});

test('describeRequirements - names what a refused caller lacks: each alternative of scopes, all of each, or a signed-in caller', () => {
  expect(describeRequirements([{ authenticated: true, scopes: [['a'], ['b']] }])).toBe('the scopes a, or b');
  expect(describeRequirements([{ authenticated: true, scopes: [['a', 'b']] }])).toBe('the scopes a and b');
  expect(describeRequirements([{ authenticated: true, scopes: [['a', 'b'], ['c']] }])).toBe('the scopes a and b, or c');
  expect(describeRequirements([{ authenticated: true, scopes: [['a']] }])).toBe('the scope a');
  expect(describeRequirements([{ authenticated: true }])).toBe('an authenticated caller');
  expect(describeRequirements([{ authenticated: true, scopes: [['field']] }, { authenticated: true, scopes: [['type']] }])).toBe('the scope field; and the scope type');
  expect(describeRequirements([{ authenticated: true, scopes: [['a']] }, { authenticated: true, scopes: [['a']] }])).toBe('the scope a');
  expect(describeRequirements([])).toBe('');
});
