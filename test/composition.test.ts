import { composeServices as composeWithApollo } from '@apollo/composition';
import { composeServices as composeWithGuild } from '@theguild/federation-composition';
import { buildSchema, parse } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchSubgraphSdl } from '../tools/supergraph/gateway.js';
import { composeWithMesh } from '../tools/supergraph/mesh.config.js';
import { type Stack, startStack } from './support/stack.js';

/**
 * The SDL this subgraph serves (`_service { sdl }`), in both variants, composed by every composer a
 * supergraph team might pick: Apollo's, The Guild's library, and The Guild's `mesh-compose`, whose
 * loader keeps only the last `type Query` it reads (it turns `extend type Query` into another one).
 */
const ROOT_FIELDS = ['dataZoneConnection', 'dataZoneConnections', 'quickSightActionConnector', 'quickSightActionConnectors'];

const variants = [
  { name: 'the default SDL (with @requiresScopes)', env: {}, authDirectives: true },
  { name: 'the gateway-compatible SDL (GATEWAY_COMPATIBLE_SDL=true)', env: { GATEWAY_COMPATIBLE_SDL: 'true' }, authDirectives: false },
] as const;

function rootFieldsOf(supergraphSdl: string): string[] {
  // Supergraph SDL carries the join__ and link__ machinery; the root type is all that is read here.
  return Object.keys(buildSchema(supergraphSdl, { assumeValidSDL: true }).getQueryType()!.getFields()).sort();
}

describe.each(variants)('$name', ({ env, authDirectives }) => {
  let stack: Stack;
  let sdl: string;
  beforeAll(async () => {
    stack = await startStack({ env });
    sdl = await fetchSubgraphSdl(stack.subgraph.url);
  });
  afterAll(() => stack?.close());

  it('_service { sdl } - one `type Query` holds every root field; no extension of it', () => {
    expect(sdl.match(/^type Query\b/gm)).toHaveLength(1);
    expect(sdl).not.toMatch(/extend\s+type\s+Query\b/);
    // `_entities` and `_service` are federation's own, added by @apollo/subgraph.
    expect(rootFieldsOf(sdl).filter((field) => !field.startsWith('_'))).toEqual(ROOT_FIELDS);
  });

  it('@apollo/composition - the supergraph has all four root fields', () => {
    const result = composeWithApollo([{ name: 'aws-connections', url: stack.subgraph.url, typeDefs: parse(sdl) }]);
    expect(result.errors).toBeUndefined();
    expect(rootFieldsOf(result.supergraphSdl!)).toEqual(ROOT_FIELDS);
    expect(/@requiresScopes/.test(result.supergraphSdl!)).toBe(authDirectives);
  });

  it('@theguild/federation-composition - the supergraph has all four root fields', () => {
    const result = composeWithGuild([{ name: 'aws-connections', url: stack.subgraph.url, typeDefs: parse(sdl) }]);
    expect(result.errors).toBeUndefined();
    expect(rootFieldsOf(result.supergraphSdl!)).toEqual(ROOT_FIELDS);
    expect(/@requiresScopes/.test(result.supergraphSdl!)).toBe(authDirectives);
  });

  it('@graphql-mesh/compose-cli (mesh-compose with tools/supergraph/mesh.config.ts) - the supergraph has all four root fields', async () => {
    // The composer's own HTTP loader, fetching `_service { sdl }` from the running subgraph.
    const supergraphSdl = await composeWithMesh([{ name: 'aws-connections', url: stack.subgraph.url }]);
    expect(rootFieldsOf(supergraphSdl)).toEqual(ROOT_FIELDS);
    expect(/@requiresScopes/.test(supergraphSdl)).toBe(authDirectives);
  });
});
