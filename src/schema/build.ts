import { buildSubgraphSchema } from '@apollo/subgraph';
import { mergeResolvers, mergeTypeDefs } from '@graphql-tools/merge';
import { type DocumentNode, type GraphQLSchema, parse } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { existsSync, readFileSync } from 'node:fs';
import { AuthPolicy, stripAuthDirectives } from '../auth/policy.js';
import { DOMAINS } from './domains.js';
import { enumResolversFromSdk } from './enums.js';
import { applySchemaPasses } from './passes.js';

const BASE_SCHEMA_FILE = 'base.graphql';

/** The SDL files, in the order they are concatenated: the base, then each domain's. */
export const SCHEMA_FILES: readonly string[] = [BASE_SCHEMA_FILE, ...DOMAINS.map((domain) => domain.schemaFile)];

/**
 * The repository's `schema/` directory: two levels up from this module when it runs from `src/`
 * (tsx, vitest), three from the compiled `dist/src/` (`npm start`).
 */
function schemaDirectory(): URL {
  const candidates = ['../../schema/', '../../../schema/'].map((relative) => new URL(relative, import.meta.url));
  const found = candidates.find((directory) => existsSync(new URL(BASE_SCHEMA_FILE, directory)));
  if (!found) throw new Error(`schema/${BASE_SCHEMA_FILE} not found near ${import.meta.url}`);
  return found;
}

/**
 * The SDL files as one document in which `type Query` is a single definition: the domain files'
 * `extend type Query` blocks are merged into it. `_service { sdl }` prints this document, and not
 * every composer reads extensions: `@graphql-mesh/compose-cli` turns each one into another
 * `type Query` and keeps only the last (test/composition.test.ts composes with each composer).
 */
export function loadTypeDefs(): DocumentNode {
  const directory = schemaDirectory();
  const source = SCHEMA_FILES.map((file) => readFileSync(new URL(file, directory), 'utf8')).join('\n');
  // No `schema { query: Query }` added: the federation `@link` stays a bare `extend schema`.
  return mergeTypeDefs([parse(source)], { throwOnConflict: true, useSchemaDefinition: false });
}

type SubgraphModule = Extract<Extract<Parameters<typeof buildSubgraphSchema>[0], readonly unknown[]>[number], { typeDefs: unknown }>;
type SubgraphResolvers = NonNullable<SubgraphModule['resolvers']>;

export interface ServedSchema {
  schema: GraphQLSchema;
  policy: AuthPolicy;
  typeDefs: DocumentNode;
}

export interface BuildSchemaOptions {
  /** Serve the SDL without auth directive applications (for `@apollo/gateway`); enforcement stays on. */
  gatewayCompatibleSdl?: boolean;
}

export function buildServedSchema(options: BuildSchemaOptions = {}): ServedSchema {
  const typeDefs = loadTypeDefs();
  // The policy always comes from the full SDL, whichever SDL is served.
  const policy = new AuthPolicy(typeDefs);
  const servedTypeDefs = options.gatewayCompatibleSdl ? stripAuthDirectives(typeDefs) : typeDefs;
  const resolvers = {
    DateTime: DateTimeResolver,
    ...Object.assign({}, ...DOMAINS.map((domain) => enumResolversFromSdk(typeDefs, domain.typePrefix, domain.sdk))),
    // Merged by type: every domain adds fields to `Query`.
    ...mergeResolvers(DOMAINS.map((domain) => domain.resolvers as Record<string, object>)),
  } as unknown as SubgraphResolvers;
  const schema = buildSubgraphSchema([{ typeDefs: servedTypeDefs, resolvers }]);
  // Every resolver wrapper, in one ordered list (passes.ts).
  applySchemaPasses(schema, policy);
  return { schema, policy, typeDefs: servedTypeDefs };
}
