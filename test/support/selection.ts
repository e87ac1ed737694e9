import { type GraphQLObjectType, type GraphQLSchema, getNamedType, isObjectType, isUnionType } from 'graphql';

/** A selection set of every field below a type (unions through `... on` every member), for round trips. */
export function fullSelection(schema: GraphQLSchema, typeName: string, depth = 0): string {
  if (depth > 12) throw new Error(`selection too deep at ${typeName}`);
  const type = schema.getType(typeName);
  if (isUnionType(type)) {
    return `{ __typename ${type.getTypes().map((member) => `... on ${member.name} ${fullSelection(schema, member.name, depth + 1)}`).join(' ')} }`;
  }
  if (!isObjectType(type)) throw new Error(`${typeName} has no fields`);
  const fields = Object.values((type as GraphQLObjectType).getFields()).filter((field) => field.args.length === 0 && !field.name.startsWith('_'));
  const selections = fields.map((field) => {
    const named = getNamedType(field.type);
    return isObjectType(named) || isUnionType(named) ? `${field.name} ${fullSelection(schema, named.name, depth + 1)}` : field.name;
  });
  return `{ __typename ${selections.join(' ')} }`;
}
