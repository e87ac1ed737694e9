import { DataZoneClient } from '@aws-sdk/client-datazone';
import { QuickSightClient } from '@aws-sdk/client-quicksight';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import toFastProperties from 'to-fast-properties';
import type { SubgraphConfig } from '../config/config.js';
import { installCallScope } from './call.js';
import { addRateLimitMiddleware } from './rate-limit.js';
import type { AwsCallMetrics } from '../telemetry/metrics.js';
import { instrumentClient } from '../telemetry/instrument-client.js';

/** The AWS clients, made once per process and shared by every request. */
export interface AwsClients {
  quicksight: QuickSightClient;
  datazone: DataZoneClient;
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
}

/**
 * Region, credentials and endpoints come from the SDK's standard chain, so
 * `AWS_ENDPOINT_URL_QUICKSIGHT` / `AWS_ENDPOINT_URL_DATAZONE` point the clients at the emulator
 * exactly as they would for any other AWS SDK application.
 */
export function createAwsClients(config: Pick<SubgraphConfig, 'region' | 'aws'>, options: AwsClientOptions = {}): AwsClients {
  const shared = () => ({
    region: config.region,
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
  const quicksight = new QuickSightClient(shared());
  const datazone = new DataZoneClient(shared());
  const rateLimit = { limitPerSecond: config.aws.rateLimitPerSecond, maxWaitMs: config.aws.rateLimitMaxWaitMs };
  addRateLimitMiddleware(quicksight, 'quicksight', rateLimit);
  addRateLimitMiddleware(datazone, 'datazone', rateLimit);
  if (options.fastConfig ?? true) {
    toFastProperties(quicksight.config);
    toFastProperties(datazone.config);
  }
  if (options.callScope ?? true) {
    installCallScope(quicksight);
    installCallScope(datazone);
  }
  // Metrics and trace spans of every call; after the rate limit, whose queue it times.
  instrumentClient(quicksight, 'quicksight', { metrics: options.metrics });
  instrumentClient(datazone, 'datazone', { metrics: options.metrics });
  return { quicksight, datazone };
}

export function destroyAwsClients(clients: AwsClients): void {
  clients.quicksight.destroy();
  clients.datazone.destroy();
}
