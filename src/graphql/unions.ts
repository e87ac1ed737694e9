/**
 * Smithy unions arrive from the SDK as objects with exactly one member set, or
 * `{ $unknown: [name, value] }` for a member the SDK does not know. GraphQL needs the member's
 * object type; these helpers pick it, driven by a per-union table that the typecheck keeps
 * complete (a member added to the SDK union is a missing key in the table).
 */

/** Names of the known members of an SDK union type (the member interfaces declare each other's keys as `?: never`). */
type KnownMemberName<Union> = Exclude<Union extends unknown ? keyof Union : never, '$unknown'>;

/** A structure member maps to its object type; a scalar member is wrapped in an object type of one field, named as the member. */
export type UnionMemberType = string | { readonly wrapIn: string };

export type UnionMemberTypes<Union> = { readonly [Member in KnownMemberName<Union>]-?: UnionMemberType };

export interface UnionMemberParent {
  __typename: string;
  [field: string]: unknown;
}

/**
 * Resolves one SDK union value to the parent object of its GraphQL member type, with `__typename`
 * set so graphql-js's default type resolver picks the member.
 */
export function resolveUnionMember<Union extends object>(
  value: Union | null | undefined,
  members: UnionMemberTypes<Union>,
  unknownMemberType: string,
): UnionMemberParent | null {
  if (value === null || value === undefined) return null;
  const set = value as Record<string, unknown>;
  const unknownMember = set['$unknown'];
  if (Array.isArray(unknownMember)) {
    return { __typename: unknownMemberType, memberName: String(unknownMember[0]) };
  }
  for (const [memberName, memberType] of Object.entries(members) as Array<[string, UnionMemberType]>) {
    const memberValue = set[memberName];
    if (memberValue === undefined || memberValue === null) continue;
    return typeof memberType === 'string'
      ? { ...(memberValue as object), __typename: memberType }
      : { __typename: memberType.wrapIn, [memberName]: memberValue };
  }
  return null;
}
