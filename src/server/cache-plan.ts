import {
  type ConstDirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  Kind,
  getNamedType,
  isAbstractType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
} from 'graphql';

/**
 * The `cache-control` header Apollo's cache control plugin would compute for an operation, worked
 * out once per operation instead of per resolved field (see fast-path.ts, which serves operations
 * without Apollo's per-field instrumentation).
 *
 * The plugin restricts a request's policy by every field that resolves: the field's hint, its
 * type's hint, and `maxAge: 0` (the default max age) for a root field or a field of a composite
 * type without a hint that does not inherit. Which nested fields resolve depends on the data (a
 * null parent, an empty list, a union member), so the fast path answers only a request whose
 * policy does not: every restriction below the root must already be implied by the root fields'
 * restrictions, which always apply. `_entities` restricts itself at run time by the hint of each
 * representation's type (@apollo/subgraph's entities resolver): the plan keeps the variable the
 * representations come from and applies those hints per request, so for an operation with
 * `_entities` the check is made per request; for any other, once, here.
 *
 * A plan computes what the plugin computes for an answer without errors; an answer with errors is
 * `no-store`, and Apollo Server itself answers those (fast-path.ts).
 */

export type CacheScope = 'PUBLIC' | 'PRIVATE';

export interface CacheHint {
  maxAge?: number;
  scope?: CacheScope;
}

interface CacheAnnotation extends CacheHint {
  inheritMaxAge?: true;
}

/** Apollo Server's `newCachePolicy` (cachePolicy.ts), as plain functions over a hint. */
function replace(policy: CacheHint, hint: CacheHint): void {
  if (hint.maxAge !== undefined) policy.maxAge = hint.maxAge;
  if (hint.scope !== undefined) policy.scope = hint.scope;
}

function restrict(policy: CacheHint, hint: CacheHint): void {
  if (hint.maxAge !== undefined && (policy.maxAge === undefined || hint.maxAge < policy.maxAge)) policy.maxAge = hint.maxAge;
  if (hint.scope !== undefined && policy.scope !== 'PRIVATE') policy.scope = hint.scope;
}

/** The header for a policy, as the plugin writes it (`calculateHttpHeaders: true`). */
function cacheControlHeader(policy: CacheHint): string {
  if (policy.maxAge === undefined || policy.maxAge === 0) return 'no-store';
  return `max-age=${policy.maxAge}, ${(policy.scope ?? 'PUBLIC').toLowerCase()}`;
}

/** The plugin's reading of `@cacheControl(maxAge:, scope:, inheritMaxAge:)`. */
function annotationFromDirectives(directives: readonly ConstDirectiveNode[] | undefined): CacheAnnotation | undefined {
  const directive = directives?.find((candidate) => candidate.name.value === 'cacheControl');
  if (!directive?.arguments) return undefined;
  const argument = (name: string) => directive.arguments?.find((candidate) => candidate.name.value === name)?.value;
  const maxAge = argument('maxAge');
  const scope = argument('scope');
  const inheritMaxAge = argument('inheritMaxAge');
  const scopeName = scope?.kind === Kind.ENUM && (scope.value === 'PUBLIC' || scope.value === 'PRIVATE') ? scope.value : undefined;
  if (inheritMaxAge?.kind === Kind.BOOLEAN && inheritMaxAge.value) return { inheritMaxAge: true, scope: scopeName };
  return { maxAge: maxAge?.kind === Kind.INT ? Number.parseInt(maxAge.value, 10) : undefined, scope: scopeName };
}

/** Type annotations, read once per type: `_entities` asks for one per representation, per request. */
const typeAnnotations = new WeakMap<GraphQLNamedType, CacheAnnotation>();

function annotationOfType(type: GraphQLNamedType): CacheAnnotation {
  const known = typeAnnotations.get(type);
  if (known) return known;
  const annotation = readTypeAnnotation(type);
  typeAnnotations.set(type, annotation);
  return annotation;
}

function readTypeAnnotation(type: GraphQLNamedType): CacheAnnotation {
  const nodes = [type.astNode, ...(type.extensionASTNodes ?? [])];
  for (const node of nodes) {
    const annotation = annotationFromDirectives(node?.directives);
    if (annotation) return annotation;
  }
  return {};
}

function annotationOfField(field: GraphQLField<unknown, unknown>): CacheAnnotation {
  return annotationFromDirectives(field.astNode?.directives) ?? {};
}

/** The plugin's policy of one resolved field (its `willResolveField` and the callback after it). */
function fieldPolicy(field: GraphQLField<unknown, unknown>, isRoot: boolean, defaultMaxAge: number): CacheHint {
  const policy: CacheHint = {};
  let inheritMaxAge = false;
  const target = getNamedType(field.type);
  if (isCompositeType(target)) {
    const typeAnnotation = annotationOfType(target);
    replace(policy, typeAnnotation);
    inheritMaxAge = typeAnnotation.inheritMaxAge === true;
  }
  const fieldAnnotation = annotationOfField(field);
  if (fieldAnnotation.inheritMaxAge && policy.maxAge === undefined) {
    inheritMaxAge = true;
    if (fieldAnnotation.scope) replace(policy, { scope: fieldAnnotation.scope });
  } else {
    replace(policy, fieldAnnotation);
  }
  if (policy.maxAge === undefined && ((isCompositeType(target) && !inheritMaxAge) || isRoot)) restrict(policy, { maxAge: defaultMaxAge });
  return policy;
}

/** Whether restricting `policy` by `hint` leaves the header unchanged. */
function implied(hint: CacheHint, policy: CacheHint): boolean {
  if (policy.maxAge === 0) return true;
  const maxAgeImplied = hint.maxAge === undefined || (policy.maxAge !== undefined && policy.maxAge <= hint.maxAge);
  const scopeImplied = hint.scope !== 'PRIVATE' || policy.scope === 'PRIVATE';
  return maxAgeImplied && scopeImplied;
}

export interface OperationCachePlan {
  /** The restriction of every root field but `_entities`. */
  readonly root: CacheHint;
  /** For each `_entities` field: the variable its representations come from. */
  readonly entitiesVariables: readonly string[];
  /** Restrictions of fields below the root, which must be implied by the final root policy. */
  readonly nested: readonly CacheHint[];
  /** The header itself, for an operation without `_entities`: the same for every request. */
  readonly header?: string;
}

const ENTITIES_FIELD = '_entities';

/**
 * The cache plan of `operation`, or null when its policy is not fixed by the operation alone: a
 * root selection under `@skip`/`@include`, `_entities` with representations written inline, or
 * (without `_entities`) a restriction below the root that the root's does not imply.
 */
export function planCachePolicy(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, defaultMaxAge = 0): OperationCachePlan | null {
  const rootType = schema.getRootType(operation.operation);
  if (!rootType) return null;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);

  const root: CacheHint = {};
  const entitiesVariables: string[] = [];
  const nested: CacheHint[] = [];

  /** Each field of `selectionSet` on `parent`, through fragments; false when a root selection is conditional. */
  function forEachField(selectionSet: SelectionSetNode, parent: GraphQLCompositeType, isRoot: boolean, visit: (node: FieldNode, parent: GraphQLCompositeType) => boolean, seen = new Set<string>()): boolean {
    for (const selection of selectionSet.selections) {
      if (isRoot && selection.directives?.some((directive) => directive.name.value === 'skip' || directive.name.value === 'include')) return false;
      if (selection.kind === Kind.FIELD) {
        if (!visit(selection, parent)) return false;
        continue;
      }
      let fragmentSelection: SelectionSetNode;
      let condition: string | undefined;
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        fragmentSelection = selection.selectionSet;
        condition = selection.typeCondition?.name.value;
      } else {
        const fragment = fragments.get(selection.name.value);
        if (!fragment || seen.has(fragment.name.value)) continue;
        seen.add(fragment.name.value);
        fragmentSelection = fragment.selectionSet;
        condition = fragment.typeCondition.name.value;
      }
      const conditionType = condition === undefined ? parent : schema.getType(condition);
      if (!conditionType || !isCompositeType(conditionType)) return false;
      if (!forEachField(fragmentSelection, conditionType, isRoot, visit, seen)) return false;
    }
    return true;
  }

  /** The object types a field selected on `parent` may run on (its `info.parentType`). */
  const runtimeParents = (parent: GraphQLCompositeType): readonly GraphQLObjectType[] =>
    isAbstractType(parent) ? schema.getPossibleTypes(parent) : isObjectType(parent) ? [parent] : [];

  function visitNested(node: FieldNode, parent: GraphQLCompositeType): boolean {
    if (node.name.value.startsWith('__')) return true;
    for (const objectType of runtimeParents(parent)) {
      const field = objectType.getFields()[node.name.value];
      if (!field) continue;
      const policy = fieldPolicy(field, false, defaultMaxAge);
      if (policy.maxAge !== undefined || policy.scope !== undefined) nested.push(policy);
      const target = getNamedType(field.type);
      if (node.selectionSet && isCompositeType(target) && !forEachField(node.selectionSet, target, false, visitNested)) return false;
    }
    return true;
  }

  const complete = forEachField(operation.selectionSet, rootType, true, (node, parent) => {
    if (node.name.value.startsWith('__')) return true;
    const field = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[node.name.value] : undefined;
    if (!field) return false;
    if (node.name.value === ENTITIES_FIELD) {
      const representations = node.arguments?.find((argument) => argument.name.value === 'representations')?.value;
      if (representations?.kind !== Kind.VARIABLE) return false;
      entitiesVariables.push(representations.name.value);
    } else {
      restrict(root, fieldPolicy(field, true, defaultMaxAge));
    }
    const target = getNamedType(field.type);
    return !node.selectionSet || !isCompositeType(target) || forEachField(node.selectionSet, target, false, visitNested);
  });
  if (!complete) return null;
  const plan = { root, entitiesVariables, nested };
  if (entitiesVariables.length > 0) return plan;
  // Without `_entities` nothing about the policy changes between requests: worked out once, here.
  const header = cacheControlFor(plan, schema, {}, defaultMaxAge);
  return header === undefined ? null : { ...plan, header };
}

/**
 * The request's `cache-control` header from the plan and its variables, or undefined when it depends
 * on which fields resolve (or on representations whose type the entities resolver would reject:
 * that request fails there, and Apollo answers it).
 */
export function cacheControlFor(plan: OperationCachePlan, schema: GraphQLSchema, variables: Record<string, unknown>, defaultMaxAge = 0): string | undefined {
  if (plan.header !== undefined) return plan.header;
  const policy: CacheHint = { ...plan.root };
  for (const name of plan.entitiesVariables) {
    const representations = variables[name];
    if (!Array.isArray(representations)) return undefined;
    const entities: CacheHint = {};
    for (const representation of representations) {
      const typename = (representation as { __typename?: unknown } | null)?.__typename;
      const type = typeof typename === 'string' ? schema.getType(typename) : undefined;
      if (!type || !(isObjectType(type) || isInterfaceType(type))) return undefined;
      restrict(entities, annotationOfType(type));
    }
    if (entities.maxAge === undefined) restrict(entities, { maxAge: defaultMaxAge });
    restrict(policy, entities);
  }
  for (const hint of plan.nested) if (!implied(hint, policy)) return undefined;
  return cacheControlHeader(policy);
}
