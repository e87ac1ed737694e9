/**
 * An organization of three AWS accounts in two regions, for `npm run demo` and the tests of
 * AWS_TARGETS_FILE: the demo account with the demo data, plus two accounts whose connectors and
 * connections are reached through an IAM role each, one of them in Europe.
 */
import type { ActionConnector } from '@aws-sdk/client-quicksight';
import type { GetConnectionOutput } from '@aws-sdk/client-datazone';
import type { IamOptions } from './iam.js';
import { DEMO_AWS_ACCOUNT_ID, DEMO_DOMAIN_ID, DEMO_REGION, seedActionConnectors, seedConnections } from './seed.js';

/** The base credentials of the emulator's SDK environment (sdk-environment.ts) act for the demo account. */
const BASE_ACCESS_KEY_ID = 'AKIDEMULATOR';

export const EUROPE_REGION = 'eu-west-1';
/** The marketing account: QuickSight in the demo region, through a role. */
export const MARKETING_ACCOUNT_ID = '444455556666';
/** The European account: QuickSight and a DataZone domain in eu-west-1, through a role. */
export const EUROPE_ACCOUNT_ID = '777788889999';
export const EUROPE_DOMAIN_ID = 'dzd_europe0001';
export const TARGET_ROLE_NAME = 'ConnectionsSubgraphRead';

export function targetRoleArn(accountId: string): string {
  return `arn:aws:iam::${accountId}:role/${TARGET_ROLE_NAME}`;
}

/** What the emulator needs to know of the organization: the demo key's account, the roles' trust, where the domains and the European connectors live. */
export function targetIamOptions(): IamOptions {
  return {
    keyAccounts: { [BASE_ACCESS_KEY_ID]: DEMO_AWS_ACCOUNT_ID },
    roleTrust: {
      [targetRoleArn(MARKETING_ACCOUNT_ID)]: [DEMO_AWS_ACCOUNT_ID],
      [targetRoleArn(EUROPE_ACCOUNT_ID)]: [DEMO_AWS_ACCOUNT_ID],
    },
    domains: {
      [DEMO_DOMAIN_ID]: { region: DEMO_REGION, accountId: DEMO_AWS_ACCOUNT_ID },
      [EUROPE_DOMAIN_ID]: { region: EUROPE_REGION, accountId: EUROPE_ACCOUNT_ID },
    },
    quickSightRegions: { [EUROPE_ACCOUNT_ID]: EUROPE_REGION },
  };
}

/** The targets file of the organization (docs/aws-targets.md). */
export function targetsFileContent(): object {
  return {
    quickSight: {
      accounts: [
        { accountId: DEMO_AWS_ACCOUNT_ID, region: DEMO_REGION },
        { accountId: MARKETING_ACCOUNT_ID, region: DEMO_REGION, roleArn: targetRoleArn(MARKETING_ACCOUNT_ID) },
        { accountId: EUROPE_ACCOUNT_ID, region: EUROPE_REGION, roleArn: targetRoleArn(EUROPE_ACCOUNT_ID) },
      ],
    },
    dataZone: {
      domains: [
        { domainId: DEMO_DOMAIN_ID, region: DEMO_REGION },
        { domainId: EUROPE_DOMAIN_ID, region: EUROPE_REGION, roleArn: targetRoleArn(EUROPE_ACCOUNT_ID) },
      ],
    },
  };
}

/** Copies of the demo connectors `ids` for another account and region (their ARNs say so; names are prefixed). */
export function targetActionConnectors(accountId: string, region: string, ids: readonly string[], namePrefix: string): Array<{ awsAccountId: string; connector: ActionConnector }> {
  return seedActionConnectors()
    .filter((item) => ids.includes(item.connector.ActionConnectorId as string))
    .map(({ connector }) => ({
      awsAccountId: accountId,
      connector: {
        ...connector,
        Arn: `arn:aws:quicksight:${region}:${accountId}:action-connector/${connector.ActionConnectorId as string}`,
        Name: `${namePrefix} ${connector.Name ?? ''}`.trim(),
      },
    }));
}

/** Copies of the demo connections `ids` in another domain. */
export function targetConnections(domainId: string, ids: readonly string[], namePrefix: string): GetConnectionOutput[] {
  return seedConnections()
    .filter((connection) => ids.includes(connection.connectionId as string))
    .map((connection) => ({ ...connection, domainId, name: `${namePrefix}-${connection.name ?? ''}` }));
}

/** The connectors and connections of the two other accounts, as the emulator holds them. */
export function seedTargetData(): { actionConnectors: Array<{ awsAccountId: string; connector: ActionConnector }>; connections: GetConnectionOutput[] } {
  return {
    actionConnectors: [
      ...targetActionConnectors(MARKETING_ACCOUNT_ID, DEMO_REGION, ['jira-cloud', 'salesforce-crm', 'zendesk-support'], 'Marketing'),
      ...targetActionConnectors(EUROPE_ACCOUNT_ID, EUROPE_REGION, ['jira-cloud', 'servicenow-prod'], 'Europe'),
    ],
    connections: targetConnections(EUROPE_DOMAIN_ID, ['conn-athena-sales', 'conn-redshift-cluster'], 'eu'),
  };
}
