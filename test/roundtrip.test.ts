import type { NormalizedSchema } from '@smithy/core/schema';
import { type GraphQLObjectType, getNamedType, isEnumType, isObjectType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedActionConnectors, seedConnections } from '../tools/emulator/seed.js';
import { buildServedSchema } from '../src/schema/build.js';
import { UNION_TABLES, describeActionConnectorResponse, fieldNameOf, getConnectionOutput, kindOf, members, shapeNameOf } from './support/sdk-shapes.js';
import { fullSelection } from './support/selection.js';
import { READ, SECRETS, type Stack, mintToken, startStack } from './support/stack.js';

const { schema } = buildServedSchema();
/** Every (union, member) a seed exercised; the test fails if any member of any union is never planted. */
const coveredUnionMembers = new Set<string>();

function objectType(name: string): GraphQLObjectType {
  const type = schema.getType(name);
  if (!isObjectType(type)) throw new Error(`${name} is not an object type`);
  return type;
}

/** What GraphQL must answer for a value planted in the emulator, computed from the SDK's schema. */
function expectedStructure(sdk: NormalizedSchema, value: Record<string, unknown>, type: GraphQLObjectType): Record<string, unknown> {
  const expected: Record<string, unknown> = {};
  for (const [member, memberSchema] of members(sdk)) {
    const planted = value[member];
    if (planted === undefined) continue;
    const fieldName = fieldNameOf(member);
    const field = type.getFields()[fieldName];
    if (!field) throw new Error(`${type.name} has no field ${fieldName}`);
    const named = getNamedType(field.type);
    if (isEnumType(named)) {
      const known = (raw: unknown) => (named.getValues().some((enumValue) => enumValue.value === raw) ? raw : 'UNRECOGNIZED');
      expected[fieldName] = Array.isArray(planted) ? planted.map(known) : known(planted);
      expected[`${fieldName}Raw`] = planted;
      continue;
    }
    expected[fieldName] = expectedValue(memberSchema, planted, named.name);
  }
  return expected;
}

function expectedValue(sdk: NormalizedSchema, planted: unknown, graphqlTypeName: string): unknown {
  switch (kindOf(sdk)) {
    case 'struct':
      return expectedStructure(sdk, planted as Record<string, unknown>, objectType(graphqlTypeName));
    case 'union': {
      const unionName = shapeNameOf(sdk);
      const plantedEntries = Object.entries(planted as Record<string, unknown>);
      // An unknown member is planted SDK-shaped, `{ $unknown: [wireName, value] }`.
      const [member, inner] =
        plantedEntries[0]![0] === '$unknown' ? (plantedEntries[0]![1] as [string, unknown]) : plantedEntries[0]!;
      const memberSchema = members(sdk).find(([name]) => name === member)?.[1];
      const entry = UNION_TABLES[unionName]![member];
      if (!memberSchema || !entry) {
        coveredUnionMembers.add(`${unionName}.$unknown`);
        return { __typename: graphqlTypeName.startsWith('QuickSight') ? 'QuickSightUnknownMember' : 'DataZoneUnknownMember', memberName: member };
      }
      coveredUnionMembers.add(`${unionName}.${member}`);
      if (typeof entry !== 'string') return { __typename: entry.wrapIn, [member]: inner };
      return { __typename: entry, ...expectedStructure(memberSchema, inner as Record<string, unknown>, objectType(entry)) };
    }
    case 'list':
      return (planted as unknown[]).map((item) => expectedValue(sdk.getValueSchema(), item, graphqlTypeName));
    case 'map':
      return Object.entries(planted as Record<string, string>).map(([key, value]) => ({ key, value }));
    case 'timestamp':
      return (planted as Date).toISOString();
    default:
      return planted;
  }
}

let stack: Stack;
let secretsReader: string;
beforeAll(async () => {
  stack = await startStack();
  secretsReader = await mintToken([READ, SECRETS]);
});
afterAll(() => stack.close());

describe('round trip: values planted in the emulator come back through GraphQL unchanged', () => {
  it('QuickSightActionConnector - every seeded connector, every union member, timestamps as ISO strings', async () => {
    const connectorSchema = members(describeActionConnectorResponse()).find(([name]) => name === 'ActionConnector')![1];
    const selection = fullSelection(schema, 'QuickSightActionConnector');
    for (const { awsAccountId, connector } of seedActionConnectors()) {
      const response = await stack.graphql(
        `query($a: ID!, $c: ID!) { quickSightActionConnector(awsAccountId: $a, actionConnectorId: $c) ${selection} }`,
        { variables: { a: awsAccountId, c: connector.ActionConnectorId }, token: secretsReader },
      );
      expect(response.body.errors).toBeUndefined();
      const expected = {
        awsAccountId,
        ...expectedStructure(connectorSchema, connector as unknown as Record<string, unknown>, objectType('QuickSightActionConnector')),
        describeResponse: { status: 200, requestId: expect.any(String) },
      };
      expect(response.body.data!['quickSightActionConnector']).toMatchObject(expected);
    }
  });

  it('DataZoneConnection - every seeded connection with secrets, every props member and nested union', async () => {
    const selection = fullSelection(schema, 'DataZoneConnection');
    for (const connection of seedConnections()) {
      const response = await stack.graphql(
        `query($d: ID!, $c: ID!) { dataZoneConnection(domainIdentifier: $d, identifier: $c, withSecret: true) ${selection} }`,
        { variables: { d: connection.domainId, c: connection.connectionId }, token: secretsReader },
      );
      expect(response.body.errors).toBeUndefined();
      const expected = expectedStructure(getConnectionOutput(), connection as unknown as Record<string, unknown>, objectType('DataZoneConnection'));
      expect(response.body.data!['dataZoneConnection']).toMatchObject(expected);
    }
  });

  it('the seeds - plant every member of every union, and an unknown member of the top-level unions', () => {
    const expected = Object.entries(UNION_TABLES).flatMap(([union, table]) => Object.keys(table).map((member) => `${union}.${member}`));
    expected.push('ReadAuthenticationMetadata.$unknown', 'ConnectionPropertiesOutput.$unknown');
    expect([...coveredUnionMembers].sort()).toEqual(expect.arrayContaining(expected.sort()));
  });

  it('enums - a value the SDK does not know maps to UNRECOGNIZED with the raw value reachable', async () => {
    const response = await stack.graphql(
      `{ quickSightActionConnector(awsAccountId: "111122223333", actionConnectorId: "holo-future") { type typeRaw authenticationConfig { authenticationMetadata { __typename ... on QuickSightUnknownMember { memberName } } } } }`,
      { token: secretsReader },
    );
    expect(response.body.errors).toBeUndefined();
    const connector = response.body.data!['quickSightActionConnector'];
    expect(connector.type).toBe('UNRECOGNIZED');
    expect(connector.typeRaw).not.toBe('UNRECOGNIZED');
    expect(connector.typeRaw).toEqual(seedActionConnectors().find((seed) => seed.connector.ActionConnectorId === 'holo-future')!.connector.Type);
    expect(connector.authenticationConfig.authenticationMetadata.__typename).toBe('QuickSightUnknownMember');
  });
});
