/**
 * The `gatewayConfig` the `hive-gateway` CLI reads:
 *
 *   AUTH_JWT_SECRET=... npx hive-gateway supergraph supergraph-hive.graphql -c tools/supergraph/hive-gateway.config.ts
 *
 * Takes the subgraph's own auth variables (AUTH_JWT_SECRET or AUTH_JWKS_URL, AUTH_ISSUER,
 * AUTH_AUDIENCE). See tools/supergraph/hive-gateway.ts and docs/hive-gateway.md.
 */
import { hiveGatewayAuthConfig } from './hive-gateway.js';

const setting = (name: string) => process.env[name] || undefined;

export const gatewayConfig = hiveGatewayAuthConfig({
  jwtSecret: setting('AUTH_JWT_SECRET'),
  jwksUrl: setting('AUTH_JWKS_URL'),
  issuer: setting('AUTH_ISSUER'),
  audience: setting('AUTH_AUDIENCE'),
});
