import type { GraphQLSchema } from 'graphql';
import type { AuthPolicy } from '../auth/policy.js';
import { applyMapEntries } from '../graphql/maps.js';
import { trackCredentialResponses } from './credential-responses.js';
import { applyEnumFallbacks } from './enums.js';
import { guardEntityRepresentations } from './representations.js';

/**
 * The passes that wrap the `resolve` functions of the built schema, in the order they run. Each
 * wraps what the passes before it left, so a later pass runs first when a field resolves: the
 * order decides what each wrapper sees. buildSubgraphSchema has already attached the domains'
 * resolvers and @apollo/subgraph's own (`_entities`, `_service`, each entity's `__resolveReference`).
 */
export interface SchemaPass {
  readonly name: string;
  apply(schema: GraphQLSchema, policy: AuthPolicy): void;
}

export const SCHEMA_PASSES: readonly SchemaPass[] = [
  // Enum fields: an unknown wire value becomes UNRECOGNIZED, `fooRaw` the value as sent. First, so `fooRaw` reads the domain's value before any guard of `foo` is added around it.
  { name: 'enum fallbacks', apply: (schema) => applyEnumFallbacks(schema) },
  // Map fields: the SDK's plain object becomes `{ key, value }` entries. Before the policy, so a guarded map field is checked before it is converted (the entries' own guard reads `entry.key`).
  { name: 'map entries', apply: (schema) => applyMapEntries(schema) },
  // `_entities`: a malformed representation gets its own BAD_USER_INPUT at its index. Wraps @apollo/subgraph's resolver, so after the build; before the server's settleListItems, which settles the list it merges.
  { name: 'entity representations', apply: (schema) => guardEntityRepresentations(schema) },
  // @requiresScopes/@authenticated, on fields, map entries and reference resolvers. After every pass that works on a value, so the check comes before any work.
  { name: 'authorization policy', apply: (schema, policy) => policy.enforce(schema) },
  // A secret field or credential map entry that resolves to a value marks the response `private, no-store`. After the policy: a refused field throws before it could mark anything.
  { name: 'credential responses', apply: (schema, policy) => trackCredentialResponses(schema, policy) },
];

/*
 * Wrapped later, by the server, around everything above:
 * - settleListItems (src/server/accelerator/executor.ts), only with the accelerator on: a list of
 *   promises becomes one promise of settled items, a graphql-jit workaround; it must see each list
 *   as the passes above return it, so it is outermost.
 * - Apollo Server's per-field plugin hooks (enablePluginsForSchemaResolvers), when a request first
 *   has a per-field plugin (an inline trace); the executor compiles fast-path queries over the
 *   resolvers as they were before that (compileWithOwnResolvers).
 */

export function applySchemaPasses(schema: GraphQLSchema, policy: AuthPolicy): void {
  for (const pass of SCHEMA_PASSES) pass.apply(schema, policy);
}
