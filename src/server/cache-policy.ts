import {
  type ConstDirectiveNode,
  type DirectiveNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
  Kind,
  getNamedType,
  isAbstractType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  valueFromASTUntyped,
} from 'graphql';

/**
 * The `cache-control` of a response from the SDL's `@cacheControl` hints: the one algorithm, used by
 * Apollo Server's path and the fast path alike (response-policy.ts writes the header). Apollo's
 * cache control plugin is switched off (apollo.ts).
 *
 * The hints mean what they mean to Apollo Server's cache control plugin: a request's policy is
 * restricted by each field's hint, by the hint of the field's type, and by `maxAge: 0` (the default)
 * for a root field or a field of composite type that has no hint and does not inherit one;
 * `_entities` by the hint of each representation's type (as @apollo/subgraph's entities resolver
 * asks the plugin to). The header is `max-age=N, public|private`, or `no-store` when nothing
 * allows more.
 *
 * One difference, by design: the policy is decided from the operation and the request's variables
 * before anything runs, so a selected field counts whether or not the data lets it resolve (under
 * a null parent, an empty list, another union member). The plugin counts only the fields that do
 * resolve, one by one. So the header here is never less restrictive than the plugin's, costs
 * nothing per field, and is known before execution, which is what lets the fast path serve a
 * request without walking its result. The two are equal whenever no hint below a root field is
 * stricter than the root field's own, which holds for this schema (test/caching.test.ts checks it).
 *
 * An answer with errors is `no-store` whatever the plan says (response-policy.ts).
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

/** The restriction one field makes when it resolves (the plugin's `willResolveField` and the callback after it). */
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

/** One selection of the root type: its restriction, and what decides it per request. */
interface RootSelection {
  /** The root field's restriction and every restriction below it (for `_entities`: those below it). */
  readonly hint: CacheHint;
  /** The `@skip`/`@include` on the way to it (on the field or the fragments around it). */
  readonly conditions: readonly DirectiveNode[];
  /** For `_entities`: its `representations`, whose types restrict it, per request. */
  readonly representations?: ValueNode;
}

export interface CachePlan {
  /** The header, when every request of the operation gets the same one. */
  readonly header?: string;
  readonly roots: readonly RootSelection[];
  /** Default values of the operation's variables, for a request that leaves one out. */
  readonly defaults: Readonly<Record<string, unknown>>;
}

const ENTITIES_FIELD = '_entities';

function conditionsOf(directives: readonly DirectiveNode[] | undefined): readonly DirectiveNode[] {
  return directives?.filter((directive) => directive.name.value === 'skip' || directive.name.value === 'include') ?? [];
}

/**
 * The cache plan of `operation` (validated), or null for an operation of a root type the schema
 * lacks or a selection it does not know (validation refuses both first).
 */
export function planCachePolicy(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, defaultMaxAge = 0): CachePlan | null {
  const rootType = schema.getRootType(operation.operation);
  if (!rootType) return null;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);

  /** The object types a field selected on `parent` may run on (its `info.parentType`). */
  const runtimeParents = (parent: GraphQLCompositeType): readonly GraphQLObjectType[] =>
    isAbstractType(parent) ? schema.getPossibleTypes(parent) : isObjectType(parent) ? [parent] : [];

  // The restriction of a selection set on a type depends on nothing else: worked out once each, so a
  // document that spreads the same fragment in many places costs its size, not its expansion.
  const nestedHints = new Map<SelectionSetNode, Map<GraphQLCompositeType, CacheHint | null>>();

  /** Every restriction below `parent` in `selectionSet`, the data notwithstanding; null for an unknown fragment type. */
  function nestedHint(selectionSet: SelectionSetNode, parent: GraphQLCompositeType): CacheHint | null {
    let byType = nestedHints.get(selectionSet);
    if (byType === undefined) {
      byType = new Map();
      nestedHints.set(selectionSet, byType);
    }
    const known = byType.get(parent);
    if (known !== undefined) return known;
    // A fragment cycle (which validation refuses) ends here instead of recursing forever.
    byType.set(parent, {});
    const hint: CacheHint = {};
    let complete = true;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith('__')) continue;
        for (const objectType of runtimeParents(parent)) {
          const field = objectType.getFields()[selection.name.value];
          if (!field) continue;
          restrict(hint, fieldPolicy(field, false, defaultMaxAge));
          const target = getNamedType(field.type);
          if (selection.selectionSet && isCompositeType(target)) {
            const below = nestedHint(selection.selectionSet, target);
            if (below === null) complete = false;
            else restrict(hint, below);
          }
        }
        continue;
      }
      const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : fragments.get(selection.name.value);
      if (!fragment) continue;
      const conditionType = fragment.typeCondition === undefined ? parent : schema.getType(fragment.typeCondition.name.value);
      const below = conditionType && isCompositeType(conditionType) ? nestedHint(fragment.selectionSet, conditionType) : null;
      if (below === null) complete = false;
      else restrict(hint, below);
    }
    const result = complete ? hint : null;
    byType.set(parent, result);
    return result;
  }

  const roots: RootSelection[] = [];
  /** Each root field of `selectionSet`, through fragments, with the conditions on the way; false for an unknown selection. */
  function collectRoots(selectionSet: SelectionSetNode, conditions: readonly DirectiveNode[], seen: ReadonlySet<string>): boolean {
    for (const selection of selectionSet.selections) {
      const own = conditionsOf(selection.directives);
      const along = own.length === 0 ? conditions : [...conditions, ...own];
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value.startsWith('__')) continue;
        const field = rootType?.getFields()[selection.name.value];
        if (!field) return false;
        const hint: CacheHint = {};
        let representations: ValueNode | undefined;
        if (selection.name.value === ENTITIES_FIELD) {
          representations = selection.arguments?.find((argument) => argument.name.value === 'representations')?.value;
          if (representations === undefined) return false;
        } else {
          restrict(hint, fieldPolicy(field, true, defaultMaxAge));
        }
        const target = getNamedType(field.type);
        if (selection.selectionSet && isCompositeType(target)) {
          const below = nestedHint(selection.selectionSet, target);
          if (below === null) return false;
          restrict(hint, below);
        }
        roots.push({ hint, conditions: along, representations });
        continue;
      }
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (!collectRoots(selection.selectionSet, along, seen)) return false;
        continue;
      }
      const fragment = fragments.get(selection.name.value);
      if (!fragment || seen.has(fragment.name.value)) continue;
      if (!collectRoots(fragment.selectionSet, along, new Set([...seen, fragment.name.value]))) return false;
    }
    return true;
  }
  if (!collectRoots(operation.selectionSet, [], new Set())) return null;

  const defaults: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    if (definition.defaultValue) defaults[definition.variable.name.value] = valueFromASTUntyped(definition.defaultValue);
  }
  const plan: CachePlan = { roots, defaults };
  // Without conditions and `_entities`, nothing about the policy changes between requests: worked out once, here.
  if (roots.every((root) => root.conditions.length === 0 && root.representations === undefined)) {
    return { ...plan, header: cacheControlFor(plan, schema, {}, defaultMaxAge) };
  }
  return plan;
}

/** A value of the request as graphql-js reads it: the request's variable, else its default. */
function valueOf(node: ValueNode, variables: Record<string, unknown>, defaults: Readonly<Record<string, unknown>>): unknown {
  if (node.kind === Kind.VARIABLE) {
    const name = node.name.value;
    return Object.hasOwn(variables, name) ? variables[name] : defaults[name];
  }
  return valueFromASTUntyped(node, { ...defaults, ...variables });
}

/** Whether `@skip`/`@include` keep the selection; undefined for a condition that is not a boolean (the request fails). */
function included(conditions: readonly DirectiveNode[], variables: Record<string, unknown>, defaults: Readonly<Record<string, unknown>>): boolean | undefined {
  for (const directive of conditions) {
    const argument = directive.arguments?.find((candidate) => candidate.name.value === 'if');
    const value = argument ? valueOf(argument.value, variables, defaults) : undefined;
    if (typeof value !== 'boolean') return undefined;
    if (value === (directive.name.value === 'skip')) return false;
  }
  return true;
}

/**
 * The `cache-control` header of a request of the plan, from its variables; undefined when the
 * request cannot succeed (a condition that is not a boolean, a representation of a type the schema
 * lacks, representations that are no list): its answer has errors, and is `no-store`.
 */
export function cacheControlFor(plan: CachePlan, schema: GraphQLSchema, variables: Record<string, unknown>, defaultMaxAge = 0): string | undefined {
  if (plan.header !== undefined) return plan.header;
  const policy: CacheHint = {};
  for (const root of plan.roots) {
    if (root.conditions.length > 0) {
      const keep = included(root.conditions, variables, plan.defaults);
      if (keep === undefined) return undefined;
      if (!keep) continue;
    }
    restrict(policy, root.hint);
    if (root.representations === undefined) continue;
    // graphql-js makes a single value given for a list argument a list of one.
    const value = valueOf(root.representations, variables, plan.defaults);
    if (value === null || value === undefined) return undefined;
    const entities: CacheHint = {};
    for (const representation of Array.isArray(value) ? value : [value]) {
      const typename = (representation as { __typename?: unknown } | null)?.__typename;
      const type = typeof typename === 'string' ? schema.getType(typename) : undefined;
      if (!type || !(isObjectType(type) || isInterfaceType(type))) return undefined;
      restrict(entities, annotationOfType(type));
    }
    if (entities.maxAge === undefined) restrict(entities, { maxAge: defaultMaxAge });
    restrict(policy, entities);
  }
  return cacheControlHeader(policy);
}

/**
 * The cache plans of one schema's operations, each worked out once: keyed by the operation's node,
 * which Apollo Server's document cache keeps for as long as it keeps the parsed document.
 */
export class CachePolicies {
  private readonly plans = new WeakMap<OperationDefinitionNode, CachePlan | null>();

  constructor(readonly schema: GraphQLSchema) {}

  planFor(document: DocumentNode, operation: OperationDefinitionNode): CachePlan | null {
    let plan = this.plans.get(operation);
    if (plan === undefined) {
      plan = planCachePolicy(this.schema, document, operation);
      this.plans.set(operation, plan);
    }
    return plan;
  }

  /** The request's `cache-control` before errors and credentials are taken into account (see cacheControlFor). */
  cacheControl(plan: CachePlan | null, variables: Record<string, unknown>): string | undefined {
    return plan === null ? undefined : cacheControlFor(plan, this.schema, variables);
  }
}
