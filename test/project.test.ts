import { DataZoneClient, GetProjectCommand } from '@aws-sdk/client-datazone';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATAZONE_ERROR_STATUS, DECLARED_ERRORS } from '../tools/emulator/index.js';
import { projects } from '../tools/emulator/operations/get-project.js';
import { DEMO_DOMAIN_ID, seedConnections, seedProjects } from '../tools/emulator/seed.js';
import { READ, type Stack, mintToken, startStack } from './support/stack.js';

/**
 * DataZone GetProject end to end (docs/adding-an-operation.md): the SDK against the emulator, then
 * `DataZoneConnection.project` through the subgraph.
 */

let stack: Stack;
let reader: string;
let client: DataZoneClient;
beforeAll(async () => {
  stack = await startStack();
  reader = await mintToken([READ]);
  client = new DataZoneClient({ endpoint: stack.emulator.url, region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'example-secret' }, maxAttempts: 1 });
  stack.emulator.putConnection({ domainId: DEMO_DOMAIN_ID, connectionId: 'conn-no-project', name: 'no-project', type: 'ATHENA', scope: 'DOMAIN' });
  stack.emulator.putConnection({ domainId: DEMO_DOMAIN_ID, connectionId: 'conn-lost-project', name: 'lost-project', type: 'ATHENA', projectId: 'prj_gone' });
});
afterAll(async () => {
  client.destroy();
  await stack.close();
});

const gets = () => stack.emulator.calls.filter((call) => call.operation === 'GetProject');

describe('GetProject through the DataZone SDK and the emulator', () => {
  it('GetProject - every seeded project round-trips deeply equal, timestamps as Dates', async () => {
    for (const project of seedProjects()) {
      const { $metadata, ...output } = await client.send(new GetProjectCommand({ domainIdentifier: DEMO_DOMAIN_ID, identifier: project.id! }));
      expect($metadata.httpStatusCode).toBe(200);
      expect(output).toEqual(project);
      expect(output.createdAt).toBeInstanceOf(Date);
    }
  });

  it('GetProject - sends createdAt as an RFC 3339 string, as its schema says', async () => {
    const [project] = seedProjects();
    const body = (await (await fetch(`${stack.emulator.url}/v2/domains/${DEMO_DOMAIN_ID}/projects/${project!.id}`)).json()) as Record<string, unknown>;
    expect(body['createdAt']).toBe(project!.createdAt!.toISOString());
  });

  it('GetProject - an unknown project is ResourceNotFoundException 404, a bad id ValidationException 400; every declared error is the SDK\'s', async () => {
    const missing = await client.send(new GetProjectCommand({ domainIdentifier: DEMO_DOMAIN_ID, identifier: 'prj_nowhere' })).catch((error: unknown) => error);
    expect(missing).toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } });
    const refused = await fetch(`${stack.emulator.url}/v2/domains/${DEMO_DOMAIN_ID}/projects/${encodeURIComponent('prj.bad')}`);
    expect(refused.status).toBe(400);
    expect(refused.headers.get('x-amzn-errortype')).toBe('ValidationException');
    for (const name of DECLARED_ERRORS.GetProject) expect(DATAZONE_ERROR_STATUS).toHaveProperty(name);
  });

  it('put(projects, …) - stores a project the next GetProject answers', async () => {
    stack.emulator.put(projects, { domainId: 'dzd_other1', id: 'prj_put', name: 'put', createdBy: 'usr_put' });
    const output = await client.send(new GetProjectCommand({ domainIdentifier: 'dzd_other1', identifier: 'prj_put' }));
    expect(output).toMatchObject({ id: 'prj_put', name: 'put', createdBy: 'usr_put' });
  });
});

describe('DataZoneConnection.project through the subgraph', () => {
  const selection = 'connectionId name project { id domainId name description projectStatus projectStatusRaw createdBy createdAt lastUpdatedAt domainUnitId projectProfileId }';

  it('DataZoneConnection.project - resolves the seeded project with GetProject, timestamps as ISO strings', async () => {
    const connection = seedConnections()[0]!;
    const project = seedProjects().find((candidate) => candidate.id === connection.projectId)!;
    stack.emulator.resetCalls();
    const response = await stack.graphql(`{ dataZoneConnection(domainIdentifier: "${DEMO_DOMAIN_ID}", identifier: "${connection.connectionId}") { ${selection} } }`, { token: reader });
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data!['dataZoneConnection'].project).toEqual({
      id: project.id,
      domainId: DEMO_DOMAIN_ID,
      name: project.name,
      description: project.description,
      projectStatus: project.projectStatus,
      projectStatusRaw: project.projectStatus,
      createdBy: project.createdBy,
      createdAt: project.createdAt!.toISOString(),
      lastUpdatedAt: project.lastUpdatedAt!.toISOString(),
      domainUnitId: project.domainUnitId,
      projectProfileId: project.projectProfileId,
    });
    expect(gets().map((call) => call.params)).toEqual([{ domainIdentifier: DEMO_DOMAIN_ID, identifier: project.id }]);
  });

  it('DataZoneConnection.project - a status newer than the schema is UNRECOGNIZED, its raw value kept', async () => {
    const future = seedProjects().find((project) => (project.projectStatus as string) === 'ARCHIVED')!;
    const connection = (await stack.graphql(`{ dataZoneConnections(domainIdentifier: "${DEMO_DOMAIN_ID}", first: 1, filter: { projectIdentifier: "${future.id}" }) { edges { node { project { projectStatus projectStatusRaw } } } } }`, { token: reader })).body;
    expect(connection.errors).toBeUndefined();
    expect(connection.data!['dataZoneConnections'].edges[0].node.project).toEqual({ projectStatus: 'UNRECOGNIZED', projectStatusRaw: 'ARCHIVED' });
  });

  it('DataZoneConnection.project - a page of 50 connections over 3 projects costs 1 ListConnections and 3 GetProject calls', async () => {
    stack.emulator.resetCalls();
    const response = await stack.graphql(`{ dataZoneConnections(domainIdentifier: "${DEMO_DOMAIN_ID}", first: 50) { edges { node { connectionId projectId project { id } } } } }`, { token: reader });
    expect(response.body.errors).toBeUndefined();
    const nodes = (response.body.data!['dataZoneConnections'].edges as Array<{ node: { projectId: string | null; project: { id: string } | null } }>).map((edge) => edge.node);
    expect(nodes).toHaveLength(50);
    for (const node of nodes) expect(node.project?.id ?? null).toBe(node.projectId);
    expect(stack.emulator.calls.filter((call) => call.operation === 'ListConnections')).toHaveLength(1);
    expect(new Set(gets().map((call) => call.params['identifier']))).toEqual(new Set(nodes.map((node) => node.projectId)));
    expect(gets()).toHaveLength(new Set(nodes.map((node) => node.projectId)).size);
  });

  it('DataZoneConnection.project - null without a call for a connection that names no project', async () => {
    stack.emulator.resetCalls();
    const response = await stack.graphql(`{ dataZoneConnection(domainIdentifier: "${DEMO_DOMAIN_ID}", identifier: "conn-no-project") { name project { id } } }`, { token: reader });
    expect(response.body).toEqual({ data: { dataZoneConnection: { name: 'no-project', project: null } } });
    expect(gets()).toEqual([]);
  });

  it('DataZoneConnection.project - a project AWS does not find is null with NOT_FOUND at its path, the connection intact', async () => {
    const response = await stack.graphql(`{ dataZoneConnection(domainIdentifier: "${DEMO_DOMAIN_ID}", identifier: "conn-lost-project") { name project { id } } }`, { token: reader });
    expect(response.body.data).toEqual({ dataZoneConnection: { name: 'lost-project', project: null } });
    expect(response.body.errors).toHaveLength(1);
    expect(response.body.errors![0]).toMatchObject({
      path: ['dataZoneConnection', 'project'],
      message: `DataZone project "prj_gone" in domain ${DEMO_DOMAIN_ID} was not found.`,
      extensions: { code: 'NOT_FOUND', aws: { service: 'datazone', errorName: 'ResourceNotFoundException' } },
    });
  });

  it('DataZoneConnection.project - GetProject throttled for good is THROTTLED on that field only', async () => {
    const connection = seedConnections()[0]!;
    const fault = stack.emulator.injectFault({ operation: 'GetProject', kind: 'error', errorName: 'ThrottlingException' });
    try {
      const response = await stack.graphql(`{ dataZoneConnection(domainIdentifier: "${DEMO_DOMAIN_ID}", identifier: "${connection.connectionId}") { name project { id } } }`, { token: reader });
      expect(response.body.data).toEqual({ dataZoneConnection: { name: connection.name, project: null } });
      expect(response.body.errors?.map((error) => [error.path, error.extensions?.['code']])).toEqual([[['dataZoneConnection', 'project'], 'THROTTLED']]);
    } finally {
      fault.remove();
    }
  });

  it('DataZoneConnection.project - anonymous callers get no project and cause no GetProject', async () => {
    stack.emulator.resetCalls();
    const response = await stack.graphql(`{ dataZoneConnection(domainIdentifier: "${DEMO_DOMAIN_ID}", identifier: "${seedConnections()[0]!.connectionId}") { project { id } } }`);
    expect(response.body.data?.['dataZoneConnection'] ?? null).toBeNull();
    expect(response.body.errors?.[0]?.extensions?.['code']).toBe('UNAUTHORIZED_FIELD_OR_TYPE');
    expect(stack.emulator.calls).toEqual([]);
  });
});
