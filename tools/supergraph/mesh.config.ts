/**
 * Composition for Hive Gateway with The Guild's composer (`@graphql-mesh/compose-cli`, which
 * composes with `@theguild/federation-composition`): the subgraphs supergraph.yaml lists, each
 * subgraph's `_service { sdl }` fetched from its URL, as `rover supergraph compose` does.
 *
 *   npx mesh-compose -c tools/supergraph/mesh.config.ts -o supergraph-hive.graphql
 *
 * aws-connections must serve its default SDL (with `@requiresScopes`), which Hive Gateway enforces.
 * See docs/hive-gateway.md.
 */
import { defineConfig, getComposedSchemaFromConfig, loadGraphQLHTTPSubgraph } from '@graphql-mesh/compose-cli';
import { DefaultLogger } from '@graphql-mesh/utils';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

export interface ComposedSubgraph {
  name: string;
  /** Where the gateway sends operations; also where `_service { sdl }` is fetched. */
  url: string;
}

/** The subgraphs of supergraph.yaml (the repository root's), by name and routing URL. */
export function subgraphsOfSupergraphYaml(path = new URL('../../supergraph.yaml', import.meta.url)): ComposedSubgraph[] {
  const config = parseYaml(readFileSync(path, 'utf8')) as { subgraphs: Record<string, { routing_url: string }> };
  return Object.entries(config.subgraphs).map(([name, subgraph]) => ({ name, url: subgraph.routing_url }));
}

export function meshComposeConfig(subgraphs: readonly ComposedSubgraph[]) {
  return defineConfig({
    subgraphs: subgraphs.map((subgraph) => ({
      // `federation: true`: ask for `_service { sdl }` directly, no introspection first.
      sourceHandler: loadGraphQLHTTPSubgraph(subgraph.name, { endpoint: subgraph.url, federation: true }),
    })),
  });
}

/** What `mesh-compose` reads. */
export const composeConfig = meshComposeConfig(subgraphsOfSupergraphYaml());

/**
 * What `mesh-compose` does with that config, in-process (the tests compose this way): the supergraph
 * SDL. On a failure it logs the composition errors and exits the process, as the CLI does.
 */
export function composeWithMesh(subgraphs: readonly ComposedSubgraph[]): Promise<string> {
  return getComposedSchemaFromConfig(meshComposeConfig(subgraphs), new DefaultLogger('mesh-compose'));
}
