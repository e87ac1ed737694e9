/**
 * The demo's organization: three AWS accounts in two regions on the emulator, and the targets file
 * (AWS_TARGETS_FILE, docs/aws-targets.md) that lets the subgraph read them. A targets file the user
 * set is used as it is.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Emulator } from '../emulator/index.js';
import { seedTargetData, targetIamOptions, targetsFileContent } from '../emulator/seed-targets.js';

export interface DemoOrganization {
  /** The targets file the subgraph reads. */
  file: string;
  /** What the demo prints about it. */
  summary: string;
}

export function useDemoOrganization(emulator: Emulator, env: NodeJS.ProcessEnv = process.env): DemoOrganization {
  const iam = targetIamOptions();
  for (const [key, account] of Object.entries(iam.keyAccounts ?? {})) emulator.iam.bindAccessKey(key, account);
  for (const [role, accounts] of Object.entries(iam.roleTrust ?? {})) emulator.iam.trustRole(role, accounts);
  for (const [domainId, domain] of Object.entries(iam.domains ?? {})) emulator.iam.setDomain(domainId, domain);
  for (const [accountId, region] of Object.entries(iam.quickSightRegions ?? {})) emulator.iam.setQuickSightRegion(accountId, region);
  const data = seedTargetData();
  for (const { awsAccountId, connector } of data.actionConnectors) emulator.putActionConnector(awsAccountId, connector);
  for (const connection of data.connections) emulator.putConnection(connection);

  const content = targetsFileContent() as {
    quickSight: { accounts: Array<{ accountId: string; region: string; roleArn?: string }> };
    dataZone: { domains: Array<{ domainId: string; region: string; roleArn?: string }> };
  };
  const describe = (target: { region: string; roleArn?: string }) => `${target.region}, ${target.roleArn ? `as ${target.roleArn}` : 'own credentials'}`;
  const summary = [
    ...content.quickSight.accounts.map((account) => `  QuickSight account ${account.accountId}  ${describe(account)}`),
    ...content.dataZone.domains.map((domain) => `  DataZone domain ${domain.domainId.padEnd(16)}${describe(domain)}`),
  ].join('\n');

  const given = env['AWS_TARGETS_FILE'];
  if (given) return { file: given, summary };
  // One place, the same content every run: nothing piles up, whichever way the demo ends. Written
  // aside and renamed, so that a demo starting at the same time never reads half a file.
  const directory = join(tmpdir(), 'aws-connections-subgraph-demo');
  mkdirSync(directory, { recursive: true });
  const file = join(directory, 'aws-targets.json');
  const partial = `${file}.${process.pid}`;
  writeFileSync(partial, `${JSON.stringify(content, null, 2)}\n`);
  renameSync(partial, file);
  env['AWS_TARGETS_FILE'] = file;
  return { file, summary };
}
