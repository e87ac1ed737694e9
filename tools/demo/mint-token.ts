/**
 * `npm run token -- <scope> ...`: a bearer token for the demo or any subgraph that verifies HS256
 * tokens with AUTH_JWT_SECRET (the demo prints its secret). SUBJECT names the caller (`sub`: the
 * client-side AWS rate limit shares its slots between callers by it).
 */
import { mintDemoToken } from './demo-tokens.js';

const secret = process.env['AUTH_JWT_SECRET'];
if (!secret) {
  console.error('AUTH_JWT_SECRET is not set: give the secret the subgraph verifies tokens with (npm run demo prints its own).');
  process.exit(1);
}
console.log(await mintDemoToken(secret, process.env['SUBJECT'] ?? 'demo-cli', process.argv.slice(2)));
