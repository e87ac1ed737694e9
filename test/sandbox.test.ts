import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APOLLO_SANDBOX_ORIGIN } from '../src/server/http.js';
import { READ, type Stack, mintToken, startStack } from './support/stack.js';

/** A configured frontend origin, and one that nobody configured. */
const FRONTEND_ORIGIN = 'https://console.example.com';
const UNLISTED_ORIGIN = 'https://attacker.example.net';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ env: { CORS_ORIGINS: `${FRONTEND_ORIGIN}, https://second.example.com` } });
});
afterAll(() => stack.close());

function preflight(origin: string, requestHeaders = 'authorization,content-type') {
  return fetch(stack.subgraph.url, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': requestHeaders },
  });
}

/** The landing page's own settings, which Apollo embeds URL-encoded in the production page. */
function productionLandingPageSettings(html: string): unknown {
  const match = /window\.landingPage = "([^"]+)"/.exec(html);
  return match ? JSON.parse(decodeURIComponent(match[1]!)) : undefined;
}

describe('Apollo Sandbox landing page', () => {
  it('GET /graphql with accept: text/html - serves the local Sandbox page outside production', async () => {
    const response = await fetch(stack.subgraph.url, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain('https://embeddable-sandbox.cdn.apollographql.com/');
    expect(html).toContain('id="embeddableSandbox"');
    expect(productionLandingPageSettings(html)).toBeUndefined();
  });

  it('NODE_ENV=production - serves the production landing page and refuses introspection unless INTROSPECTION=true', async () => {
    const production = await startStack({ env: { NODE_ENV: 'production' } });
    const productionWithIntrospection = await startStack({ env: { NODE_ENV: 'production', INTROSPECTION: 'true' } });
    try {
      const response = await fetch(production.subgraph.url, { headers: { accept: 'text/html' } });
      expect(response.status).toBe(200);
      const html = await response.text();
      expect(productionLandingPageSettings(html)).toMatchObject({ isProd: true });
      expect(html).not.toContain('id="embeddableSandbox"');

      const refused = await production.graphql('{ __schema { queryType { name } } }');
      expect(refused.status).toBe(400);
      expect(refused.body.errors![0]!.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', validationErrorCode: 'INTROSPECTION_DISABLED' });

      const allowed = await productionWithIntrospection.graphql('{ __schema { queryType { name } } }');
      expect(allowed.body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
    } finally {
      await production.close();
      await productionWithIntrospection.close();
    }
  });

  it('INTROSPECTION=false - turns introspection off outside production too', async () => {
    const closed = await startStack({ env: { INTROSPECTION: 'false' } });
    try {
      const refused = await closed.graphql('{ __type(name: "DataZoneConnection") { name } }');
      expect(refused.body.errors![0]!.extensions!['validationErrorCode']).toBe('INTROSPECTION_DISABLED');
      // Introspection is on in the demo/test default.
      const allowed = await stack.graphql('{ __type(name: "DataZoneConnection") { name } }');
      expect(allowed.body).toEqual({ data: { __type: { name: 'DataZoneConnection' } } });
    } finally {
      await closed.close();
    }
  });
});

describe('CORS', () => {
  it('preflight from the Apollo Sandbox origin - accepted, origin echoed, authorization header allowed', async () => {
    const response = await preflight(APOLLO_SANDBOX_ORIGIN);
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(APOLLO_SANDBOX_ORIGIN);
    const allowedHeaders = response.headers.get('access-control-allow-headers')!.toLowerCase().split(',');
    expect(allowedHeaders).toEqual(expect.arrayContaining(['authorization', 'content-type', 'apollo-require-preflight']));
    expect(response.headers.get('access-control-allow-methods')).toMatch(/POST/);
    expect(response.headers.get('vary')).toMatch(/Origin/);
  });

  it('preflight from an origin in CORS_ORIGINS - accepted, each listed origin echoed as itself', async () => {
    for (const origin of [FRONTEND_ORIGIN, 'https://second.example.com']) {
      const response = await preflight(origin);
      expect(response.headers.get('access-control-allow-origin')).toBe(origin);
    }
  });

  it('preflight and request from an unlisted origin - no Access-Control-Allow-Origin, so the browser withholds the answer', async () => {
    const response = await preflight(UNLISTED_ORIGIN);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('access-control-allow-headers')).toBeNull();
    const request = await stack.graphql('{ __typename }', { headers: { origin: UNLISTED_ORIGIN } });
    expect(request.headers.get('access-control-allow-origin')).toBeNull();
    // A look-alike of a listed origin is not listed.
    const lookalike = await preflight(`${FRONTEND_ORIGIN}.attacker.example.net`);
    expect(lookalike.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('actual POST from the Sandbox origin - carries Access-Control-Allow-Origin and the data', async () => {
    const token = await mintToken([READ]);
    const response = await stack.graphql('{ __typename }', { token, headers: { origin: APOLLO_SANDBOX_ORIGIN } });
    expect(response.headers.get('access-control-allow-origin')).toBe(APOLLO_SANDBOX_ORIGIN);
    expect(response.body).toEqual({ data: { __typename: 'Query' } });
  });
});

describe('CSRF prevention', () => {
  it('a simple GET query without a preflight-forcing header - refused with HTTP 400 before execution', async () => {
    const response = await fetch(`${stack.subgraph.url}?query=${encodeURIComponent('{ __typename }')}`);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors: Array<{ message: string; extensions: { code: string } }>; data?: unknown };
    expect(body.data).toBeUndefined();
    expect(body.errors[0]!.message).toMatch(/Cross-Site Request Forgery/);
    expect(body.errors[0]!.extensions.code).toBe('BAD_REQUEST');
  });

  it('a text/plain POST (what an HTML form can send) - refused with HTTP 400', async () => {
    const response = await fetch(stack.subgraph.url, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/Cross-Site Request Forgery/);
  });

  it('the same GET with apollo-require-preflight - executed', async () => {
    const response = await fetch(`${stack.subgraph.url}?query=${encodeURIComponent('{ __typename }')}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
  });
});
