/**
 * Field resolvers for SDK shapes whose member names are the GraphQL field names in PascalCase
 * (QuickSight's). The member names are checked against the SDK type, so a member the SDK renames or
 * drops fails the typecheck: `pascalCaseMembers<ActionConnectorError>()('Message', 'Type')` gives
 * `{ message: (parent) => parent.Message, type: (parent) => parent.Type }`.
 */
export function pascalCaseMembers<Shape>() {
  return <Member extends keyof Shape & string>(...members: Member[]) =>
    membersOf<Shape, Shape, Member>((parent) => parent, members);
}

/** The same, for a parent that holds the SDK shape one level down (e.g. a record around `ActionConnector`). */
export function pascalCaseMembersOf<Parent, Shape>(shapeOf: (parent: Parent) => Shape) {
  return <Member extends keyof Shape & string>(...members: Member[]) => membersOf<Parent, Shape, Member>(shapeOf, members);
}

type LowerCamel<Name extends string> = Uncapitalize<Name>;
type MemberResolvers<Parent, Shape, Member extends keyof Shape & string> = {
  [Field in Member as LowerCamel<Field>]: (parent: Parent) => Shape[Field];
};

function membersOf<Parent, Shape, Member extends keyof Shape & string>(
  shapeOf: (parent: Parent) => Shape,
  members: Member[],
): MemberResolvers<Parent, Shape, Member> {
  const resolvers: Record<string, (parent: Parent) => unknown> = {};
  for (const member of members) {
    const field = member.charAt(0).toLowerCase() + member.slice(1);
    resolvers[field] = (parent) => shapeOf(parent)[member];
  }
  return resolvers as MemberResolvers<Parent, Shape, Member>;
}
