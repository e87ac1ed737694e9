import {
  type DocumentNode,
  type GraphQLField,
  type GraphQLSchema,
  Kind,
  getNamedType,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLOutputType,
  type GraphQLFieldResolver,
} from 'graphql';

/** Internal value of every enum's `UNRECOGNIZED` fallback: no wire value can equal it. */
export const UNRECOGNIZED = Symbol('UNRECOGNIZED');
const RAW_SUFFIX = 'Raw';

type EnumValueMap = Record<string, string | symbol>;

/**
 * Resolver maps for the SDL's enums, taken from the SDK's own const enum objects: a GraphQL enum
 * `DataZoneConnectionType` with value `ATHENA` serializes from the SDK's `ConnectionType.ATHENA`
 * wire value. Every enum also has `UNRECOGNIZED`, the fallback for wire values newer than the SDK.
 */
export function enumResolversFromSdk(
  typeDefs: DocumentNode,
  typePrefix: string,
  sdkModule: Record<string, unknown>,
): Record<string, EnumValueMap> {
  const resolvers: Record<string, EnumValueMap> = {};
  for (const definition of typeDefs.definitions) {
    if (definition.kind !== Kind.ENUM_TYPE_DEFINITION) continue;
    const typeName = definition.name.value;
    if (!typeName.startsWith(typePrefix)) continue;
    const sdkEnum = sdkModule[typeName.slice(typePrefix.length)] as Record<string, string> | undefined;
    if (!sdkEnum || typeof sdkEnum !== 'object') {
      throw new Error(`Enum ${typeName} has no SDK const enum ${typeName.slice(typePrefix.length)}`);
    }
    const values: EnumValueMap = {};
    for (const value of definition.values ?? []) {
      const name = value.name.value;
      if (name === 'UNRECOGNIZED') values[name] = UNRECOGNIZED;
      else if (typeof sdkEnum[name] === 'string') values[name] = sdkEnum[name];
      else throw new Error(`Enum value ${typeName}.${name} is not in the SDK's ${typeName.slice(typePrefix.length)}`);
    }
    resolvers[typeName] = values;
  }
  return resolvers;
}

function knownWireValues(type: GraphQLOutputType): Set<unknown> | undefined {
  const named = getNamedType(type);
  if (!isEnumType(named)) return undefined;
  return new Set(named.getValues().map((value) => value.value).filter((value) => value !== UNRECOGNIZED));
}

function isListOutput(type: GraphQLOutputType): boolean {
  return isListType(isNonNullType(type) ? type.ofType : type);
}

/**
 * For every enum-typed field `foo`: a wire value the enum does not know resolves to `UNRECOGNIZED`
 * instead of failing serialization, and the sibling `fooRaw` resolves to the value exactly as AWS
 * sent it. Derived from the schema, so every enum field gets it.
 */
export function applyEnumFallbacks(schema: GraphQLSchema): void {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const fields = type.getFields();
    for (const field of Object.values(fields)) {
      const known = knownWireValues(field.type);
      if (!known) continue;
      // Not graphql's defaultFieldResolver: it reads `info.fieldName`, which for `fooRaw` is not `foo`.
      const fieldName = field.name;
      const source: GraphQLFieldResolver<unknown, unknown> =
        field.resolve ?? ((parent) => (parent as Record<string, unknown> | null)?.[fieldName]);
      const rawField: GraphQLField<unknown, unknown> | undefined = fields[field.name + RAW_SUFFIX];
      if (rawField) rawField.resolve = source;
      const toEnum = (value: unknown) => (value === null || value === undefined || known.has(value) ? value : UNRECOGNIZED);
      const list = isListOutput(field.type);
      field.resolve = (parent, args, context, info) => {
        const value = source(parent, args, context, info);
        return list && Array.isArray(value) ? value.map(toEnum) : toEnum(value);
      };
    }
  }
}
