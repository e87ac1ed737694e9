import { type GraphQLSchema, defaultFieldResolver, getNamedType, isObjectType } from 'graphql';

/** The object type the SDL uses for every string-to-string map: `{ key, value }` entries. */
export const MAP_ENTRY_TYPE = 'DataZoneStringMapEntry';

/** Every field typed `[DataZoneStringMapEntry!]` turns the SDK's plain object into entries. */
export function applyMapEntries(schema: GraphQLSchema): void {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (getNamedType(field.type).name !== MAP_ENTRY_TYPE) continue;
      const source = field.resolve ?? defaultFieldResolver;
      field.resolve = (parent, args, context, info) => {
        const map = source(parent, args, context, info) as Record<string, string> | null | undefined;
        if (map === null || map === undefined) return map;
        return Object.entries(map).map(([key, value]) => ({ key, value }));
      };
    }
  }
}
