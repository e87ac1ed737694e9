import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_AWS_ACCOUNT_ID, DEMO_DOMAIN_ID } from '../tools/emulator/seed.js';
import { emulatorSdkEnvironment } from '../tools/emulator/sdk-environment.js';
import { DataZoneClient, GetConnectionCommand } from '@aws-sdk/client-datazone';
import { installCallScope } from '../src/aws/call.js';
import { createAwsClients, destroyAwsClients } from '../src/aws/clients.js';
import { createOperationLoader } from '../src/aws/operation.js';
import { getConnection } from '../src/datazone/connection.js';
import { UNSHARED_READS } from '../src/aws/shared-reads.js';
import { READ, type Stack, mintToken, startStack } from './support/stack.js';

/** Everything one alias of a test query asks for, by id. */
const connection = (alias: string, id: string) => `${alias}: dataZoneConnection(domainIdentifier: "${DEMO_DOMAIN_ID}", identifier: "${id}") { connectionId name }`;
const connector = (alias: string, id: string) => `${alias}: quickSightActionConnector(awsAccountId: "${DEMO_AWS_ACCOUNT_ID}", actionConnectorId: "${id}") { actionConnectorId name }`;

function attemptsFor(stack: Stack, id: string): number {
  return stack.emulator.calls.filter((call) => (call.params['identifier'] ?? call.params['ActionConnectorId']) === id).length;
}

/** Polls `condition` every 10 ms for at most `timeoutMs`; fails the test if it never holds. */
async function waitFor(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > giveUpAt) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

let stack: Stack;
let token: string;
beforeAll(async () => {
  stack = await startStack({ env: { AWS_MAX_ATTEMPTS: '3' } });
  token = await mintToken([READ]);
});
afterAll(() => stack.close());

describe('retries: the SDK standard strategy, retryable errors only', () => {
  it('non-retryable AWS errors are tried once, throttling, 5xx, resets and truncated bodies up to AWS_MAX_ATTEMPTS', async () => {
    const faults = [
      stack.emulator.injectFault({ service: 'datazone', id: 'conn-athena-sales', kind: 'error', errorName: 'AccessDeniedException' }),
      stack.emulator.injectFault({ service: 'datazone', id: 'conn-glue-snowflake', kind: 'error', errorName: 'ValidationException' }),
      stack.emulator.injectFault({ service: 'quicksight', id: 'jira-cloud', kind: 'error', errorName: 'ThrottlingException' }),
      stack.emulator.injectFault({ service: 'quicksight', id: 'servicenow-prod', kind: 'error', errorName: 'InternalFailureException', status: 500 }),
      stack.emulator.injectFault({ service: 'datazone', id: 'conn-redshift-cluster', kind: 'reset' }),
      stack.emulator.injectFault({ service: 'datazone', id: 'conn-spark-emr', kind: 'truncated' }),
      stack.emulator.injectFault({ service: 'datazone', id: 'conn-s3-datalake', kind: 'malformed' }),
    ];
    stack.emulator.resetCalls();
    try {
      const response = await stack.graphql(
        `{ ${connection('denied', 'conn-athena-sales')} ${connection('invalid', 'conn-glue-snowflake')} ${connector('throttled', 'jira-cloud')}
           ${connector('failing', 'servicenow-prod')} ${connection('reset', 'conn-redshift-cluster')} ${connection('truncated', 'conn-spark-emr')}
           ${connection('malformed', 'conn-s3-datalake')} ${connection('missing', 'conn-nowhere')} ${connection('fine', 'conn-iam-project')} }`,
        { token },
      );
      expect(response.status).toBe(200);
      expect(response.body.data!['fine']).toEqual({ connectionId: 'conn-iam-project', name: 'project-iam' });
      const codeAt = (alias: string) => response.body.errors!.find((error) => error.path?.[0] === alias)?.extensions?.['code'];
      expect({
        denied: codeAt('denied'), invalid: codeAt('invalid'), throttled: codeAt('throttled'), failing: codeAt('failing'),
        reset: codeAt('reset'), truncated: codeAt('truncated'), malformed: codeAt('malformed'), missing: codeAt('missing'),
      }).toEqual({
        denied: 'FORBIDDEN', invalid: 'BAD_USER_INPUT', throttled: 'THROTTLED', failing: 'UPSTREAM_ERROR',
        reset: 'UPSTREAM_ERROR', truncated: 'UPSTREAM_ERROR', malformed: 'UPSTREAM_ERROR', missing: 'NOT_FOUND',
      });
      expect(response.body.errors).toHaveLength(8);
      expect({
        denied: attemptsFor(stack, 'conn-athena-sales'), invalid: attemptsFor(stack, 'conn-glue-snowflake'), missing: attemptsFor(stack, 'conn-nowhere'),
        // A 200 whose body is not JSON is not a transient failure: the SDK does not retry a parse error.
        malformed: attemptsFor(stack, 'conn-s3-datalake'),
        throttled: attemptsFor(stack, 'jira-cloud'), failing: attemptsFor(stack, 'servicenow-prod'),
        reset: attemptsFor(stack, 'conn-redshift-cluster'), truncated: attemptsFor(stack, 'conn-spark-emr'),
        fine: attemptsFor(stack, 'conn-iam-project'),
      }).toEqual({ denied: 1, invalid: 1, missing: 1, malformed: 1, throttled: 3, failing: 3, reset: 3, truncated: 3, fine: 1 });
    } finally {
      for (const fault of faults) fault.remove();
    }
  });

  it('a malformed or truncated AWS body - UPSTREAM_ERROR on that field only, never INTERNAL_SERVER_ERROR', async () => {
    const faults = [
      stack.emulator.injectFault({ service: 'quicksight', id: 'zendesk-support', kind: 'malformed' }),
      stack.emulator.injectFault({ service: 'quicksight', id: 'pagerduty-oncall', kind: 'truncated' }),
    ];
    try {
      const response = await stack.graphql(`{ ${connector('malformed', 'zendesk-support')} ${connector('truncated', 'pagerduty-oncall')} ${connector('fine', 'jira-cloud')} }`, { token });
      expect(response.status).toBe(200);
      expect(response.body.data).toEqual({ malformed: null, truncated: null, fine: { actionConnectorId: 'jira-cloud', name: expect.any(String) } });
      expect(response.body.errors!.map((error) => [error.path, error.extensions?.['code'], error.extensions?.['aws']?.['service']])).toEqual(
        expect.arrayContaining([
          [['malformed'], 'UPSTREAM_ERROR', 'quicksight'],
          [['truncated'], 'UPSTREAM_ERROR', 'quicksight'],
        ]),
      );
      expect(response.text).not.toContain('INTERNAL_SERVER_ERROR');
      expect(response.text).not.toContain('<html>');
    } finally {
      for (const fault of faults) fault.remove();
    }
  });
});

describe('overall request deadline (REQUEST_DEADLINE_MS)', () => {
  it('fields still waiting on AWS at the deadline resolve to null with UPSTREAM_ERROR, the rest of the response is intact', async () => {
    // The per-attempt timeout is far away, so only the request deadline can end the hanging call.
    const slow = await startStack({ env: { REQUEST_DEADLINE_MS: '400', AWS_REQUEST_TIMEOUT_MS: '20000', AWS_MAX_ATTEMPTS: '10' } });
    try {
      slow.emulator.injectFault({ service: 'datazone', id: 'conn-athena-sales', kind: 'hang' });
      // Throttled for good: without the deadline, ten attempts with backoff would take seconds.
      slow.emulator.injectFault({ service: 'quicksight', id: 'jira-cloud', kind: 'error', errorName: 'ThrottlingException' });
      const startedAt = Date.now();
      const response = await slow.graphql(`{ ${connection('stuck', 'conn-athena-sales')} ${connector('throttled', 'jira-cloud')} ${connection('fine', 'conn-iam-project')} }`, { token });
      const elapsedMs = Date.now() - startedAt;
      expect(response.status).toBe(200);
      expect(response.body.data).toEqual({ stuck: null, throttled: null, fine: { connectionId: 'conn-iam-project', name: 'project-iam' } });
      const errorAt = (alias: string) => response.body.errors!.find((error) => error.path?.[0] === alias)!;
      expect(errorAt('stuck').extensions).toMatchObject({ code: 'UPSTREAM_ERROR', aws: { service: 'datazone', errorName: 'RequestDeadlineExceeded' } });
      expect(errorAt('throttled').extensions).toMatchObject({ code: 'UPSTREAM_ERROR', aws: { service: 'quicksight', errorName: 'RequestDeadlineExceeded' } });
      expect(elapsedMs).toBeGreaterThanOrEqual(390);
      expect(elapsedMs).toBeLessThan(2_000);
      // The hanging call was abandoned, not retried; the throttled one stopped retrying at the deadline.
      expect(attemptsFor(slow, 'conn-athena-sales')).toBe(1);
      expect(attemptsFor(slow, 'jira-cloud')).toBeGreaterThanOrEqual(1);
      expect(attemptsFor(slow, 'jira-cloud')).toBeLessThan(10);
    } finally {
      await slow.close();
    }
  });

  it('a call of the request itself (not shared) is closed on the wire at the deadline, not just no longer awaited', async () => {
    const slow = await startStack({ env: { REQUEST_DEADLINE_MS: '400', AWS_REQUEST_TIMEOUT_MS: '20000', AWS_SHARE_READS: 'false' } });
    try {
      slow.emulator.injectFault({ service: 'datazone', id: 'conn-athena-sales', kind: 'hang' });
      const response = await slow.graphql(`{ ${connection('stuck', 'conn-athena-sales')} }`, { token });
      expect(response.body.data).toEqual({ stuck: null });
      expect(response.body.errors?.[0]?.extensions).toMatchObject({ code: 'UPSTREAM_ERROR', aws: { errorName: 'RequestDeadlineExceeded' } });
      // The emulator sees the subgraph close the HTTP request long before the 20 s per-attempt timeout.
      await waitFor(() => slow.emulator.calls.some((call) => call.params['identifier'] === 'conn-athena-sales' && call.abandoned === true), 'the hanging call to be closed');
      expect(attemptsFor(slow, 'conn-athena-sales')).toBe(1);
    } finally {
      await slow.close();
    }
  });

  it('loadConfig - REQUEST_DEADLINE_MS and SHUTDOWN_TIMEOUT_MS are validated, with documented defaults', async () => {
    const { loadConfig } = await import('../src/config/config.js');
    expect(loadConfig({})).toMatchObject({ requestDeadlineMs: 10_000, shutdownTimeoutMs: 15_000 });
    expect(() => loadConfig({ REQUEST_DEADLINE_MS: '0' })).toThrow(/REQUEST_DEADLINE_MS/);
    expect(() => loadConfig({ SHUTDOWN_TIMEOUT_MS: 'soon' })).toThrow(/SHUTDOWN_TIMEOUT_MS/);
  });
});

describe('request ids and request logs', () => {
  it('createAwsClients - every call of its clients carries the request id of the loader that made it; not with callScope false', async () => {
    const key = { domainIdentifier: DEMO_DOMAIN_ID, identifier: 'conn-athena-sales', withSecret: false };
    // Other stacks of this file pointed the SDK elsewhere: point it at this one's emulator again.
    Object.assign(process.env, emulatorSdkEnvironment(stack.emulator.url));
    const scoped = createAwsClients(stack.config);
    const plain = createAwsClients(stack.config, { callScope: false });
    try {
      stack.emulator.resetCalls();
      const deps = { concurrency: 4, reads: UNSHARED_READS, scope: { requestId: 'from-the-clients' } };
      expect((await createOperationLoader(getConnection, { ...deps, clients: scoped }).load(key)).connectionId).toBe('conn-athena-sales');
      expect((await createOperationLoader(getConnection, { ...deps, clients: plain }).load(key)).connectionId).toBe('conn-athena-sales');
      expect(stack.emulator.calls.map((call) => call.subgraphRequestId)).toEqual(['from-the-clients', undefined]);
    } finally {
      destroyAwsClients(scoped);
      destroyAwsClients(plain);
    }
  });

  it('installCallScope - a client that already made calls (its middleware cached) carries the request id once it is installed', async () => {
    const client = new DataZoneClient({
      endpoint: stack.emulator.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'example-secret' },
      cacheMiddleware: true,
    });
    try {
      stack.emulator.resetCalls();
      // The first call makes the SDK cache this command class's middleware handler.
      await client.send(new GetConnectionCommand({ domainIdentifier: DEMO_DOMAIN_ID, identifier: 'conn-iam-project' }));
      installCallScope(client);
      installCallScope(client);
      const loader = createOperationLoader(getConnection, { clients: { datazone: client }, concurrency: 4, reads: UNSHARED_READS, scope: { requestId: 'after-the-cache' } });
      expect((await loader.load({ domainIdentifier: DEMO_DOMAIN_ID, identifier: 'conn-athena-sales', withSecret: false })).connectionId).toBe('conn-athena-sales');
      expect(stack.emulator.calls.map((call) => call.subgraphRequestId)).toEqual([undefined, 'after-the-cache']);
    } finally {
      client.destroy();
    }
  });

  it('x-request-id - echoed, sent to AWS on every call as x-subgraph-request-id, and on the one log line of the request', async () => {
    stack.emulator.resetCalls();
    const linesBefore = stack.logLines.length;
    const fault = stack.emulator.injectFault({ service: 'datazone', id: 'conn-athena-sales', kind: 'error', errorName: 'AccessDeniedException' });
    try {
      const response = await stack.graphql(`query TwoConnections { ${connection('denied', 'conn-athena-sales')} ${connection('fine', 'conn-iam-project')} ${connector('connector', 'jira-cloud')} }`, {
        token,
        headers: { 'x-request-id': 'req-2024.abc:42' },
      });
      expect(response.headers.get('x-request-id')).toBe('req-2024.abc:42');
      expect(stack.emulator.calls).toHaveLength(3);
      for (const call of stack.emulator.calls) expect(call.subgraphRequestId).toBe('req-2024.abc:42');

      await waitFor(() => stack.logLines.slice(linesBefore).some((line) => line.includes('"graphql request"')), 'the request log line');
      const requestLines = stack.logLines.slice(linesBefore).filter((line) => line.includes('"graphql request"')).map((line) => JSON.parse(line));
      expect(requestLines).toHaveLength(1);
      expect(requestLines[0]).toMatchObject({ level: 30, requestId: 'req-2024.abc:42', operationName: 'TwoConnections', status: 200, errorCodes: { FORBIDDEN: 1 } });
      expect(requestLines[0].durationMs).toBeGreaterThan(0);
      // No per-field lines, and nothing of the caller's credentials.
      expect(stack.logLines.slice(linesBefore).join('')).not.toContain(token);
      expect(stack.logLines.slice(linesBefore).join('')).not.toContain('Bearer');
    } finally {
      fault.remove();
    }
  });

  it('x-request-id - a value that is not a plain token is replaced by a generated id before it reaches logs or AWS', async () => {
    stack.emulator.resetCalls();
    const response = await stack.graphql(`{ ${connection('fine', 'conn-iam-project')} }`, { token, headers: { 'x-request-id': 'evil" \u00e9\u00e9 {"level":60}' } });
    const requestId = response.headers.get('x-request-id')!;
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(stack.emulator.calls[0]!.subgraphRequestId).toBe(requestId);
  });

  it('a client that disconnects - its pending AWS call is abandoned and its log line says aborted', async () => {
    stack.emulator.resetCalls();
    const linesBefore = stack.logLines.length;
    const fault = stack.emulator.injectFault({ service: 'datazone', id: 'conn-athena-sales', kind: 'hang' });
    try {
      const controller = new AbortController();
      const pending = fetch(stack.subgraph.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-request-id': 'gone-client' },
        body: JSON.stringify({ query: `{ ${connection('stuck', 'conn-athena-sales')} }` }),
        signal: controller.signal,
      }).catch((error: unknown) => error);
      await waitFor(() => stack.emulator.calls.length === 1, 'the AWS call to arrive');
      controller.abort();
      expect(await pending).toBeInstanceOf(Error);
      await waitFor(() => stack.logLines.slice(linesBefore).some((line) => line.includes('"gone-client"')), 'the request log line');
      const line = JSON.parse(stack.logLines.slice(linesBefore).find((entry) => entry.includes('"gone-client"'))!);
      expect(line).toMatchObject({ requestId: 'gone-client', aborted: true });
      // The abandoned call was not retried after the client left.
      expect(stack.emulator.calls).toHaveLength(1);
    } finally {
      fault.remove();
    }
  });
});
