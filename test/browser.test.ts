import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DOMAIN_ID } from '../tools/emulator/seed.js';
import { READ, type Stack, mintToken, startStack } from './support/stack.js';

/**
 * A frontend in a real browser: Debian's Chromium (installed by .ci/run), driven by playwright-core,
 * opens a page from another local origin, and the page's own script calls the subgraph with fetch
 * and a bearer token, across CORS with its preflight, as a single-page app would.
 */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const FRONTEND_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Connections console</title></head>
<body>
<h1>Connections console</h1>
<script>
  // What a frontend does: POST the operation as JSON with the user's bearer token.
  window.queryGraphQL = async (endpoint, token, query, variables) => {
    const response = await fetch(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer ' + token },
      body: JSON.stringify({ query, variables }),
    });
    return { status: response.status, cacheControl: response.headers.get('cache-control'), body: await response.json() };
  };
</script>
</body>
</html>`;

interface PageServer {
  origin: string;
  close(): Promise<void>;
}

async function servePage(html: string): Promise<PageServer> {
  const server: Server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const QUERY = /* GraphQL */ `query Connection($domain: ID!, $id: ID!) {
  dataZoneConnection(domainIdentifier: $domain, identifier: $id, withSecret: true) {
    connectionId name type
    connectionCredentials { accessKeyId secretAccessKey }
  }
}`;

let frontend: PageServer;
let unlistedFrontend: PageServer;
let stack: Stack;
let browser: BrowserContext;
let userDataDir: string;
let reader: string;

beforeAll(async () => {
  frontend = await servePage(FRONTEND_PAGE);
  unlistedFrontend = await servePage(FRONTEND_PAGE);
  stack = await startStack({ env: { CORS_ORIGINS: frontend.origin } });
  reader = await mintToken([READ]);
  if (!existsSync(CHROMIUM)) {
    throw new Error(`The browser test drives Debian's Chromium at ${CHROMIUM}, which is not installed. Install it with: sudo apt-get install -y chromium (.ci/run does this itself).`);
  }
  userDataDir = mkdtempSync(join(tmpdir(), 'chromium-profile-'));
  browser = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
});
afterAll(async () => {
  await browser?.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  await stack?.close();
  await frontend?.close();
  await unlistedFrontend?.close();
});

interface PageResult {
  status: number;
  cacheControl: string | null;
  body: { data?: Record<string, any>; errors?: Array<{ path?: Array<string | number>; extensions?: Record<string, unknown> }> };
}

async function queryFromPage(origin: string): Promise<PageResult> {
  const page = await browser.newPage();
  try {
    await page.goto(`${origin}/`);
    return await page.evaluate(
      ([endpoint, token, query, variables]) => (window as unknown as { queryGraphQL: (...args: unknown[]) => Promise<PageResult> }).queryGraphQL(endpoint, token, query, variables),
      [stack.subgraph.url, reader, QUERY, { domain: DEMO_DOMAIN_ID, id: 'conn-athena-sales' }] as const,
    );
  } finally {
    await page.close();
  }
}

describe('a frontend in Chromium', () => {
  it('page on a CORS_ORIGINS origin - fetch with a bearer token gets the data; a reader sees credentials as null with UNAUTHORIZED_FIELD_OR_TYPE', async () => {
    const result = await queryFromPage(frontend.origin);
    expect(result.status).toBe(200);
    expect(result.body.data!['dataZoneConnection']).toEqual({
      connectionId: 'conn-athena-sales',
      name: 'athena-sales',
      type: 'ATHENA',
      connectionCredentials: null,
    });
    expect(result.body.errors).toEqual([
      expect.objectContaining({ path: ['dataZoneConnection', 'connectionCredentials'], extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE' } }),
    ]);
    // An answer with an error is never stored; the reader's call to AWS did not ask for secrets.
    expect(result.cacheControl).toBe('no-store');
    const calls = stack.emulator.calls.filter((call) => call.params['identifier'] === 'conn-athena-sales');
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every((call) => !call.withSecret)).toBe(true);
  });

  it('the same page on an unlisted origin - the preflight fails, so the browser never sends the query; the script sees a failed fetch', async () => {
    stack.emulator.resetCalls();
    const page = await browser.newPage();
    try {
      await page.goto(`${unlistedFrontend.origin}/`);
      const outcome = await page.evaluate(
        async ([endpoint, token, query]) => {
          try {
            await (window as unknown as { queryGraphQL: (...args: unknown[]) => Promise<unknown> }).queryGraphQL(endpoint, token, query, {});
            return 'answered';
          } catch (error) {
            return `blocked: ${(error as Error).name}`;
          }
        },
        [stack.subgraph.url, reader, QUERY] as const,
      );
      expect(outcome).toBe('blocked: TypeError');
      expect(stack.emulator.calls).toHaveLength(0);
    } finally {
      await page.close();
    }
  });
});
