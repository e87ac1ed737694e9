import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { ParseOptions, ValidationRule } from 'graphql';

/**
 * Limits on the shape of a GraphQL document, checked before anything runs. Sized from the legitimate
 * documents this subgraph serves, with headroom:
 * - a full selection of DataZoneConnection (every field, every union member) is depth 7 (8 through
 *   `_entities`), ~400 tokens and cost ~1,150 inline, ~2,600 spread from a fragment (armor's cost
 *   weighs fragment contents deeper); both entities in full through `_entities`, ~530 tokens, cost ~2,400;
 * - 50 aliases over connector ids (the batching test) are 50 aliases, ~750 tokens and cost 250.
 * The cost limit therefore admits three full connections through one fragment (~7,750), not four.
 * Introspection (`__schema`) is not counted against depth and cost, so Apollo Sandbox keeps working
 * where introspection is on; the token limit still bounds it.
 */
export const ARMOR_LIMITS = {
  maxDepth: 10,
  maxAliases: 100,
  maxTokens: 2_000,
  maxCost: 10_000,
  maxDirectives: 50,
} as const;

export interface ArmorProtection {
  plugins: ApolloServerPlugin[];
  validationRules: ValidationRule[];
  /** Apollo Server's `parseOptions`: carries the token limit (see below). */
  parseOptions: ParseOptions;
}

/**
 * graphql-armor's Apollo Server validation rules and plugins, configured with ARMOR_LIMITS.
 *
 * The token limit is graphql-js's own `maxTokens` parse option rather than armor's max-tokens plugin:
 * that plugin re-parses in `parsingDidStart` and throws from Apollo's `unexpectedErrorProcessingRequest`,
 * so every syntax error (and the token limit itself) becomes an HTTP 500 instead of a 400
 * GRAPHQL_PARSE_FAILED (https://github.com/Escape-Technologies/graphql-armor/issues/751, #571). The
 * parser's own limit aborts lexing at the same count and Apollo reports it as a parse failure.
 */
export function createArmor(options: { production: boolean }): ArmorProtection {
  const armor = new ApolloArmor({
    maxDepth: { n: ARMOR_LIMITS.maxDepth },
    maxAliases: { n: ARMOR_LIMITS.maxAliases },
    maxTokens: { enabled: false },
    costLimit: { maxCost: ARMOR_LIMITS.maxCost },
    maxDirectives: { n: ARMOR_LIMITS.maxDirectives },
    // Apollo Server's hideSchemaDetailsFromClientErrors already removes "Did you mean" in
    // production; armor's mask is a second guard there, and stays off in development where the
    // hints help people write queries.
    blockFieldSuggestion: { enabled: options.production },
  });
  const { plugins, validationRules } = armor.protect();
  // graphql-armor's declarations import @apollo/server's CommonJS types, ours are its ESM ones: the
  // same plugin interface, declared twice, which TypeScript will not unify.
  return { plugins: plugins as unknown as ApolloServerPlugin[], validationRules, parseOptions: { maxTokens: ARMOR_LIMITS.maxTokens } };
}
