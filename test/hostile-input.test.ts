import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_AWS_ACCOUNT_ID, DEMO_DOMAIN_ID } from '../tools/emulator/seed.js';
import { buildServedSchema } from '../src/schema/build.js';
import { ARMOR_LIMITS } from '../src/server/armor.js';
import { MAX_BODY_BYTES } from '../src/server/http.js';
import { fullSelection } from './support/selection.js';
import { READ, SECRETS, type Stack, callsOf, mintToken, startStack } from './support/stack.js';

const { schema } = buildServedSchema();
const connector = (alias: string, id: string) => `${alias}: quickSightActionConnector(awsAccountId: "${DEMO_AWS_ACCOUNT_ID}", actionConnectorId: "${id}") { actionConnectorId }`;

let stack: Stack;
let token: string;
beforeAll(async () => {
  stack = await startStack();
  token = await mintToken([READ, SECRETS]);
});
afterAll(() => stack.close());

/** Sends `body` as it is (no JSON encoding by the helper), optionally chunked without a Content-Length. */
function rawPost(url: string, body: string | Buffer, options: { chunked?: boolean; contentType?: string } = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const request = httpRequest(
      { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers: { 'content-type': options.contentType ?? 'application/json', ...(options.chunked ? {} : { 'content-length': Buffer.byteLength(body) }) } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    request.on('error', reject);
    if (options.chunked) {
      // Written in pieces, so the limit has to be enforced while reading, not from a header.
      const buffer = Buffer.from(body);
      for (let offset = 0; offset < buffer.length; offset += 16 * 1024) request.write(buffer.subarray(offset, offset + 16 * 1024));
      request.end();
    } else {
      request.end(body);
    }
  });
}

describe('graphql-armor limits: each refuses an abusive document with a 400 before any AWS call, and admits the legitimate ones', () => {
  it(`depth - a document deeper than ${ARMOR_LIMITS.maxDepth} is refused; a full DataZoneConnection selection through _entities (depth 8) is not`, async () => {
    stack.emulator.resetCalls();
    // The schema itself is shallow; introspection's type references are the way to go deep.
    const deep = `{ __type(name: "DataZoneConnection") { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } } } }`;
    const refused = await stack.graphql(deep, { token });
    expect(refused.status).toBe(400);
    expect(refused.body.errors![0]!.message).toMatch(/depth limit of 10 exceeded/i);
    expect(refused.body.errors![0]!.extensions!['code']).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(refused.body.data).toBeUndefined();

    const legitimate = await stack.graphql(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on DataZoneConnection ${fullSelection(schema, 'DataZoneConnection')} } }`,
      { token, variables: { r: [{ __typename: 'DataZoneConnection', domainId: DEMO_DOMAIN_ID, connectionId: 'conn-redshift-cluster' }, { __typename: 'DataZoneConnection', domainId: DEMO_DOMAIN_ID, connectionId: 'conn-spark-emr' }] } },
    );
    expect(legitimate.body.errors).toBeUndefined();
    expect(legitimate.status).toBe(200);
    expect(legitimate.body.errors).toBeUndefined();
    // One GetConnection per representation (their shared project is one more call, GetProject).
    expect(callsOf(stack.emulator, 'GetConnection')).toHaveLength(2);
  });

  it(`aliases - ${ARMOR_LIMITS.maxAliases} aliases over ids pass, one more is refused without an AWS call`, async () => {
    const aliases = (count: number) => `{ ${Array.from({ length: count }, (_, index) => connector(`a${index}`, 'jira-cloud')).join(' ')} }`;
    stack.emulator.resetCalls();
    const admitted = await stack.graphql(aliases(ARMOR_LIMITS.maxAliases), { token });
    expect(admitted.status).toBe(200);
    expect(admitted.body.errors).toBeUndefined();
    expect(Object.keys(admitted.body.data!)).toHaveLength(ARMOR_LIMITS.maxAliases);
    expect(stack.emulator.calls).toHaveLength(1);

    stack.emulator.resetCalls();
    const refused = await stack.graphql(aliases(ARMOR_LIMITS.maxAliases + 1), { token });
    expect(refused.status).toBe(400);
    expect(refused.body.errors![0]!.message).toMatch(/aliases limit of 100 exceeded, found 101/i);
    expect(stack.emulator.calls).toHaveLength(0);
  });

  it(`tokens - a document of more than ${ARMOR_LIMITS.maxTokens} tokens is refused as a parse failure, not a 500`, async () => {
    stack.emulator.resetCalls();
    // `a0: __typename` is three tokens; aliases of __typename do not count against the alias limit.
    const count = Math.ceil(ARMOR_LIMITS.maxTokens / 3) + 1;
    const refused = await stack.graphql(`{ ${connector('real', 'jira-cloud')} ${Array.from({ length: count }, (_, index) => `t${index}: __typename`).join(' ')} }`, { token });
    expect(refused.status).toBe(400);
    expect(refused.body.errors![0]!.extensions!['code']).toBe('GRAPHQL_PARSE_FAILED');
    expect(refused.body.errors![0]!.message).toMatch(/Document contains more th.t 2000 tokens/);
    expect(stack.emulator.calls).toHaveLength(0);

    const admitted = await stack.graphql(`{ ${Array.from({ length: 600 }, (_, index) => `t${index}: __typename`).join(' ')} }`, { token });
    expect(admitted.status).toBe(200);
  });

  it(`cost - four full DataZoneConnection selections through a fragment exceed ${ARMOR_LIMITS.maxCost}; three do not`, async () => {
    const fullConnections = (count: number) =>
      `fragment Everything on DataZoneConnection ${fullSelection(schema, 'DataZoneConnection')}
       { ${Array.from({ length: count }, (_, index) => `c${index}: dataZoneConnection(domainIdentifier: "${DEMO_DOMAIN_ID}", identifier: "conn-redshift-cluster", withSecret: true) { ...Everything }`).join(' ')} }`;
    stack.emulator.resetCalls();
    const refused = await stack.graphql(fullConnections(4), { token });
    expect(refused.status).toBe(400);
    expect(refused.body.errors![0]!.message).toMatch(/cost limit of 10000 exceeded/i);
    expect(stack.emulator.calls).toHaveLength(0);

    const admitted = await stack.graphql(fullConnections(3), { token });
    expect(admitted.status).toBe(200);
    expect(admitted.body.errors).toBeUndefined();
    expect(admitted.body.data!['c2']).toMatchObject({ connectionId: 'conn-redshift-cluster' });
  });

  it(`directives - more than ${ARMOR_LIMITS.maxDirectives} directives are refused`, async () => {
    const withDirectives = (count: number) => `{ ${connector('real', 'jira-cloud')} ${Array.from({ length: count }, (_, index) => `d${index}: __typename @include(if: true)`).join(' ')} }`;
    stack.emulator.resetCalls();
    const refused = await stack.graphql(withDirectives(ARMOR_LIMITS.maxDirectives + 1), { token });
    expect(refused.status).toBe(400);
    expect(refused.body.errors![0]!.message).toMatch(/directives limit of 50 exceeded, found 51/i);
    expect(stack.emulator.calls).toHaveLength(0);

    const admitted = await stack.graphql(withDirectives(ARMOR_LIMITS.maxDirectives), { token });
    expect(admitted.status).toBe(200);
    expect(admitted.body.data!['real']).toEqual({ actionConnectorId: 'jira-cloud' });
  });

  it('a syntax error - 400 GRAPHQL_PARSE_FAILED (graphql-armor#751 would make it a 500)', async () => {
    const response = await stack.graphql('{ quickSightActionConnector(', { token });
    expect(response.status).toBe(400);
    expect(response.body.errors![0]!.extensions!['code']).toBe('GRAPHQL_PARSE_FAILED');
  });
});

describe('_entities with malformed representations', () => {
  it('a representation without a known __typename - BAD_USER_INPUT at its own index, the other entities resolve', async () => {
    stack.emulator.resetCalls();
    const response = await stack.graphql(`query($r: [_Any!]!) { _entities(representations: $r) { ... on DataZoneConnection { connectionId } } }`, {
      token,
      variables: {
        r: [
          { __typename: 'DataZoneConnection', domainId: DEMO_DOMAIN_ID, connectionId: 'conn-iam-project' },
          {},
          { __typename: 'Query' },
          { __typename: 'DataZoneConnection', domainId: 'nope', connectionId: 'conn-iam-project' },
          42,
          { __typename: 'DataZoneConnection', domainId: DEMO_DOMAIN_ID, connectionId: 'conn-athena-sales' },
        ],
      },
    });
    expect(response.status).toBe(200);
    expect(response.body.data!['_entities']).toEqual([{ connectionId: 'conn-iam-project' }, null, null, null, null, { connectionId: 'conn-athena-sales' }]);
    const errors = response.body.errors!.map((error) => [error.path, error.extensions?.['code'], error.extensions?.['argumentName']]);
    expect(errors).toEqual(
      expect.arrayContaining([
        [['_entities', 1], 'BAD_USER_INPUT', 'representations'],
        [['_entities', 2], 'BAD_USER_INPUT', 'representations'],
        [['_entities', 3], 'BAD_USER_INPUT', 'domainId'],
        [['_entities', 4], 'BAD_USER_INPUT', 'representations'],
      ]),
    );
    expect(errors).toHaveLength(4);
    expect(stack.emulator.calls.map((call) => call.params['identifier']).sort()).toEqual(['conn-athena-sales', 'conn-iam-project']);
  });
});

describe('HTTP-level limits', () => {
  const oversized = JSON.stringify({ query: `{ __typename }`, variables: { padding: 'x'.repeat(MAX_BODY_BYTES) } });

  it(`request body - over ${MAX_BODY_BYTES} bytes is refused with 413, by its Content-Length or while streaming`, async () => {
    const declared = await rawPost(stack.subgraph.url, oversized);
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.text).errors[0].extensions.code).toBe('BAD_REQUEST');
    const streamed = await rawPost(stack.subgraph.url, oversized, { chunked: true });
    expect(streamed.status).toBe(413);
    // Just under the limit is served.
    const fits = JSON.stringify({ query: '{ __typename }', variables: { padding: 'x'.repeat(MAX_BODY_BYTES - 100) } });
    expect((await rawPost(stack.subgraph.url, fits, { chunked: true })).status).toBe(200);
    // The subgraph is still serving.
    expect((await stack.graphql('{ __typename }')).body.data).toEqual({ __typename: 'Query' });
  });

  it('batched HTTP requests - an array of operations is refused with 400 and nothing runs', async () => {
    stack.emulator.resetCalls();
    const batch = JSON.stringify([{ query: `{ ${connector('a', 'jira-cloud')} }` }, { query: `{ ${connector('b', 'servicenow-prod')} }` }]);
    const response = await rawPost(stack.subgraph.url, batch);
    expect(response.status).toBe(400);
    expect(response.text).toMatch(/batch/i);
    expect(stack.emulator.calls).toHaveLength(0);
  });

  it('a body that is not JSON - 400 BAD_REQUEST', async () => {
    const response = await rawPost(stack.subgraph.url, '{"query": "{ __typename }"');
    expect(response.status).toBe(400);
    expect(JSON.parse(response.text).errors[0].extensions.code).toBe('BAD_REQUEST');
  });
});

/** Log lines at error level or above (pino: error 50, fatal 60) written since `from`. */
const errorLinesSince = (target: Stack, from: number) => target.logLines.slice(from).filter((line) => (JSON.parse(line) as { level: number }).level >= 50);

/** The request log line's error codes of the last GraphQL request. */
const lastRequestLine = (target: Stack) => JSON.parse(target.logLines.filter((line) => line.includes('"msg":"graphql request"')).at(-1)!) as { status: number; errorCodes: Record<string, number> };

describe('client mistakes Apollo refuses before running anything - HTTP 400 with its code, no error-level log line', () => {
  const connectionRead = `{ dataZoneConnection(domainIdentifier: "${DEMO_DOMAIN_ID}", identifier: "conn-iam-project") { name } }`;
  const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

  /** What `target` answers to each mistake, with the error log lines it wrote meanwhile. */
  async function mistakes(target: Stack) {
    const linesBefore = target.logLines.length;
    target.emulator.resetCalls();
    const outcomes: Record<string, { status: number; errors: unknown; logged: Record<string, number> }> = {};
    const cases: Array<[string, string, Record<string, unknown>?]> = [
      ['mutation', 'mutation { __typename }'],
      ['named mutation beside a query', `mutation M { __typename } query Q ${connectionRead}`],
      ['subscription', `subscription { dataZoneConnection(domainIdentifier: "${DEMO_DOMAIN_ID}", identifier: "conn-iam-project") { name } }`],
      // The hash of another document: Apollo must not run this one, nor store it under that hash.
      ['APQ hash mismatch', connectionRead, { persistedQuery: { version: 1, sha256Hash: sha256('{ __typename }') } }],
      ['APQ version 2', connectionRead, { persistedQuery: { version: 2, sha256Hash: sha256(connectionRead) } }],
    ];
    for (const [name, query, extensions] of cases) {
      // Twice: with GRAPHQL_JIT_AFTER=1 a second execution of a document would be the compiled one.
      for (const attempt of [1, 2]) {
        const response = await target.graphql(query, { token, extensions });
        outcomes[`${name} #${attempt}`] = { status: response.status, errors: response.body.errors, logged: lastRequestLine(target).errorCodes };
      }
    }
    return { outcomes, errorLines: errorLinesSince(target, linesBefore), awsCalls: target.emulator.calls.length };
  }

  const expected = (code: string, message: string) => ({ status: 400, errors: [expect.objectContaining({ message, extensions: { code } })], logged: { [code]: 1 } });

  it('mutation, subscription, APQ hash mismatch, APQ version - 400 with Apollo codes, on graphql-jit and graphql-js alike', async () => {
    const compiled = await mistakes(stack);
    for (const attempt of [1, 2]) {
      expect(compiled.outcomes[`mutation #${attempt}`]).toEqual(expected('GRAPHQL_VALIDATION_FAILED', 'The mutation operation is not supported by the schema.'));
      expect(compiled.outcomes[`named mutation beside a query #${attempt}`]).toEqual(expected('GRAPHQL_VALIDATION_FAILED', 'The mutation operation is not supported by the schema.'));
      expect(compiled.outcomes[`subscription #${attempt}`]).toEqual(expected('GRAPHQL_VALIDATION_FAILED', 'The subscription operation is not supported by the schema.'));
      expect(compiled.outcomes[`APQ hash mismatch #${attempt}`]).toEqual(expected('PERSISTED_QUERY_HASH_MISMATCH', 'provided sha does not match query'));
      expect(compiled.outcomes[`APQ version 2 #${attempt}`]).toEqual(expected('BAD_REQUEST', 'Unsupported persisted query version'));
    }
    expect(compiled.errorLines).toEqual([]);
    expect(compiled.awsCalls).toBe(0);

    // graphql-js only: the same answers, the same silence in the log.
    const interpreted = await startStack({ env: { GRAPHQL_JIT_AFTER: '0' } });
    try {
      expect(await mistakes(interpreted)).toEqual(compiled);
    } finally {
      await interpreted.close();
    }
  });

  it('APQ hash mismatch - the document is not registered under the hash it claimed', async () => {
    const claimed = sha256(`{ __typename } # ${Date.now()}`);
    const mismatched = await stack.graphql(connectionRead, { token, extensions: { persistedQuery: { version: 1, sha256Hash: claimed } } });
    expect(mismatched.status).toBe(400);
    const hashOnly = await fetch(`${stack.subgraph.url}?extensions=${encodeURIComponent(JSON.stringify({ persistedQuery: { version: 1, sha256Hash: claimed } }))}`, { headers: { authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true' } });
    expect(((await hashOnly.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('a mutation over GET - refused with a 4xx, nothing runs', async () => {
    const response = await fetch(`${stack.subgraph.url}?query=${encodeURIComponent('mutation { __typename }')}`, { headers: { authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true' } });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]!.extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('schema hints', () => {
  const typo = `{ dataZoneConnection(domainIdentifier: "${DEMO_DOMAIN_ID}", identifier: "conn-iam-project") { nam } }`;

  it('NODE_ENV=production - no "Did you mean" in validation errors', async () => {
    const production = await startStack({ env: { NODE_ENV: 'production' } });
    try {
      const response = await production.graphql(typo, { token });
      expect(response.status).toBe(400);
      expect(response.body.errors![0]!.message).toMatch(/Cannot query field "nam"/);
      expect(response.text).not.toMatch(/Did you mean/);
    } finally {
      await production.close();
    }
  });

  it('development - the hint is there (so the production test above can fail)', async () => {
    const response = await stack.graphql(typo, { token });
    expect(response.body.errors![0]!.message).toMatch(/Did you mean "name"/);
  });
});
