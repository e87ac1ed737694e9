import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigurationError, loadConfig } from '../src/config/config.js';

const directory = mkdtempSync(join(tmpdir(), 'aws-targets-config-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

let files = 0;
/** Writes `content` to a fresh file named `*.name` and loads the configuration with it. */
function load(content: string, extension = 'yaml') {
  const file = join(directory, `targets-${++files}.${extension}`);
  writeFileSync(file, content);
  return loadConfig({ AWS_TARGETS_FILE: file });
}

/** The message loadConfig refuses `content` with. */
function refusal(content: string, extension = 'yaml'): string {
  try {
    load(content, extension);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as Error).message;
  }
  throw new Error('the configuration was accepted');
}

const VALID = `
sessionName: connections-subgraph-prod
quickSight:
  accounts:
    - accountId: "111122223333"
      region: us-east-1
    - accountId: "444455556666"
      region: eu-west-1
      roleArn: arn:aws:iam::444455556666:role/ConnectionsSubgraphRead
      externalId: org-graph-7f3a
dataZone:
  domains:
    - domainId: dzd_europe0001
      region: eu-west-1
      roleArn: arn:aws:iam::777788889999:role/ConnectionsSubgraphRead
    - domainId: dzd-home0001
      region: us-east-1
`;

describe('AWS_TARGETS_FILE - configuration', () => {
  it('loadConfig - reads a YAML targets file into accounts and domains, the role account of each domain from its ARN', () => {
    const { targets } = load(VALID);
    expect(targets?.sessionName).toBe('connections-subgraph-prod');
    expect(targets?.sessionDurationSeconds).toBe(3_600);
    expect(Object.fromEntries(targets!.quickSightAccounts)).toEqual({
      '111122223333': { accountId: '111122223333', region: 'us-east-1' },
      '444455556666': {
        accountId: '444455556666',
        region: 'eu-west-1',
        roleArn: 'arn:aws:iam::444455556666:role/ConnectionsSubgraphRead',
        externalId: 'org-graph-7f3a',
      },
    });
    expect(Object.fromEntries(targets!.dataZoneDomains)).toEqual({
      dzd_europe0001: { accountId: '777788889999', region: 'eu-west-1', roleArn: 'arn:aws:iam::777788889999:role/ConnectionsSubgraphRead' },
      'dzd-home0001': { region: 'us-east-1' },
    });
  });

  it('loadConfig - reads a JSON targets file; without AWS_TARGETS_FILE there are no targets', () => {
    const { targets } = load(JSON.stringify({ dataZone: { domains: [{ domainId: 'dzd_a1', region: 'ap-southeast-2' }] } }), 'json');
    expect(targets?.sessionName).toBe('aws-connections-subgraph');
    expect(targets?.quickSightAccounts.size).toBe(0);
    expect(targets?.dataZoneDomains.get('dzd_a1')).toEqual({ region: 'ap-southeast-2' });
    expect(loadConfig({}).targets).toBeUndefined();
  });

  it('loadConfig - a bad entry stops the process with a message naming the variable and the entry', () => {
    const otherAccountsRole = VALID.replace('role/ConnectionsSubgraphRead\n      externalId', 'role/X\n      externalId').replace('arn:aws:iam::444455556666:role/X', 'arn:aws:iam::999988887777:role/X');
    expect(refusal(otherAccountsRole)).toBe('AWS_TARGETS_FILE: quickSight.accounts[1].roleArn: must be a role of account 444455556666');
    expect(refusal(VALID.replace('arn:aws:iam::444455556666:role/ConnectionsSubgraphRead', 'ConnectionsSubgraphRead'))).toMatch(
      /^AWS_TARGETS_FILE: quickSight\.accounts\[1\]\.roleArn: an IAM role ARN/,
    );
    // Unquoted, YAML reads a number, which would lose an account id's leading zeros.
    expect(refusal(VALID.replace('"111122223333"', '111122223333'))).toMatch(/^AWS_TARGETS_FILE: quickSight\.accounts\[0\]\.accountId: must be a string \(quote it in YAML\)/);
    expect(refusal(VALID.replace('region: us-east-1\n    - accountId', 'region: US East\n    - accountId'))).toMatch(/^AWS_TARGETS_FILE: quickSight\.accounts\[0\]\.region: an AWS region/);
    expect(refusal(VALID.replace('dzd-home0001', 'dzd_europe0001'))).toBe('AWS_TARGETS_FILE: dataZone.domains[1].domainId: repeats entry 0');
    expect(refusal(VALID.replace('domainId: dzd-home0001', 'domainId: home'))).toMatch(/^AWS_TARGETS_FILE: dataZone\.domains\[1\]\.domainId: a DataZone domain id/);
    expect(refusal(VALID.replace('    - domainId: dzd-home0001\n      region: us-east-1', '    - domainId: dzd-home0001'))).toBe('AWS_TARGETS_FILE: dataZone.domains[1].region: is required');
    // A misspelt member is refused rather than ignored.
    expect(refusal(VALID.replace('externalId: org-graph-7f3a', 'externalID: org-graph-7f3a'))).toMatch(/^AWS_TARGETS_FILE: quickSight\.accounts\[1\]: Unrecognized key: "externalID"/);
    expect(refusal('quickSight:\n  accounts: []\n')).toMatch(/^AWS_TARGETS_FILE: \(the file\): names no QuickSight account and no DataZone domain/);
    expect(refusal('sessionDurationSeconds: 60\nquickSight: { accounts: [{ accountId: "111122223333", region: us-east-1 }] }\n')).toMatch(/^AWS_TARGETS_FILE: sessionDurationSeconds: /);
  });

  it('loadConfig - an unreadable or unparsable file names the variable and the file, never its content', () => {
    expect(refusal('quickSight: [unclosed')).toMatch(/^AWS_TARGETS_FILE: .*targets-\d+\.yaml is not valid YAML/);
    expect(refusal('{"quickSight": ', 'json')).toMatch(/^AWS_TARGETS_FILE: .*targets-\d+\.json is not valid JSON/);
    expect(() => loadConfig({ AWS_TARGETS_FILE: join(directory, 'missing.yaml') })).toThrow(/^AWS_TARGETS_FILE: cannot read .*missing\.yaml: ENOENT$/);
  });
});
