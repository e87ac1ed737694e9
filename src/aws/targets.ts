import type { DataZoneClient } from '@aws-sdk/client-datazone';
import type { QuickSightClient, QuickSightClientConfig } from '@aws-sdk/client-quicksight';
import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { AwsTarget, AwsTargets } from '../config/targets.js';
import type { StackPlugin } from '../telemetry/instrument-client.js';

/**
 * Routing to the accounts and regions AWS_TARGETS_FILE names (docs/aws-targets.md): one SDK client
 * per service, account and region, made on first use (through createServiceClient, like every
 * client) and reused; credentials per role through STS AssumeRole.
 */

/** The AWS services the subgraph holds clients for. */
export type AwsService = 'quicksight' | 'datazone';

/** The client class of each service. */
export interface AwsServiceClients {
  quicksight: QuickSightClient;
  datazone: DataZoneClient;
}

/** Where one client's calls go, and as whom. */
export interface ClientTarget {
  /** The region its calls are signed for and sent to; the SDK's (`AWS_REGION`) when absent. */
  region?: string;
  /** The account its calls go to, for the rate limit's key; the subgraph's own when absent. */
  accountId?: string;
  /** Its credentials; the SDK's default chain when absent. */
  credentials?: QuickSightClientConfig['credentials'];
}

/** A call's client, and the target's name for keys shared between requests (`account/region`). */
export interface RoutedClient<Service extends AwsService> {
  client: AwsServiceClients[Service];
  label: string;
}

/**
 * AssumeRole failed: the target's role could not be assumed. Carries STS's error name and request
 * id only; never STS's message, the credentials the subgraph called with, or anything issued.
 */
export class AssumeRoleError extends Error {
  override readonly name: string;
  readonly $metadata: { requestId?: string; httpStatusCode?: number };

  constructor(cause: unknown) {
    super('AssumeRole failed');
    const source = cause as { name?: unknown; $metadata?: { requestId?: unknown; httpStatusCode?: unknown } } | null;
    this.name = typeof source?.name === 'string' && source.name !== 'Error' ? source.name : 'AssumeRoleFailed';
    const metadata = source?.$metadata;
    this.$metadata = {
      ...(typeof metadata?.requestId === 'string' ? { requestId: metadata.requestId } : {}),
      ...(typeof metadata?.httpStatusCode === 'number' ? { httpStatusCode: metadata.httpStatusCode } : {}),
    };
  }
}

/** Plugins for the STS client that assumes roles in `region` (the subgraph's instrumentation). */
export type StsPlugins = (region: string) => StackPlugin[];

type ClientFactory = <Service extends AwsService>(service: Service, target: ClientTarget) => AwsServiceClients[Service];

/** Assumed-role credentials are asked for again this long before they expire (the SDK clients' own margin). */
const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;

/**
 * The credentials of `target`'s role: the SDK's own provider (STS AssumeRole). One provider per
 * role, shared by the clients of every service that uses the role: the credentials are held until
 * shortly before they expire, and concurrent askers share one AssumeRole. A failure is held by
 * nobody (the next call asks STS again) and is rethrown as AssumeRoleError, so that the error
 * names STS and carries nothing else.
 */
function assumedRoleCredentials(target: AwsTarget & { roleArn: string }, targets: AwsTargets, stsPlugins: StackPlugin[]): NonNullable<ClientTarget['credentials']> {
  const provider = fromTemporaryCredentials({
    params: {
      RoleArn: target.roleArn,
      RoleSessionName: targets.sessionName,
      DurationSeconds: targets.sessionDurationSeconds,
      ...(target.externalId ? { ExternalId: target.externalId } : {}),
    },
    // Regional STS in the target's region (AWS_ENDPOINT_URL_STS overrides it, as for any SDK app).
    clientConfig: { region: target.region },
    // The STS client is the provider's own: its calls are counted and traced through a plugin.
    ...(stsPlugins.length > 0 ? { clientPlugins: stsPlugins } : {}),
  });
  type Credentials = Awaited<ReturnType<typeof provider>>;
  let held: Credentials | undefined;
  let pending: Promise<Credentials> | undefined;
  return (properties) => {
    if (held !== undefined && (held.expiration === undefined || held.expiration.getTime() - Date.now() > REFRESH_BEFORE_EXPIRY_MS)) return Promise.resolve(held);
    pending ??= provider(properties).then(
      (credentials) => {
        held = credentials;
        pending = undefined;
        return credentials;
      },
      (error: unknown) => {
        pending = undefined;
        throw new AssumeRoleError(error);
      },
    );
    return pending;
  };
}

export class TargetClients {
  /** By service, account/role and region. */
  private readonly clients = new Map<string, AwsServiceClients[AwsService]>();
  /** By role, external id and region: one AssumeRole for every service that uses the role. */
  private readonly credentials = new Map<string, NonNullable<ClientTarget['credentials']>>();
  /** By service and owner (account id or domain id): each owner is looked up once. */
  private readonly routes: { [Service in AwsService]: Map<string, RoutedClient<Service>> } = { quicksight: new Map(), datazone: new Map() };

  constructor(
    private readonly targets: AwsTargets,
    private readonly make: ClientFactory,
    private readonly stsPlugins: StsPlugins = () => [],
  ) {}

  /**
   * The client for a call of `service` to `owner`: a QuickSight account id, or a DataZone domain id.
   * Undefined when the targets file does not name it: the call must not be made.
   */
  route<Service extends AwsService>(service: Service, owner: string): RoutedClient<Service> | undefined {
    const known = this.routes[service].get(owner) as RoutedClient<Service> | undefined;
    if (known !== undefined) return known;
    const target = (service === 'quicksight' ? this.targets.quickSightAccounts : this.targets.dataZoneDomains).get(owner);
    if (target === undefined) return undefined;
    const key = `${service}|${target.accountId ?? ''}|${target.region}|${target.roleArn ?? ''}|${target.externalId ?? ''}`;
    let client = this.clients.get(key) as AwsServiceClients[Service] | undefined;
    if (client === undefined) {
      client = this.make(service, {
        region: target.region,
        ...(target.accountId ? { accountId: target.accountId } : {}),
        ...(target.roleArn ? { credentials: this.credentialsOf(target as AwsTarget & { roleArn: string }) } : {}),
      });
      this.clients.set(key, client);
    }
    const routed: RoutedClient<Service> = { client, label: `${target.accountId ?? 'own'}/${target.region}` };
    (this.routes[service] as Map<string, RoutedClient<Service>>).set(owner, routed);
    return routed;
  }

  private credentialsOf(target: AwsTarget & { roleArn: string }): NonNullable<ClientTarget['credentials']> {
    const key = `${target.roleArn}|${target.externalId ?? ''}|${target.region}`;
    let credentials = this.credentials.get(key);
    if (credentials === undefined) this.credentials.set(key, (credentials = assumedRoleCredentials(target, this.targets, this.stsPlugins(target.region))));
    return credentials;
  }

  destroy(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
    this.routes.quicksight.clear();
    this.routes.datazone.clear();
  }
}
