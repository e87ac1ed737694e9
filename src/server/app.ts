import type { ApolloServer } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { type AwsClients, createAwsClients, destroyAwsClients } from '../aws/clients.js';
import { SharedReads, UNSHARED_READS, secretMemberDetector } from '../aws/shared-reads.js';
import { SECRETS_SCOPE } from '../auth/policy.js';
import { createTokenVerifier } from '../auth/verify.js';
import type { SubgraphConfig } from '../config/config.js';
import { requestLoaders } from '../aws/operation.js';
import { buildServedSchema } from '../schema/build.js';
import { credentialMembers } from '../schema/credential-members.js';
import { LOADER_OPERATIONS } from '../schema/domains.js';
import { type ExecutionStats, createAccelerator, idleExecutionStats } from './accelerator/index.js';
import type { FastPath } from './accelerator/fast-path.js';
import { PUBLIC_ERROR_CODES, createApolloServer } from './apollo.js';
import { CachePolicies } from './cache-policy.js';
import type { SubgraphContext } from '../core/context.js';
import type { AwsCallScope } from '../aws/call.js';
import { GRAPHQL_PATH, METRICS_PATH, type RequestScope, createHttpHandler, createHttpServer } from './http.js';
import { createLogger } from './logger.js';
import { type Fleet, createFleet } from '../fleet/index.js';
import { PERSISTED_QUERY_TTL_SECONDS } from '../fleet/redis-cache.js';
import { SubgraphMetrics } from '../telemetry/metrics.js';

export interface SubgraphServer {
  /** e.g. `http://127.0.0.1:4000/graphql` */
  url: string;
  /** Where Prometheus scrapes, e.g. `http://127.0.0.1:4000/metrics` */
  metricsUrl: string;
  port: number;
  logger: Logger;
  clients: AwsClients;
  /** Process-wide coalescing and cache of non-secret AWS reads. */
  sharedReads: SharedReads;
  /** What the replicas share through Redis (REDIS_URL); undefined without it. */
  fleet?: Fleet;
  /** How many executions graphql-js and graphql-jit ran. */
  executionStats: ExecutionStats;
  /** The Prometheus metrics `GET /metrics` serves. */
  metrics: SubgraphMetrics;
  /** Stops accepting requests, lets in-flight ones finish (up to `drainTimeoutMs`), then releases everything. */
  close(drainTimeoutMs?: number): Promise<void>;
}

export interface StartSubgraphOptions {
  clients?: AwsClients;
  logger?: Logger;
}

/** What serves one GraphQL request, without the HTTP listener around it. */
export interface SubgraphCore {
  schema: GraphQLSchema;
  apollo: ApolloServer<SubgraphContext>;
  /** How many executions graphql-js and graphql-jit ran (see accelerator/executor.ts). */
  executionStats: ExecutionStats;
  /** Answers requests for compiled operations without Apollo's request pipeline (see accelerator/fast-path.ts); none with the accelerator off. */
  fastPath?: FastPath;
  clients: AwsClients;
  sharedReads: SharedReads;
  /** What the replicas share through Redis (REDIS_URL); undefined without it. */
  fleet?: Fleet;
  /** The process's Prometheus metrics: requests (counted by the HTTP layer), AWS calls, rate limit, shared reads. */
  metrics: SubgraphMetrics;
  /** The context of one request: its caller (from the Authorization header), fresh loaders, its AWS call scope. */
  createContext: (authorization: string | undefined, scope: Pick<RequestScope, 'requestId' | 'signal' | 'log' | 'traceContext'>) => Promise<SubgraphContext>;
}

/**
 * Builds the schema, the AWS clients, the shared reads and Apollo Server (started) once. The HTTP
 * server of `startSubgraph` and the per-layer benchmark (`npm run bench:layers`) both serve requests
 * through it.
 */
export async function createSubgraphCore(config: SubgraphConfig, logger: Logger, givenClients?: AwsClients): Promise<SubgraphCore> {
  // With REDIS_URL: the rate limit, the response cache and persisted queries held for the fleet.
  const fleet = config.fleet ? await createFleet(config.fleet, config.aws.rateLimitPerSecond, logger) : undefined;
  // Error codes other than the ones the subgraph shows fold into one label (they are masked anyway).
  const metrics = new SubgraphMetrics({ errorCodes: [...PUBLIC_ERROR_CODES, 'INTERNAL_SERVER_ERROR'] });
  const clients = givenClients ?? createAwsClients(config, { slots: fleet?.slots, metrics: metrics.aws });
  const { schema, policy } = buildServedSchema({ gatewayCompatibleSdl: config.gatewayCompatibleSdl });
  const verifyToken = createTokenVerifier(config.auth);
  const sharedReads = new SharedReads({
    cacheTtlMs: config.cache.ttlSeconds * 1000,
    fleetStore: fleet?.responses,
    // The credential members the log redaction uses too (from the policy and the SDK's shapes),
    // not a second list worked out here.
    containsSecret: secretMemberDetector(
      credentialMembers().secretNames,
      [...policy.mapFields].map((coordinate) => coordinate.split('.')[1] as string),
    ),
  });
  metrics.watchSharedReads(() => sharedReads.stats());
  const createLoaders = requestLoaders(LOADER_OPERATIONS);
  const cachePolicies = new CachePolicies(schema);
  // graphql-jit and the fast path, unless GRAPHQL_JIT_AFTER=0 turns them off.
  const accelerator = createAccelerator(schema, cachePolicies, { compileAfter: config.jitAfter });
  const apollo = createApolloServer(
    { schema, gateway: accelerator?.gateway },
    cachePolicies,
    config,
    logger,
    [],
    fleet && { cache: fleet.persistedQueries, ttlSeconds: PERSISTED_QUERY_TTL_SECONDS },
  );
  await apollo.start();
  return {
    schema,
    apollo,
    executionStats: accelerator?.stats ?? idleExecutionStats(),
    fastPath: accelerator?.fastPath,
    clients,
    sharedReads,
    fleet,
    metrics,
    createContext: async (authorization, { requestId, signal, log, traceContext }) => {
      const caller = await verifyToken(authorization).catch((error: unknown) => {
        // The 401's reason (the token's defect, in words that never quote the token) goes into
        // the request's log line.
        log.refusal = (error as Error).message;
        throw error;
      });
      // Callers who may read secrets never share AWS reads with anyone, in either direction.
      const reads = caller.scopes.has(SECRETS_SCOPE) || !config.cache.shareReads ? UNSHARED_READS : sharedReads;
      // Every AWS call carries the request id, stops at the request's deadline, takes its caller's
      // turn in the client-side rate limit's queue and, when tracing is on, is traced under the
      // request's operation span.
      const scope: AwsCallScope = { requestId, signal, caller: caller.principal, traceContext };
      return {
        caller,
        // Fresh loaders per request: batching and deduplication within it.
        loaders: createLoaders({ clients, concurrency: config.aws.maxConcurrency, reads, scope }),
        policy,
        requestId,
        logger,
        requestLog: log,
      };
    },
  };
}

/** Builds the subgraph's core once (see createSubgraphCore), then listens. */
export async function startSubgraph(config: SubgraphConfig, options: StartSubgraphOptions = {}): Promise<SubgraphServer> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const { apollo, clients, sharedReads, fleet, metrics, createContext, executionStats, fastPath } = await createSubgraphCore(config, logger, options.clients);

  let draining = false;
  const handler = createHttpHandler({
    apollo,
    corsOrigins: config.corsOrigins,
    logger,
    isReady: () => !draining,
    requestDeadlineMs: config.requestDeadlineMs,
    fastPath,
    metrics,
    createContext: (request, scope) => createContext(request.headers.authorization, scope),
  });
  const server = createHttpServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const displayHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;

  return {
    url: `http://${displayHost}:${port}${GRAPHQL_PATH}`,
    metricsUrl: `http://${displayHost}:${port}${METRICS_PATH}`,
    port,
    logger,
    clients,
    sharedReads,
    fleet,
    executionStats,
    metrics,
    async close(drainTimeoutMs = 10_000) {
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const deadline = new Promise<void>((resolve) => setTimeout(resolve, drainTimeoutMs).unref());
      await Promise.race([closed, deadline]);
      server.closeAllConnections();
      await apollo.stop();
      fleet?.close();
      if (!options.clients) destroyAwsClients(clients);
    },
  };
}
