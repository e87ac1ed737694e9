import { DescribeActionConnectorCommand } from '@aws-sdk/client-quicksight';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AwsClients, createAwsClients, destroyAwsClients } from '../src/aws/clients.js';
import { loadConfig } from '../src/config/config.js';
import { type TracingHandle, startTracing } from '../src/telemetry/tracing.js';
import { type Emulator, MARKETING_ACCOUNT_ID, emulatorSdkEnvironment, startEmulator, targetIamOptions, targetRoleArn, targetsFileContent } from '../tools/emulator/index.js';
import { SPAN_KIND, STATUS_ERROR, attributesOf, startOtlpReceiver } from './support/otlp-receiver.js';

const REVOKED_ACCOUNT_ID = '123456789012';
const REVOKED_ROLE = `arn:aws:iam::${REVOKED_ACCOUNT_ID}:role/RevokedRead`;

let emulator: Emulator;
let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
let directory: string;
let tracing: TracingHandle;
let clients: AwsClients;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, seed: false, iam: { ...targetIamOptions(), deniedRoles: ['RevokedRead'] } });
  receiver = await startOtlpReceiver();
  directory = mkdtempSync(join(tmpdir(), 'sts-tracing-'));
  const content = targetsFileContent() as { quickSight: { accounts: object[] } };
  content.quickSight.accounts.push({ accountId: REVOKED_ACCOUNT_ID, region: 'us-east-1', roleArn: REVOKED_ROLE });
  const file = join(directory, 'targets.json');
  writeFileSync(file, JSON.stringify(content));
  // This file runs in its own process: the SDKs (AWS's and OpenTelemetry's) read these from the environment.
  Object.assign(process.env, emulatorSdkEnvironment(emulator.url), {
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
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
  await new Promise((resolve) => receiver?.server.close(resolve));
  rmSync(directory, { recursive: true, force: true });
});

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
    const sts = receiver.spans.filter((span) => span.name === 'STS.AssumeRole');
    expect(sts).toHaveLength(logged.length);
    for (const [index, span] of sts.entries()) {
      expect(span.kind).toBe(SPAN_KIND.CLIENT);
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
    const exported = receiver.bodies.join('\n');
    expect(exported).not.toContain('arn:aws');
    for (const credentials of emulator.iam.issuedCredentials()) {
      for (const secret of [credentials.accessKeyId, credentials.secretAccessKey, credentials.sessionToken]) expect(exported).not.toContain(secret);
    }
  });
});
