/**
 * `npm run supergraph`: a whole supergraph on one machine. The AWS emulator, this subgraph
 * (`aws-connections`, serving its gateway-compatible SDL), the example `dashboards` subgraph, and a
 * real `@apollo/gateway` over their composition, the subgraphs named and placed as in
 * supergraph.yaml. Prints the gateway URL and bearer tokens.
 */
import { mintDemoToken } from '../demo/demo-tokens.js';
import { randomBytes } from 'node:crypto';
import { READ_SCOPE, SECRETS_SCOPE } from '../../src/auth/policy.js';
import { loadConfig } from '../../src/config/config.js';
import { pointAwsSdkAtEmulator, startEmulator } from '../emulator/index.js';
import { startSubgraph } from '../../src/server/app.js';
import { startTracing } from '../../src/telemetry/tracing.js';
import { choosePort, startOnPort } from '../demo/ports.js';
import { DEFAULT_SUPERGRAPH_PORT, READY_BANNER, SUPERGRAPH_SUBGRAPHS } from './config.js';
import { startDashboardsSubgraph } from './dashboards.js';
import { composeSupergraph, fetchSubgraphSdl, startSupergraphGateway } from './gateway.js';

const host = process.env['HOST'] ?? '127.0.0.1';
const emulatorPort = await choosePort('EMULATOR_PORT', 4566, '127.0.0.1');
const emulator = await startOnPort('EMULATOR_PORT', emulatorPort, (port) => startEmulator({ port, host: '127.0.0.1' }));
// The SDK finds the emulator as it would find any endpoint override (as in `npm run demo`).
pointAwsSdkAtEmulator(emulator.url);
process.env['AUTH_JWT_SECRET'] ??= randomBytes(32).toString('base64url');

// @apollo/gateway refuses the SDL with @requiresScopes; the subgraph enforces its policy either way.
const config = loadConfig({
  ...process.env,
  PORT: String(await choosePort('PORT', SUPERGRAPH_SUBGRAPHS.awsConnections.defaultPort, host)),
  HOST: host,
  GATEWAY_COMPATIBLE_SDL: 'true',
});
// Traces only when the OTEL_* variables name somewhere to send them (docs/observability.md).
const tracing = await startTracing(process.env);
const awsConnections = await startOnPort('PORT', config.port, () => startSubgraph(config));
const dashboardsPort = await choosePort('DASHBOARDS_PORT', SUPERGRAPH_SUBGRAPHS.dashboards.defaultPort, host);
const dashboards = await startOnPort('DASHBOARDS_PORT', dashboardsPort, (port) => startDashboardsSubgraph({ port }));

// What `rover supergraph compose --config supergraph.yaml` does: each subgraph's `_service { sdl }`, composed.
const supergraphSdl = composeSupergraph([
  { name: SUPERGRAPH_SUBGRAPHS.awsConnections.name, url: awsConnections.url, sdl: await fetchSubgraphSdl(awsConnections.url) },
  { name: SUPERGRAPH_SUBGRAPHS.dashboards.name, url: dashboards.url, sdl: await fetchSubgraphSdl(dashboards.url) },
]);
const supergraphPort = await choosePort('SUPERGRAPH_PORT', DEFAULT_SUPERGRAPH_PORT, host);
const supergraph = await startOnPort('SUPERGRAPH_PORT', supergraphPort, (port) => startSupergraphGateway({ supergraphSdl, port, host: config.host }));

const demoToken = (subject: string, scopes: string[]) => mintDemoToken(config.auth.jwtSecret!, subject, scopes);

const tokens = {
  reader: await demoToken('supergraph-reader', [READ_SCOPE]),
  'secrets reader': await demoToken('supergraph-secrets-reader', [READ_SCOPE, SECRETS_SCOPE]),
};

console.log(`
AWS emulator        ${emulator.url}
aws-connections     ${awsConnections.url}   (subgraph, gateway-compatible SDL)
  metrics           ${awsConnections.metricsUrl}   (Prometheus text format; docs/observability.md)
dashboards          ${dashboards.url}   (example subgraph)
${READY_BANNER.padEnd(19)} ${supergraph.url}   (@apollo/gateway; open it in a browser for Apollo Sandbox)

Bearer tokens (valid 12 hours, for this run only):
${Object.entries(tokens).map(([caller, token]) => `  ${caller.padEnd(15)} ${token}`).join('\n')}

Example query (fields from both subgraphs; a reader gets the credentials as null with an error):
  query Dashboards {
    dashboards {
      id title
      alertConnector { name type status }
      sourceConnection { name type connectionCredentials { accessKeyId } }
    }
  }

Ctrl-C stops everything.
`);

const stop = async () => {
  await supergraph.stop();
  await dashboards.stop();
  await awsConnections.close(2_000);
  await emulator.close();
  await tracing.shutdown();
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
