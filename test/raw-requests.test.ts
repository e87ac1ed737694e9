import fc from 'fast-check';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_DOMAIN_ID } from '../tools/emulator/seed.js';
import { READ, type Stack, mintToken, startStack } from './support/stack.js';

/**
 * Raw bytes over TCP against the real subgraph: request lines, targets, headers and bodies that no
 * HTTP client library would send. Properties, for every connection: it is answered, every answer on
 * it is a 4xx or a served 2xx (never a 5xx, never a connection dropped without a word), nothing is
 * logged at error level, and afterwards `GET /healthz` is answered 200 by the same process (an
 * exception out of the request listener would have been an uncaught one: vitest fails the run on it).
 * RAW_REQUEST_RUNS scales the number of batches (default 60 batches of 50 connections: 3,000
 * connections, each batch sent concurrently).
 */
const RUNS = Number(process.env['RAW_REQUEST_RUNS'] ?? 60);
const BATCH = 50;
const SEED = Number(process.env['RAW_REQUEST_SEED'] ?? 20_260_418);

/** Targets that made the WHATWG URL parser throw inside the request listener and took the process down. */
const CRASHER_TARGETS = ['//localhost:99999', '//[', 'http://[', '//%zz', '//@', '//:', '//x:65536/graphql'];

let stack: Stack;
let readerToken: string;
beforeAll(async () => {
  stack = await startStack({ env: { LOG_LEVEL: 'warn' } });
  readerToken = await mintToken([READ]);
});
afterAll(() => stack.close());

interface RawExchange {
  /** Every status code answered on the connection, in order (100 Continue included). */
  statuses: number[];
  /** The connection was still open after the client had waited for it and then ended its side. */
  unanswered: boolean;
  text: string;
}

/** How long a connection may stay open after its bytes were sent before the client ends its side (a truncated message waits for more). */
const QUIET_MS = 3_000;

/**
 * Writes `bytes` on a fresh connection and reads until the server closes it. `end`: half-close right
 * after writing (a message cut short). A connection the server keeps open for QUIET_MS is ended by
 * the client, and counts as unanswered if the server still says nothing.
 */
function exchange(port: number, bytes: Buffer, end = false): Promise<RawExchange> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let ended = end;
    const quiet = setTimeout(() => {
      ended = true;
      socket.end();
      setTimeout(() => socket.destroy(), QUIET_MS).unref();
    }, QUIET_MS);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A reset after the server answered and closed (it had unread bytes of ours) is an ordinary end.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(quiet);
      const text = Buffer.concat(chunks).toString('latin1');
      const statuses = [...text.matchAll(/(?:^|\r\n)HTTP\/1\.[01] (\d{3}) /g)].map((match) => Number(match[1]));
      resolve({ statuses, unanswered: statuses.length === 0 && ended, text });
    });
    if (end) socket.end(bytes);
    else socket.write(bytes);
  });
}

const healthz = () => exchange(stack.subgraph.port, Buffer.from('GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'));

function request(head: string, body: Buffer | string = ''): Buffer {
  return Buffer.concat([Buffer.from(head, 'latin1'), Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8')]);
}

describe('the request targets that crashed the process - each is a 4xx, and the process serves the next request', () => {
  it.each(CRASHER_TARGETS)('GET %s - answered with a 4xx, then /healthz is 200', async (target) => {
    const answer = await exchange(stack.subgraph.port, request(`GET ${target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`));
    // Origin-form targets (`//…`) are paths this server does not serve; `http://[` is an absolute URL that does not parse.
    expect(answer.statuses).toEqual([target.startsWith('/') ? 404 : 400]);
    expect((await healthz()).statuses).toEqual([200]);
  });

  it('POST to a crasher target with a GraphQL body - 4xx, nothing executed', async () => {
    stack.emulator.resetCalls();
    const body = JSON.stringify({ query: `{ dataZoneConnection(domainIdentifier: "${DEMO_DOMAIN_ID}", identifier: "conn-iam-project") { name } }` });
    const answer = await exchange(stack.subgraph.port, request(`POST //x:65536/graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`, body));
    expect(answer.statuses).toEqual([404]);
    expect(stack.emulator.calls).toHaveLength(0);
  });

  it('absolute-form targets - a well-formed one is served like its path, a malformed one is 400', async () => {
    expect((await exchange(stack.subgraph.port, request('GET http://localhost/healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'))).statuses).toEqual([200]);
    expect((await exchange(stack.subgraph.port, request('GET http://localhost:99999/healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'))).statuses).toEqual([400]);
    expect((await exchange(stack.subgraph.port, request('OPTIONS * HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'))).statuses).toEqual([400]);
  });

  it('CONNECT - 405 and the connection closed, instead of a connection dropped without an answer', async () => {
    const answer = await exchange(stack.subgraph.port, request('CONNECT localhost:443 HTTP/1.1\r\nHost: localhost:443\r\n\r\n'));
    expect(answer.statuses).toEqual([405]);
  });
});

// ---- generated requests -----------------------------------------------------------------------

const METHODS = ['GET', 'POST', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'PATCH', 'TRACE', 'CONNECT', 'PRI', 'M-SEARCH', 'PURGE', 'get', 'G ET', 'POST\t', ''];
const PATHS = ['/graphql', '/healthz', '/readyz', '/metrics', '/', '', '*', '/graphql/', '/GRAPHQL', '/graphql/../healthz', '/%2e%2e/graphql', '/\u00e9', '/\u{1F600}'];
const VERSIONS = ['HTTP/1.1', 'HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/0.9', 'HTTP/9.9', 'HTTP/1.1 extra', 'HTTX/1.1', 'http/1.1', ''];
const HEADER_NAMES = ['Content-Type', 'Accept', 'Authorization', 'Origin', 'X-Request-Id', 'Apollo-Require-Preflight', 'Apollographql-Client-Name', 'Apollo-Federation-Include-Trace', 'Access-Control-Request-Method', 'Expect', 'Cookie', 'X-Forwarded-For', 'Accept-Encoding', 'Upgrade'];
const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/graphql-response+json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonx', ''];
const QUERIES = ['{ __typename }', 'query Q { __typename }', 'mutation { __typename }', 'subscription { __typename }', '{', '', `{ dataZoneConnection(domainIdentifier: "${DEMO_DOMAIN_ID}", identifier: "conn-iam-project") { name } }`];

/** A string of any code points (lone surrogates included: they leave as U+FFFD bytes), or plain text. */
const anyText = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ unit: 'grapheme-ascii', maxLength: 40 }));

const target = fc.oneof(
  { weight: 6, arbitrary: fc.constant('/graphql') },
  { weight: 3, arbitrary: fc.constantFrom(...CRASHER_TARGETS) },
  { weight: 3, arbitrary: fc.constantFrom(...PATHS) },
  // Origin-form with a query of GraphQL-over-HTTP parameters, encoded or not.
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom('/graphql', '/healthz', '//graphql'), fc.constantFrom(...QUERIES), anyText).map(([path, query, noise]) => `${path}?query=${encodeURIComponent(query)}&variables=${noise}&extensions=%7B%22persistedQuery%22`) },
  { weight: 2, arbitrary: fc.webPath().map((path) => path || '/') },
  { weight: 2, arbitrary: fc.webUrl({ withQueryParameters: true, withFragments: true }) },
  // Absolute-form and authority-form with hosts and ports the URL parser refuses.
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('http://', 'https://', 'HTTP://', '//', ''), fc.constantFrom('localhost', '[', '[::1', '@', '', '%zz', 'x y'), fc.constantFrom('', ':', ':0', ':99999', ':65536', ':-1', ':x'), fc.constantFrom('', '/', '/graphql', '/healthz')).map((parts) => parts.join('')) },
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom('/', '//', '/graphql', 'http://'), anyText).map(([prefix, rest]) => prefix + rest) },
);

const header = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...HEADER_NAMES), anyText) },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('Content-Type'), fc.constantFrom(...CONTENT_TYPES)) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('Authorization'), fc.constantFrom('Bearer', 'Bearer ', 'Bearer a.b.c', 'Basic eDp5', 'Bearer eyJhbGciOiJub25lIn0.e30.')) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('Origin'), fc.constantFrom('https://studio.apollographql.com', 'null', 'http://evil.example')) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('Expect'), fc.constantFrom('100-continue', 'nothing')) },
  // Names that are not tokens, values with bare CR or LF, obs-fold continuation lines.
  { weight: 2, arbitrary: fc.tuple(anyText, anyText) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('X-Folded', 'X-Bad\r', 'X Space', ''), fc.constantFrom('a\r\n b', 'a\nb', 'a\rb', '\u0000', ' ', 'x\r\n\r\n')) },
);

/** Headers a client library could send, with values anywhere in the range a header value may hold. */
const headerValue = fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((code) => String.fromCharCode(code === 0x7f ? 0x20 : code)), maxLength: 40 });
const wellFormedHeader = fc.oneof(
  fc.tuple(fc.constantFrom(...HEADER_NAMES.filter((name) => name !== 'Expect' && name !== 'Upgrade')), headerValue),
  fc.tuple(fc.constantFrom('Content-Type'), fc.constantFrom(...CONTENT_TYPES)),
  fc.tuple(fc.constantFrom('Accept'), fc.constantFrom('application/json', 'application/graphql-response+json', 'text/html', '*/*', 'application/json;q=0, */*;q=x', 'text/event-stream')),
);

/** JSON bodies (some of them GraphQL requests that run), and bytes that are not UTF-8 or not JSON. */
const bodyBytes = fc.oneof(
  { weight: 3, arbitrary: fc.record({ query: fc.oneof(fc.constantFrom(...QUERIES), anyText), variables: fc.option(fc.jsonValue({ maxDepth: 3 })), operationName: fc.option(anyText), extensions: fc.option(fc.jsonValue({ maxDepth: 2 })) }, { requiredKeys: ['query'] }).map((value) => Buffer.from(JSON.stringify(value), 'utf8')) },
  { weight: 2, arbitrary: fc.json({ maxDepth: 3 }).map((text) => Buffer.from(text, 'utf8')) },
  // Broken UTF-8 inside and outside JSON strings: lone continuation bytes, truncated sequences, overlongs, surrogates.
  { weight: 3, arbitrary: fc.tuple(fc.constantFrom('{"query":"{ __typename }","x":"', '{"query":"', ''), fc.array(fc.constantFrom(0x80, 0xbf, 0xc0, 0xc3, 0xe2, 0x82, 0xed, 0xa0, 0xf0, 0xf8, 0xff, 0x00, 0x22, 0x5c), { maxLength: 12 }), fc.constantFrom('"}', '', '}')).map(([start, bytes, finish]) => Buffer.concat([Buffer.from(start), Buffer.from(bytes), Buffer.from(finish)])) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)) },
);

type Framing = 'content-length' | 'chunked' | 'chunked-broken' | 'none' | 'truncated' | 'declared-too-short';

/** Mostly the well-formed choice, sometimes anything: so that most requests get past Node's parser to the handler, and the rest test the parser. */
const mostly = <T>(usual: fc.Arbitrary<T>, unusual: fc.Arbitrary<T>) => fc.oneof({ weight: 6, arbitrary: usual }, { weight: 1, arbitrary: unusual });

const rawRequest = fc.record({
  method: mostly(fc.constantFrom('GET', 'POST', 'OPTIONS'), fc.oneof(fc.constantFrom(...METHODS), anyText)),
  target,
  version: mostly(fc.constant('HTTP/1.1'), fc.constantFrom(...VERSIONS)),
  headers: fc.array(mostly(wellFormedHeader, header), { maxLength: 5 }),
  // HTTP/1.1 requires a Host header (Node answers 400 without one).
  hostless: fc.integer({ min: 0, max: 19 }).map((roll) => roll === 0),
  authorized: fc.boolean(),
  body: bodyBytes,
  framing: mostly(fc.constantFrom<Framing>('content-length', 'chunked', 'none'), fc.constantFrom<Framing>('chunked-broken', 'truncated', 'declared-too-short')),
  chunkSize: fc.integer({ min: 1, max: 16 }),
  lineEnd: mostly(fc.constant('\r\n'), fc.constant('\n')),
});

type RawRequest = typeof rawRequest extends fc.Arbitrary<infer T> ? T : never;

/** The bytes of a generated request, and whether the client cuts it short (half-closes after it). */
function encode(generated: RawRequest, token: string): { bytes: Buffer; end: boolean } {
  const { method, target: path, version, headers, hostless, authorized, body, framing, chunkSize, lineEnd: eol } = generated;
  const lines = [version === '' ? `${method} ${path}` : `${method} ${path} ${version}`];
  if (!hostless) lines.push('Host: localhost');
  if (authorized) lines.push(`Authorization: Bearer ${token}`);
  for (const [name, value] of headers) lines.push(`${name}: ${value}`);
  let payload = Buffer.alloc(0);
  switch (framing) {
    case 'content-length':
    case 'truncated':
      lines.push(`Content-Length: ${body.length + (framing === 'truncated' ? 7 : 0)}`);
      payload = body;
      break;
    case 'declared-too-short':
      // The rest of the body is read as the next request on the connection.
      lines.push(`Content-Length: ${Math.floor(body.length / 2)}`);
      payload = body;
      break;
    case 'chunked':
    case 'chunked-broken': {
      lines.push('Transfer-Encoding: chunked');
      const parts: Buffer[] = [];
      for (let offset = 0; offset < body.length; offset += chunkSize) {
        const chunk = body.subarray(offset, offset + chunkSize);
        // Broken: sizes that do not match the data, or are not hex at all.
        const size = framing === 'chunked-broken' && offset === 0 ? ['zz', (chunk.length + 3).toString(16), '-1', ''][chunkSize % 4]! : chunk.length.toString(16);
        parts.push(Buffer.from(`${size}\r\n`), chunk, Buffer.from('\r\n'));
      }
      parts.push(Buffer.from(framing === 'chunked-broken' && body.length === 0 ? 'x\r\n\r\n' : '0\r\n\r\n'));
      payload = Buffer.concat(parts);
      break;
    }
    case 'none':
      break;
  }
  // The server closes the connection after its answer, so every exchange ends without waiting.
  lines.push('Connection: close');
  // Header text is sent as UTF-8: code points above U+00FF arrive as the multi-byte sequences a client would send.
  const head = Buffer.from(`${lines.join(eol)}${eol}${eol}`, 'utf8');
  return { bytes: Buffer.concat([head, payload]), end: framing === 'truncated' };
}

const ALLOWED_STATUS = (status: number) => status === 100 || status === 200 || status === 204 || (status >= 400 && status < 500);

describe('generated raw requests - every connection is answered with 4xx or a served 2xx, and the process keeps serving', () => {
  it(`${RUNS} batches of ${BATCH} concurrent connections with generated request lines, targets, headers, bodies and framings`, async () => {
    const errorLinesBefore = stack.logLines.length;
    const crasherBatch = Array.from({ length: BATCH }, (_, index) => CRASHER_TARGETS[index % CRASHER_TARGETS.length]!).map((crasher) => ({
      method: 'GET', target: crasher, version: 'HTTP/1.1', headers: [], hostless: false, authorized: false,
      body: Buffer.alloc(0), framing: 'none' as Framing, chunkSize: 1, lineEnd: '\r\n' as const,
    }));
    let connections = 0;
    // Connections the handler answered (its answers have a body and a content-type; Node's parser's `400 Bad Request` has neither).
    let handled = 0;
    const statusCounts: Record<number, number> = {};
    await fc.assert(
      fc.asyncProperty(fc.array(rawRequest, { minLength: BATCH, maxLength: BATCH }), async (batch) => {
        const exchanges = await Promise.all(
          batch.map(async (generated) => {
            const { bytes, end } = encode(generated, readerToken);
            return { bytes, answer: await exchange(stack.subgraph.port, bytes, end) };
          }),
        );
        connections += exchanges.length;
        for (const { bytes, answer } of exchanges) {
          for (const status of answer.statuses) statusCounts[status] = (statusCounts[status] ?? 0) + 1;
          if (/\r\ncontent-type: /i.test(answer.text)) handled += 1;
          const sent = JSON.stringify(bytes.toString('latin1').slice(0, 400));
          if (answer.statuses.length === 0) throw new Error(`no answer${answer.unanswered ? ' (connection left open)' : ''} to ${sent}`);
          if (!answer.statuses.every(ALLOWED_STATUS)) throw new Error(`answered ${answer.statuses.join(', ')} to ${sent}: ${JSON.stringify(answer.text.slice(0, 300))}`);
        }
        // The same process still answers.
        const health = await healthz();
        if (health.statuses[0] !== 200) throw new Error(`/healthz answered ${JSON.stringify(health.text.slice(0, 200))} after ${JSON.stringify(batch.map((generated) => generated.target))}`);
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true, examples: [[crasherBatch]] },
    );
    // fast-check counts the example batch among its runs.
    expect(connections).toBe(RUNS * BATCH);
    // Both kinds of answer occurred: the generators reach the handler, not only Node's parser.
    expect(handled).toBeGreaterThan(connections / 3);
    expect(statusCounts[200] ?? 0).toBeGreaterThan(0);
    expect(statusCounts[400] ?? 0).toBeGreaterThan(0);
    expect(statusCounts[404] ?? 0).toBeGreaterThan(0);
    const errorLines = stack.logLines.slice(errorLinesBefore).filter((line) => (JSON.parse(line) as { level: number }).level >= 50);
    expect(errorLines).toEqual([]);
  }, 120_000);
});
