/**
 * The direct SDK path the subgraph is measured against: a bare node:http handler that reads the
 * same request body, makes the same GetConnection call(s) with the same SDK client configuration
 * (keep-alive sockets, retries, timeouts) and returns the same JSON, without GraphQL, auth or
 * anything shared between requests. Prints one JSON line: { "url": ... }.
 *
 * Its client is the SDK's as shipped: without the call scope (request id header, deadline signal)
 * and without the subgraph's workaround for the SDK's slow config copies (`fastConfig` in
 * src/aws/clients.ts), which is part of what the subgraph does better than a plain SDK
 * application. BENCH_BASELINE_FAST_CONFIG=1 gives the baseline that workaround too.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAwsClients } from '../src/aws/clients.js';
import { loadConfig } from '../src/config/config.js';
import { createBaselineHandler } from './baseline-handler.js';

// The same configuration as the subgraph's, but never a client-side rate limit: this is the raw path.
const config = loadConfig({ ...process.env, AWS_RATE_LIMIT_PER_SECOND: '0' });
const { datazone } = createAwsClients(config, { fastConfig: process.env['BENCH_BASELINE_FAST_CONFIG'] === '1', callScope: false });

const server = createServer(createBaselineHandler(datazone, config.aws.maxConcurrency));
server.keepAliveTimeout = 65_000;
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql` })}\n`);
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  datazone.destroy();
  process.exit(0);
});
