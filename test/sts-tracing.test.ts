import { DescribeActionConnectorCommand } from '@aws-sdk/client-quicksight';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsClients, createAwsClients, destroyAwsClients } from '../src/aws/clients.js';
import { loadConfig } from '../src/config/config.js';
import { type TracingHandle, startTracing } from '../src/telemetry/tracing.js';
import { type Emulator, MARKETING_ACCOUNT_ID, emulatorSdkEnvironment, startEmulator, targetIamOptions, targetRoleArn, targetsFileContent } from '../tools/emulator/index.js';

/** A span as OTLP/JSON carries it. */
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: Array<{ key: string; value: { stringValue?: string; intValue?: number | string } }>;
  status?: { code?: number };
}
const SPAN_KIND_CLIENT = 3;
const STATUS_ERROR = 2;
const REVOKED_ACCOUNT_ID = '123456789012';
const REVOKED_ROLE = `arn:aws:iam::${REVOKED_ACCOUNT_ID}:role/RevokedRead`;

let emulator: Emulator;
let receiver: Server;
let directory: string;
let tracing: TracingHandle;
let clients: AwsClients;
const bodies: string[] = [];
const spans: OtlpSpan[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, seed: false, iam: { ...targetIamOptions(), deniedRoles: ['RevokedRead'] } });
  // A real OTLP/HTTP receiver: what the SDK exports arrives here as OTLP/JSON.
  receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (request.url === '/v1/traces') {
        bodies.push(body);
        const parsed = JSON.parse(body) as { resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: OtlpSpan[] }> }> };
        for (const resource of parsed.resourceSpans ?? []) for (const scope of resource.scopeSpans ?? []) spans.push(...(scope.spans ?? []));
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  directory = mkdtempSync(join(tmpdir(), 'sts-tracing-'));
  const content = targetsFileContent() as { quickSight: { accounts: object[] } };
  content.quickSight.accounts.push({ accountId: REVOKED_ACCOUNT_ID, region: 'us-east-1', roleArn: REVOKED_ROLE });
  const file = join(directory, 'targets.json');
  writeFileSync(file, JSON.stringify(content));
  // This file runs in its own process: the SDKs (AWS's and OpenTelemetry's) read these from the environment.
  Object.assign(process.env, emulatorSdkEnvironment(emulator.url), {
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_SERVICE_NAME: 'sts-tracing-test',
  });
  tracing = await startTracing(process.env);
  expect(tracing.enabled).toBe(true);
  clients = createAwsClients(loadConfig({ ...process.env, AWS_TARGETS_FILE: file }));
});

afterAll(async () => {
  destroyAwsClients(clients);
  await emulator?.close();
  await new Promise((resolve) => receiver?.close(resolve));
  rmSync(directory, { recursive: true, force: true });
});

const attributesOf = (span: OtlpSpan) => Object.fromEntries((span.attributes ?? []).map(({ key, value }) => [key, value.stringValue ?? Number(value.intValue)]));

describe('STS AssumeRole - traced like every AWS call', () => {
  it('STS.AssumeRole - one CLIENT span per call, without a parent, with the outcome and request id; a refused role is an error span; no ARN or credential exported', async () => {
    const describeIn = (account: string) => clients.targets!.route('quicksight', account)!.client.send(new DescribeActionConnectorCommand({ AwsAccountId: account, ActionConnectorId: 'jira-cloud' }));
    // Nothing is seeded: the call itself is not found, but only after its role was assumed.
    await expect(describeIn(MARKETING_ACCOUNT_ID)).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await expect(describeIn(REVOKED_ACCOUNT_ID)).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(describeIn(REVOKED_ACCOUNT_ID)).rejects.toMatchObject({ name: 'AccessDenied' });
    // Exports what is buffered.
    await tracing.shutdown();

    const logged = emulator.iam.assumeRoleCalls;
    expect(logged.map((call) => [call.roleArn, call.error ?? 'issued'])).toEqual([
      [targetRoleArn(MARKETING_ACCOUNT_ID), 'issued'],
      [REVOKED_ROLE, 'AccessDenied'],
      [REVOKED_ROLE, 'AccessDenied'],
    ]);
    const sts = spans.filter((span) => span.name === 'STS.AssumeRole');
    expect(sts).toHaveLength(logged.length);
    for (const [index, span] of sts.entries()) {
      expect(span.kind).toBe(SPAN_KIND_CLIENT);
      // It runs inside the SDK's credential resolution, shared by whichever calls wait for the role: a trace of its own.
      expect(span.parentSpanId ?? '').toBe('');
      const refused = logged[index]!.error !== undefined;
      expect(attributesOf(span)).toEqual({
        'rpc.system': 'aws-api',
        'rpc.service': 'STS',
        'rpc.method': 'AssumeRole',
        'cloud.region': 'us-east-1',
        'aws.request_id': logged[index]!.requestId,
        'http.response.status_code': refused ? 403 : 200,
        'aws.sdk.attempts': 1,
        'aws.sdk.outcome': refused ? 'forbidden' : 'ok',
        ...(refused ? { 'error.type': 'AccessDenied' } : {}),
      });
      expect(span.status?.code === STATUS_ERROR).toBe(refused);
    }
    const exported = bodies.join('\n');
    expect(exported).not.toContain('arn:aws');
    for (const credentials of emulator.iam.issuedCredentials()) {
      for (const secret of [credentials.accessKeyId, credentials.secretAccessKey, credentials.sessionToken]) expect(exported).not.toContain(secret);
    }
  });
});
