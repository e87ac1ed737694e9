import { type GraphQLSchema, isUnionType } from 'graphql';
import { badUserInput } from '../aws/errors.js';

/**
 * `_entities(representations: [_Any!]!)` takes anything. @apollo/subgraph's resolver throws a plain
 * Error, synchronously and for the whole list, at the first representation whose `__typename` is not
 * a type of the schema: every entity of the request is lost as INTERNAL_SERVER_ERROR, and the
 * rejected promises of the items before it are left unhandled. This guard answers such an item with
 * its own BAD_USER_INPUT (null at its index) and hands only well-formed representations to the
 * subgraph's resolver; the key fields themselves are checked by each type's reference resolver.
 */
export function guardEntityRepresentations(schema: GraphQLSchema): void {
  const field = schema.getQueryType()?.getFields()['_entities'];
  const entityUnion = schema.getType('_Entity');
  const resolve = field?.resolve;
  if (!field || !resolve || !isUnionType(entityUnion)) return;
  const entityTypes = new Set(entityUnion.getTypes().map((type) => type.name));
  const expected = [...entityTypes].join(' or ');

  field.resolve = (source, args: { representations?: unknown }, context, info) => {
    const representations = Array.isArray(args.representations) ? args.representations : [];
    const refusals = representations.map((representation, index) => {
      const typename = typeof representation === 'object' && representation !== null && !Array.isArray(representation) ? (representation as { __typename?: unknown }).__typename : undefined;
      return typeof typename === 'string' && entityTypes.has(typename)
        ? undefined
        : badUserInput('representations', `item ${index} is not a representation of ${expected} (an object with "__typename" and the type's key fields)`);
    });
    if (refusals.every((refusal) => refusal === undefined)) return resolve(source, args, context, info);
    const wellFormed = representations.filter((_, index) => refusals[index] === undefined);
    const merge = (results: unknown[]) => {
      let next = 0;
      // An Error as a list item becomes that item's error at its path, the item null.
      return representations.map((_, index) => refusals[index] ?? results[next++]);
    };
    const results: unknown = wellFormed.length > 0 ? resolve(source, { ...args, representations: wellFormed }, context, info) : [];
    return Array.isArray(results) ? merge(results) : Promise.resolve(results).then((list) => merge(list as unknown[]));
  };
}
