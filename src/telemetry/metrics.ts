import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { RequestLogEntry } from '../core/context.js';

/**
 * The subgraph's Prometheus metrics (prom-client), one registry per running subgraph, served at
 * `GET /metrics` by the HTTP layer. Names follow Prometheus' conventions (a prefix, the unit in the
 * name, `_total` for counters); docs/observability.md lists them.
 *
 * No label holds a token, a credential or anything a caller typed freely: operation names are
 * bounded (OperationNameLabels), error codes are the subgraph's own (others fold into `__other`),
 * and AWS labels are the service, the SDK command and an outcome from a fixed set.
 */
export const METRIC_PREFIX = 'aws_connections_subgraph_';

/** Seconds: a fast-path request takes about a millisecond, one waiting on AWS tens to thousands. */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** The label of a request without an operation name. */
export const ANONYMOUS_OPERATION = '__anonymous';
/** The label of every name past the bound, and of names that are not GraphQL names. */
export const OTHER_LABEL = '__other';
/** How many distinct operation names get a label of their own (a router sends a few dozen). */
export const MAX_OPERATION_NAMES = 100;

/** A GraphQL Name (https://spec.graphql.org/October2021/#Name). */
const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,99}$/;

/**
 * Operation names as labels: the first `limit` distinct names of operations that ran keep a label
 * of their own for the life of the process (stable series, unlike an LRU); every later name, and a
 * name sent with a request that never ran, is `__other`.
 */
export class OperationNameLabels {
  private readonly known = new Set<string>();

  constructor(private readonly limit = MAX_OPERATION_NAMES) {}

  /** The label of `name`; `ran` says the request was executed, which may admit a new name. */
  labelOf(name: string | null, ran: boolean): string {
    if (name === null) return ANONYMOUS_OPERATION;
    if (this.known.has(name)) return name;
    if (!ran || this.known.size >= this.limit || !GRAPHQL_NAME.test(name)) return OTHER_LABEL;
    this.known.add(name);
    return name;
  }
}

/**
 * A metric's child per combination of label values, made once: prom-client's `labels()` builds
 * the label object and its closures on every call. The values come from bounded sets, so the
 * cache is bounded too.
 */
function childrenOf<Child>(make: (...values: string[]) => Child): (...values: string[]) => Child {
  const children = new Map<string, Child>();
  return (...values) => {
    const key = values.join('\u0000');
    let child = children.get(key);
    if (child === undefined) children.set(key, (child = make(...values)));
    return child;
  };
}

/** What the HTTP layer knows of a GraphQL request when its response is done (the log line's fields). */
export interface RequestRecord {
  status: number;
  durationSeconds: number;
  /** The client went away before the response was sent. */
  aborted: boolean;
  log: RequestLogEntry;
}

/** How a request ended, as the `outcome` label says it. */
export type RequestOutcome = 'ok' | 'errors' | 'refused' | 'failed' | 'aborted';

export function requestOutcome(record: RequestRecord): RequestOutcome {
  if (record.aborted) return 'aborted';
  if (record.status >= 500) return 'failed';
  if (record.status >= 400) return 'refused';
  for (const _code in record.log.errorCodes) return 'errors';
  return 'ok';
}

/** How an AWS call (or one attempt of it) ended: `ok`, or a fixed set of failure kinds (aws-outcome.ts). */
export type AwsOutcomeLabel = string;

/** The AWS side of the metrics, fed by the middleware instrumentClient adds to each SDK client. */
export interface AwsCallMetrics {
  /** One call as the caller saw it, retries included. */
  callDone(service: string, operation: string, outcome: AwsOutcomeLabel, seconds: number, attempts: number): void;
  /** One HTTP request the SDK sent (an attempt); these add up to what AWS received. */
  attemptDone(service: string, operation: string, outcome: AwsOutcomeLabel): void;
  /** How long an attempt waited in the client-side rate limiter's queue. */
  rateLimitWaited(service: string, operation: string, seconds: number): void;
  /** A client whose rate limit queues the metrics read when scraped. */
  watchRateLimit(service: string, stats: () => Record<string, { calls: number; callers: number }>): void;
}

/** Counts of the process-wide shared reads (src/aws/shared-reads.ts `SharedReadsStats`). */
export interface SharedReadCounts {
  fetched: number;
  coalesced: number;
  cacheHits: number;
  cacheEntries: number;
}

export interface SubgraphMetricsOptions {
  /** Error codes that keep their own label in the GraphQL errors counter; others are `__other`. */
  errorCodes: Iterable<string>;
  /** Node's process and event loop metrics (prom-client's default metrics); default true. */
  defaultMetrics?: boolean;
}

/** One subgraph's metrics and the registry `GET /metrics` serves. */
export class SubgraphMetrics {
  readonly registry = new Registry();
  readonly aws: AwsCallMetrics;
  private readonly operationNames = new OperationNameLabels();
  private readonly errorCodes: ReadonlySet<string>;
  private readonly requestDuration: (operation: string, outcome: string, path: string) => { observe(value: number): void };
  private readonly graphqlErrors: Counter<'code'>;
  private readonly sharedReadSources: Array<() => SharedReadCounts> = [];

  constructor(options: SubgraphMetricsOptions) {
    this.errorCodes = new Set(options.errorCodes);
    const registers = [this.registry];
    if (options.defaultMetrics ?? true) {
      collectDefaultMetrics({ register: this.registry });
      // Gauges named like counters (promtool's lint says so); the same figures stay by type in
      // nodejs_active_handles, nodejs_active_requests and nodejs_active_resources.
      for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) this.registry.removeSingleMetric(name);
    }
    const requestDuration = new Histogram({
      name: `${METRIC_PREFIX}graphql_request_duration_seconds`,
      help: 'GraphQL requests from arrival to the last byte of the response; _count is the number of requests. path: fast (the accelerator answered) or apollo (Apollo Server).',
      labelNames: ['operation_name', 'outcome', 'path'],
      buckets: DURATION_BUCKETS,
      registers,
    });
    this.requestDuration = childrenOf((operation, outcome, path) => requestDuration.labels(operation, outcome, path));
    this.graphqlErrors = new Counter({
      name: `${METRIC_PREFIX}graphql_errors_total`,
      help: 'Errors in GraphQL responses, by extensions.code.',
      labelNames: ['code'],
      registers,
    });
    this.aws = awsCallMetrics(registers);
    const sources = this.sharedReadSources;
    const total = (read: (counts: SharedReadCounts) => number) => sources.reduce((sum, source) => sum + read(source()), 0);
    const countFrom = (name: string, help: string, read: (counts: SharedReadCounts) => number) =>
      new Counter({
        name: `${METRIC_PREFIX}${name}`,
        help,
        registers,
        collect() {
          // Read from the shared reads' own counters when scraped: nothing is added to their hot path.
          this.reset();
          this.inc(total(read));
        },
      });
    countFrom('shared_reads_fetched_total', 'Non-secret AWS reads that went to AWS (cache misses, and reads the cache may not serve).', (counts) => counts.fetched);
    countFrom('shared_reads_coalesced_total', 'Reads that joined an identical AWS call already in flight for another request.', (counts) => counts.coalesced);
    countFrom('shared_reads_cache_hits_total', 'Reads answered from the response cache (CACHE_TTL_SECONDS).', (counts) => counts.cacheHits);
    new Gauge({
      name: `${METRIC_PREFIX}shared_reads_cache_entries`,
      help: 'Responses held in the response cache.',
      registers,
      collect() {
        this.set(total((counts) => counts.cacheEntries));
      },
    });
  }

  /** The text format's content type. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** The exposition, as `GET /metrics` answers it. */
  exposition(): Promise<string> {
    return this.registry.metrics();
  }

  /** Called once per GraphQL request, where its log line is written. */
  requestDone(record: RequestRecord): void {
    const ran = record.log.path !== undefined && record.status === 200;
    const operation = this.operationNames.labelOf(record.log.operationName, ran);
    this.requestDuration(operation, requestOutcome(record), record.log.path ?? 'http').observe(record.durationSeconds);
    for (const code in record.log.errorCodes) {
      this.graphqlErrors.inc({ code: this.errorCodes.has(code) ? code : OTHER_LABEL }, record.log.errorCodes[code]);
    }
  }

  /** The shared reads (SharedReads.stats) whose counts the metrics read when scraped. */
  watchSharedReads(stats: () => SharedReadCounts): void {
    this.sharedReadSources.push(stats);
  }
}

function awsCallMetrics(registers: Registry[]): AwsCallMetrics {
  const calls = new Histogram({
    name: `${METRIC_PREFIX}aws_call_duration_seconds`,
    help: 'AWS calls as the subgraph made them (retries and rate-limit waits included), by service, SDK operation and outcome; _count is the number of calls.',
    labelNames: ['service', 'operation', 'outcome'],
    buckets: DURATION_BUCKETS,
    registers,
  });
  const attempts = new Counter({
    name: `${METRIC_PREFIX}aws_attempts_total`,
    help: 'HTTP requests sent to AWS (each attempt of a call, retries included), by outcome: what AWS received.',
    labelNames: ['service', 'operation', 'outcome'],
    registers,
  });
  const retries = new Counter({
    name: `${METRIC_PREFIX}aws_call_retries_total`,
    help: "Retries the AWS SDK made (each call's $metadata.attempts less one).",
    labelNames: ['service', 'operation'],
    registers,
  });
  const refused = new Counter({
    name: `${METRIC_PREFIX}rate_limit_refused_total`,
    help: "Calls the client-side rate limiter refused at once: the caller's queued calls would have waited longer than AWS_RATE_LIMIT_MAX_WAIT_MS.",
    labelNames: ['service', 'operation'],
    registers,
  });
  const waited = new Histogram({
    name: `${METRIC_PREFIX}rate_limit_wait_seconds`,
    help: "How long attempts waited in the client-side rate limiter's queue before they were sent.",
    labelNames: ['service', 'operation'],
    buckets: [0, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const limits: Array<{ service: string; stats: () => Record<string, { calls: number; callers: number }> }> = [];
  /** Sums the limiters' queues by service and operation: a limit key may say more (an account, a region) than a label may. */
  const queued = (read: (queue: { calls: number; callers: number }) => number) => {
    const totals = new Map<string, { service: string; operation: string; value: number }>();
    for (const { service, stats } of limits) {
      for (const [key, queue] of Object.entries(stats())) {
        const operation = operationOfLimitKey(key);
        const id = `${service}\u0000${operation}`;
        const entry = totals.get(id) ?? { service, operation, value: 0 };
        entry.value += read(queue);
        totals.set(id, entry);
      }
    }
    return totals.values();
  };
  // What waits in the queue at scrape time, per operation: calls, and the callers they belong to.
  const queueGauges: Array<[string, string, (queue: { calls: number; callers: number }) => number]> = [
    ['calls', "AWS calls waiting in the client-side rate limiter's queue.", (queue) => queue.calls],
    ['callers', "Callers with at least one call waiting in the client-side rate limiter's queue.", (queue) => queue.callers],
  ];
  for (const [what, help, read] of queueGauges) {
    new Gauge({
      name: `${METRIC_PREFIX}rate_limit_queued_${what}`,
      help,
      labelNames: ['service', 'operation'],
      registers,
      collect() {
        this.reset();
        for (const { service, operation, value } of queued(read)) this.set({ service, operation }, value);
      },
    });
  }
  const callsBy = childrenOf((service, operation, outcome) => calls.labels(service, operation, outcome));
  const attemptsBy = childrenOf((service, operation, outcome) => attempts.labels(service, operation, outcome));
  return {
    callDone(service, operation, outcome, seconds, callAttempts) {
      callsBy(service, operation, outcome).observe(seconds);
      if (callAttempts > 1) retries.labels(service, operation).inc(callAttempts - 1);
      if (outcome === 'rate_limited') refused.labels(service, operation).inc();
    },
    attemptDone(service, operation, outcome) {
      attemptsBy(service, operation, outcome).inc();
    },
    rateLimitWaited(service, operation, seconds) {
      waited.labels(service, operation).observe(seconds);
    },
    watchRateLimit(service, stats) {
      limits.push({ service, stats });
    },
  };
}

/** The SDK operation of a rate limit key (`service:Command`, possibly followed by more `:` parts). */
export function operationOfLimitKey(key: string): string {
  const command = key.split(':')[1] ?? 'unknown';
  return command.endsWith('Command') ? command.slice(0, -'Command'.length) : command;
}
