import { DataZoneClient } from '@aws-sdk/client-datazone';
import { QuickSightClient } from '@aws-sdk/client-quicksight';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import toFastProperties from 'to-fast-properties';
import type { SubgraphConfig } from '../config/config.js';
import { installCallScope } from './call.js';
import { type SlotSource, SlidingWindowSlots, addRateLimitMiddleware } from './rate-limit.js';
import type { AwsCallMetrics } from '../telemetry/metrics.js';
import { instrumentClient, instrumentationPlugin } from '../telemetry/instrument-client.js';
import { type AwsService, type AwsServiceClients, type ClientTarget, TargetClients } from './targets.js';

export type { AwsService, AwsServiceClients, ClientTarget } from './targets.js';

/** The AWS clients, made once per process and shared by every request. */
export interface AwsClients {
  /** The subgraph's own account and region (its credentials, `AWS_REGION`). */
  quicksight: QuickSightClient;
  datazone: DataZoneClient;
  /** With AWS_TARGETS_FILE: every call goes to the client of its target instead (targets.ts). */
  targets?: TargetClients;
}

export interface AwsClientOptions {
  /**
   * Give each client's resolved config fast properties (default true). Only the benchmark's
   * baseline turns it off, to measure against the SDK exactly as shipped.
   *
   * This works around a cost every AWS SDK v3 client pays on every call. The client's resolved
   * config is built by a chain of `Object.assign` calls, one per config resolver, and V8 keeps the
   * result in dictionary mode (a hash table instead of a hidden class). Four middleware of every
   * call copy it with `{ ...config }` (the signer, the serializer, the deserializer and endpoint
   * resolution), and copying a dictionary-mode object is far slower than copying one with fast
   * properties. The middleware hold the config object itself, so it is converted in place rather
   * than replaced: to-fast-properties makes V8 check it as a prototype through an inline cache,
   * which gives it fast properties. Nothing about the config changes but its layout in memory.
   * test/aws-clients.test.ts checks the layout with V8's own `%HasFastProperties`.
   */
  fastConfig?: boolean;
  /**
   * Make every call of each client honour the request's call scope (`installCallScope`: request id
   * header, deadline signal), default true. Only the benchmark's baseline turns it off: a plain SDK
   * application has neither.
   */
  callScope?: boolean;
  /** Where each client's calls are counted (the subgraph's metrics); none: not counted. Traced whenever tracing is on. */
  metrics?: AwsCallMetrics;
  /** The rate limit's slot source for one limit key (rateLimitKey): the fleet's (src/fleet/) with REDIS_URL; the process's own sliding window by default. */
  slots?: (key: string) => SlotSource | undefined;
}

const CLIENT_CLASSES = { quicksight: QuickSightClient, datazone: DataZoneClient } as const;

/**
 * The rate limit's key for one operation of one target: AWS counts its quotas per operation,
 * account and region (docs/rate-limit.md). `own` is the account of the subgraph's own credentials.
 */
export function rateLimitKey(operation: string, target: ClientTarget, defaultRegion: string | undefined): string {
  return `${operation}/${target.accountId ?? 'own'}/${target.region ?? defaultRegion ?? 'default'}`;
}

/**
 * The one place an SDK client is made: every client, of every service and target, gets the same
 * setup here (retries, keep-alive sockets and timeouts, the rate limit keyed by its target, fast
 * config, the call scope). Endpoints come from the SDK's standard chain, so
 * `AWS_ENDPOINT_URL_QUICKSIGHT` / `AWS_ENDPOINT_URL_DATAZONE` point it at the emulator exactly as
 * they would for any other AWS SDK application.
 */
export function createServiceClient<Service extends AwsService>(
  service: Service,
  config: Pick<SubgraphConfig, 'region' | 'aws'>,
  target: ClientTarget = {},
  options: AwsClientOptions = {},
): AwsServiceClients[Service] {
  const ClientClass = CLIENT_CLASSES[service] as unknown as new (clientConfig: object) => AwsServiceClients[Service];
  const client = new ClientClass({
    region: target.region ?? config.region,
    ...(target.credentials ? { credentials: target.credentials } : {}),
    maxAttempts: config.aws.maxAttempts,
    retryMode: 'standard' as const,
    cacheMiddleware: true,
    // Keep-alive sockets to AWS: a TLS handshake per call would cost more than the call itself.
    requestHandler: new NodeHttpHandler({
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 64 }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 64 }),
      connectionTimeout: config.aws.requestTimeoutMs,
      requestTimeout: config.aws.requestTimeoutMs,
      // Without this the handler only logs a warning on timeout and a hanging call waits forever.
      throwOnRequestTimeout: true,
    }),
  });
  const limitPerSecond = config.aws.rateLimitPerSecond;
  addRateLimitMiddleware(client, service, {
    limitPerSecond,
    maxWaitMs: config.aws.rateLimitMaxWaitMs,
    slots: (operation) => {
      const key = rateLimitKey(operation, target, config.region);
      return options.slots?.(key) ?? new SlidingWindowSlots(limitPerSecond);
    },
  });
  if (options.fastConfig ?? true) toFastProperties(client.config);
  if (options.callScope ?? true) installCallScope(client);
  // Metrics and trace spans of every call; after the rate limit, whose queue it times.
  instrumentClient(client, service, { metrics: options.metrics });
  return client;
}

/**
 * The clients of the subgraph's own account and region, made once per process and shared by every
 * request; with AWS_TARGETS_FILE, also the clients of the accounts and regions it names (made on
 * first use, see targets.ts).
 */
export function createAwsClients(config: Pick<SubgraphConfig, 'region' | 'aws'> & Partial<Pick<SubgraphConfig, 'targets'>>, options: AwsClientOptions = {}): AwsClients {
  const clients: AwsClients = {
    quicksight: createServiceClient('quicksight', config, {}, options),
    datazone: createServiceClient('datazone', config, {}, options),
  };
  if (config.targets) {
    // AssumeRole's calls are counted and traced like every other AWS call.
    const stsPlugins = (region: string) => [instrumentationPlugin('sts', { metrics: options.metrics, region })];
    clients.targets = new TargetClients(config.targets, (service, target) => createServiceClient(service, config, target, options), stsPlugins);
  }
  return clients;
}

export function destroyAwsClients(clients: AwsClients): void {
  clients.quicksight.destroy();
  clients.datazone.destroy();
  clients.targets?.destroy();
}
