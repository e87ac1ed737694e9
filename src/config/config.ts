import { z } from 'zod';
import { type AwsTargets, TargetsFileError, readTargetsFile } from './targets.js';

/**
 * Everything the process reads from its environment, parsed and validated once at start-up.
 * A bad value stops the process with a message naming the variable (see CONTRACT.md).
 */
const booleanString = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1');

const optionalUrl = z.url().optional();

const environmentSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().min(1).default('0.0.0.0'),
  NODE_ENV: z.string().optional(),
  AWS_REGION: z.string().min(1).optional(),
  AUTH_JWT_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  AUTH_JWKS_URL: optionalUrl,
  AUTH_ISSUER: z.string().min(1).optional(),
  AUTH_AUDIENCE: z.string().min(1).optional(),
  /** Serve the SDL without @authenticated/@requiresScopes applications, for @apollo/gateway. */
  GATEWAY_COMPATIBLE_SDL: booleanString.default(false),
  /** Apollo Sandbox / introspection; defaults to on outside production. */
  INTROSPECTION: booleanString.optional(),
  /** How many AWS calls one DataLoader batch runs at once. */
  AWS_MAX_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
  /** The SDK's retry budget (standard retry mode: jittered exponential backoff). */
  AWS_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  /** Per-attempt timeout of one AWS call. */
  AWS_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1).max(120_000).default(5_000),
  /** Client-side limit of calls per second to each AWS operation (0: off); bursts queue instead of being throttled. */
  AWS_RATE_LIMIT_PER_SECOND: z.coerce.number().int().min(0).max(10_000).default(15),
  /** Longest a call may wait in the rate limiter's queue before it fails as THROTTLED. */
  AWS_RATE_LIMIT_MAX_WAIT_MS: z.coerce.number().int().min(0).max(120_000).default(10_000),
  /** Seconds a non-secret AWS response is reused across requests (0: off). Never for secret-bearing calls. */
  CACHE_TTL_SECONDS: z.coerce.number().min(0).max(3_600).default(0),
  /** Share identical in-flight non-secret AWS reads across requests (coalescing, and the cache above). */
  AWS_SHARE_READS: booleanString.default(true),
  /** Comma-separated origins allowed by CORS besides Apollo Sandbox. */
  CORS_ORIGINS: z.string().default(''),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Executions of the same cached document after which graphql-jit compiles it (0: the accelerator is off: no compilation, no fast path). */
  GRAPHQL_JIT_AFTER: z.coerce.number().int().min(0).max(1_000_000).default(2),
  /** Overall deadline of one GraphQL request: fields still waiting on AWS then resolve to null (UPSTREAM_ERROR). */
  REQUEST_DEADLINE_MS: z.coerce.number().int().min(1).max(300_000).default(10_000),
  /** On SIGTERM/SIGINT: how long in-flight requests may take to finish before their connections are cut. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(300_000).default(15_000),
  /** One Redis shared by every replica: the AWS rate limit, the non-secret response cache, persisted queries (docs/fleet.md). */
  REDIS_URL: z
    .url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' })
    .optional(),
  /** Longest any one Redis command may take before the replica carries on without it. */
  REDIS_TIMEOUT_MS: z.coerce.number().int().min(1).max(10_000).default(100),
  /** Replicas sharing the AWS rate limit: without Redis each takes this share of AWS_RATE_LIMIT_PER_SECOND. */
  FLEET_EXPECTED_REPLICAS: z.coerce.number().int().min(1).max(1_000).default(2),
  /** The AWS accounts and regions the subgraph may read (src/config/targets.ts); absent: one account, AWS_REGION. */
  AWS_TARGETS_FILE: z.string().min(1).optional(),
});

export interface AuthConfig {
  jwtSecret?: string;
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
}

export interface SubgraphConfig {
  port: number;
  host: string;
  production: boolean;
  region: string | undefined;
  auth: AuthConfig;
  gatewayCompatibleSdl: boolean;
  introspection: boolean;
  aws: { maxConcurrency: number; maxAttempts: number; requestTimeoutMs: number; rateLimitPerSecond: number; rateLimitMaxWaitMs: number };
  /** Process-wide reuse of non-secret AWS responses; `ttlSeconds` 0 turns the cache off (in-flight coalescing stays on). */
  cache: { ttlSeconds: number; shareReads: boolean };
  corsOrigins: string[];
  logLevel: string;
  requestDeadlineMs: number;
  shutdownTimeoutMs: number;
  /** Executions of one cached document before it is compiled with graphql-jit; 0: never, and the accelerator is off (see server/accelerator/). */
  jitAfter: number;
  /** The Redis the replicas share (docs/fleet.md); absent: each process keeps its own limit, cache and persisted queries. */
  fleet?: FleetConfig;
  /** From AWS_TARGETS_FILE; absent: every call goes to the subgraph's own account and AWS_REGION. */
  targets?: AwsTargets;
}

export interface FleetConfig {
  /** `redis://` or `rediss://`; may carry a password, so it is never logged. */
  redisUrl: string;
  /** Bound on each Redis command. */
  timeoutMs: number;
  /** The fleet's size as far as the fallback share of the rate limit is concerned. */
  expectedReplicas: number;
}

export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

export interface LoadConfigOptions {
  /** `npm start` refuses to run without a way to verify tokens; the demo and tests pass their own. */
  requireAuth?: boolean;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, options: LoadConfigOptions = {}): SubgraphConfig {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigurationError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const values = parsed.data;
  if (values.AUTH_JWT_SECRET && values.AUTH_JWKS_URL) {
    throw new ConfigurationError('AUTH_JWT_SECRET and AUTH_JWKS_URL: set one of them, not both');
  }
  if (options.requireAuth && !values.AUTH_JWT_SECRET && !values.AUTH_JWKS_URL) {
    throw new ConfigurationError(
      'AUTH_JWT_SECRET or AUTH_JWKS_URL must be set: without one the subgraph cannot verify bearer tokens, and it will not serve AWS data unauthenticated',
    );
  }
  let targets: AwsTargets | undefined;
  try {
    targets = values.AWS_TARGETS_FILE === undefined ? undefined : readTargetsFile(values.AWS_TARGETS_FILE);
  } catch (error) {
    if (error instanceof TargetsFileError) throw new ConfigurationError(`AWS_TARGETS_FILE: ${error.message}`);
    throw error;
  }
  const production = values.NODE_ENV === 'production';
  return {
    port: values.PORT,
    host: values.HOST,
    production,
    region: values.AWS_REGION,
    auth: {
      jwtSecret: values.AUTH_JWT_SECRET,
      jwksUrl: values.AUTH_JWKS_URL,
      issuer: values.AUTH_ISSUER,
      audience: values.AUTH_AUDIENCE,
    },
    gatewayCompatibleSdl: values.GATEWAY_COMPATIBLE_SDL,
    introspection: values.INTROSPECTION ?? !production,
    aws: {
      maxConcurrency: values.AWS_MAX_CONCURRENCY,
      maxAttempts: values.AWS_MAX_ATTEMPTS,
      requestTimeoutMs: values.AWS_REQUEST_TIMEOUT_MS,
      rateLimitPerSecond: values.AWS_RATE_LIMIT_PER_SECOND,
      rateLimitMaxWaitMs: values.AWS_RATE_LIMIT_MAX_WAIT_MS,
    },
    cache: { ttlSeconds: values.CACHE_TTL_SECONDS, shareReads: values.AWS_SHARE_READS },
    corsOrigins: values.CORS_ORIGINS.split(',').map((origin) => origin.trim()).filter(Boolean),
    logLevel: values.LOG_LEVEL,
    requestDeadlineMs: values.REQUEST_DEADLINE_MS,
    shutdownTimeoutMs: values.SHUTDOWN_TIMEOUT_MS,
    jitAfter: values.GRAPHQL_JIT_AFTER,
    ...(values.REDIS_URL === undefined
      ? {}
      : { fleet: { redisUrl: values.REDIS_URL, timeoutMs: values.REDIS_TIMEOUT_MS, expectedReplicas: values.FLEET_EXPECTED_REPLICAS } }),
    ...(targets ? { targets } : {}),
  };
}
