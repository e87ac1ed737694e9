import { type Context, type ContextManager, ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, type Tracer, propagation, trace } from '@opentelemetry/api';
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestLogEntry } from '../core/context.js';

/**
 * OpenTelemetry traces, configured only by OpenTelemetry's standard `OTEL_*` variables, read by the
 * OpenTelemetry Node SDK itself (`@opentelemetry/sdk-node`): exporter, endpoint, protocol, headers,
 * sampler, resource, batching. Without an exporter to send to (no `OTEL_EXPORTER_OTLP_ENDPOINT` /
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` and no `OTEL_TRACES_EXPORTER`, or `OTEL_TRACES_EXPORTER=none`,
 * or `OTEL_SDK_DISABLED=true`) the SDK is not even loaded: no provider is registered, and every
 * function here returns at once without making a span.
 *
 * Spans are parented explicitly, never through an "active" context: the request's server span
 * continues the caller's `traceparent` (the propagators of `OTEL_PROPAGATORS`, W3C Trace Context
 * by default), the operation span is its child, each DataLoader batch's span the operation's child
 * (src/aws/operation.ts), and each AWS call's CLIENT span the child of the span its call scope
 * carries (src/telemetry/instrument-client.ts). An AWS call runs in a DataLoader batch, not in the
 * resolver's async context, so an active context would name the wrong parent, or none; and with
 * nothing relying on one, no context manager is registered and no async hook costs anything.
 *
 * No attribute or event holds a header value, a token, a credential or a variable value: only the
 * method, the path, status codes, the operation's name and type, AWS service and operation names,
 * the region, AWS request ids, attempt counts and error names.
 */

export const TRACER_NAME = 'aws-connections-subgraph';

let tracer: Tracer | undefined;

/** The tracer when tracing is on; undefined when it is off (then nothing makes a span). */
export function activeTracer(): Tracer | undefined {
  return tracer;
}

/** Whether the `OTEL_*` variables ask for traces to be exported somewhere. */
export function tracingWanted(env: NodeJS.ProcessEnv): boolean {
  if (env['OTEL_SDK_DISABLED']?.trim().toLowerCase() === 'true') return false;
  const exporters = (env['OTEL_TRACES_EXPORTER'] ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  if (exporters.includes('none')) return false;
  if (exporters.length > 0) return true;
  return Boolean(env['OTEL_EXPORTER_OTLP_ENDPOINT']?.trim() || env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']?.trim());
}

/**
 * The context manager of a process whose spans are all parented explicitly: nothing is "active"
 * (the API's own behaviour when no manager is registered; the SDK would otherwise register one
 * built on AsyncLocalStorage).
 */
class ExplicitContextOnly implements ContextManager {
  active(): Context {
    return ROOT_CONTEXT;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(_context: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    return fn.call(thisArg, ...args);
  }

  bind<T>(_context: Context, target: T): T {
    return target;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    return this;
  }
}

export interface TracingHandle {
  enabled: boolean;
  /** Exports the spans still buffered, then stops the SDK. */
  shutdown(): Promise<void>;
}

/**
 * Starts the OpenTelemetry Node SDK if the environment asks for traces (see tracingWanted), before
 * the subgraph is made: its AWS clients are instrumented when they are made.
 */
export async function startTracing(env: NodeJS.ProcessEnv = process.env): Promise<TracingHandle> {
  if (!tracingWanted(env)) return { enabled: false, shutdown: async () => undefined };
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  const sdk = new NodeSDK({
    // No auto-instrumentation (no monkey patching): the subgraph makes its own spans.
    instrumentations: [],
    // Traces only: the metrics are Prometheus' (GET /metrics), and the logs are pino's lines on stdout.
    metricReaders: [],
    logRecordProcessors: [],
    // Spans are parented explicitly (above): no AsyncLocalStorage, no async hook on every promise.
    contextManager: new ExplicitContextOnly(),
  });
  sdk.start();
  tracer = trace.getTracer(TRACER_NAME);
  return {
    enabled: true,
    async shutdown() {
      tracer = undefined;
      await sdk.shutdown();
    },
  };
}

/** A span and the context that makes it the parent of the next. */
export interface TracedSpan {
  span: Span;
  context: Context;
}

function child(name: string, kind: SpanKind, parent: Context, attributes: Record<string, string | number>): TracedSpan {
  const span = (tracer as Tracer).startSpan(name, { kind, attributes }, parent);
  return { span, context: trace.setSpan(parent, span) };
}

/** The SERVER span of one GraphQL request, continuing the caller's trace; undefined when tracing is off. */
export function startRequestSpan(method: string, path: string, headers: IncomingHttpHeaders): TracedSpan | undefined {
  if (tracer === undefined) return undefined;
  // The configured propagators read only their own headers (`traceparent`, `tracestate`, `baggage`).
  const parent = propagation.extract(ROOT_CONTEXT, headers);
  return child(`${method} ${path}`, SpanKind.SERVER, parent, { 'http.request.method': method, 'url.path': path, 'url.scheme': 'http', 'http.route': path });
}

/** The span of the operation's execution (fast path or Apollo Server), the request span's child. */
export function startOperationSpan(request: TracedSpan): TracedSpan {
  return child('GraphQL Operation', SpanKind.INTERNAL, request.context, {});
}

function setOperationAttributes(span: Span, log: RequestLogEntry): void {
  if (log.operationType !== undefined) span.setAttribute('graphql.operation.type', log.operationType);
  if (log.operationName !== null) span.setAttribute('graphql.operation.name', log.operationName);
}

export function endOperationSpan(operation: TracedSpan, log: RequestLogEntry): void {
  const { span } = operation;
  if (span.isRecording()) {
    setOperationAttributes(span, log);
    // OpenTelemetry's GraphQL conventions: `{graphql.operation.type} {graphql.operation.name}`.
    if (log.operationType !== undefined) span.updateName(log.operationName === null ? log.operationType : `${log.operationType} ${log.operationName}`);
    for (const code in log.errorCodes) {
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.setAttribute('error.type', code);
      break;
    }
  }
  span.end();
}

export function endRequestSpan(request: TracedSpan, status: number, log: RequestLogEntry, aborted: boolean): void {
  const { span } = request;
  if (span.isRecording()) {
    span.setAttribute('http.response.status_code', status);
    setOperationAttributes(span, log);
    if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    if (status >= 500 || aborted) span.setAttribute('error.type', aborted ? 'aborted' : String(status));
  }
  span.end();
}

/** The ids a log line carries to find its trace. */
export function traceIdsOf(request: TracedSpan): { trace_id: string; span_id: string } {
  const { traceId, spanId } = request.span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

/**
 * A span around one DataLoader batch of two or more AWS calls, the child of `parent` (the
 * operation's span): it groups the calls one resolver wave waited on. A batch of one call gets no
 * span of its own (its CLIENT span, then the operation span's child, says it all: a span fewer per
 * typical request). Undefined when tracing is off or the request has no span.
 */
export function startBatchSpan(service: string, operation: string, size: number, parent: Context | undefined): TracedSpan | undefined {
  if (tracer === undefined || parent === undefined || size < 2) return undefined;
  return child(`load ${operation}`, SpanKind.INTERNAL, parent, { 'aws.service': service, 'aws.operation': operation, 'dataloader.batch.size': size });
}
