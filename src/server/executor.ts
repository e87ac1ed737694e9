import type { ApolloServerOptionsWithGateway, BaseContext } from '@apollo/server';
import {
  type DocumentNode,
  type ExecutionResult,
  GraphQLError,
  type GraphQLFieldResolver,
  type GraphQLSchema,
  Kind,
  defaultFieldResolver,
  execute,
  getNullableType,
  isListType,
  isObjectType,
} from 'graphql';
import { type CompiledQuery, compileQuery, isCompiledQuery } from 'graphql-jit';
import { setFlagsFromString } from 'node:v8';

/**
 * How Apollo Server executes an operation here: graphql-js for the first executions of a parsed
 * document, a query compiled by graphql-jit from the `compileAfter`-th on (as Mercurius' `jit`
 * option does).
 *
 * A compiled query runs the same resolvers, through Apollo's per-field instrumentation (cache
 * hints, inline traces), but plans the operation once: no field collection, argument coercion or
 * `promiseForObject` per request. A router sends the same few operations over and over; each is
 * compiled once and kept as long as Apollo's document cache keeps its parsed document (a WeakMap
 * on the document). A document seen once, like most of a fuzzer's, never pays for a compilation.
 *
 * graphql-js stays in charge of:
 * - introspection (`__schema`, `__type`), which Apollo Sandbox sends;
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

/** How many executions took each path (read by the tests). */
export interface ExecutionStats {
  /** Executions by graphql-js (first sight, introspection, declined, unresolved operation). */
  interpreted: number;
  /** Executions by a compiled query. */
  compiled: number;
  /** Compiled executions whose variables did not coerce, run again by graphql-js. */
  rerunForVariableErrors: number;
  /** Operations compiled so far. */
  compilations: number;
}

export type Executor = GatewayExecutor & { readonly stats: ExecutionStats };

interface DocumentState {
  executions: number;
  /** Per operation name ('' for an anonymous one): the compiled query, or null when graphql-js runs it. */
  compiled: Map<string, CompiledQuery | null>;
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

export function createExecutor(schema: GraphQLSchema, options: ExecutorOptions): Executor {
  settleListItems(schema);
  // V8's compilation cache off for the process: graphql-jit builds compiled queries with
  // `new Function`, and V8 kept those sources (about 36 KB per distinct document with a union
  // selection) for the life of the process, long after the document and its query were gone
  // (`npm run soak`, mostly distinct documents: the live heap climbed by 13 % in two minutes; with
  // GRAPHQL_JIT_AFTER=0 it stayed flat). test/jit.test.ts measures it in a child process. A server
  // compiles its modules once at start-up, so the cache saves it nothing afterwards.
  if (options.compileAfter > 0) setFlagsFromString('--no-compilation-cache');
  const documents = new WeakMap<DocumentNode, DocumentState>();
  const stats: ExecutionStats = { interpreted: 0, compiled: 0, rerunForVariableErrors: 0, compilations: 0 };

  function compiledFor(document: DocumentNode, operationName: string | null): CompiledQuery | null {
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
    let compiled: CompiledQuery | null = null;
    if (!selectsIntrospection(document)) {
      const result = compileQuery(schema, document, operationName ?? undefined);
      if (isCompiledQuery(result)) {
        compiled = result;
        stats.compilations += 1;
      }
    }
    state.compiled.set(key, compiled);
    return compiled;
  }

  const executor: GatewayExecutor = async (requestContext) => {
    const { document, operationName, context, request } = requestContext;
    const viaGraphqlJs = () => {
      stats.interpreted += 1;
      return execute({ schema, document, contextValue: context, variableValues: request.variables, operationName: request.operationName });
    };
    // Apollo leaves `operation` unset when `operationName` names no operation of the document.
    const operation = requestContext.operation as typeof requestContext.operation | undefined;
    const compiled = operation ? compiledFor(document, operationName) : null;
    let result: ExecutionResult;
    if (compiled) {
      stats.compiled += 1;
      result = await compiled.query(undefined, context, request.variables ?? {});
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
  return Object.assign(executor, { stats });
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
