import type { ApolloServerOptionsWithGateway, BaseContext } from '@apollo/server';
import {
  type DocumentNode,
  type ExecutionResult,
  GraphQLError,
  type GraphQLField,
  type GraphQLFieldResolver,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  defaultFieldResolver,
  execute,
  getNullableType,
  isListType,
  isObjectType,
} from 'graphql';
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';
import { setFlagsFromString } from 'node:v8';
import { markResponseWithCredentials } from '../../schema/credential-responses.js';
import { INCLUDE_TRACE_HEADER } from '../apollo.js';
import type { CachePlan, CachePolicies } from '../cache-policy.js';

/**
 * How Apollo Server executes an operation here: graphql-js for the first executions of a parsed
 * document, a query compiled by graphql-jit from the `compileAfter`-th on (as Mercurius' `jit`
 * option does).
 *
 * A compiled query runs the same resolvers (with Apollo's per-field wrappers, once a request has
 * needed them), but plans the operation once: no field collection, argument coercion or
 * `promiseForObject` per request. A router sends the same few operations over and over; each is
 * compiled once and kept as long as Apollo's document cache keeps its parsed document (a WeakMap
 * on the document). A document seen once, like most of a fuzzer's, never pays for a compilation.
 *
 * An operation with a cache plan (../cache-policy.ts) is compiled a second time, over the subgraph's
 * own resolvers, for the fast path (fast-path.ts), and registered under its exact source text and
 * requested operation name (FastPlans) each time Apollo Server runs it compiled. The fast path hands
 * back to Apollo Server what it does not answer (Executor.handOff).
 *
 * graphql-js stays in charge of:
 * - introspection (`__schema`, `__type`), which Apollo Sandbox sends;
 * - a request whose router asks for a trace (`apollo-federation-include-trace: ftv1`): Apollo's
 *   inline trace plugin records each field through the resolvers Apollo Server wraps the first time
 *   a request has per-field hooks, and a query compiled before that holds the unwrapped ones;
 * - an operation graphql-jit declines to compile, and a request whose operation Apollo could not
 *   resolve (graphql-js reports why, as Apollo expects);
 * - a request whose variables do not coerce: a compiled query then returns no data at all, and the
 *   request is run again by graphql-js, whose errors Apollo recognises as BAD_USER_INPUT. No
 *   resolver ran the first time, so running it again repeats no AWS call.
 *
 * A compiled query's errors reach Apollo as graphql-js GraphQLErrors (asGraphqlJsError).
 */
export interface ExecutorOptions {
  /** Executions of the same parsed document before it is compiled (1: at once; 0: never). */
  compileAfter: number;
}

/** Apollo Server's gateway interface (from @apollo/server's own types). */
type GatewayInterface = ApolloServerOptionsWithGateway<BaseContext>['gateway'];
type GatewayExecutor = NonNullable<Awaited<ReturnType<GatewayInterface['load']>>['executor']>;

/** How many executions took each path (read by the tests); all zero without the accelerator. */
export interface ExecutionStats {
  /** Executions by graphql-js (first sight, introspection, declined, unresolved operation). */
  interpreted: number;
  /** Executions by a compiled query. */
  compiled: number;
  /** Compiled executions whose variables did not coerce, run again by graphql-js. */
  rerunForVariableErrors: number;
  /** Operations compiled so far. */
  compilations: number;
  /** Requests answered by the fast path without Apollo Server's request pipeline (see fast-path.ts). */
  fastPath: number;
  /** Requests the fast path ran, then handed to Apollo Server with their result (errors, variables that did not coerce). */
  handedOff: number;
}

export function idleExecutionStats(): ExecutionStats {
  return { interpreted: 0, compiled: 0, rerunForVariableErrors: 0, compilations: 0, fastPath: 0, handedOff: 0 };
}

/**
 * A compiled operation the fast path may serve (fast-path.ts): registered when Apollo Server runs it
 * compiled, so only after Apollo Server has parsed and validated its exact source text.
 */
export interface FastPlan {
  compiled: CompiledQuery;
  /** The operation's name, as Apollo Server reports it (`requestContext.operationName`). */
  operationName: string | null;
  cache: CachePlan;
}

/**
 * The fast path's plans by source text and requested operation name, least recently used first out.
 * Bounded by count: each holds a compiled query of its own (tens of KB), beside the one Apollo's
 * document cache keeps alive. A router sends the same few operations over and over; a client that
 * sends many distinct ones gets the others from Apollo Server, as before the fast path existed.
 */
export class FastPlans {
  private readonly entries = new Map<string, Map<string, FastPlan>>();
  private count = 0;

  constructor(private readonly maxPlans = 100) {}

  get(query: string, operationName: string | undefined): FastPlan | undefined {
    const byName = this.entries.get(query);
    if (byName === undefined) return undefined;
    // Most recently used last (Map keeps insertion order).
    this.entries.delete(query);
    this.entries.set(query, byName);
    return byName.get(operationName ?? '');
  }

  set(query: string, operationName: string | undefined, plan: FastPlan): void {
    let byName = this.entries.get(query);
    if (byName === undefined) {
      byName = new Map();
      this.entries.set(query, byName);
    }
    if (!byName.has(operationName ?? '')) this.count += 1;
    byName.set(operationName ?? '', plan);
    for (const [oldest, plans] of this.entries) {
      if (this.count <= this.maxPlans) break;
      this.entries.delete(oldest);
      this.count -= plans.size;
    }
  }

  get size(): number {
    return this.count;
  }
}

/**
 * What the fast path hands to Apollo Server for a request it ran: the result to report (and whether
 * a credential resolved in it, see ../response-policy.ts), or "run it on graphql-js".
 */
export type HandOff = { kind: 'result'; result: ExecutionResult; carriesCredentials: boolean } | { kind: 'rerun' };

/**
 * Where a hand-off travels: a property of the request's context object. Apollo Server hands the
 * executor a shallow copy of the context the HTTP layer gave it (`cloneObject`), which keeps the
 * property but not the object's identity.
 */
const HAND_OFF = Symbol('fastPathHandOff');

export type Executor = GatewayExecutor & {
  readonly stats: ExecutionStats;
  readonly plans: FastPlans;
  /** Makes Apollo Server's execution of the request with this context object report `handOff` instead of running again. */
  handOff(context: object, handOff: HandOff): void;
};

/** A compiled operation, and what the fast path runs of it. */
interface CompiledOperation {
  /** Compiled over the schema as Apollo Server runs it (its resolvers wrapped for per-field plugins, once a request needed them). */
  compiled: CompiledQuery;
  operationName: string | null;
  /** What the fast path runs, if it may serve the operation (it has a cache plan). */
  fast: FastPlan | null;
}

interface DocumentState {
  executions: number;
  /** Per operation name ('' for an anonymous one): the compiled operation, or null when graphql-js runs it. */
  compiled: Map<string, CompiledOperation | null>;
}

/** Whether any selection, at any depth, is `__schema` or `__type`. */
export function selectsIntrospection(document: DocumentNode): boolean {
  const stack = document.definitions.flatMap((definition) =>
    definition.kind === Kind.OPERATION_DEFINITION || definition.kind === Kind.FRAGMENT_DEFINITION ? [definition.selectionSet] : [],
  );
  for (let selectionSet = stack.pop(); selectionSet !== undefined; selectionSet = stack.pop()) {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value === '__schema' || selection.name.value === '__type') return true;
        if (selection.selectionSet) stack.push(selection.selectionSet);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        stack.push(selection.selectionSet);
      }
    }
  }
  return false;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

/** What graphql-js makes of a rejection that is not an Error. */
const asError = (reason: unknown): Error => (reason instanceof Error ? reason : new Error(`Unexpected error value: ${String(reason)}`));

function settleItems(value: unknown): unknown {
  if (!Array.isArray(value) || !value.some(isPromiseLike)) return value;
  return Promise.all(value.map((item) => (isPromiseLike(item) ? Promise.resolve(item).then(undefined, asError) : item)));
}

/**
 * Makes every list field whose resolver returns promises as items (`_entities` does, one per
 * representation) resolve to one array of settled items instead, a failed item as its Error.
 *
 * graphql-jit 0.8.9 puts the null of a rejected item at the end of the list (`resultArray.push`)
 * instead of at the item's index, so a list whose items fail out of order comes back shifted and
 * too long. An Error as an item is handled at its index by graphql-jit and by graphql-js alike
 * (the item is null, with its error at the item's path), which is exactly what a rejected item
 * gives in graphql-js. test/jit.test.ts compares both executors over `_entities` with failing items.
 * It wraps the resolvers after the schema passes (src/schema/passes.ts), so it settles each list
 * as they return it.
 */
export function settleListItems(schema: GraphQLSchema): void {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (!isListType(getNullableType(field.type))) continue;
      const resolve: GraphQLFieldResolver<unknown, unknown> = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args, context, info) => {
        const value = resolve(source, args, context, info);
        return isPromiseLike(value) ? Promise.resolve(value).then(settleItems) : settleItems(value);
      };
    }
  }
}

/**
 * A compiled query's error as graphql-js makes it. graphql-jit reports errors with a GraphQLError of
 * its own whose `message` is read-only, and Apollo Server's plugins may rewrite an error's message:
 * graphql-armor's field-suggestion mask (on in production) assigns it in `didEncounterErrors`, which
 * then threw and turned the whole response into an HTTP 500. Message, locations, path, extensions
 * and the original error stay as they were.
 */
export function asGraphqlJsError(error: GraphQLError): GraphQLError {
  if (Object.getPrototypeOf(error) === GraphQLError.prototype) return error;
  const copy = new GraphQLError(error.message, { path: error.path, originalError: error.originalError ?? undefined, extensions: error.extensions });
  // graphql-js computes locations from AST nodes, which a compiled query's errors do not carry.
  (copy as { locations?: GraphQLError['locations'] }).locations = error.locations;
  return copy;
}

export function createExecutor(schema: GraphQLSchema, cachePolicies: CachePolicies, options: ExecutorOptions): Executor {
  settleListItems(schema);
  // V8's compilation cache off for the process: graphql-jit builds compiled queries with
  // `new Function`, and V8 kept those sources (about 36 KB per distinct document with a union
  // selection) for the life of the process, long after the document and its query were gone
  // (`npm run soak`, mostly distinct documents: the live heap climbed by 13 % in two minutes; with
  // GRAPHQL_JIT_AFTER=0 it stayed flat). test/jit.test.ts measures it in a child process. A server
  // compiles its modules once at start-up, so the cache saves it nothing afterwards.
  if (options.compileAfter > 0) setFlagsFromString('--no-compilation-cache');
  const documents = new WeakMap<DocumentNode, DocumentState>();
  const stats = idleExecutionStats();
  const plans = new FastPlans();

  // Each field's resolver as the subgraph made it (src/schema/passes.ts, then settleListItems), before
  // Apollo Server wraps every field's resolver for per-field plugins (an inline trace). The fast path needs none,
  // and over these graphql-jit reads a field without a resolver of its own in place, with no
  // resolver call, info object or promise check per field.
  const ownResolvers = new Map<GraphQLField<unknown, unknown>, GraphQLFieldResolver<unknown, unknown> | undefined>();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) ownResolvers.set(field, field.resolve);
  }

  /**
   * The operation compiled over the subgraph's own resolvers: graphql-jit keeps the resolvers it
   * compiles with, so Apollo's wrappers are swapped out for the (synchronous) compilation and back.
   */
  function compileWithOwnResolvers(document: DocumentNode, operationName: string | null): CompiledQuery | null {
    const wrapped = new Map<GraphQLField<unknown, unknown>, GraphQLFieldResolver<unknown, unknown> | undefined>();
    for (const [field, resolve] of ownResolvers) {
      if (field.resolve === resolve) continue;
      wrapped.set(field, field.resolve);
      field.resolve = resolve;
    }
    try {
      const result = compileQuery(schema, document, operationName ?? undefined);
      return isCompiledQuery(result) ? result : null;
    } finally {
      for (const [field, resolve] of wrapped) field.resolve = resolve;
    }
  }

  /** The compiled query of the document's operation (null: graphql-js runs it), compiled on its `compileAfter`-th execution. */
  function planFor(document: DocumentNode, operationName: string | null, operation: OperationDefinitionNode): CompiledOperation | null {
    if (options.compileAfter <= 0) return null;
    let state = documents.get(document);
    if (state === undefined) {
      state = { executions: 0, compiled: new Map() };
      documents.set(document, state);
    }
    const key = operationName ?? '';
    const known = state.compiled.get(key);
    if (known !== undefined) return known;
    state.executions += 1;
    if (state.executions < options.compileAfter) return null;
    let plan: CompiledOperation | null = null;
    if (!selectsIntrospection(document)) {
      const result = compileQuery(schema, document, operationName ?? undefined);
      if (isCompiledQuery(result)) {
        stats.compilations += 1;
        const cache = cachePolicies.planFor(document, operation);
        const fast = cache ? compileWithOwnResolvers(document, operationName) : undefined;
        plan = { compiled: result, operationName, fast: fast && cache ? { compiled: fast, operationName, cache } : null };
      }
    }
    state.compiled.set(key, plan);
    return plan;
  }

  const executor: GatewayExecutor = async (requestContext) => {
    const { document, operationName, context, request } = requestContext;
    const viaGraphqlJs = () => {
      stats.interpreted += 1;
      return execute({ schema, document, contextValue: context, variableValues: request.variables, operationName: request.operationName });
    };
    // Apollo leaves `operation` unset when `operationName` names no operation of the document.
    const operation = requestContext.operation as typeof requestContext.operation | undefined;
    const traced = request.http?.headers.get(INCLUDE_TRACE_HEADER) === 'ftv1';
    const handedOff = (context as { [HAND_OFF]?: HandOff })[HAND_OFF];
    let result: ExecutionResult;
    if (handedOff !== undefined && operation) {
      // The fast path ran this request's operation (the same source and operation name) already.
      delete (context as { [HAND_OFF]?: HandOff })[HAND_OFF];
      stats.handedOff += 1;
      if (handedOff.kind === 'rerun') {
        stats.rerunForVariableErrors += 1;
        result = await viaGraphqlJs();
      } else {
        // The resolvers marked the context they ran with, not Apollo's copy of it.
        if (handedOff.carriesCredentials) markResponseWithCredentials(context);
        result = handedOff.result.errors ? { ...handedOff.result, errors: handedOff.result.errors.map(asGraphqlJsError) } : handedOff.result;
      }
      return result as ExecutionResult<Record<string, unknown>, Record<string, unknown>>;
    }
    const plan = operation && !traced ? planFor(document, operationName, operation) : null;
    if (plan) {
      // From now on the fast path may answer this source text and operation name (again, if its
      // bounded registry had let the plan go).
      if (plan.fast && typeof request.query === 'string') plans.set(request.query, request.operationName, plan.fast);
      stats.compiled += 1;
      result = await plan.compiled.query(undefined, context, request.variables ?? {});
      if (result.data === undefined) {
        stats.rerunForVariableErrors += 1;
        result = await viaGraphqlJs();
      } else if (result.errors) {
        result = { ...result, errors: result.errors.map(asGraphqlJsError) };
      }
    } else {
      result = await viaGraphqlJs();
    }
    return result as ExecutionResult<Record<string, unknown>, Record<string, unknown>>;
  };
  return Object.assign(executor, {
    stats,
    plans,
    handOff(context: object, handOff: HandOff) {
      Object.defineProperty(context, HAND_OFF, { value: handOff, enumerable: true, configurable: true, writable: true });
    },
  });
}

/**
 * Apollo Server's gateway interface around a fixed schema: the documented way to hand Apollo an
 * executor of one's own. Parsing, validation (with armor's rules), the document cache, plugins and
 * error formatting stay Apollo's.
 */
export function fixedSchemaGateway(schema: GraphQLSchema, executor: Executor): GatewayInterface {
  return {
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => undefined;
    },
    async load() {
      return { executor };
    },
    async stop() {},
  };
}
