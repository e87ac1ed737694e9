import {
  type ConstDirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  type SelectionNode,
  type SelectionSetNode,
  type TypeNode,
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
import type { Caller, RequestPolicy } from '../core/context.js';
import { MAP_ENTRY_TYPE } from '../graphql/maps.js';
import { isCredentialMapKey } from './credential-map-keys.js';

export const READ_SCOPE = 'connections:read';
export const SECRETS_SCOPE = 'connections:secrets:read';

/** The field of a map entry that holds its value: a credential when the entry's key names one (credential-map-keys.ts). */
export const MAP_ENTRY_VALUE = `${MAP_ENTRY_TYPE}.value`;

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

/**
 * What a caller lacks for `requirements`, in words: the scopes of each alternative it could meet
 * (the schema publishes which scopes guard which field, so naming them leaks nothing).
 */
export function describeRequirements(requirements: readonly Requirement[]): string {
  const needs = new Set<string>();
  for (const requirement of requirements) {
    if (!requirement.scopes || requirement.scopes.length === 0) continue;
    const plural = requirement.scopes.length > 1 || requirement.scopes.some((allOf) => allOf.length > 1);
    needs.add(`the scope${plural ? 's' : ''} ${requirement.scopes.map((allOf) => allOf.join(' and ')).join(', or ')}`);
  }
  // @requiresScopes implies an authenticated caller; say so only where no scope is named.
  if (needs.size === 0 && requirements.some((requirement) => requirement.authenticated)) needs.add('an authenticated caller');
  return [...needs].join('; and ');
}

/**
 * The Apollo Router's error (its message and code) for a field or type the caller may not see,
 * saying what the field requires.
 */
export function unauthorizedFieldOrType(requirements: readonly Requirement[] = []): GraphQLError {
  const needs = describeRequirements(requirements);
  return new GraphQLError(`Unauthorized field or type${needs ? `: it requires ${needs}` : ''}`, { extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE' } });
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

/** The name of a field type in the SDL, below its lists and non-nulls. */
function namedTypeOf(type: TypeNode): string {
  return type.kind === Kind.NAMED_TYPE ? type.name.value : namedTypeOf(type.type);
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
export class AuthPolicy implements RequestPolicy {
  private readonly typeRequirements = new Map<string, Requirement>();
  private readonly fieldRequirements = new Map<string, Requirement>();
  /** `Type.field` coordinates whose field-level policy names the secrets scope. */
  readonly secretFields = new Set<string>();
  /**
   * Every field that may carry a credential: the secret fields, and a map entry's value (whether it
   * does depends on the entry's key). Selecting one makes a secrets reader's read ask AWS for secrets.
   */
  readonly mayCarryCredentials: ReadonlySet<string>;
  /** `Type.field` coordinates of the string maps (fields typed `[DataZoneStringMapEntry!]`). */
  readonly mapFields = new Set<string>();
  /** What a credential map entry asks of a caller: what the secret fields ask, the secrets scope. */
  readonly credentialEntryRequirement: Requirement = { authenticated: true, scopes: [[SECRETS_SCOPE]] };
  private readonly selectionCache = new WeakMap<FieldNode, boolean>();

  constructor(typeDefs: DocumentNode) {
    for (const definition of typeDefs.definitions) {
      if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
      const typeName = definition.name.value;
      const typeRequirement = requirementOf(definition.directives);
      if (typeRequirement) this.typeRequirements.set(typeName, typeRequirement);
      for (const field of definition.fields ?? []) {
        if (namedTypeOf(field.type) === MAP_ENTRY_TYPE) this.mapFields.add(`${typeName}.${field.name.value}`);
        const requirement = requirementOf(field.directives);
        if (!requirement) continue;
        const coordinate = `${typeName}.${field.name.value}`;
        this.fieldRequirements.set(coordinate, requirement);
        if (requirement.scopes?.some((allOf) => allOf.includes(SECRETS_SCOPE))) this.secretFields.add(coordinate);
      }
    }
    this.mayCarryCredentials = new Set([...this.secretFields, MAP_ENTRY_VALUE]);
  }

  typeRequirement(typeName: string): Requirement | undefined {
    return this.typeRequirements.get(typeName);
  }

  fieldRequirement(typeName: string, fieldName: string): Requirement | undefined {
    return this.fieldRequirements.get(`${typeName}.${fieldName}`);
  }

  /**
   * Whether the operation selects any field that may carry a credential (`mayCarryCredentials`: a
   * secret field or a map entry's value) below the field being resolved (through
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
    if (this.mayCarryCredentials.has(`${parentTypeName}.${field.name.value}`)) return true;
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
   * path; an entity type's policy also guards its `__resolveReference` for `_entities`. A map
   * entry whose key names a credential is guarded like a secret field: its `value` is `null` with
   * UNAUTHORIZED_FIELD_OR_TYPE at the value's path, its key and the other entries stay.
   */
  enforce(schema: GraphQLSchema): void {
    this.guardCredentialMapEntries(schema);
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
          if (!requirements.every((requirement) => isSatisfied(requirement, context.caller))) throw unauthorizedFieldOrType(requirements);
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
            : Promise.reject(unauthorizedFieldOrType([typeRequirement]));
      }
    }
  }

  private guardCredentialMapEntries(schema: GraphQLSchema): void {
    const entryType = schema.getType(MAP_ENTRY_TYPE);
    // A schema without maps has nothing to guard (the policy's own tests use such schemas); the
    // served schema has them, and test/credential-map-entries.test.ts proves each key guarded.
    if (entryType === undefined) return;
    const valueField = isObjectType(entryType) ? entryType.getFields()['value'] : undefined;
    if (!valueField) throw new Error(`${MAP_ENTRY_VALUE} is not in the schema`);
    const resolve = valueField.resolve ?? defaultFieldResolver;
    const requirement = this.credentialEntryRequirement;
    valueField.resolve = (entry: { key: string }, args, context: { caller: Caller }, info) => {
      if (isCredentialMapKey(entry.key) && !isSatisfied(requirement, context.caller)) throw unauthorizedFieldOrType([requirement]);
      return resolve(entry, args, context, info);
    };
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
