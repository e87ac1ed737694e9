import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ConfigurationError, loadConfig } from '../src/config/config.js';
import { COMPILED_SERVER } from './support/compiled.js';

describe('configuration', () => {
  it('loadConfig - refuses a bad value with a message naming the variable', () => {
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ AUTH_JWKS_URL: 'not a url' })).toThrow(/AUTH_JWKS_URL/);
    expect(() => loadConfig({ AUTH_JWT_SECRET: 'short' })).toThrow(/AUTH_JWT_SECRET/);
    expect(() => loadConfig({ AWS_MAX_ATTEMPTS: '0' })).toThrow(/AWS_MAX_ATTEMPTS/);
    expect(() => loadConfig({ AUTH_JWT_SECRET: 'a-long-enough-shared-secret', AUTH_JWKS_URL: 'https://idp.example.com/jwks' })).toThrow(ConfigurationError);
  });

  it('loadConfig - defaults as documented', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 4000, host: '0.0.0.0', introspection: true, gatewayCompatibleSdl: false, aws: { maxAttempts: 3 } });
    expect(loadConfig({ NODE_ENV: 'production' }).introspection).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', INTROSPECTION: 'true' }).introspection).toBe(true);
  });

  it('loadConfig - cache off and a rate limit under the AWS quota by default; bad values name the variable', () => {
    expect(loadConfig({})).toMatchObject({ cache: { ttlSeconds: 0 }, aws: { rateLimitPerSecond: 15, rateLimitMaxWaitMs: 10_000 } });
    expect(loadConfig({ CACHE_TTL_SECONDS: '1.5', AWS_RATE_LIMIT_PER_SECOND: '0' })).toMatchObject({ cache: { ttlSeconds: 1.5 }, aws: { rateLimitPerSecond: 0 } });
    expect(() => loadConfig({ CACHE_TTL_SECONDS: '-1' })).toThrow(/CACHE_TTL_SECONDS/);
    expect(() => loadConfig({ AWS_RATE_LIMIT_PER_SECOND: '2.5' })).toThrow(/AWS_RATE_LIMIT_PER_SECOND/);
    expect(() => loadConfig({ AWS_RATE_LIMIT_MAX_WAIT_MS: 'soon' })).toThrow(/AWS_RATE_LIMIT_MAX_WAIT_MS/);
  });

  it('npm start - refuses to run without AUTH_JWT_SECRET or AUTH_JWKS_URL, saying why', () => {
    const env = { ...process.env, AUTH_JWT_SECRET: '', AUTH_JWKS_URL: '', PORT: '0' };
    delete (env as Record<string, unknown>)['AUTH_JWT_SECRET'];
    delete (env as Record<string, unknown>)['AUTH_JWKS_URL'];
    const result = spawnSync(process.execPath, [COMPILED_SERVER], { env, encoding: 'utf8', timeout: 20_000 });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/AUTH_JWT_SECRET or AUTH_JWKS_URL must be set/);
  });
});

describe('router.yaml', () => {
  const router = parseYaml(readFileSync('router.yaml', 'utf8'));

  it('verifies JWTs, enforces the authorization directives and propagates Authorization to this subgraph', () => {
    expect(router.authentication.router.jwt).toMatchObject({ header_name: 'Authorization', header_value_prefix: 'Bearer' });
    expect(router.authentication.router.jwt.jwks[0].url).toMatch(/^https:\/\//);
    expect(router.authorization.directives.enabled).toBe(true);
    expect(router.headers.subgraphs['aws-connections'].request).toContainEqual({ propagate: { named: 'authorization' } });
  });

  it('is the snippet docs/routers-and-gateways.md shows', () => {
    expect(readFileSync('docs/routers-and-gateways.md', 'utf8')).toContain(readFileSync('router.yaml', 'utf8').trim());
  });
});

describe('AWS_SHARE_READS', () => {
  it('defaults to sharing and can be switched off', () => {
    expect(loadConfig({}).cache.shareReads).toBe(true);
    expect(loadConfig({ AWS_SHARE_READS: 'false' }).cache.shareReads).toBe(false);
    expect(() => loadConfig({ AWS_SHARE_READS: 'maybe' })).toThrow(/AWS_SHARE_READS/);
  });
});
