import {
  type ConstDirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type SelectionNode,
  type SelectionSetNode,
  GraphQLError,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  defaultFieldResolver,
  getDirectiveValues,
  getNamedType,
  isObjectType,
  visit,
} from 'graphql';
import type { Caller } from '../server/context.js';

export const READ_SCOPE = 'connections:read';
export const SECRETS_SCOPE = 'connections:secrets:read';

const AUTHENTICATED = 'authenticated';
const REQUIRES_SCOPES = 'requiresScopes';
const AUTH_DIRECTIVES = new Set([AUTHENTICATED, REQUIRES_SCOPES]);

/** What one type or field asks of a caller: `@authenticated`, and/or `@requiresScopes` (any one inner list, all of its scopes). */
export interface Requirement {
  authenticated: boolean;
  scopes?: string[][];
}

export function isSatisfied(requirement: Requirement, caller: Caller): boolean {
  if (requirement.authenticated && !caller.authenticated) return false;
  if (!requirement.scopes) return true;
  return requirement.scopes.some((allOf) => allOf.every((scope) => caller.scopes.has(scope)));
}

/** The Apollo Router's error for a field or type the caller may not see. */
export function unauthorizedFieldOrType(): GraphQLError {
  return new GraphQLError('Unauthorized field or type', { extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE' } });
}

function requirementOf(directives: readonly ConstDirectiveNode[] | undefined): Requirement | undefined {
  let requirement: Requirement | undefined;
  for (const directive of directives ?? []) {
    if (directive.name.value === AUTHENTICATED) {
      requirement = { ...requirement, authenticated: true };
    } else if (directive.name.value === REQUIRES_SCOPES) {
      const argument = directive.arguments?.find((arg) => arg.name.value === 'scopes');
      const scopes: string[][] = [];
      if (argument?.value.kind === Kind.LIST) {
        for (const alternative of argument.value.values) {
          if (alternative.kind !== Kind.LIST) continue;
          scopes.push(alternative.values.flatMap((scope) => (scope.kind === Kind.STRING ? [scope.value] : [])));
        }
      }
      // @requiresScopes implies an authenticated caller, as in the Apollo Router.
      requirement = { authenticated: true, scopes: [...(requirement?.scopes ?? []), ...scopes] };
    }
  }
  return requirement;
}

/** One walk of a selection for `selectsSecretFields`. */
interface SelectionWalk {
  schema: GraphQLSchema;
  fragments: Record<string, FragmentDefinitionNode>;
  variables: Record<string, unknown>;
  visitedFragments: Set<string>;
  /** Set when an `@skip` / `@include` was evaluated: the answer then depends on the variables. */
  conditional: boolean;
}

/** Whether `@skip` / `@include` keep `selection` for this request's variables, as execution decides it. */
function isIncluded(walk: SelectionWalk, selection: SelectionNode): boolean {
  if (!selection.directives?.some((directive) => directive.name.value === 'skip' || directive.name.value === 'include')) return true;
  walk.conditional = true;
  if (getDirectiveValues(GraphQLSkipDirective, selection, walk.variables)?.['if'] === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, selection, walk.variables)?.['if'] !== false;
}

/**
 * The schema's authorization policy, read from its own `@authenticated` / `@requiresScopes`
 * applications: the same rules an Apollo Router derives from the composed supergraph, with no
 * second list of fields kept in code.
 */
export class AuthPolicy {
  private readonly typeRequirements = new Map<string, Requirement>();
  private readonly fieldRequirements = new Map<string, Requirement>();
  /** `Type.field` coordinates whose field-level policy names the secrets scope. */
  readonly secretFields = new Set<string>();
  private readonly selectionCache = new WeakMap<FieldNode, boolean>();

  constructor(typeDefs: DocumentNode) {
    for (const definition of typeDefs.definitions) {
      if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
      const typeName = definition.name.value;
      const typeRequirement = requirementOf(definition.directives);
      if (typeRequirement) this.typeRequirements.set(typeName, typeRequirement);
      for (const field of definition.fields ?? []) {
        const requirement = requirementOf(field.directives);
        if (!requirement) continue;
        const coordinate = `${typeName}.${field.name.value}`;
        this.fieldRequirements.set(coordinate, requirement);
        if (requirement.scopes?.some((allOf) => allOf.includes(SECRETS_SCOPE))) this.secretFields.add(coordinate);
      }
    }
  }

  typeRequirement(typeName: string): Requirement | undefined {
    return this.typeRequirements.get(typeName);
  }

  fieldRequirement(typeName: string, fieldName: string): Requirement | undefined {
    return this.fieldRequirements.get(`${typeName}.${fieldName}`);
  }

  /**
   * Whether the operation selects any secret field below the field being resolved (through
   * fragments, unions and `_entities`), leaving out selections that `@skip` / `@include` remove for
   * this request's variables. Cached per field node (parsed documents are reused) when no such
   * directive took part, since the answer then does not depend on the variables.
   */
  selectsSecretFields(info: GraphQLResolveInfo): boolean {
    const node = info.fieldNodes[0];
    if (!node) return false;
    const cached = this.selectionCache.get(node);
    if (cached !== undefined) return cached;
    const walk: SelectionWalk = { schema: info.schema, fragments: info.fragments, variables: info.variableValues, visitedFragments: new Set(), conditional: false };
    const selects = info.fieldNodes.some((fieldNode) => this.fieldSelectsSecrets(walk, info.parentType.name, fieldNode));
    if (!walk.conditional) this.selectionCache.set(node, selects);
    return selects;
  }

  private fieldSelectsSecrets(walk: SelectionWalk, parentTypeName: string, field: FieldNode): boolean {
    if (this.secretFields.has(`${parentTypeName}.${field.name.value}`)) return true;
    if (!field.selectionSet) return false;
    const parentType = walk.schema.getType(parentTypeName);
    if (!isObjectType(parentType)) return false;
    const fieldDefinition = parentType.getFields()[field.name.value];
    if (!fieldDefinition) return false;
    return this.selectionSetSelectsSecrets(walk, getNamedType(fieldDefinition.type).name, field.selectionSet);
  }

  private selectionSetSelectsSecrets(walk: SelectionWalk, typeName: string, selectionSet: SelectionSetNode): boolean {
    return selectionSet.selections.some((selection) => {
      if (!isIncluded(walk, selection)) return false;
      switch (selection.kind) {
        case Kind.FIELD:
          return this.fieldSelectsSecrets(walk, typeName, selection);
        case Kind.INLINE_FRAGMENT:
          return this.selectionSetSelectsSecrets(walk, selection.typeCondition?.name.value ?? typeName, selection.selectionSet);
        case Kind.FRAGMENT_SPREAD: {
          const fragment = walk.fragments[selection.name.value];
          if (!fragment || walk.visitedFragments.has(fragment.name.value)) return false;
          walk.visitedFragments.add(fragment.name.value);
          return this.selectionSetSelectsSecrets(walk, fragment.typeCondition.name.value, fragment.selectionSet);
        }
      }
    });
  }

  /**
   * Enforces the policy inside the subgraph: a field whose own policy, or whose object type's
   * policy, the caller does not meet resolves to `null` with UNAUTHORIZED_FIELD_OR_TYPE at its
   * path; an entity type's policy also guards its `__resolveReference` for `_entities`.
   */
  enforce(schema: GraphQLSchema): void {
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type)) continue;
      for (const field of Object.values(type.getFields())) {
        const requirements = [
          this.fieldRequirement(type.name, field.name),
          this.typeRequirement(getNamedType(field.type).name),
        ].filter((requirement): requirement is Requirement => requirement !== undefined);
        if (requirements.length === 0) continue;
        const resolve = field.resolve ?? defaultFieldResolver;
        field.resolve = (parent, args, context: { caller: Caller }, info) => {
          if (!requirements.every((requirement) => isSatisfied(requirement, context.caller))) throw unauthorizedFieldOrType();
          return resolve(parent, args, context, info);
        };
      }
      const typeRequirement = this.typeRequirement(type.name);
      if (typeRequirement) {
        const extensions = type.extensions as { apollo?: { subgraph?: { resolveReference?: ReferenceResolver } } };
        const subgraph = ((extensions.apollo ??= {}).subgraph ??= {});
        // Without a reference resolver, @apollo/subgraph answers with the representation itself: guarded all the same.
        const resolveReference: ReferenceResolver = subgraph.resolveReference ?? ((reference) => reference);
        subgraph.resolveReference = (reference, context, info) =>
          isSatisfied(typeRequirement, context.caller)
            ? resolveReference(reference, context, info)
            : Promise.reject(unauthorizedFieldOrType());
      }
    }
  }
}

type ReferenceResolver = (reference: unknown, context: { caller: Caller }, info: GraphQLResolveInfo) => unknown;

/**
 * The SDL without `@authenticated` / `@requiresScopes` applications (and their imports), for
 * supergraphs served by `@apollo/gateway`, which refuses `for: SECURITY` features. The subgraph
 * keeps enforcing the full policy, read from the unstripped SDL.
 */
export function stripAuthDirectives(typeDefs: DocumentNode): DocumentNode {
  return visit(typeDefs, {
    Directive(node) {
      if (AUTH_DIRECTIVES.has(node.name.value)) return null;
      if (node.name.value !== 'link') return undefined;
      return visit(node, {
        Argument(argument) {
          if (argument.name.value !== 'import' || argument.value.kind !== Kind.LIST) return undefined;
          const values = argument.value.values.filter(
            // Stryker disable next-line Regex: equivalent, an imported name holds at most one "@", at its start.
            (value) => !(value.kind === Kind.STRING && AUTH_DIRECTIVES.has(value.value.replace(/^@/, ''))),
          );
          return { ...argument, value: { ...argument.value, values } };
        },
      });
    },
  });
}
