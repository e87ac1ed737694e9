import type { DataZoneClient } from '@aws-sdk/client-datazone';
import type { QuickSightClient } from '@aws-sdk/client-quicksight';
import { type Span, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { performance } from 'node:perf_hooks';
import { scopeOf } from '../aws/call.js';
import { rateLimitStats } from '../aws/rate-limit.js';
import { awsOutcomeOf, errorTypeOf } from './aws-outcome.js';
import type { AwsCallMetrics } from './metrics.js';
import { activeTracer } from './tracing.js';

type Next = (args: unknown) => Promise<unknown>;
interface HandlerContext {
  commandName?: string;
}
interface MiddlewareStackLike {
  add(middleware: (next: Next, context: HandlerContext) => Next, options: { step: string; name: string; priority?: 'high' | 'low' }): void;
  addRelativeTo(middleware: (next: Next, context: HandlerContext) => Next, options: { name: string; relation: 'before' | 'after'; toMiddleware: string }): void;
  identify(): string[];
}
interface SdkMetadata {
  $metadata?: { attempts?: number; requestId?: string; httpStatusCode?: number };
}

/** The rate limiter's middleware (src/aws/rate-limit.ts), around which the queue wait is timed. */
const RATE_LIMIT_MIDDLEWARE = 'clientRateLimitMiddleware';

/** `rpc.service` as OpenTelemetry's AWS SDK conventions name it: the service's SDK id. */
const RPC_SERVICE: Readonly<Record<string, string>> = { quicksight: 'QuickSight', datazone: 'DataZone', sts: 'STS' };

export interface InstrumentClientOptions {
  /** Where calls, attempts and rate-limit waits are counted; none: no metrics. */
  metrics?: AwsCallMetrics;
}

/** The shape of the SDK's `Pluggable`: what a client's `middlewareStack.use` applies. */
export interface StackPlugin {
  applyToStack(stack: object): void;
}

const instrumented = new WeakSet<object>();

/**
 * Counts and traces every call of `client` (idempotent). Call it after the client's rate limit and
 * call scope are installed (src/aws/clients.ts). It adds client-level middleware only, so the SDK's
 * cached per-command handlers stay in use:
 *
 * - per call (outermost, initialize step): duration, outcome and the SDK's `$metadata.attempts`; and,
 *   when tracing is on, a CLIENT span parented to the span the call scope carries (the request's,
 *   or its loader batch's: an AWS call runs in a DataLoader batch, not in the resolver's context);
 * - per attempt (deserialize step, inside the SDK's retries): one count per HTTP request sent, by outcome;
 * - around the rate limiter: how long each attempt waited in its queue; its queue lengths are read
 *   from `rateLimitStats` when the metrics are scraped.
 */
export function instrumentClient(client: QuickSightClient | DataZoneClient, service: string, options: InstrumentClientOptions = {}): void {
  if (instrumented.has(client)) return;
  const regionOf = client.config.region as () => Promise<string> | string;
  const installed = instrumentStack(client.middlewareStack as unknown as MiddlewareStackLike, service, options, { region: () => Promise.resolve(regionOf()) });
  if (!installed) return;
  instrumented.add(client);
  if (options.metrics !== undefined && hasRateLimit(client.middlewareStack as unknown as MiddlewareStackLike)) {
    options.metrics.watchRateLimit(service, () => rateLimitStats(client));
  }
  // Handlers the client cached before this were built without the middleware above (see installCallScope).
  delete (client as unknown as { handlers?: unknown }).handlers;
}

/**
 * The same instrumentation as a client plugin (the SDK's `Pluggable`), for clients the subgraph
 * does not make itself: the STS client `fromTemporaryCredentials` makes (src/aws/targets.ts) takes
 * it through its `clientPlugins` option. Such a call runs inside the SDK's credential resolution,
 * with no call scope, so its span has no parent (a trace of its own). The provider applies its
 * plugins before every call it makes, so applying it twice to one stack adds nothing.
 */
export function instrumentationPlugin(service: string, options: InstrumentClientOptions & { region: string }): StackPlugin {
  const applied = new WeakSet<object>();
  return {
    applyToStack(stack) {
      if (applied.has(stack)) return;
      applied.add(stack);
      instrumentStack(stack as unknown as MiddlewareStackLike, service, options, { region: options.region, root: true });
    },
  };
}

function hasRateLimit(stack: MiddlewareStackLike): boolean {
  return stack.identify().some((entry) => entry.startsWith(`${RATE_LIMIT_MIDDLEWARE} `));
}

/** Adds the middleware `instrumentClient` describes to `stack`; false when there is nothing to record. */
function instrumentStack(
  stack: MiddlewareStackLike,
  service: string,
  { metrics }: InstrumentClientOptions,
  where: { region: string | (() => Promise<string>); root?: boolean },
): boolean {
  const tracer = activeTracer();
  if (metrics === undefined && tracer === undefined) return false;
  const rpcService = RPC_SERVICE[service] ?? service;
  // A client's region is a provider, resolved before its first call is made; a plugin's is known.
  let region = typeof where.region === 'string' ? where.region : undefined;
  if (typeof where.region === 'function') {
    void where.region().then(
      (resolved) => (region = resolved),
      () => undefined,
    );
  }

  stack.add(
    (next, context) => {
      const operation = operationOf(context);
      return (args) => {
        const startedAt = performance.now();
        const parent = tracer === undefined || where.root === true ? undefined : scopeOf(args)?.traceContext;
        const span: Span | undefined =
          tracer === undefined || (parent === undefined && where.root !== true)
            ? undefined
            : tracer.startSpan(
                `${rpcService}.${operation}`,
                {
                  kind: SpanKind.CLIENT,
                  attributes: { 'rpc.system': 'aws-api', 'rpc.service': rpcService, 'rpc.method': operation, ...(region === undefined ? {} : { 'cloud.region': region }) },
                  ...(parent === undefined ? { root: true } : {}),
                },
                parent,
              );
        return next(args).then(
          (result) => {
            // What a middleware gets back is `{ output, response }`; the SDK's retry middleware puts
            // the attempts on the output's `$metadata`.
            const metadata = (result as { output?: SdkMetadata } | undefined)?.output?.$metadata;
            metrics?.callDone(service, operation, 'ok', (performance.now() - startedAt) / 1000, metadata?.attempts ?? 1);
            if (span !== undefined) endCallSpan(span, metadata, 'ok');
            return result;
          },
          (error: unknown) => {
            const metadata = (error as SdkMetadata | null)?.$metadata;
            const outcome = awsOutcomeOf(error);
            metrics?.callDone(service, operation, outcome, (performance.now() - startedAt) / 1000, metadata?.attempts ?? 1);
            if (span !== undefined) {
              span.setAttribute('error.type', errorTypeOf(error));
              span.setStatus({ code: SpanStatusCode.ERROR });
              endCallSpan(span, metadata, outcome);
            }
            throw error;
          },
        );
      };
    },
    { step: 'initialize', priority: 'high', name: 'subgraphTelemetryCall' },
  );
  if (metrics === undefined) return true;

  stack.add(
    (next, context) => {
      const operation = operationOf(context);
      return (args) =>
        next(args).then(
          (output) => {
            metrics.attemptDone(service, operation, 'ok');
            return output;
          },
          (error: unknown) => {
            metrics.attemptDone(service, operation, awsOutcomeOf(error));
            throw error;
          },
        );
    },
    // High in the deserialize step: after the rate limit and the signing, around the deserializer,
    // so it sees each attempt's parsed AWS error.
    { step: 'deserialize', priority: 'high', name: 'subgraphTelemetryAttempt' },
  );

  if (hasRateLimit(stack)) {
    const queuedAt = new WeakMap<object, number>();
    stack.addRelativeTo(
      (next) => (args) => {
        queuedAt.set(args as object, performance.now());
        return next(args);
      },
      { name: 'subgraphTelemetryRateLimitQueued', relation: 'before', toMiddleware: RATE_LIMIT_MIDDLEWARE },
    );
    stack.addRelativeTo(
      (next, context) => {
        const operation = operationOf(context);
        return (args) => {
          const since = queuedAt.get(args as object);
          if (since !== undefined) metrics.rateLimitWaited(service, operation, (performance.now() - since) / 1000);
          return next(args);
        };
      },
      { name: 'subgraphTelemetryRateLimitStarted', relation: 'after', toMiddleware: RATE_LIMIT_MIDDLEWARE },
    );
  }
  return true;
}

/** The SDK operation: the command's name without `Command`, e.g. `GetConnection`. */
function operationOf(context: HandlerContext): string {
  const command = context.commandName ?? 'unknown';
  return command.endsWith('Command') ? command.slice(0, -'Command'.length) : command;
}

/** Attributes known when the call is done; never a header, a parameter or a response member. */
function endCallSpan(span: Span, metadata: SdkMetadata['$metadata'], outcome: string): void {
  if (typeof metadata?.requestId === 'string') span.setAttribute('aws.request_id', metadata.requestId);
  if (typeof metadata?.httpStatusCode === 'number') span.setAttribute('http.response.status_code', metadata.httpStatusCode);
  span.setAttribute('aws.sdk.attempts', metadata?.attempts ?? 1);
  span.setAttribute('aws.sdk.outcome', outcome);
  span.end();
}
