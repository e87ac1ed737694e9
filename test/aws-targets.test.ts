import { DescribeActionConnectorCommand, QuickSightClient } from '@aws-sdk/client-quicksight';
import { DataZoneClient, GetConnectionCommand } from '@aws-sdk/client-datazone';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createAwsClients, destroyAwsClients } from '../src/aws/clients.js';
import {
  DEMO_AWS_ACCOUNT_ID,
  DEMO_DOMAIN_ID,
  EUROPE_ACCOUNT_ID,
  EUROPE_DOMAIN_ID,
  EUROPE_REGION,
  MARKETING_ACCOUNT_ID,
  type RecordedCall,
  seedTargetData,
  startEmulator,
  targetIamOptions,
  targetRoleArn,
  targetsFileContent,
} from '../tools/emulator/index.js';
import { READ, SECRETS, type Stack, mintToken, startStack } from './support/stack.js';

/** An account in the targets file whose role the emulator's STS refuses to let the subgraph assume. */
const REVOKED_ACCOUNT_ID = '123456789012';
const REVOKED_ROLE = `arn:aws:iam::${REVOKED_ACCOUNT_ID}:role/RevokedRead`;
/** An account only the STS metrics test reads: its role is assumed there first, whichever tests ran before. */
const METRICS_ACCOUNT_ID = '222233334444';
const METRICS_ROLE = `arn:aws:iam::${METRICS_ACCOUNT_ID}:role/MetricsRead`;
/** An account and a domain the targets file does not name. */
const UNNAMED_ACCOUNT_ID = '999988887777';
const UNNAMED_DOMAIN_ID = 'dzd_unnamed0001';
const HOME_REGION = 'us-east-1';
const BASE_ACCESS_KEY_ID = 'AKIDEMULATOR';

/** The region each QuickSight account of the targets file is read in. */
const ACCOUNT_REGION: Record<string, string> = {
  [DEMO_AWS_ACCOUNT_ID]: HOME_REGION,
  [MARKETING_ACCOUNT_ID]: HOME_REGION,
  [EUROPE_ACCOUNT_ID]: EUROPE_REGION,
};

let stack: Stack;
let reader: string;
let directory: string;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'aws-targets-'));
  const content = targetsFileContent() as { quickSight: { accounts: object[] } };
  content.quickSight.accounts.push({ accountId: REVOKED_ACCOUNT_ID, region: HOME_REGION, roleArn: REVOKED_ROLE });
  content.quickSight.accounts.push({ accountId: METRICS_ACCOUNT_ID, region: HOME_REGION, roleArn: METRICS_ROLE });
  const file = join(directory, 'targets.json');
  writeFileSync(file, JSON.stringify(content));
  // Debug level: every log line the subgraph can write is scanned for credentials below.
  stack = await startStack({ env: { AWS_TARGETS_FILE: file, LOG_LEVEL: 'debug' }, emulator: { iam: { ...targetIamOptions(), deniedRoles: ['RevokedRead'] } } });
  const data = seedTargetData();
  for (const { awsAccountId, connector } of data.actionConnectors) stack.emulator.putActionConnector(awsAccountId, connector);
  for (const connection of data.connections) stack.emulator.putConnection(connection);
  reader = await mintToken([READ]);
});

afterAll(async () => {
  await stack?.close();
  rmSync(directory, { recursive: true, force: true });
});

const describeCalls = (account: string) => stack.emulator.calls.filter((call) => call.operation === 'DescribeActionConnector' && call.params['AwsAccountId'] === account);
const callsTo = (account: string) => stack.emulator.calls.filter((call) => call.params['AwsAccountId'] === account);

/** The account and role that signed `call`, as the emulator tells them from its access key. */
function signer(call: RecordedCall) {
  return { account: stack.emulator.iam.accountOf(call.accessKeyId), role: stack.emulator.iam.roleOf(call.accessKeyId), region: call.region };
}

describe('AWS_TARGETS_FILE - three accounts in two regions', () => {
  it('QuickSightActionConnector - each account is read with its own role, in its own region', async () => {
    stack.emulator.resetCalls();
    const response = await stack.graphql(
      `{
        home: quickSightActionConnector(awsAccountId: "${DEMO_AWS_ACCOUNT_ID}", actionConnectorId: "jira-cloud") { name arn }
        marketing: quickSightActionConnector(awsAccountId: "${MARKETING_ACCOUNT_ID}", actionConnectorId: "jira-cloud") { name arn }
        europe: quickSightActionConnector(awsAccountId: "${EUROPE_ACCOUNT_ID}", actionConnectorId: "jira-cloud") { name arn }
      }`,
      { token: reader },
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data).toEqual({
      home: { name: 'Jira Cloud (Engineering)', arn: `arn:aws:quicksight:us-east-1:${DEMO_AWS_ACCOUNT_ID}:action-connector/jira-cloud` },
      marketing: { name: 'Marketing Jira Cloud (Engineering)', arn: `arn:aws:quicksight:us-east-1:${MARKETING_ACCOUNT_ID}:action-connector/jira-cloud` },
      europe: { name: 'Europe Jira Cloud (Engineering)', arn: `arn:aws:quicksight:${EUROPE_REGION}:${EUROPE_ACCOUNT_ID}:action-connector/jira-cloud` },
    });
    expect(signer(describeCalls(DEMO_AWS_ACCOUNT_ID)[0]!)).toEqual({ account: DEMO_AWS_ACCOUNT_ID, role: undefined, region: HOME_REGION });
    expect(describeCalls(DEMO_AWS_ACCOUNT_ID)[0]!.accessKeyId).toBe(BASE_ACCESS_KEY_ID);
    for (const account of [MARKETING_ACCOUNT_ID, EUROPE_ACCOUNT_ID]) {
      const [call] = describeCalls(account);
      expect(signer(call!)).toEqual({ account, role: targetRoleArn(account), region: ACCOUNT_REGION[account] });
    }
    // The emulator refuses what AWS refuses: nothing here was refused.
    expect(stack.emulator.calls.filter((call) => call.refused !== undefined)).toEqual([]);
    const assumed = stack.emulator.iam.assumeRoleCalls.filter((call) => call.error === undefined);
    expect(new Set(assumed.map((call) => call.roleArn))).toEqual(new Set([targetRoleArn(MARKETING_ACCOUNT_ID), targetRoleArn(EUROPE_ACCOUNT_ID)]));
    // The session name tells CloudTrail in the target account who assumed the role; the subgraph's own key signed it.
    for (const call of assumed) expect(call).toMatchObject({ roleSessionName: 'aws-connections-subgraph', callerAccessKeyId: BASE_ACCESS_KEY_ID });
  });

  it('DataZoneConnection - a domain is read in its region, with its account\'s role where the file names one', async () => {
    stack.emulator.resetCalls();
    const response = await stack.graphql(
      `{
        home: dataZoneConnection(domainIdentifier: "${DEMO_DOMAIN_ID}", identifier: "conn-athena-sales") { name domainId }
        europe: dataZoneConnection(domainIdentifier: "${EUROPE_DOMAIN_ID}", identifier: "conn-athena-sales") { name domainId }
      }`,
      { token: reader },
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data).toEqual({
      home: { name: 'athena-sales', domainId: DEMO_DOMAIN_ID },
      europe: { name: 'eu-athena-sales', domainId: EUROPE_DOMAIN_ID },
    });
    const byDomain = (domain: string) => stack.emulator.calls.filter((call) => call.operation === 'GetConnection' && call.params['domainIdentifier'] === domain);
    expect(byDomain(DEMO_DOMAIN_ID).map(signer)).toEqual([{ account: DEMO_AWS_ACCOUNT_ID, role: undefined, region: HOME_REGION }]);
    expect(byDomain(EUROPE_DOMAIN_ID).map(signer)).toEqual([{ account: EUROPE_ACCOUNT_ID, role: targetRoleArn(EUROPE_ACCOUNT_ID), region: EUROPE_REGION }]);
    // QuickSight's and DataZone's clients of the European account share its role's credentials: one AssumeRole.
    expect(stack.emulator.iam.assumeRoleCalls.filter((call) => call.roleArn === targetRoleArn(EUROPE_ACCOUNT_ID) && call.error === undefined)).toHaveLength(1);
  });

  it('_entities - batching is exact per target: one call per distinct id in each account', async () => {
    stack.emulator.resetCalls();
    const representation = (awsAccountId: string, actionConnectorId: string) => ({ __typename: 'QuickSightActionConnector', awsAccountId, actionConnectorId });
    const representations = [
      representation(DEMO_AWS_ACCOUNT_ID, 'jira-cloud'),
      representation(MARKETING_ACCOUNT_ID, 'jira-cloud'),
      representation(EUROPE_ACCOUNT_ID, 'jira-cloud'),
      representation(MARKETING_ACCOUNT_ID, 'salesforce-crm'),
      representation(DEMO_AWS_ACCOUNT_ID, 'zendesk-support'),
      representation(MARKETING_ACCOUNT_ID, 'jira-cloud'),
      representation(EUROPE_ACCOUNT_ID, 'servicenow-prod'),
      representation(DEMO_AWS_ACCOUNT_ID, 'jira-cloud'),
      representation(MARKETING_ACCOUNT_ID, 'zendesk-support'),
    ];
    const response = await stack.graphql(`query($r: [_Any!]!) { _entities(representations: $r) { ... on QuickSightActionConnector { awsAccountId actionConnectorId arn } } }`, {
      token: reader,
      variables: { r: representations },
    });
    expect(response.body.errors).toBeUndefined();
    const entities = response.body.data!['_entities'] as Array<{ awsAccountId: string; actionConnectorId: string; arn: string }>;
    // In representation order, each from its own account.
    expect(entities.map((entity) => [entity.awsAccountId, entity.actionConnectorId])).toEqual(representations.map((r) => [r.awsAccountId, r.actionConnectorId]));
    for (const entity of entities) expect(entity.arn).toContain(`:${entity.awsAccountId}:action-connector/${entity.actionConnectorId}`);
    const calledIds = (account: string) => describeCalls(account).map((call) => call.params['ActionConnectorId']).sort();
    expect(calledIds(DEMO_AWS_ACCOUNT_ID)).toEqual(['jira-cloud', 'zendesk-support']);
    expect(calledIds(MARKETING_ACCOUNT_ID)).toEqual(['jira-cloud', 'salesforce-crm', 'zendesk-support']);
    expect(calledIds(EUROPE_ACCOUNT_ID)).toEqual(['jira-cloud', 'servicenow-prod']);
    for (const call of stack.emulator.calls) expect(signer(call).account).toBe(call.params['AwsAccountId']);
  });

  it('quickSightActionConnector - an account the file does not name is refused before any AWS call, naming the argument; siblings intact', async () => {
    stack.emulator.resetCalls();
    const response = await stack.graphql(
      `{
        unnamed: quickSightActionConnector(awsAccountId: "${UNNAMED_ACCOUNT_ID}", actionConnectorId: "jira-cloud") { name }
        listed: quickSightActionConnectors(awsAccountId: "${UNNAMED_ACCOUNT_ID}", first: 5) { edges { node { name } } }
        domain: dataZoneConnection(domainIdentifier: "${UNNAMED_DOMAIN_ID}", identifier: "conn-athena-sales") { name }
        sibling: quickSightActionConnector(awsAccountId: "${MARKETING_ACCOUNT_ID}", actionConnectorId: "salesforce-crm") { name }
      }`,
      { token: reader },
    );
    expect(response.body.data).toEqual({ unnamed: null, listed: null, domain: null, sibling: { name: 'Marketing Salesforce CRM' } });
    const errors = response.body.errors ?? [];
    expect(errors.map((error) => [error.path?.[0], error.extensions?.['code'], error.extensions?.['argumentName']]).sort()).toEqual([
      ['domain', 'FORBIDDEN', 'domainIdentifier'],
      ['listed', 'FORBIDDEN', 'awsAccountId'],
      ['unnamed', 'FORBIDDEN', 'awsAccountId'],
    ]);
    for (const error of errors) expect(error.message).toContain(`"${error.extensions?.['argumentName'] as string}"`);
    expect(callsTo(UNNAMED_ACCOUNT_ID)).toEqual([]);
    // Entities name the key fields the representation carries.
    const entities = await stack.graphql(`query($r: [_Any!]!) { _entities(representations: $r) { ... on DataZoneConnection { name } ... on QuickSightActionConnector { name } } }`, {
      token: reader,
      variables: {
        r: [
          { __typename: 'DataZoneConnection', domainId: UNNAMED_DOMAIN_ID, connectionId: 'conn-athena-sales' },
          { __typename: 'QuickSightActionConnector', awsAccountId: UNNAMED_ACCOUNT_ID, actionConnectorId: 'jira-cloud' },
          { __typename: 'DataZoneConnection', domainId: EUROPE_DOMAIN_ID, connectionId: 'conn-athena-sales' },
        ],
      },
    });
    expect(entities.body.data).toEqual({ _entities: [null, null, { name: 'eu-athena-sales' }] });
    // Sorted by path: graphql-js and graphql-jit list the errors of one list in different orders.
    const entityErrors = (entities.body.errors ?? []).map((error) => [error.path, error.extensions?.['code'], error.extensions?.['argumentName'], error.message.includes(`"${error.extensions?.['argumentName'] as string}"`)]);
    expect(entityErrors.sort((a, b) => String(a[0]).localeCompare(String(b[0])))).toEqual([
      [['_entities', 0], 'FORBIDDEN', 'domainId', true],
      [['_entities', 1], 'FORBIDDEN', 'awsAccountId', true],
    ]);
    expect(stack.emulator.calls.filter((call) => call.params['domainIdentifier'] === UNNAMED_DOMAIN_ID)).toEqual([]);
    expect(stack.emulator.calls.map((call) => call.params['AwsAccountId'] ?? call.params['domainIdentifier'])).toEqual([MARKETING_ACCOUNT_ID, EUROPE_DOMAIN_ID]);
  });

  it('QuickSightActionConnector - a role STS refuses fails its account\'s items only, as FORBIDDEN naming STS', async () => {
    stack.emulator.resetCalls();
    const response = await stack.graphql(
      `{
        revoked: quickSightActionConnector(awsAccountId: "${REVOKED_ACCOUNT_ID}", actionConnectorId: "jira-cloud") { name }
        revokedToo: quickSightActionConnector(awsAccountId: "${REVOKED_ACCOUNT_ID}", actionConnectorId: "zendesk-support") { name }
        marketing: quickSightActionConnector(awsAccountId: "${MARKETING_ACCOUNT_ID}", actionConnectorId: "jira-cloud") { name }
        europe: dataZoneConnection(domainIdentifier: "${EUROPE_DOMAIN_ID}", identifier: "conn-redshift-cluster") { name }
      }`,
      { token: reader },
    );
    expect(response.body.data).toEqual({ revoked: null, revokedToo: null, marketing: { name: 'Marketing Jira Cloud (Engineering)' }, europe: { name: 'eu-redshift-sales-cluster' } });
    const errors = response.body.errors ?? [];
    expect(errors.map((error) => error.path?.[0]).sort()).toEqual(['revoked', 'revokedToo']);
    for (const error of errors) {
      expect(error.extensions?.['code']).toBe('FORBIDDEN');
      expect(error.extensions?.['aws']).toMatchObject({ service: 'sts', errorName: 'AccessDenied' });
      expect(typeof (error.extensions?.['aws'] as { requestId: unknown }).requestId).toBe('string');
    }
    // STS said no, so QuickSight was never asked for that account.
    expect(callsTo(REVOKED_ACCOUNT_ID)).toEqual([]);
    expect(stack.emulator.iam.assumeRoleCalls.filter((call) => call.roleArn === REVOKED_ROLE).map((call) => call.error)).toContain('AccessDenied');
  });

  it('aws_attempts_total - STS AssumeRole calls are counted by outcome, equal to the emulator\'s STS log, refused roles included; no ARN or credential in any label', async () => {
    const stsSamples = async () => {
      const response = await fetch(stack.subgraph.metricsUrl);
      const text = await response.text();
      const sum = (metric: string, outcome: string) =>
        text
          .split('\n')
          .filter((line) => line.startsWith(`aws_connections_subgraph_${metric}{`) && line.includes('service="sts"') && line.includes('operation="AssumeRole"') && line.includes(`outcome="${outcome}"`))
          .reduce((total, line) => total + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
      return { text, attempts: { ok: sum('aws_attempts_total', 'ok'), forbidden: sum('aws_attempts_total', 'forbidden') }, calls: { ok: sum('aws_call_duration_seconds_count', 'ok'), forbidden: sum('aws_call_duration_seconds_count', 'forbidden') } };
    };
    const before = await stsSamples();
    const logged = stack.emulator.iam.assumeRoleCalls.length;
    const read = (account: string) => stack.graphql(`{ quickSightActionConnector(awsAccountId: "${account}", actionConnectorId: "jira-cloud") { name } }`, { token: reader });
    // A refused role is asked again on the next read (a failure is held by nobody): the provider's plugins are applied to its STS client once per call.
    await Promise.all([read(METRICS_ACCOUNT_ID), read(REVOKED_ACCOUNT_ID), read(EUROPE_ACCOUNT_ID)]);
    await read(REVOKED_ACCOUNT_ID);
    await read(METRICS_ACCOUNT_ID);
    const after = await stsSamples();
    const sts = stack.emulator.iam.assumeRoleCalls.slice(logged);
    const issued = sts.filter((call) => call.error === undefined);
    const refused = sts.filter((call) => call.error === 'AccessDenied');
    expect(refused.map((call) => call.roleArn)).toEqual([REVOKED_ROLE, REVOKED_ROLE]);
    expect(issued.map((call) => call.roleArn)).toContain(METRICS_ROLE);
    expect(issued.length + refused.length).toBe(sts.length);
    expect({ ok: after.attempts.ok - before.attempts.ok, forbidden: after.attempts.forbidden - before.attempts.forbidden }).toEqual({ ok: issued.length, forbidden: refused.length });
    // One attempt per call: STS does not retry AccessDenied.
    expect({ ok: after.calls.ok - before.calls.ok, forbidden: after.calls.forbidden - before.calls.forbidden }).toEqual({ ok: issued.length, forbidden: refused.length });
    const check = spawnSync('promtool', ['check', 'metrics'], { input: after.text, encoding: 'utf8' });
    expect({ status: check.status, findings: `${check.stdout}${check.stderr}`.trim() }).toEqual({ status: 0, findings: '' });
    expect(after.text).not.toContain('arn:aws');
    expect(after.text).not.toContain(METRICS_ACCOUNT_ID);
    for (const credentials of stack.emulator.iam.issuedCredentials()) {
      for (const secret of [credentials.accessKeyId, credentials.secretAccessKey, credentials.sessionToken]) expect(after.text).not.toContain(secret);
    }
  });

  it('quickSightActionConnectors, dataZoneConnections - lists and search per account and per domain, each page from its target', async () => {
    stack.emulator.resetCalls();
    const response = await stack.graphql(
      `{
        marketing: quickSightActionConnectors(awsAccountId: "${MARKETING_ACCOUNT_ID}", first: 10) { edges { node { actionConnectorId name } } pageInfo { hasNextPage } }
        europeSearch: quickSightActionConnectors(awsAccountId: "${EUROPE_ACCOUNT_ID}", first: 10, filter: { nameLike: "europe" }) { edges { node { actionConnectorId } } }
        europe: dataZoneConnections(domainIdentifier: "${EUROPE_DOMAIN_ID}", first: 10) { edges { node { connectionId name description } } }
      }`,
      { token: reader },
    );
    expect(response.body.errors).toBeUndefined();
    const data = response.body.data as Record<string, { edges: Array<{ node: Record<string, string> }> }>;
    expect(data['marketing']!.edges.map((edge) => edge.node['actionConnectorId']).sort()).toEqual(['jira-cloud', 'salesforce-crm', 'zendesk-support']);
    expect(data['europeSearch']!.edges.map((edge) => edge.node['actionConnectorId']).sort()).toEqual(['jira-cloud', 'servicenow-prod']);
    expect(data['europe']!.edges.map((edge) => edge.node['connectionId']).sort()).toEqual(['conn-athena-sales', 'conn-redshift-cluster']);
    const signers = (operation: string) => stack.emulator.calls.filter((call) => call.operation === operation).map(signer);
    expect(signers('ListActionConnectors')).toEqual([{ account: MARKETING_ACCOUNT_ID, role: targetRoleArn(MARKETING_ACCOUNT_ID), region: HOME_REGION }]);
    expect(signers('SearchActionConnectors')).toEqual([{ account: EUROPE_ACCOUNT_ID, role: targetRoleArn(EUROPE_ACCOUNT_ID), region: EUROPE_REGION }]);
    expect(signers('ListConnections')).toEqual([{ account: EUROPE_ACCOUNT_ID, role: targetRoleArn(EUROPE_ACCOUNT_ID), region: EUROPE_REGION }]);
    // `description` is not in the list summary: one GetConnection per item, in the domain's region.
    expect(signers('GetConnection')).toEqual([1, 2].map(() => ({ account: EUROPE_ACCOUNT_ID, role: targetRoleArn(EUROPE_ACCOUNT_ID), region: EUROPE_REGION })));
  });

  it('shared reads - identical reads of two callers at one target share one AWS call; the same id at two targets does not', async () => {
    stack.emulator.resetCalls();
    stack.emulator.setLatency(150);
    try {
      const query = (domain: string) => `{ dataZoneConnection(domainIdentifier: "${domain}", identifier: "conn-redshift-cluster") { name } }`;
      const [first, second, home] = await Promise.all([
        stack.graphql(query(EUROPE_DOMAIN_ID), { token: reader }),
        stack.graphql(query(EUROPE_DOMAIN_ID), { token: await mintToken([READ]) }),
        stack.graphql(query(DEMO_DOMAIN_ID), { token: reader }),
      ]);
      expect([first, second, home].map((response) => response.body)).toEqual([
        { data: { dataZoneConnection: { name: 'eu-redshift-sales-cluster' } } },
        { data: { dataZoneConnection: { name: 'eu-redshift-sales-cluster' } } },
        { data: { dataZoneConnection: { name: 'redshift-sales-cluster' } } },
      ]);
    } finally {
      stack.emulator.setLatency(0);
    }
    const calls = stack.emulator.calls.filter((call) => call.operation === 'GetConnection');
    expect(calls.map((call) => [call.params['domainIdentifier'], call.region]).sort()).toEqual([
      [DEMO_DOMAIN_ID, HOME_REGION],
      [EUROPE_DOMAIN_ID, EUROPE_REGION],
    ]);
  });

  it('assumed-role credentials - never in a log line or a response, whatever was asked', async () => {
    const secretsReader = await mintToken([READ, SECRETS]);
    const bodies: string[] = [];
    for (const token of [reader, secretsReader]) {
      const response = await stack.graphql(
        `{
          a: quickSightActionConnector(awsAccountId: "${EUROPE_ACCOUNT_ID}", actionConnectorId: "jira-cloud") { name }
          b: quickSightActionConnector(awsAccountId: "${REVOKED_ACCOUNT_ID}", actionConnectorId: "jira-cloud") { name }
          c: dataZoneConnection(domainIdentifier: "${EUROPE_DOMAIN_ID}", identifier: "conn-athena-sales") { name connectionCredentials { accessKeyId } }
          d: dataZoneConnection(domainIdentifier: "${EUROPE_DOMAIN_ID}", identifier: "conn-missing") { name }
        }`,
        { token },
      );
      bodies.push(response.text);
    }
    const issued = stack.emulator.iam.issuedCredentials();
    expect(issued.length).toBeGreaterThanOrEqual(2);
    const everything = [...stack.logLines, ...bodies].join('\n');
    // The test would pass vacuously if nothing was logged or answered.
    expect(stack.logLines.length).toBeGreaterThan(0);
    expect(everything).toContain('eu-athena-sales');
    for (const credentials of issued) {
      expect(everything).not.toContain(credentials.secretAccessKey);
      expect(everything).not.toContain(credentials.sessionToken);
      expect(everything).not.toContain(credentials.accessKeyId);
    }
  });
});

describe('AWS emulator - refuses what AWS refuses, by the signing key and region', () => {
  const credentials = { accessKeyId: BASE_ACCESS_KEY_ID, secretAccessKey: 'base' };
  const failure = (promise: Promise<unknown>) => promise.then(() => undefined, (error: { name: string }) => error.name);

  it('QuickSight - a call signed by another account than the path\'s AwsAccountId is AccessDeniedException; another region than the account\'s finds nothing', async () => {
    const client = new QuickSightClient({ endpoint: stack.emulator.url, region: HOME_REGION, credentials, maxAttempts: 1 });
    const europeKey = stack.emulator.iam.issuedCredentials().find((issued) => issued.accountId === EUROPE_ACCOUNT_ID)!;
    const inEurope = (region: string) =>
      new QuickSightClient({ endpoint: stack.emulator.url, region, credentials: { accessKeyId: europeKey.accessKeyId, secretAccessKey: europeKey.secretAccessKey, sessionToken: europeKey.sessionToken }, maxAttempts: 1 });
    const [europeHome, europeAway] = [inEurope(EUROPE_REGION), inEurope(HOME_REGION)];
    const describe = (on: QuickSightClient, AwsAccountId: string) => failure(on.send(new DescribeActionConnectorCommand({ AwsAccountId, ActionConnectorId: 'jira-cloud' })));
    try {
      expect(await describe(client, MARKETING_ACCOUNT_ID)).toBe('AccessDeniedException');
      expect(await describe(client, DEMO_AWS_ACCOUNT_ID)).toBeUndefined();
      expect(await describe(europeHome, EUROPE_ACCOUNT_ID)).toBeUndefined();
      expect(await describe(europeAway, EUROPE_ACCOUNT_ID)).toBe('ResourceNotFoundException');
      expect(await describe(europeHome, DEMO_AWS_ACCOUNT_ID)).toBe('AccessDeniedException');
    } finally {
      for (const each of [client, europeHome, europeAway]) each.destroy();
    }
  });

  it('DataZone - a call to another region than its domain\'s is ResourceNotFoundException; another account\'s key is AccessDeniedException', async () => {
    const home = new DataZoneClient({ endpoint: stack.emulator.url, region: HOME_REGION, credentials, maxAttempts: 1 });
    const europe = new DataZoneClient({ endpoint: stack.emulator.url, region: EUROPE_REGION, credentials, maxAttempts: 1 });
    const get = (client: DataZoneClient, domainIdentifier: string) => failure(client.send(new GetConnectionCommand({ domainIdentifier, identifier: 'conn-athena-sales' })));
    try {
      expect(await get(home, EUROPE_DOMAIN_ID)).toBe('ResourceNotFoundException');
      expect(await get(europe, EUROPE_DOMAIN_ID)).toBe('AccessDeniedException');
      expect(await get(europe, DEMO_DOMAIN_ID)).toBe('ResourceNotFoundException');
      expect(await get(home, DEMO_DOMAIN_ID)).toBeUndefined();
    } finally {
      home.destroy();
      europe.destroy();
    }
  });
});

describe('createAwsClients - per-target clients', () => {
  it('one client per service, account and region, reused; the rate limit is keyed by operation, account and region', async () => {
    const keys: string[] = [];
    const config = { ...stack.config, aws: { ...stack.config.aws, rateLimitPerSecond: 100 } };
    const clients = createAwsClients(config, { slots: (key) => void keys.push(key) });
    try {
      const targets = clients.targets!;
      const marketing = targets.route('quicksight', MARKETING_ACCOUNT_ID)!;
      expect(targets.route('quicksight', MARKETING_ACCOUNT_ID)!.client).toBe(marketing.client);
      const europe = targets.route('quicksight', EUROPE_ACCOUNT_ID)!;
      expect(europe.client).not.toBe(marketing.client);
      expect(targets.route('datazone', EUROPE_DOMAIN_ID)!.client).not.toBe(europe.client);
      expect(targets.route('quicksight', UNNAMED_ACCOUNT_ID)).toBeUndefined();
      expect(await europe.client.config.region()).toBe(EUROPE_REGION);
      await marketing.client.send(new DescribeActionConnectorCommand({ AwsAccountId: MARKETING_ACCOUNT_ID, ActionConnectorId: 'jira-cloud' }));
      await europe.client.send(new DescribeActionConnectorCommand({ AwsAccountId: EUROPE_ACCOUNT_ID, ActionConnectorId: 'jira-cloud' }));
      expect(keys).toEqual([
        `quicksight:DescribeActionConnectorCommand/${MARKETING_ACCOUNT_ID}/${HOME_REGION}`,
        `quicksight:DescribeActionConnectorCommand/${EUROPE_ACCOUNT_ID}/${EUROPE_REGION}`,
      ]);
    } finally {
      destroyAwsClients(clients);
    }
  });

  it('assumed-role credentials - held until shortly before they expire, then assumed again', async () => {
    const config = { ...stack.config, targets: { ...stack.config.targets!, sessionDurationSeconds: 900 } };
    const clients = createAwsClients(config);
    const assumed = () => stack.emulator.iam.assumeRoleCalls.filter((call) => call.roleArn === targetRoleArn(MARKETING_ACCOUNT_ID) && call.durationSeconds === 900);
    const describeJira = () => clients.targets!.route('quicksight', MARKETING_ACCOUNT_ID)!.client.send(new DescribeActionConnectorCommand({ AwsAccountId: MARKETING_ACCOUNT_ID, ActionConnectorId: 'jira-cloud' }));
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      await describeJira();
      await describeJira();
      expect(assumed()).toHaveLength(1);
      // 15 minutes' credentials, 11 minutes on: within the 5 minutes before expiry.
      vi.setSystemTime(Date.now() + 11 * 60_000);
      await describeJira();
      expect(assumed()).toHaveLength(2);
      const [first, second] = assumed().map((call) => call.issuedAccessKeyId);
      expect(second).not.toBe(first);
      expect(stack.emulator.calls.at(-1)!.accessKeyId).toBe(second);
    } finally {
      vi.useRealTimers();
      destroyAwsClients(clients);
    }
  });
});

describe('AWS emulator - STS AssumeRole', () => {
  it('issues keys acting for the role\'s account to a trusted caller; refuses a denied role, an untrusted caller and a wrong external id', async () => {
    const role = targetRoleArn(MARKETING_ACCOUNT_ID);
    const emulator = await startEmulator({
      seed: false,
      iam: { keyAccounts: { AKIDTRUSTED: DEMO_AWS_ACCOUNT_ID, AKIDSTRANGER: UNNAMED_ACCOUNT_ID }, roleTrust: { [role]: [DEMO_AWS_ACCOUNT_ID] }, externalIds: { [role]: 'org-graph-7f3a' }, deniedRoles: ['RevokedRead'] },
    });
    const assume = (accessKeyId: string, roleArn: string, externalId?: string) =>
      fromTemporaryCredentials({
        params: { RoleArn: roleArn, RoleSessionName: 'emulator-test', ...(externalId ? { ExternalId: externalId } : {}) },
        masterCredentials: { accessKeyId, secretAccessKey: 'base' },
        clientConfig: { region: HOME_REGION, endpoint: emulator.url, maxAttempts: 1 },
      })();
    const refusal = (promise: Promise<unknown>) => promise.then(() => undefined, (error: { name: string }) => error.name);
    try {
      const issued = await assume('AKIDTRUSTED', role, 'org-graph-7f3a');
      expect(issued.accessKeyId).toMatch(/^ASIA/);
      expect(issued.expiration!.getTime()).toBeGreaterThan(Date.now() + 55 * 60_000);
      expect(emulator.iam.accountOf(issued.accessKeyId)).toBe(MARKETING_ACCOUNT_ID);
      expect(emulator.iam.roleOf(issued.accessKeyId)).toBe(role);
      expect(emulator.iam.issuedCredentials()).toEqual([
        { accessKeyId: issued.accessKeyId, secretAccessKey: issued.secretAccessKey, sessionToken: issued.sessionToken, roleArn: role, accountId: MARKETING_ACCOUNT_ID },
      ]);
      expect(await refusal(assume('AKIDSTRANGER', role, 'org-graph-7f3a'))).toBe('AccessDenied');
      expect(await refusal(assume('AKIDTRUSTED', role, 'guessed'))).toBe('AccessDenied');
      expect(await refusal(assume('AKIDTRUSTED', REVOKED_ROLE))).toBe('AccessDenied');
      expect(emulator.iam.assumeRoleCalls.map((call) => [call.callerAccessKeyId, call.roleSessionName, call.error ?? 'issued'])).toEqual([
        ['AKIDTRUSTED', 'emulator-test', 'issued'],
        ['AKIDSTRANGER', 'emulator-test', 'AccessDenied'],
        ['AKIDTRUSTED', 'emulator-test', 'AccessDenied'],
        ['AKIDTRUSTED', 'emulator-test', 'AccessDenied'],
      ]);
    } finally {
      await emulator.close();
    }
  });
});
