import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/**
 * `AWS_TARGETS_FILE`: the AWS accounts and regions the subgraph may read (docs/aws-targets.md).
 * Read and validated once at start-up; a bad entry stops the process with a message naming it.
 */

/** Where the calls for one QuickSight account or one DataZone domain go, and as whom. */
export interface AwsTarget {
  /** The account the calls go to; absent: the account of the subgraph's own credentials. */
  accountId?: string;
  region: string;
  /** The IAM role assumed for these calls; absent: the subgraph's own credentials. */
  roleArn?: string;
  /** The `sts:ExternalId` the role's trust policy asks for, if any. */
  externalId?: string;
}

export interface AwsTargets {
  /** The RoleSessionName of every AssumeRole: CloudTrail in the target account shows it. */
  sessionName: string;
  /** How long assumed-role credentials last before the SDK refreshes them. */
  sessionDurationSeconds: number;
  /** By account id: the QuickSight accounts the subgraph may read. */
  quickSightAccounts: ReadonlyMap<string, AwsTarget>;
  /** By domain id: the DataZone domains the subgraph may read. */
  dataZoneDomains: ReadonlyMap<string, AwsTarget>;
}

export const DEFAULT_SESSION_NAME = 'aws-connections-subgraph';

const ACCOUNT_ID = /^[0-9]{12}$/;
// Commercial, China and GovCloud partitions; `us-east-1`, `cn-north-1`, `us-gov-west-1`, ...
const REGION = /^[a-z]{2}(-[a-z]+)+-[0-9]{1,2}$/;
const ROLE_ARN = /^arn:aws(-[a-z]+)*:iam::([0-9]{12}):role\/[\w+=,.@/-]{1,512}$/;
// DataZone's documented domain id pattern (src/datazone/ids.ts checks the same on every argument).
const DOMAIN_ID = /^dzd[-_][a-zA-Z0-9_-]{1,36}$/;
// STS AssumeRole's documented patterns.
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

/** A string, never a YAML number: an unquoted account id such as 012345678901 loses its leading zero. */
const text = (what: string, pattern: RegExp) =>
  z.string({ error: (issue) => (issue.input === undefined ? 'is required' : `must be a string (quote it in YAML): ${what}`) }).regex(pattern, what);

const accountId = text('an AWS account id is exactly 12 digits', ACCOUNT_ID);
const region = text('an AWS region such as "us-east-1"', REGION);
const roleArn = text('an IAM role ARN such as "arn:aws:iam::111122223333:role/ConnectionsSubgraphRead"', ROLE_ARN);
const externalId = text('2 to 1224 letters, digits or any of _+=,.@:/-', EXTERNAL_ID);

const quickSightAccount = z.strictObject({ accountId, region, roleArn: roleArn.optional(), externalId: externalId.optional() });
const dataZoneDomain = z.strictObject({
  domainId: text('a DataZone domain id such as "dzd_a1b2c3d4e5f6g7"', DOMAIN_ID),
  region,
  roleArn: roleArn.optional(),
  externalId: externalId.optional(),
});

/** The account a role ARN belongs to. */
export function roleAccount(arn: string): string | undefined {
  return ROLE_ARN.exec(arn)?.[2];
}

/** Flags each entry whose `field` repeats an earlier entry's. */
function unique<Entry>(entries: readonly Entry[], field: keyof Entry & string, context: z.RefinementCtx, path: Array<string | number>): void {
  const seen = new Map<unknown, number>();
  entries.forEach((entry, index) => {
    const first = seen.get(entry[field]);
    if (first !== undefined) context.addIssue({ code: 'custom', path: [...path, index, field], message: `repeats entry ${first}` });
    else seen.set(entry[field], index);
  });
}

const targetsFileSchema = z
  .strictObject({
    sessionName: text('2 to 64 letters, digits or any of _+=,.@-', SESSION_NAME).default(DEFAULT_SESSION_NAME),
    sessionDurationSeconds: z.number().int().min(900).max(43_200).default(3_600),
    quickSight: z.strictObject({ accounts: z.array(quickSightAccount) }).optional(),
    dataZone: z.strictObject({ domains: z.array(dataZoneDomain) }).optional(),
  })
  .superRefine((file, context) => {
    const accounts = file.quickSight?.accounts ?? [];
    unique(accounts, 'accountId', context, ['quickSight', 'accounts']);
    accounts.forEach((account, index) => {
      // QuickSight reads the account's connectors only with a role of that account.
      if (account.roleArn !== undefined && roleAccount(account.roleArn) !== account.accountId) {
        context.addIssue({ code: 'custom', path: ['quickSight', 'accounts', index, 'roleArn'], message: `must be a role of account ${account.accountId}` });
      }
    });
    unique(file.dataZone?.domains ?? [], 'domainId', context, ['dataZone', 'domains']);
    if (accounts.length === 0 && (file.dataZone?.domains.length ?? 0) === 0) {
      context.addIssue({ code: 'custom', path: [], message: 'names no QuickSight account and no DataZone domain: the subgraph could read nothing' });
    }
  });

/** `quickSight.accounts[1].roleArn`, as the file's reader would point at it. */
function pathOf(path: ReadonlyArray<PropertyKey>): string {
  let text = '';
  for (const segment of path) text += typeof segment === 'number' ? `[${segment}]` : `${text ? '.' : ''}${String(segment)}`;
  return text || '(the file)';
}

export class TargetsFileError extends Error {
  override name = 'TargetsFileError';
}

/** Validates the parsed content of a targets file; throws TargetsFileError naming each bad entry. */
export function parseTargets(content: unknown): AwsTargets {
  const parsed = targetsFileSchema.safeParse(content);
  if (!parsed.success) {
    throw new TargetsFileError(parsed.error.issues.map((issue) => `${pathOf(issue.path)}: ${issue.message}`).join('; '));
  }
  const file = parsed.data;
  const withoutUndefined = (target: AwsTarget): AwsTarget =>
    Object.fromEntries(Object.entries(target).filter(([, value]) => value !== undefined)) as unknown as AwsTarget;
  return {
    sessionName: file.sessionName,
    sessionDurationSeconds: file.sessionDurationSeconds,
    quickSightAccounts: new Map((file.quickSight?.accounts ?? []).map((account) => [account.accountId, withoutUndefined(account)])),
    dataZoneDomains: new Map(
      (file.dataZone?.domains ?? []).map(({ domainId, region, roleArn, externalId }) => [
        domainId,
        withoutUndefined({ accountId: roleArn === undefined ? undefined : roleAccount(roleArn), region, roleArn, externalId } as AwsTarget),
      ]),
    ),
  };
}

/** Reads a targets file: JSON when it ends in `.json`, YAML otherwise (YAML reads JSON too). */
export function readTargetsFile(path: string): AwsTargets {
  let source: string;
  try {
    source = readFileSync(path, 'utf8');
  } catch (error) {
    throw new TargetsFileError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
  }
  let content: unknown;
  try {
    content = extname(path).toLowerCase() === '.json' ? JSON.parse(source) : parseYaml(source);
  } catch (error) {
    throw new TargetsFileError(`${path} is not valid ${extname(path).toLowerCase() === '.json' ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0]}`);
  }
  return parseTargets(content);
}
