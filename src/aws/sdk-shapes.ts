import { NormalizedSchema } from '@smithy/core/schema';

/*
 * Reading the AWS SDK clients' own static schemas (`GetConnectionOutput$`, ...): what members a
 * shape has, of which kind, and which AWS marks `sensitive` (Smithy's trait for data that must not
 * be logged: credentials, and personal data such as names and e-mail addresses).
 */

/** A shape as an SDK client exports it (`GetConnectionOutput$` of `@aws-sdk/client-datazone`). */
export type SdkSchema = Parameters<typeof NormalizedSchema.of>[0];

export function normalize(schema: SdkSchema): NormalizedSchema {
  return NormalizedSchema.of(schema);
}

export type ShapeKind = 'union' | 'struct' | 'list' | 'map' | 'timestamp' | 'boolean' | 'number' | 'string' | 'other';

export function kindOf(schema: NormalizedSchema): ShapeKind {
  // Unions answer true to isStructSchema as well: ask for the union first.
  if (schema.isUnionSchema()) return 'union';
  if (schema.isStructSchema()) return 'struct';
  if (schema.isListSchema()) return 'list';
  if (schema.isMapSchema()) return 'map';
  if (schema.isTimestampSchema()) return 'timestamp';
  if (schema.isBooleanSchema()) return 'boolean';
  if (schema.isNumericSchema()) return 'number';
  if (schema.isStringSchema()) return 'string';
  return 'other';
}

export function members(schema: NormalizedSchema): Array<[string, NormalizedSchema]> {
  return [...schema.structIterator()];
}

/** `VpcConnectionArn` → `vpcConnectionArn`, the schema's field name; DataZone's names are already camelCase. */
export const fieldNameOf = (member: string) => member.charAt(0).toLowerCase() + member.slice(1);

export function shapeNameOf(schema: NormalizedSchema): string {
  return schema.getName(false) ?? '';
}

/** Marked `sensitive`, on the member or its shape, or a list or map of sensitive values. */
export function isSensitive(schema: NormalizedSchema): boolean {
  if (schema.getMergedTraits().sensitive) return true;
  return (schema.isListSchema() || schema.isMapSchema()) && isSensitive(schema.getValueSchema());
}

/**
 * Where a member sits in an answer: member names from the output shape down. A list is
 * transparent (the path goes on into each item); a map's values are `MAP_VALUES`.
 */
export type MemberPath = readonly string[];
export const MAP_VALUES = '*';

export interface SdkMember {
  name: string;
  path: MemberPath;
  kind: ShapeKind;
  sensitive: boolean;
  /** A list or map of plain values: nothing below it has members. */
  leaf: boolean;
}

/** Has members of its own: a structure or union, or a list or map of them. */
function hasMembers(schema: NormalizedSchema): boolean {
  if (schema.isStructSchema()) return true;
  return (schema.isListSchema() || schema.isMapSchema()) && hasMembers(schema.getValueSchema());
}

/**
 * Every member of an output shape, at every depth, in schema order. A recursive shape is walked
 * once per path (a shape already being walked further up is not entered again).
 */
export function sdkMembers(output: SdkSchema): SdkMember[] {
  const found: SdkMember[] = [];
  const visit = (schema: NormalizedSchema, path: MemberPath, walking: ReadonlySet<string>): void => {
    if (schema.isListSchema()) return visit(schema.getValueSchema(), path, walking);
    if (schema.isMapSchema()) return visit(schema.getValueSchema(), [...path, MAP_VALUES], walking);
    if (!schema.isStructSchema()) return;
    const shape = schema.getName(true) ?? '';
    if (walking.has(shape)) return;
    const inner = new Set(walking).add(shape);
    for (const [name, member] of schema.structIterator()) {
      const memberPath = [...path, name];
      found.push({ name, path: memberPath, kind: kindOf(member), sensitive: isSensitive(member), leaf: !hasMembers(member) });
      visit(member, memberPath, inner);
    }
  };
  visit(normalize(output), [], new Set());
  return found;
}
