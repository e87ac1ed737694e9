/**
 * What the benchmark's three processes agree on: the connections the emulator holds, the GraphQL
 * documents the subgraph answers and the JSON the baseline builds for the same selection.
 */
import type { GetConnectionOutput } from '@aws-sdk/client-datazone';

export const BENCH_DOMAIN = 'dzd_bench0001';
/** Distinct connections, so that concurrent requests of scenarios A, B, C and E never share an id. */
export const BENCH_IDS = Array.from({ length: 1000 }, (_, index) => `bench-${String(index).padStart(4, '0')}`);
/** The one connection every request of scenario D reads. */
export const HOT_ID = 'bench-hot';

export function benchConnection(connectionId: string): Record<string, unknown> {
  return {
    domainId: BENCH_DOMAIN,
    connectionId,
    name: `athena-${connectionId}`,
    description: `Athena workgroup of ${connectionId}, for the benchmark.`,
    domainUnitId: 'dzu_bench',
    environmentId: 'env_bench',
    environmentUserRole: 'arn:aws:iam::111122223333:role/datazone_usr_role_bench',
    projectId: 'prj_bench',
    scope: 'PROJECT',
    type: 'ATHENA',
    physicalEndpoints: [{ host: 'athena.us-east-1.amazonaws.com', port: 443, protocol: 'HTTPS', awsLocation: { awsRegion: 'us-east-1', awsAccountId: '111122223333' } }],
    props: { athenaProperties: { workgroupName: `wg-${connectionId}` } },
  };
}

/** The selection both sides return, in this order. */
export const CONNECTION_FIELDS = 'domainId connectionId name description type scope environmentId projectId physicalEndpoints { host port protocol }';

export const CONNECTION_QUERY = `query Connection($domainIdentifier: ID!, $identifier: ID!) {
  dataZoneConnection(domainIdentifier: $domainIdentifier, identifier: $identifier) { ${CONNECTION_FIELDS} }
}`;

export const ENTITIES_QUERY = `query Entities($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on DataZoneConnection { ${CONNECTION_FIELDS} } }
}`;

/** The body of a scenario-A request for connection `id`. */
export const connectionBody = (id: string): string => JSON.stringify({ query: CONNECTION_QUERY, variables: { domainIdentifier: BENCH_DOMAIN, identifier: id } });

/** The `sequence`-th scenario-A request body: BENCH_IDS in rotation. */
export const rotatingConnectionBody = (sequence: number): string => connectionBody(BENCH_IDS[sequence % BENCH_IDS.length] as string);

/** The JSON the subgraph returns for CONNECTION_FIELDS, built straight from the SDK's output. */
export function projectConnection(output: GetConnectionOutput): Record<string, unknown> {
  return {
    domainId: output.domainId ?? null,
    connectionId: output.connectionId ?? null,
    name: output.name ?? null,
    description: output.description ?? null,
    type: output.type ?? null,
    scope: output.scope ?? null,
    environmentId: output.environmentId ?? null,
    projectId: output.projectId ?? null,
    physicalEndpoints:
      output.physicalEndpoints?.map((endpoint) => ({ host: endpoint.host ?? null, port: endpoint.port ?? null, protocol: endpoint.protocol ?? null })) ?? null,
  };
}
