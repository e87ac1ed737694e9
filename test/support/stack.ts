import { SignJWT } from 'jose';
import { Writable } from 'node:stream';
import { type SubgraphConfig, loadConfig } from '../../src/config/config.js';
import { type Emulator, type EmulatorOptions, emulatorSdkEnvironment, startEmulator } from '../../tools/emulator/index.js';
import { type SubgraphServer, startSubgraph } from '../../src/server/app.js';
import { createLogger } from '../../src/server/logger.js';

export const TEST_JWT_SECRET = 'test-only-hs256-secret-0123456789abcdef';

/**
 * Whether the suite runs with the accelerator (graphql-jit and the fast path, src/server/accelerator/):
 * on unless `TEST_ACCELERATOR=off`. Either way every test must pass; vitest.config.ts hands the same
 * setting to the servers tests start as processes. Tests about the accelerator turn it on themselves.
 */
export const ACCELERATED = acceleratorSetting(process.env['TEST_ACCELERATOR']);

export function acceleratorSetting(value: string | undefined): boolean {
  if (value === undefined || value === '' || value === 'on') return true;
  if (value === 'off') return false;
  throw new Error(`TEST_ACCELERATOR must be "on" or "off", not ${JSON.stringify(value)}`);
}
export const READ = 'connections:read';
export const SECRETS = 'connections:secrets:read';

export interface GraphQLResponse<Data = Record<string, any>> {
  status: number;
  headers: Headers;
  body: { data?: Data | null; errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, any> }> };
  text: string;
}

export interface Stack {
  emulator: Emulator;
  subgraph: SubgraphServer;
  config: SubgraphConfig;
  /** Every log line the subgraph wrote, as text. */
  logLines: string[];
  graphql<Data = Record<string, any>>(query: string, options?: { variables?: Record<string, unknown>; extensions?: Record<string, unknown>; token?: string; headers?: Record<string, string> }): Promise<GraphQLResponse<Data>>;
  close(): Promise<void>;
}

/**
 * A real emulator on a free port and the real subgraph in front of it, the SDK pointed at the
 * emulator through the standard AWS_ENDPOINT_URL_* variables, as in `npm run demo`.
 */
export async function startStack(options: { env?: Record<string, string>; emulator?: EmulatorOptions } = {}): Promise<Stack> {
  const emulator = await startEmulator({ port: 0, ...options.emulator });
  // Overwritten, not merely defaulted: tests never run with a developer's real AWS settings.
  Object.assign(process.env, emulatorSdkEnvironment(emulator.url));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    AWS_REGION: 'us-east-1',
    AUTH_JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: 'info',
    // With the accelerator, every document through graphql-jit from its first execution (production
    // compiles from the second), so every test exercises the compiled path and, from a document's
    // second request, the fast path; test/jit.test.ts compares it with graphql-js. Without: 0, off.
    GRAPHQL_JIT_AFTER: ACCELERATED ? '1' : '0',
    // No client-side AWS rate limit unless a test asks for one (test/rate-limit.test.ts,
    // test/shared-reads.test.ts, ...): at the product's 15 calls a second, suites that page through
    // lists or fan out over many ids spent most of their time queued.
    AWS_RATE_LIMIT_PER_SECOND: '0',
    ...options.env,
  });
  const logLines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      logLines.push(String(chunk));
      callback();
    },
  });
  const subgraph = await startSubgraph(config, { logger: createLogger(config.logLevel, sink) });
  return {
    emulator,
    subgraph,
    config,
    logLines,
    async graphql(query, { variables, extensions, token, headers } = {}) {
      const response = await fetch(subgraph.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
        body: JSON.stringify({ query, variables, extensions }),
      });
      const text = await response.text();
      return { status: response.status, headers: response.headers, body: JSON.parse(text), text };
    },
    async close() {
      await subgraph.close(1_000);
      await emulator.close();
    },
  };
}

/** A real HS256 token as an identity provider would issue it. */
export function mintToken(scopes: string[], options: { secret?: string; expiresIn?: string | number; audience?: string; issuer?: string; claim?: 'scope' | 'scp' } = {}): Promise<string> {
  const claims = options.claim === 'scp' ? { scp: scopes } : { scope: scopes.join(' ') };
  let jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject('test-user').setIssuedAt().setExpirationTime(options.expiresIn ?? '10m');
  if (options.audience) jwt = jwt.setAudience(options.audience);
  if (options.issuer) jwt = jwt.setIssuer(options.issuer);
  return jwt.sign(new TextEncoder().encode(options.secret ?? TEST_JWT_SECRET));
}

/** Calls the emulator received for one operation. */
export function callsOf(emulator: Emulator, operation: 'DescribeActionConnector' | 'GetConnection') {
  return emulator.calls.filter((call) => call.operation === operation);
}
