import { DataZoneClient } from '@aws-sdk/client-datazone';
import { QuickSightClient } from '@aws-sdk/client-quicksight';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { GatewayConfig } from '../config/config.js';
import { addRateLimitMiddleware } from './rate-limit.js';

/** The AWS clients, made once per process and shared by every request. */
export interface AwsClients {
  quicksight: QuickSightClient;
  datazone: DataZoneClient;
}

/**
 * Region, credentials and endpoints come from the SDK's standard chain, so
 * `AWS_ENDPOINT_URL_QUICKSIGHT` / `AWS_ENDPOINT_URL_DATAZONE` point the clients at the emulator
 * exactly as they would for any other AWS SDK application.
 */
export function createAwsClients(config: Pick<GatewayConfig, 'region' | 'aws'>): AwsClients {
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
  return { quicksight, datazone };
}

export function destroyAwsClients(clients: AwsClients): void {
  clients.quicksight.destroy();
  clients.datazone.destroy();
}
