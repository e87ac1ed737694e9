import { type GraphQLField, type GraphQLObjectType, type GraphQLSchema, getNamedType, isEnumType, isListType, isNonNullType, isObjectType, isUnionType, type GraphQLOutputType } from 'graphql';
import type { NormalizedSchema } from '@smithy/core/schema';
import { describe, expect, it } from 'vitest';
import { buildServedSchema } from '../src/schema/build.js';
import { UNION_TABLES, describeActionConnectorResponse, fieldNameOf, getConnectionOutput, kindOf, members, shapeNameOf } from './support/sdk-shapes.js';

const { schema } = buildServedSchema();

function objectType(name: string): GraphQLObjectType {
  const type = schema.getType(name);
  if (!isObjectType(type)) throw new Error(`${name} is not an object type`);
  return type;
}

function unwrapNonNull(type: GraphQLOutputType): GraphQLOutputType {
  return isNonNullType(type) ? type.ofType : type;
}

/**
 * Walks an SDK shape and the GraphQL type it maps to side by side; returns every member path that
 * has no matching field, or whose field has the wrong kind of type.
 */
function missingPaths(sdk: NormalizedSchema, type: GraphQLObjectType, path: string, problems: string[], seen = new Set<string>()): string[] {
  const visitKey = `${shapeNameOf(sdk)}->${type.name}`;
  if (seen.has(visitKey)) return problems;
  seen.add(visitKey);
  for (const [member, memberSchema] of members(sdk)) {
    const memberPath = `${path}.${member}`;
    const field = type.getFields()[fieldNameOf(member)];
    if (!field) {
      problems.push(`${memberPath}: no field ${type.name}.${fieldNameOf(member)}`);
      continue;
    }
    checkValue(memberSchema, field, field.type, memberPath, problems, seen, type);
  }
  return problems;
}

function checkValue(
  sdk: NormalizedSchema,
  field: GraphQLField<unknown, unknown>,
  graphqlType: GraphQLOutputType,
  path: string,
  problems: string[],
  seen: Set<string>,
  parent: GraphQLObjectType,
): void {
  const type = unwrapNonNull(graphqlType);
  const named = getNamedType(type);
  switch (kindOf(sdk)) {
    case 'struct':
      if (!isObjectType(named)) return void problems.push(`${path}: structure is not an object type`);
      missingPaths(sdk, named, path, problems, seen);
      return;
    case 'union': {
      if (!isUnionType(named)) return void problems.push(`${path}: union is not a GraphQL union`);
      const table = UNION_TABLES[shapeNameOf(sdk)];
      if (!table) return void problems.push(`${path}: no resolver table for union ${shapeNameOf(sdk)}`);
      const possible = new Set(named.getTypes().map((member) => member.name));
      if (![...possible].some((name) => name.endsWith('UnknownMember'))) problems.push(`${path}: union has no unknown-member type`);
      for (const [member, memberSchema] of members(sdk)) {
        const entry = table[member];
        if (!entry) {
          problems.push(`${path}.${member}: union member missing from the resolver table`);
          continue;
        }
        const typeName = typeof entry === 'string' ? entry : entry.wrapIn;
        if (!possible.has(typeName)) {
          problems.push(`${path}.${member}: ${typeName} is not a member of ${named.name}`);
          continue;
        }
        const memberType = objectType(typeName);
        if (typeof entry === 'string') {
          missingPaths(memberSchema, memberType, `${path}.${member}`, problems, seen);
        } else {
          const wrapped = memberType.getFields()[member];
          if (!wrapped) problems.push(`${path}.${member}: wrapper ${typeName} has no field ${member}`);
          else checkValue(memberSchema, wrapped, wrapped.type, `${path}.${member}`, problems, seen, memberType);
        }
      }
      return;
    }
    case 'list':
      if (!isListType(type)) return void problems.push(`${path}: list is not a GraphQL list`);
      checkValue(sdk.getValueSchema(), field, type.ofType, `${path}[]`, problems, seen, parent);
      return;
    case 'map':
      if (named.name !== 'DataZoneStringMapEntry' || !isListType(type)) problems.push(`${path}: map is not [DataZoneStringMapEntry!]`);
      return;
    case 'timestamp':
      if (named.name !== 'DateTime') problems.push(`${path}: timestamp is ${named.name}, not DateTime`);
      return;
    case 'boolean':
      if (named.name !== 'Boolean') problems.push(`${path}: boolean is ${named.name}`);
      return;
    case 'number':
      if (named.name !== 'Int' && named.name !== 'Float') problems.push(`${path}: number is ${named.name}`);
      return;
    case 'string':
      if (isEnumType(named)) {
        if (!named.getValue('UNRECOGNIZED')) problems.push(`${path}: enum ${named.name} has no UNRECOGNIZED fallback`);
        if (!parent.getFields()[`${field.name}Raw`]) problems.push(`${path}: enum field has no ${field.name}Raw sibling`);
      } else if (named.name !== 'String' && named.name !== 'ID') {
        problems.push(`${path}: string is ${named.name}`);
      }
      return;
    default:
      problems.push(`${path}: unexpected SDK shape kind`);
  }
}

describe('schema completeness against the AWS SDK', () => {
  it('QuickSightActionConnector - has a field for every member path of DescribeActionConnectorResponse', () => {
    const response = describeActionConnectorResponse();
    const connector = objectType('QuickSightActionConnector');
    const problems: string[] = [];
    for (const [member, memberSchema] of members(response)) {
      if (member === 'ActionConnector') {
        // The connector's own members sit on the entity itself.
        missingPaths(memberSchema, connector, 'DescribeActionConnectorResponse.ActionConnector', problems);
      } else {
        // The response's RequestId and HTTP Status sit under describeResponse: the connector has its own `status`.
        const metadata = objectType('QuickSightDescribeActionConnectorResponseMetadata');
        if (!metadata.getFields()[fieldNameOf(member)]) problems.push(`DescribeActionConnectorResponse.${member}: no describeResponse.${fieldNameOf(member)}`);
      }
    }
    expect(connector.getFields()['describeResponse']?.type.toString()).toBe('QuickSightDescribeActionConnectorResponseMetadata');
    expect(problems).toEqual([]);
  });

  it('DataZoneConnection - has a field for every member path of GetConnectionOutput', () => {
    const problems = missingPaths(getConnectionOutput(), objectType('DataZoneConnection'), 'GetConnectionOutput', []);
    expect(problems).toEqual([]);
  });

  it('the walk itself - reports a member the schema lacks', () => {
    // Guard against a walk that silently checks nothing: a type lacking fields must be reported.
    const problems = missingPaths(getConnectionOutput(), objectType('DataZoneStringMapEntry'), 'GetConnectionOutput', []);
    expect(problems.length).toBeGreaterThan(10);
    expect(problems).toContain('GetConnectionOutput.connectionId: no field DataZoneStringMapEntry.connectionId');
  });

  it('every type and field - has a description for Apollo Sandbox', () => {
    const undocumented: string[] = [];
    for (const type of Object.values(schema.getTypeMap() as ReturnType<GraphQLSchema['getTypeMap']>)) {
      if (type.name.startsWith('_') || type.name.startsWith('link__') || type.name.startsWith('federation__')) continue;
      if (!type.astNode) continue; // built-in scalars and federation's own types
      if (!type.description) undocumented.push(type.name);
      if (isObjectType(type)) {
        for (const field of Object.values(type.getFields())) {
          if (field.name.startsWith('_') && type.name === 'Query') continue;
          if (!field.description) undocumented.push(`${type.name}.${field.name}`);
        }
      }
    }
    expect(undocumented).toEqual([]);
  });
});
