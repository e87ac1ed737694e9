/**
 * Schema-driven generators of GraphQL operations for the authorization and leak tests.
 *
 * Everything is derived from the real schema (`buildServedSchema().schema`) and the real policy
 * (`policy.secretFields`, or `policy.mayCarryCredentials` to count map entry values too), so a field
 * added to the SDL is generated without touching this file.
 */
import * as fc from 'fast-check';
import {
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  getNamedType,
  isCompositeType,
  isLeafType,
  isObjectType,
  isUnionType,
  parse,
  validate,
} from 'graphql';
import { SECRET_CANARY_PREFIX, seededIds } from '../../tools/emulator/seed.js';

/** The random choices an operation is built from; backed by fast-check in the property tests. */
export interface Chooser {
  /** true with roughly the given probability. */
  bool(probability: number): boolean;
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
}

/**
 * Choices drawn from `fc.gen()`, so fast-check records (and can replay and shrink) every decision.
 * Each choice shrinks towards `false` / `min` / the first item: towards smaller operations.
 */
export function chooserFrom(g: fc.GeneratorValue): Chooser {
  return {
    bool: (probability) => g(fc.integer, { min: 0, max: 99 }) >= Math.round((1 - probability) * 100),
    int: (min, max) => g(fc.integer, { min, max }),
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[g(fc.integer, { min: 0, max: items.length - 1 })] as T;
    },
  };
}

export interface GeneratedOperation {
  query: string;
  variables: Record<string, unknown>;
  /** The document selects at least one field guarded by the secrets scope. */
  selectsSecrets: boolean;
  /** Some root `dataZoneConnection` passes `withSecret: true`. */
  asksWithSecret: boolean;
  /** Some root field is `_entities`. */
  usesEntities: boolean;
  usesNamedFragments: boolean;
  usesInlineFragments: boolean;
  usesAliases: boolean;
}

export interface OperationGenerator {
  generate(choose: Chooser): GeneratedOperation;
}

/** Levels of fields below a root field; deep enough for `...oAuth2Credentials.accessToken` (7). */
export const DEFAULT_MAX_DEPTH = 8;

function fieldsOf(type: GraphQLObjectType): Array<GraphQLField<unknown, unknown>> {
  // Non-root fields take no arguments in this schema; skip any that would need some.
  return Object.values(type.getFields()).filter((field) => field.args.every((arg) => !arg.type.toString().endsWith('!')));
}

/**
 * Field names that different object types declare with different return types (e.g. `type` on
 * DataZoneConnection and QuickSightActionConnector). Selected side by side through `_entities` or a
 * union, such fields would break the "fields can merge" validation rule unless aliased, so the
 * generator always aliases them (with an alias unique in the operation).
 */
function ambiguousFieldNames(schema: GraphQLSchema): Set<string> {
  const typesByName = new Map<string, Set<string>>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const types = typesByName.get(field.name) ?? new Set<string>();
      types.add(field.type.toString());
      typesByName.set(field.name, types);
    }
  }
  return new Set([...typesByName].filter(([, types]) => types.size > 1).map(([name]) => name));
}

/** Whether a secret field is reachable from `typeName` within `depth` more levels of fields. */
function createSecretReachability(schema: GraphQLSchema, secretFields: ReadonlySet<string>) {
  const memo = new Map<string, boolean>();
  const reaches = (typeName: string, depth: number): boolean => {
    if (depth <= 0) return false;
    const key = `${typeName}@${depth}`;
    const cached = memo.get(key);
    if (cached !== undefined) return cached;
    memo.set(key, false);
    const type = schema.getType(typeName);
    let result = false;
    if (isUnionType(type)) {
      result = type.getTypes().some((member) => reaches(member.name, depth));
    } else if (isObjectType(type)) {
      result = Object.values(type.getFields()).some(
        (field) =>
          secretFields.has(`${type.name}.${field.name}`) ||
          (isCompositeType(getNamedType(field.type)) && reaches(getNamedType(field.type).name, depth - 1)),
      );
    }
    memo.set(key, result);
    return result;
  };
  return reaches;
}

function literal(value: unknown): string {
  return JSON.stringify(value);
}

interface Ids {
  awsAccountId: string;
  actionConnectorIds: string[];
  domainId: string;
  connectionIds: string[];
}

/** One operation being built: fragments, variables and aliases are unique within it. */
class OperationBuilder {
  private aliasCounter = 0;
  private readonly fragments = new Map<string, { typeName: string; text: string }>();
  private readonly variableDefinitions: string[] = [];
  readonly variables: Record<string, unknown> = {};
  selectsSecrets = false;
  asksWithSecret = false;
  usesEntities = false;
  usesNamedFragments = false;
  usesInlineFragments = false;
  usesAliases = false;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly secretFields: ReadonlySet<string>,
    private readonly ambiguous: ReadonlySet<string>,
    private readonly reachesSecret: (typeName: string, depth: number) => boolean,
    private readonly ids: Ids,
    private readonly choose: Chooser,
    private readonly maxDepth: number,
  ) {}

  private alias(): string {
    this.usesAliases = true;
    this.aliasCounter += 1;
    return `a${this.aliasCounter}`;
  }

  private variable(name: string, type: string, value: unknown): string {
    this.variableDefinitions.push(`$${name}: ${type}`);
    this.variables[name] = value;
    return `$${name}`;
  }

  /** `{ ... }` for a composite type, `remaining` levels of fields still allowed below it. */
  selectionSet(type: GraphQLCompositeType, remaining: number): string {
    const selections = isUnionType(type) ? this.unionSelections(type, remaining) : this.objectSelections(type as GraphQLObjectType, remaining);
    return `{ ${selections.join(' ')} }`;
  }

  private objectSelections(type: GraphQLObjectType, remaining: number): string[] {
    const selections: string[] = [];
    for (const field of fieldsOf(type)) {
      const named = getNamedType(field.type);
      const secret = this.secretFields.has(`${type.name}.${field.name}`);
      const composite = isCompositeType(named);
      if (composite && remaining <= 1) continue;
      const leadsToSecret = secret || (composite && this.reachesSecret(named.name, remaining - 1));
      if (!this.choose.bool(leadsToSecret ? 0.8 : 0.3)) continue;
      selections.push(this.fieldSelection(type, field, remaining));
    }
    if (this.choose.bool(0.15)) selections.push('__typename');
    if (selections.length === 0) {
      const leaves = fieldsOf(type).filter((field) => isLeafType(getNamedType(field.type)));
      const leaf = leaves.length > 0 ? this.choose.pick(leaves) : undefined;
      selections.push(leaf ? this.fieldSelection(type, leaf, remaining) : '__typename');
    }
    return this.group(type, selections);
  }

  private unionSelections(type: GraphQLCompositeType & { getTypes(): readonly GraphQLObjectType[] }, remaining: number): string[] {
    const selections: string[] = [];
    for (const member of type.getTypes()) {
      const leadsToSecret = this.reachesSecret(member.name, remaining);
      if (!this.choose.bool(leadsToSecret ? 0.85 : 0.5)) continue;
      const body = this.objectSelections(member, remaining);
      if (this.choose.bool(0.3)) {
        selections.push(`...${this.namedFragment(member.name, body)}`);
      } else {
        this.usesInlineFragments = true;
        selections.push(`... on ${member.name} { ${body.join(' ')} }`);
      }
    }
    if (selections.length === 0 || this.choose.bool(0.2)) selections.push('__typename');
    // Sometimes the whole union selection lives in a named fragment on the union type itself.
    if (this.choose.bool(0.15)) return [`...${this.namedFragment(type.name, selections)}`];
    return selections;
  }

  /** Moves some of an object type's selections into inline or named fragments on that type. */
  private group(type: GraphQLObjectType, selections: string[]): string[] {
    if (selections.length < 2 || !this.choose.bool(0.35)) return selections;
    const split = this.choose.int(1, selections.length - 1);
    const outside = selections.slice(0, split);
    const inside = selections.slice(split);
    switch (this.choose.int(0, 2)) {
      case 0:
        this.usesInlineFragments = true;
        return [...outside, `... on ${type.name} { ${inside.join(' ')} }`];
      case 1:
        this.usesInlineFragments = true;
        return [...outside, `... { ${inside.join(' ')} }`];
      default:
        return [...outside, `...${this.namedFragment(type.name, inside)}`];
    }
  }

  private namedFragment(typeName: string, selections: string[]): string {
    this.usesNamedFragments = true;
    const name = `F${this.fragments.size + 1}_${typeName}`;
    this.fragments.set(name, { typeName, text: `fragment ${name} on ${typeName} { ${selections.join(' ')} }` });
    return name;
  }

  private fieldSelection(parent: GraphQLObjectType, field: GraphQLField<unknown, unknown>, remaining: number): string {
    if (this.secretFields.has(`${parent.name}.${field.name}`)) this.selectsSecrets = true;
    const alias = this.ambiguous.has(field.name) || this.choose.bool(0.15) ? `${this.alias()}: ` : '';
    const named = getNamedType(field.type);
    if (!isCompositeType(named)) return `${alias}${field.name}`;
    return `${alias}${field.name} ${this.selectionSet(named, remaining - 1)}`;
  }

  private pickConnectionId(): string {
    return this.choose.bool(0.1) ? 'conn-does-not-exist' : this.choose.pick(this.ids.connectionIds);
  }

  private pickConnectorId(): string {
    return this.choose.bool(0.1) ? 'connector-does-not-exist' : this.choose.pick(this.ids.actionConnectorIds);
  }

  /** `name: value` as a literal or through a variable. */
  private argument(name: string, type: string, value: unknown, index: number): string {
    return this.choose.bool(0.4) ? `${name}: ${this.variable(`${name}${index}`, type, value)}` : `${name}: ${literal(value)}`;
  }

  rootField(index: number, alias: string): string {
    const query = this.schema.getQueryType();
    if (!query) throw new Error('the schema has no Query type');
    const kind = this.choose.pick(['dataZoneConnection', 'dataZoneConnection', 'quickSightActionConnector', '_entities'] as const);
    const prefix = alias ? `${alias}: ` : '';
    if (kind === 'dataZoneConnection') {
      const args = [
        this.argument('domainIdentifier', 'ID!', this.ids.domainId, index),
        this.argument('identifier', 'ID!', this.pickConnectionId(), index),
      ];
      const withSecret = this.choose.pick([true, false, undefined]);
      if (withSecret !== undefined) {
        if (withSecret) this.asksWithSecret = true;
        args.push(this.argument('withSecret', 'Boolean', withSecret, index));
      }
      const type = this.schema.getType('DataZoneConnection') as GraphQLObjectType;
      return `${prefix}dataZoneConnection(${args.join(', ')}) ${this.selectionSet(type, this.maxDepth - 1)}`;
    }
    if (kind === 'quickSightActionConnector') {
      const args = [
        this.argument('awsAccountId', 'ID!', this.ids.awsAccountId, index),
        this.argument('actionConnectorId', 'ID!', this.pickConnectorId(), index),
      ];
      const type = this.schema.getType('QuickSightActionConnector') as GraphQLObjectType;
      return `${prefix}quickSightActionConnector(${args.join(', ')}) ${this.selectionSet(type, this.maxDepth - 1)}`;
    }
    this.usesEntities = true;
    const representations: Array<Record<string, string>> = [];
    const count = this.choose.int(1, 3);
    for (let i = 0; i < count; i++) {
      representations.push(
        this.choose.bool(0.6)
          ? { __typename: 'DataZoneConnection', domainId: this.ids.domainId, connectionId: this.pickConnectionId() }
          : { __typename: 'QuickSightActionConnector', awsAccountId: this.ids.awsAccountId, actionConnectorId: this.pickConnectorId() },
      );
    }
    const variable = this.variable(`representations${index}`, '[_Any!]!', representations);
    const entity = this.schema.getType('_Entity') as GraphQLCompositeType;
    return `${prefix}_entities(representations: ${variable}) ${this.selectionSet(entity, this.maxDepth - 1)}`;
  }

  document(rootFields: string[]): string {
    const variables = this.variableDefinitions.length > 0 ? `(${this.variableDefinitions.join(', ')})` : '';
    const name = this.choose.bool(0.5) ? ` Generated${this.choose.int(1, 999)}` : '';
    const fragments = [...this.fragments.values()].map((fragment) => fragment.text);
    return [`query${name}${variables} { ${rootFields.join(' ')} }`, ...fragments].join('\n');
  }
}

/**
 * Random operations over the real schema: random subsets of fields (credential fields and the
 * paths to them with high probability), aliases, named and inline fragments, every union member
 * through `... on X`, both entry points (root fields with seeded ids and `withSecret`
 * true/false/absent, and `_entities` with representations of both entity types). Every document
 * is validated against the schema before it is returned.
 */
export function createOperationGenerator(schema: GraphQLSchema, secretFields: ReadonlySet<string>, maxDepth = DEFAULT_MAX_DEPTH): OperationGenerator {
  const ambiguous = ambiguousFieldNames(schema);
  const reachesSecret = createSecretReachability(schema, secretFields);
  const ids = seededIds();
  return {
    generate(choose) {
      const builder = new OperationBuilder(schema, secretFields, ambiguous, reachesSecret, ids, choose, maxDepth);
      const count = choose.int(1, 3);
      const rootFields: string[] = [];
      for (let index = 0; index < count; index++) {
        // Several root fields may repeat a name with other arguments: alias all of them then.
        const alias = count > 1 || choose.bool(0.2) ? `r${index}` : '';
        rootFields.push(builder.rootField(index, alias));
      }
      const query = builder.document(rootFields);
      const errors = validate(schema, parse(query));
      if (errors.length > 0) {
        throw new Error(`the generator built an invalid document (${errors.map((error) => error.message).join('; ')}):\n${query}`);
      }
      return {
        query,
        variables: builder.variables,
        selectsSecrets: builder.selectsSecrets,
        asksWithSecret: builder.asksWithSecret,
        usesEntities: builder.usesEntities,
        usesNamedFragments: builder.usesNamedFragments,
        usesInlineFragments: builder.usesInlineFragments,
        usesAliases: builder.usesAliases,
      };
    },
  };
}

/**
 * The selection set below `typeName` that reaches every secret field (and only the paths to them),
 * through every union member: with it, one query shows every credential a connection has.
 */
export function secretSelection(schema: GraphQLSchema, secretFields: ReadonlySet<string>, typeName: string): string {
  const reachesSecret = createSecretReachability(schema, secretFields);
  const unbounded = 64;
  const build = (name: string): string => {
    const type = schema.getType(name);
    if (isUnionType(type)) {
      const members = type.getTypes().filter((member) => reachesSecret(member.name, unbounded));
      return `{ __typename ${members.map((member) => `... on ${member.name} ${build(member.name)}`).join(' ')} }`;
    }
    if (!isObjectType(type)) throw new Error(`${name} is not a composite type`);
    const selections: string[] = [];
    for (const field of Object.values(type.getFields())) {
      const named = getNamedType(field.type);
      if (secretFields.has(`${type.name}.${field.name}`)) {
        selections.push(isCompositeType(named) ? `${field.name} ${build(named.name)}` : field.name);
      } else if (isCompositeType(named) && reachesSecret(named.name, unbounded)) {
        selections.push(`${field.name} ${build(named.name)}`);
      }
    }
    return `{ __typename ${selections.join(' ')} }`;
  };
  return build(typeName);
}

/** Every string below `value` that contains SECRET_CANARY_PREFIX, in walk order. */
export function collectCanaries(value: unknown, found: string[] = []): string[] {
  if (typeof value === 'string') {
    if (value.includes(SECRET_CANARY_PREFIX)) found.push(value);
  } else if (Array.isArray(value)) {
    for (const item of value) collectCanaries(item, found);
  } else if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    for (const item of Object.values(value)) collectCanaries(item, found);
  }
  return found;
}
