import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { trace } from '@opentelemetry/api';
import { activeTracer, startRequestSpan, startTracing, tracingWanted } from '../src/telemetry/tracing.js';
import { type Emulator, emulatorSdkEnvironment, startEmulator } from '../tools/emulator/index.js';
import { DEMO_AWS_ACCOUNT_ID, DEMO_DOMAIN_ID, SECRET_CANARY_PREFIX } from '../tools/emulator/seed.js';
import { COMPILED_SERVER } from './support/compiled.js';
import { type OtlpSpan, SPAN_KIND, STATUS_ERROR, attributesOf, startOtlpReceiver } from './support/otlp-receiver.js';
import { READ, SECRETS, TEST_JWT_SECRET, mintToken } from './support/stack.js';

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

describe('traces: the compiled server (npm start) exporting OTLP/HTTP to a receiver', () => {
  let emulator: Emulator;
  let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
  let child: ChildProcessWithoutNullStreams;
  let url: string;
  const output = { stdout: '' };
  let secretsReader: string;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    receiver = await startOtlpReceiver();
    child = spawn(process.execPath, [COMPILED_SERVER], {
      env: {
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        AUTH_JWT_SECRET: TEST_JWT_SECRET,
        AWS_REGION: 'us-east-1',
        ...emulatorSdkEnvironment(emulator.url),
        LOG_LEVEL: 'info',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '50',
        OTEL_SERVICE_NAME: 'aws-connections-subgraph-test',
      },
    });
    child.stdout.on('data', (chunk: Buffer) => (output.stdout += chunk.toString('utf8')));
    await vi.waitFor(() => expect(output.stdout).toContain('AWS connections subgraph ready'), { timeout: 20_000, interval: 20 });
    const ready = JSON.parse(output.stdout.split('\n').find((line) => line.includes('AWS connections subgraph ready')) as string) as { url: string; tracing: boolean };
    expect(ready.tracing).toBe(true);
    url = ready.url;
    secretsReader = await mintToken([READ, SECRETS]);
  });
  afterAll(async () => {
    child.kill('SIGKILL');
    await emulator.close();
    await new Promise((resolve) => receiver.server.close(resolve));
  });

  async function tracedRequest(query: string, variables: Record<string, unknown>, traceId: string, parentSpanId: string) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${secretsReader}`, traceparent: `00-${traceId}-${parentSpanId}-01` },
      body: JSON.stringify({ query, variables }),
    });
    const requestId = response.headers.get('x-request-id') as string;
    const body = (await response.json()) as { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> };
    const calls = emulator.calls.filter((call) => call.subgraphRequestId === requestId);
    // Every span of the request exported: the server span ends last, with the response.
    await vi.waitFor(
      () => {
        const spans = receiver.spans.filter((span) => span.traceId === traceId);
        expect(spans.filter((span) => span.kind === SPAN_KIND.SERVER)).toHaveLength(1);
        expect(spans.filter((span) => span.kind === SPAN_KIND.CLIENT)).toHaveLength(calls.length);
      },
      { timeout: 10_000, interval: 20 },
    );
    return { status: response.status, body, requestId, calls, spans: receiver.spans.filter((span) => span.traceId === traceId) };
  }

  const TRACED = `query Traced($id: ID!) {
    athena: dataZoneConnection(domainIdentifier: "${DEMO_DOMAIN_ID}", identifier: $id, withSecret: true) { name connectionCredentials { accessKeyId secretAccessKey sessionToken } }
    lake: dataZoneConnection(domainIdentifier: "${DEMO_DOMAIN_ID}", identifier: "conn-s3-datalake") { name }
    missing: dataZoneConnection(domainIdentifier: "${DEMO_DOMAIN_ID}", identifier: "conn-nowhere-to-be-found") { name }
    jira: quickSightActionConnector(awsAccountId: "${DEMO_AWS_ACCOUNT_ID}", actionConnectorId: "jira-cloud") { name }
  }`;

  it("a request with a traceparent - server span continues the caller's span, one CLIENT span per AWS call, the log line carries the trace id", async () => {
    const traceId = hex(16);
    const callerSpanId = hex(8);
    const { status, body, requestId, calls, spans } = await tracedRequest(TRACED, { id: 'conn-athena-sales' }, traceId, callerSpanId);
    expect(status).toBe(200);
    expect(body.errors?.map((error) => error.extensions?.code)).toEqual(['NOT_FOUND']);
    expect(calls).toHaveLength(4);

    const [server] = spans.filter((span) => span.kind === SPAN_KIND.SERVER) as [OtlpSpan];
    expect(server.parentSpanId).toBe(callerSpanId);
    expect(server.name).toBe('POST /graphql');
    expect(attributesOf(server)).toMatchObject({ 'http.request.method': 'POST', 'url.path': '/graphql', 'http.response.status_code': 200, 'graphql.operation.name': 'Traced', 'graphql.operation.type': 'query' });

    const operation = spans.find((span) => span.parentSpanId === server.spanId) as OtlpSpan;
    expect(operation.name).toBe('query Traced');
    expect(operation.status?.code).toBe(STATUS_ERROR);

    const clients = spans.filter((span) => span.kind === SPAN_KIND.CLIENT);
    // One span per AWS call, told apart by AWS's request id.
    expect(new Set(clients.map((span) => attributesOf(span)['aws.request_id']))).toEqual(new Set(calls.map((call) => call.requestId)));
    for (const client of clients) expect(attributesOf(client)).toMatchObject({ 'rpc.system': 'aws-api', 'cloud.region': 'us-east-1', 'aws.sdk.attempts': 1 });
    const byMethod = (method: string) => clients.filter((span) => attributesOf(span)['rpc.method'] === method);
    // The three GetConnection calls of one DataLoader batch share its span, the operation's child;
    // the lone DescribeActionConnector call is the operation's child itself.
    expect(byMethod('GetConnection')).toHaveLength(3);
    const batch = spans.find((span) => span.spanId === byMethod('GetConnection')[0]?.parentSpanId) as OtlpSpan;
    expect({ name: batch.name, parent: batch.parentSpanId, size: attributesOf(batch)['dataloader.batch.size'] }).toEqual({ name: 'load GetConnection', parent: operation.spanId, size: 3 });
    for (const client of byMethod('GetConnection')) expect(client.parentSpanId).toBe(batch.spanId);
    expect(byMethod('DescribeActionConnector').map((span) => span.parentSpanId)).toEqual([operation.spanId]);
    expect(attributesOf(byMethod('DescribeActionConnector')[0] as OtlpSpan)['rpc.service']).toBe('QuickSight');
    const failed = clients.filter((span) => span.status?.code === STATUS_ERROR);
    expect(failed.map((span) => attributesOf(span))).toEqual([expect.objectContaining({ 'rpc.service': 'DataZone', 'error.type': 'ResourceNotFoundException', 'aws.sdk.outcome': 'not_found' })]);

    await vi.waitFor(() => expect(output.stdout).toContain(requestId), { timeout: 5_000, interval: 20 });
    const line = JSON.parse(output.stdout.split('\n').find((entry) => entry.includes(requestId) && entry.includes('graphql request')) as string) as Record<string, unknown>;
    expect(line).toMatchObject({ trace_id: traceId, span_id: server.spanId });
  });

  it('the fast path - a document answered without Apollo Server is traced the same way', async () => {
    const plain = `query Plain { lake: dataZoneConnection(domainIdentifier: "${DEMO_DOMAIN_ID}", identifier: "conn-s3-datalake") { name } }`;
    // Apollo Server runs the first executions; from the third on, graphql-jit's compiled query answers
    // on the fast path, unless the accelerator is off (GRAPHQL_JIT_AFTER=0).
    const paths: unknown[] = [];
    for (let round = 0; round < 3; round += 1) {
      const traceId = hex(16);
      const { status, calls, spans, requestId } = await tracedRequest(plain, {}, traceId, hex(8));
      await vi.waitFor(() => expect(output.stdout).toContain(requestId), { timeout: 5_000, interval: 20 });
      paths.push((JSON.parse(output.stdout.split('\n').find((entry) => entry.includes(requestId) && entry.includes('graphql request')) as string) as Record<string, unknown>)['path']);
      expect(status).toBe(200);
      expect(calls).toHaveLength(1);
      const operation = spans.find((span) => span.name === 'query Plain') as OtlpSpan;
      expect(operation).toBeDefined();
      const [client] = spans.filter((span) => span.kind === SPAN_KIND.CLIENT) as [OtlpSpan];
      expect(attributesOf(client)['aws.request_id']).toBe(calls[0]?.requestId);
    }
    expect(paths).toEqual(process.env['GRAPHQL_JIT_AFTER'] === '0' ? ['apollo', 'apollo', 'apollo'] : ['apollo', 'apollo', 'fast']);
  });

  it('nothing secret is exported: no token, credential, canary, header value or variable value in any span', async () => {
    const traceId = hex(16);
    await tracedRequest(TRACED, { id: 'conn-athena-sales' }, traceId, hex(8));
    const exported = receiver.bodies.join('\n');
    expect(exported).toContain(traceId);
    for (const forbidden of [secretsReader, TEST_JWT_SECRET, SECRET_CANARY_PREFIX, 'Bearer', 'conn-athena-sales', 'conn-nowhere-to-be-found', 'jira-cloud', DEMO_DOMAIN_ID, DEMO_AWS_ACCOUNT_ID]) {
      expect(exported).not.toContain(forbidden);
    }
  });
});

describe('tracingWanted - the OTEL_* variables decide whether the SDK starts at all', () => {
  it.each([
    [{}, false],
    [{ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, true],
    [{ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://collector:4318/v1/traces' }, true],
    [{ OTEL_TRACES_EXPORTER: 'console' }, true],
    [{ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, false],
    [{ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' }, false],
  ])('%j -> %s', (env, wanted) => {
    expect(tracingWanted(env)).toBe(wanted);
  });

  it('startTracing - without an exporter, loads no SDK and registers no provider: every span is the API\'s no-op', async () => {
    const tracing = await startTracing({ OTEL_SERVICE_NAME: 'ignored-without-an-exporter' });
    expect(tracing.enabled).toBe(false);
    expect(activeTracer()).toBeUndefined();
    expect(startRequestSpan('POST', '/graphql', { traceparent: `00-${hex(16)}-${hex(8)}-01` })).toBeUndefined();
    expect(trace.getTracer('any').startSpan('any').isRecording()).toBe(false);
  });
});
