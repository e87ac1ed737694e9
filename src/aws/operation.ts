import DataLoader from 'dataloader';
import { GraphQLError } from 'graphql';
import type { Loaders } from '../core/context.js';
import { fetchEach } from './batch.js';
import { type AwsCallScope, explainAbort, withScope } from './call.js';
import type { AwsClients } from './clients.js';
import { targetNotConfigured, toGraphQLError } from './errors.js';
import type { AwsReads } from './shared-reads.js';
import { AssumeRoleError, type AwsService } from './targets.js';
import { startBatchSpan } from '../telemetry/tracing.js';

export type { AwsService } from './targets.js';

/**
 * One AWS read operation, described once: how a loader key becomes the SDK call, whether other
 * callers may share its answer, and what a failure is called. A domain lists its operations in its
 * loaders table (`src/<domain>/domain.ts`); each request gets one DataLoader per entry, made on
 * first use, and everything else (batching, concurrency, shared reads, the request's call scope,
 * error mapping) is done here, once for every operation.
 */
export interface AwsReadOperation<Service extends AwsService, Key, Input extends object, Output, Value> {
  /** Which client sends it. */
  service: Service;
  /** The AWS operation's name, e.g. `GetConnection`: it prefixes the key of a shared read. */
  name: string;
  /**
   * Names a call by every member of its input: equal keys within a request are one call, and
   * across requests a shareable read is found by `name/cacheKey`.
   */
  cacheKey(key: Key): string;
  /**
   * Whom the call is for: the QuickSight account id or the DataZone domain id of `key`, and the
   * argument that names it. With AWS_TARGETS_FILE the call goes to that target's client, and one
   * the file does not name is refused before any AWS call.
   */
  target: { argument: string; of(key: Key): string };
  /**
   * Whether callers may share this call (coalesced with identical calls in flight and, when
   * configured, cached). Answer false for any call that may carry a secret. Absent: the call always
   * goes to AWS on its own, bypassing the shared reads (list pages, which change with every write).
   */
  shareable?(key: Key): boolean;
  /** The SDK command's input for `key`. */
  input(key: Key): Input;
  /** Sends the command: `(client, input) => client.send(new XCommand(input))`. */
  send(client: Pick<AwsClients, AwsService>[Service], input: Input): Promise<Output>;
  /** What resolvers receive: the SDK's output, or a record around it (the SDK type stays the codegen mapper). */
  value(output: Output, key: Key): Value;
  /** The thing that failed, for the error message, e.g. `DataZone connection "c1" in domain dzd_1`. */
  subject(key: Key): string;
}

/** Infers an operation's types from its description (the key's from `cacheKey`); returns it unchanged. */
export function defineOperation<Service extends AwsService, Key, Input extends object, Output, Value>(
  operation: Omit<AwsReadOperation<Service, NoInfer<Key>, Input, Output, Value>, 'cacheKey'> & { cacheKey(key: Key): string },
): AwsReadOperation<Service, Key, Input, Output, Value> {
  return operation;
}

// `any` where a table does not care: an operation's input and output types are its own business.
type AnyOperation = AwsReadOperation<AwsService, any, any, any, any>;

/** The DataLoader an operation becomes. */
export type LoaderOf<Operation> =
  Operation extends AwsReadOperation<any, infer Key, any, any, infer Value> ? DataLoader<Key, Value, string> : never;

/**
 * A domain's loaders, from its table of operations. Each domain adds them to the request context's
 * `Loaders` (declaration merging): `interface Loaders extends LoadersOf<typeof table> {}`.
 */
export type LoadersOf<Table extends Record<string, AnyOperation>> = { [Name in keyof Table]: LoaderOf<Table[Name]> };

/** For every loader of the request context, the operation it is made from: every domain's table, merged. */
export type LoaderOperations = {
  [Name in keyof Loaders]: Loaders[Name] extends DataLoader<infer Key, infer Value, string> ? AwsReadOperation<AwsService, Key, any, any, Value> : never;
};

/** What a request's loaders are made with: the process's clients, and the request's reads and call scope. */
export interface LoaderDeps<Service extends AwsService = AwsService> {
  /** The process's clients, from createAwsClients, which made their calls carry `scope`. */
  clients: Pick<AwsClients, Service | 'targets'>;
  /** How many calls of one batch run at once. */
  concurrency: number;
  /** Shared between callers, or the caller's own (UNSHARED_READS for callers who may read secrets). */
  reads: AwsReads;
  /** The request's id, deadline and caller, carried by every call it makes. */
  scope: AwsCallScope;
}

/**
 * One request's DataLoader for `operation`: deduplicates and batches its calls within the request;
 * across requests, `reads` coalesces (and, when configured, caches) the calls the operation calls
 * shareable. Each key fails on its own: a failure becomes the contract's GraphQL error for that key.
 */
export function createOperationLoader<Service extends AwsService, Key, Input extends object, Output, Value>(
  operation: AwsReadOperation<Service, Key, Input, Output, Value>,
  { clients, concurrency, reads, scope }: LoaderDeps<Service>,
): DataLoader<Key, Value, string> {
  const shareable = operation.shareable?.bind(operation);
  const toError = (error: unknown, key: Key): Error => {
    if (error instanceof GraphQLError) return error;
    const subject = operation.subject(key);
    // The target's role could not be assumed: STS refused, not the service.
    if (error instanceof AssumeRoleError) return toGraphQLError(error, 'sts', subject);
    return toGraphQLError(explainAbort(error, scope), operation.service, subject);
  };
  const batch = (fetchOne: (key: Key, batchScope: AwsCallScope) => Promise<Value>) =>
    new DataLoader<Key, Value, string>(
      (keys) => {
        // When tracing is on, a span per batch, parent of its AWS calls' spans (src/telemetry/tracing.ts).
        const span = startBatchSpan(operation.service, operation.name, keys.length, scope.traceContext);
        if (span === undefined) return fetchEach(keys, concurrency, (key) => fetchOne(key, scope), toError);
        const batchScope: AwsCallScope = { ...scope, traceContext: span.context };
        return fetchEach(keys, concurrency, (key) => fetchOne(key, batchScope), toError).finally(() => span.span.end());
      },
      { cacheKeyFn: (key) => operation.cacheKey(key) },
    );
  const targets = clients.targets;
  if (targets === undefined) {
    // One account and region: the process's own client.
    const client = clients[operation.service];
    const call = (key: Key, callScope: AwsCallScope): Promise<Value> =>
      operation.send(client, withScope(operation.input(key), callScope)).then((output) => operation.value(output, key));
    return batch(
      shareable === undefined
        ? (key, batchScope) => call(key, batchScope)
        : (key, batchScope) => reads.read(`${operation.name}/${operation.cacheKey(key)}`, shareable(key), (callScope) => call(key, callScope), batchScope),
    );
  }
  // AWS_TARGETS_FILE: each key's call goes to its target's client, and shared reads key on the target.
  return batch((key, batchScope) => {
    const routed = targets.route(operation.service, operation.target.of(key));
    if (routed === undefined) return Promise.reject(targetNotConfigured(operation.target.argument, operation.subject(key)));
    const call = (callScope: AwsCallScope): Promise<Value> =>
      operation.send(routed.client, withScope(operation.input(key), callScope)).then((output) => operation.value(output, key));
    return shareable === undefined ? call(batchScope) : reads.read(`${operation.name}/${routed.label}/${operation.cacheKey(key)}`, shareable(key), call, batchScope);
  });
}

/**
 * Makes the request context's loaders from every domain's operations: each loader is made on first
 * use, so a request pays only for the loaders its operation needs, and never shares one with
 * another request. The getters are defined once per process, on a class, as if written by hand.
 */
export function requestLoaders(operations: LoaderOperations): (deps: LoaderDeps) => Loaders {
  class RequestLoaders {
    readonly made: Record<string, unknown> = {};
    constructor(readonly deps: LoaderDeps) {}
  }
  for (const [name, operation] of Object.entries(operations) as Array<[string, AnyOperation]>) {
    Object.defineProperty(RequestLoaders.prototype, name, {
      get(this: RequestLoaders) {
        return (this.made[name] ??= createOperationLoader(operation, this.deps));
      },
      enumerable: true,
    });
  }
  return (deps) => new RequestLoaders(deps) as unknown as Loaders;
}
