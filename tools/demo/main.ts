/**
 * `npm run demo`: the subgraph on the embedded AWS emulator with seeded connectors and
 * connections. Prints the URL, ready-made bearer tokens and an example query.
 */
import { randomBytes } from 'node:crypto';
import { choosePort, startOnPort } from './ports.js';

// Ports first, before the subgraph's modules load: a port problem is said at once.
const emulatorPort = await choosePort('EMULATOR_PORT', 4566, '127.0.0.1');
const subgraphPort = await choosePort('PORT', 4000, process.env['HOST'] || '0.0.0.0');
const { mintDemoToken } = await import('./demo-tokens.js');
const { loadConfig } = await import('../../src/config/config.js');
const { pointAwsSdkAtEmulator, startEmulator } = await import('../emulator/index.js');
const { DEMO_AWS_ACCOUNT_ID, DEMO_DOMAIN_ID } = await import('../emulator/seed.js');
const { READ_SCOPE, SECRETS_SCOPE } = await import('../../src/auth/policy.js');
const { startSubgraph } = await import('../../src/server/app.js');
const { useDemoOrganization } = await import('./organization.js');
const { EUROPE_ACCOUNT_ID, EUROPE_DOMAIN_ID } = await import('../emulator/seed-targets.js');
const { startTracing } = await import('../../src/telemetry/tracing.js');
const emulator = await startOnPort('EMULATOR_PORT', emulatorPort, (port) =>
  startEmulator({ port, host: '127.0.0.1', latencyMs: Number(process.env['EMULATOR_LATENCY_MS'] ?? 0) }),
);

// The SDK finds the emulator exactly as it would find any endpoint override.
pointAwsSdkAtEmulator(emulator.url);
// Three accounts in two regions, and the targets file that lets the subgraph read them.
const organization = useDemoOrganization(emulator);
// A fresh secret per run unless one is given: demo tokens are worthless anywhere else. It is
// printed below, so that a gateway in front of the demo can verify the same tokens.
process.env['AUTH_JWT_SECRET'] ??= randomBytes(32).toString('base64url');
process.env['PORT'] = String(subgraphPort);

const config = loadConfig(process.env);
// Traces only when the OTEL_* variables name somewhere to send them (docs/observability.md).
const tracing = await startTracing(process.env);
const subgraph = await startOnPort('PORT', subgraphPort, () => startSubgraph(config));

const demoToken = (subject: string, scopes: string[]) => mintDemoToken(config.auth.jwtSecret!, subject, scopes);

const tokens = {
  'no scope': await demoToken('demo-no-scope', []),
  reader: await demoToken('demo-reader', [READ_SCOPE]),
  'secrets reader': await demoToken('demo-secrets-reader', [READ_SCOPE, SECRETS_SCOPE]),
};

const exampleQuery = `query Demo {
  quickSightActionConnector(awsAccountId: "${DEMO_AWS_ACCOUNT_ID}", actionConnectorId: "jira-cloud") {
    name type status
    authenticationConfig {
      authenticationType
      authenticationMetadata { __typename ... on QuickSightAuthorizationCodeGrantMetadata { baseEndpoint redirectUrl } }
    }
  }
  redshift: dataZoneConnection(domainIdentifier: "${DEMO_DOMAIN_ID}", identifier: "conn-redshift-cluster") {
    name type scope
    props { __typename ... on DataZoneRedshiftProperties { databaseName credentials { __typename ... on DataZoneUsernamePassword { username password } } } }
  }
  athena: dataZoneConnection(domainIdentifier: "${DEMO_DOMAIN_ID}", identifier: "conn-athena-sales") {
    name type
    connectionCredentials { accessKeyId secretAccessKey expiration }
  }
}`;

console.log(`
AWS emulator      ${emulator.url}   (QuickSight + DataZone, restJson1)
GraphQL subgraph  ${subgraph.url}   (open it in a browser for Apollo Sandbox)
Metrics           ${subgraph.metricsUrl}   (Prometheus text format; traces: ${tracing.enabled ? 'exported as the OTEL_* variables say' : 'off, set OTEL_EXPORTER_OTLP_ENDPOINT'}; docs/observability.md)

Bearer tokens (valid 12 hours, for this run only):
${Object.entries(tokens).map(([caller, token]) => `  ${caller.padEnd(15)} ${token}`).join('\n')}

They are HS256 JWTs (claims sub, scope, exp) signed with
  AUTH_JWT_SECRET=${config.auth.jwtSecret}
Give a gateway in front of the demo that secret to verify them; set AUTH_JWT_SECRET before
npm run demo to keep it across runs, and mint more tokens with
  AUTH_JWT_SECRET=<secret> npm run token -- connections:read connections:secrets:read

In Apollo Sandbox, open "Headers" below the editor and add
  Authorization: Bearer <one of the tokens above>
A reader sees everything but credentials (null, with UNAUTHORIZED_FIELD_OR_TYPE); the secrets
reader sees them too; without a token every root field is refused.

Example query:
${exampleQuery}

AWS accounts and regions (AWS_TARGETS_FILE=${organization.file}; docs/aws-targets.md):
${organization.summary}
  { europe: quickSightActionConnector(awsAccountId: "${EUROPE_ACCOUNT_ID}", actionConnectorId: "jira-cloud") { name arn }
    eu: dataZoneConnection(domainIdentifier: "${EUROPE_DOMAIN_ID}", identifier: "conn-athena-sales") { name } }

Paging through lists (pass each page's pageInfo.endCursor as "after"; docs/paging.md):
  { quickSightActionConnectors(awsAccountId: "${DEMO_AWS_ACCOUNT_ID}", first: 25) { edges { node { name type } } pageInfo { hasNextPage endCursor } } }
  { dataZoneConnections(domainIdentifier: "${DEMO_DOMAIN_ID}", first: 50, sortBy: NAME) { edges { node { name type } } pageInfo { hasNextPage endCursor } } }

Or with curl:
  curl -s ${subgraph.url} -H 'content-type: application/json' \\
    -H 'authorization: Bearer ${tokens.reader}' \\
    -d '{"query":"{ dataZoneConnection(domainIdentifier: \\"${DEMO_DOMAIN_ID}\\", identifier: \\"conn-athena-sales\\") { name type props { __typename } } }"}'

Ctrl-C stops both.
`);

const stop = async () => {
  await subgraph.close(2_000);
  await emulator.close();
  await tracing.shutdown();
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
