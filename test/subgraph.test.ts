import { composeServices } from '@apollo/composition';
import { generate } from '@graphql-codegen/cli';
import { parse } from 'graphql';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import codegenConfig from '../codegen.js';
import { DEMO_AWS_ACCOUNT_ID, DEMO_DOMAIN_ID } from '../tools/emulator/seed.js';
import { READ, SECRETS, type Stack, callsOf, mintToken, startStack } from './support/stack.js';

let stack: Stack;
let reader: string;
beforeAll(async () => {
  stack = await startStack();
  reader = await mintToken([READ, SECRETS]);
  // Eleven distinct connectors and connections beyond the demo seed.
  for (let index = 0; index < 11; index += 1) {
    stack.emulator.putActionConnector(DEMO_AWS_ACCOUNT_ID, { ActionConnectorId: `batch-${index}`, Name: `Batch ${index}`, Type: 'GENERIC_HTTP', Status: 'CREATION_SUCCESSFUL' });
    stack.emulator.putConnection({ domainId: DEMO_DOMAIN_ID, connectionId: `conn-batch-${index}`, name: `batch-${index}`, type: 'ATHENA', props: { athenaProperties: { workgroupName: `wg-${index}` } } });
  }
});
afterAll(() => stack.close());

describe('batching through per-request DataLoaders', () => {
  it('quickSightActionConnector - 50 aliases over 11 ids make exactly 11 AWS calls', async () => {
    stack.emulator.resetCalls();
    const aliases = Array.from({ length: 50 }, (_, index) =>
      `a${index}: quickSightActionConnector(awsAccountId: "${DEMO_AWS_ACCOUNT_ID}", actionConnectorId: "batch-${index % 11}") { actionConnectorId name }`,
    );
    const response = await stack.graphql(`{ ${aliases.join('\n')} }`, { token: reader });
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data!['a49']).toEqual({ actionConnectorId: 'batch-5', name: 'Batch 5' });
    const calls = callsOf(stack.emulator, 'DescribeActionConnector');
    expect(calls).toHaveLength(11);
    expect(new Set(calls.map((call) => call.params['ActionConnectorId'])).size).toBe(11);
  });

  it('_entities - 60 representations over 11 ids make exactly 11 AWS calls, answers in representation order', async () => {
    stack.emulator.resetCalls();
    const representations = Array.from({ length: 60 }, (_, index) => ({ __typename: 'DataZoneConnection', domainId: DEMO_DOMAIN_ID, connectionId: `conn-batch-${(index * 7) % 11}` }));
    const response = await stack.graphql(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on DataZoneConnection { connectionId name } } }`,
      { token: reader, variables: { r: representations } },
    );
    expect(response.body.errors).toBeUndefined();
    const entities = response.body.data!['_entities'] as Array<{ connectionId: string; name: string }>;
    expect(entities.map((entity) => entity.connectionId)).toEqual(representations.map((representation) => representation.connectionId));
    expect(callsOf(stack.emulator, 'GetConnection')).toHaveLength(11);
  });

  it('root fields and _entities share one loader: the same connection by both paths costs one call', async () => {
    stack.emulator.resetCalls();
    const response = await stack.graphql(
      `query($r: [_Any!]!) {
        direct: dataZoneConnection(domainIdentifier: "${DEMO_DOMAIN_ID}", identifier: "conn-batch-3") { name }
        _entities(representations: $r) { ... on DataZoneConnection { name } }
      }`,
      { token: reader, variables: { r: [{ __typename: 'DataZoneConnection', domainId: DEMO_DOMAIN_ID, connectionId: 'conn-batch-3' }] } },
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data!['direct']).toEqual({ name: 'batch-3' });
    expect(callsOf(stack.emulator, 'GetConnection')).toHaveLength(1);
  });
});

describe('AWS faults: each gives its contract code on its own field, siblings intact', () => {
  it('not found, access denied, throttled-then-succeeds, throttled for good, 5xx and invalid input in one operation', async () => {
    const faults = [
      stack.emulator.injectFault({ service: 'datazone', id: 'conn-batch-1', kind: 'error', errorName: 'AccessDeniedException' }),
      stack.emulator.injectFault({ service: 'datazone', id: 'conn-batch-2', kind: 'error', errorName: 'ThrottlingException', times: 1 }),
      stack.emulator.injectFault({ service: 'datazone', id: 'conn-batch-4', kind: 'error', errorName: 'InternalServerException', status: 500 }),
      stack.emulator.injectFault({ service: 'quicksight', id: 'batch-6', kind: 'error', errorName: 'ThrottlingException' }),
      stack.emulator.injectFault({ service: 'quicksight', id: 'batch-7', kind: 'error', errorName: 'InvalidParameterValueException' }),
      stack.emulator.injectFault({ service: 'quicksight', id: 'batch-8', kind: 'error', errorName: 'UnauthorizedException' }),
    ];
    stack.emulator.resetCalls();
    try {
      const connection = (alias: string, id: string) => `${alias}: dataZoneConnection(domainIdentifier: "${DEMO_DOMAIN_ID}", identifier: "${id}") { connectionId name }`;
      const connector = (alias: string, id: string) => `${alias}: quickSightActionConnector(awsAccountId: "${DEMO_AWS_ACCOUNT_ID}", actionConnectorId: "${id}") { actionConnectorId name }`;
      const response = await stack.graphql(
        `{ ${connection('ok', 'conn-batch-0')} ${connection('missing', 'conn-does-not-exist')} ${connection('denied', 'conn-batch-1')}
           ${connection('throttledOnce', 'conn-batch-2')} ${connection('broken', 'conn-batch-4')}
           ${connector('okConnector', 'batch-0')} ${connector('throttled', 'batch-6')} ${connector('invalid', 'batch-7')} ${connector('unauthorized', 'batch-8')} }`,
        { token: reader },
      );
      expect(response.status).toBe(200);
      const data = response.body.data!;
      expect(data['ok']).toEqual({ connectionId: 'conn-batch-0', name: 'batch-0' });
      expect(data['throttledOnce']).toEqual({ connectionId: 'conn-batch-2', name: 'batch-2' });
      expect(data['okConnector']).toEqual({ actionConnectorId: 'batch-0', name: 'Batch 0' });
      for (const alias of ['missing', 'denied', 'broken', 'throttled', 'invalid', 'unauthorized']) expect(data[alias]).toBeNull();

      const errorAt = (alias: string) => response.body.errors!.find((error) => error.path?.[0] === alias)!;
      expect(errorAt('missing').extensions).toMatchObject({ code: 'NOT_FOUND', aws: { service: 'datazone', errorName: 'ResourceNotFoundException', requestId: expect.any(String) } });
      expect(errorAt('denied').extensions).toMatchObject({ code: 'FORBIDDEN', aws: { service: 'datazone', errorName: 'AccessDeniedException' } });
      expect(errorAt('broken').extensions).toMatchObject({ code: 'UPSTREAM_ERROR', aws: { service: 'datazone', errorName: 'InternalServerException' } });
      expect(errorAt('throttled').extensions).toMatchObject({ code: 'THROTTLED', aws: { service: 'quicksight', errorName: 'ThrottlingException' } });
      expect(errorAt('invalid').extensions).toMatchObject({ code: 'BAD_USER_INPUT', aws: { service: 'quicksight', errorName: 'InvalidParameterValueException' } });
      expect(errorAt('unauthorized').extensions).toMatchObject({ code: 'FORBIDDEN', aws: { service: 'quicksight', errorName: 'UnauthorizedException' } });
      expect(response.body.errors).toHaveLength(6);
      for (const error of response.body.errors!) {
        expect(error.extensions!['aws'].requestId).toMatch(/\S+/);
        expect(error.extensions).not.toHaveProperty('stacktrace');
      }
      // The SDK's retry strategy retried the throttled and failing calls, not a hand-made loop.
      const attempts = (id: string) => stack.emulator.calls.filter((call) => (call.params['identifier'] ?? call.params['ActionConnectorId']) === id).length;
      expect(attempts('conn-batch-2')).toBe(2);
      expect(attempts('conn-batch-4')).toBe(stack.config.aws.maxAttempts);
      expect(attempts('batch-6')).toBe(stack.config.aws.maxAttempts);
      expect(attempts('conn-batch-1')).toBe(1);
    } finally {
      for (const fault of faults) fault.remove();
    }
  });

  it('malformed ids - refused as BAD_USER_INPUT naming the argument, before any AWS call', async () => {
    stack.emulator.resetCalls();
    const response = await stack.graphql(
      `{ a: quickSightActionConnector(awsAccountId: "12345", actionConnectorId: "x") { arn }
         b: quickSightActionConnector(awsAccountId: "${DEMO_AWS_ACCOUNT_ID}", actionConnectorId: "a/b") { arn }
         c: dataZoneConnection(domainIdentifier: "domain-1", identifier: "conn-batch-0") { name }
         d: dataZoneConnection(domainIdentifier: "${DEMO_DOMAIN_ID}", identifier: "../etc") { name }
         e: dataZoneConnection(domainIdentifier: "${DEMO_DOMAIN_ID}", identifier: "conn-batch-0") { name } }`,
      { token: reader },
    );
    const codes = Object.fromEntries(response.body.errors!.map((error) => [error.path![0], [error.extensions!['code'], error.extensions!['argumentName']]]));
    expect(codes).toEqual({
      a: ['BAD_USER_INPUT', 'awsAccountId'],
      b: ['BAD_USER_INPUT', 'actionConnectorId'],
      c: ['BAD_USER_INPUT', 'domainIdentifier'],
      d: ['BAD_USER_INPUT', 'identifier'],
    });
    expect(response.body.data!['e']).toEqual({ name: 'batch-0' });
    expect(stack.emulator.calls.map((call) => call.params['identifier'])).toEqual(['conn-batch-0']);
  });
});

describe('federation', () => {
  const otherSubgraph = parse(/* GraphQL */ `
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])
    type QuickSightActionConnector @key(fields: "awsAccountId actionConnectorId", resolvable: false) {
      awsAccountId: ID!
      actionConnectorId: ID!
    }
    type DataZoneConnection @key(fields: "domainId connectionId", resolvable: false) {
      domainId: ID!
      connectionId: ID!
    }
    type Dashboard @key(fields: "id") {
      id: ID!
      alertConnector: QuickSightActionConnector
      sourceConnection: DataZoneConnection
    }
    type Query { dashboards: [Dashboard!]! }
  `);

  it('_service { sdl } - composes with a subgraph that references both entities, keeping the auth directives', async () => {
    const response = await stack.graphql('{ _service { sdl } }');
    const sdl = response.body.data!['_service'].sdl as string;
    const result = composeServices([
      { name: 'aws-connections', url: 'http://aws-connections/graphql', typeDefs: parse(sdl) },
      { name: 'dashboards', url: 'http://dashboards/graphql', typeDefs: otherSubgraph },
    ]);
    expect(result.errors).toBeUndefined();
    expect(result.supergraphSdl).toContain('type DataZoneConnection');
    expect(result.supergraphSdl).toMatch(/@requiresScopes\(scopes: \[\["connections:secrets:read"\]\]\)/);
  });
});

describe('codegen', () => {
  it('src/generated/resolvers-types.ts - is what `npm run codegen` generates from schema/ today', async () => {
    const outputs = await generate({ ...codegenConfig, silent: true }, false);
    const output = outputs.find((file: { filename: string; content: string }) => file.filename.endsWith('src/generated/resolvers-types.ts'));
    expect(output, 'codegen produced no resolvers-types.ts').toBeDefined();
    expect(readFileSync('src/generated/resolvers-types.ts', 'utf8'), 'stale generated types: run `npm run codegen`').toBe(output!.content);
  });
});

describe('upstream that never answers', () => {
  it('a hanging AWS call - times out per attempt into UPSTREAM_ERROR while its sibling resolves', async () => {
    const hanging = await startStack({ env: { AWS_REQUEST_TIMEOUT_MS: '300', AWS_MAX_ATTEMPTS: '2' } });
    try {
      const fault = hanging.emulator.injectFault({ service: 'datazone', id: 'conn-athena-sales', kind: 'hang' });
      const token = await mintToken([READ]);
      const response = await hanging.graphql(
        `{ stuck: dataZoneConnection(domainIdentifier: "${DEMO_DOMAIN_ID}", identifier: "conn-athena-sales") { name }
           fine: dataZoneConnection(domainIdentifier: "${DEMO_DOMAIN_ID}", identifier: "conn-iam-project") { name } }`,
        { token },
      );
      fault.remove();
      expect(response.body.data).toEqual({ stuck: null, fine: { name: 'project-iam' } });
      expect(response.body.errors).toHaveLength(1);
      expect(response.body.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_ERROR', aws: { service: 'datazone' } });
      expect(hanging.emulator.calls.filter((call) => call.params['identifier'] === 'conn-athena-sales')).toHaveLength(2);
    } finally {
      await hanging.close();
    }
  });
});
