/**
 * Who signs the emulator's calls, and where: STS `AssumeRole` (the Query protocol the SDK's STS
 * client speaks: a form-encoded POST to `/`, an XML answer), the accounts the access keys belong to,
 * and the accounts and regions AWS refuses calls for. The emulator still checks no signature: it
 * reads the SigV4 `Authorization` header's credential scope (access key id, region, service), which
 * is what AWS decides the account and region of a call by.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { DEMO_REGION } from './seed.js';

/** The credential scope of a SigV4 `Authorization` header: `Credential=AKID/20261204/us-east-1/datazone/aws4_request`. */
export interface SigningScope {
  accessKeyId: string;
  region: string;
  service: string;
}

const CREDENTIAL = /Credential=([^/,\s]+)\/[0-9]{8}\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/;

export function signingScopeOf(authorization: string | undefined): SigningScope | undefined {
  const match = authorization === undefined ? null : CREDENTIAL.exec(authorization);
  if (match === null) return undefined;
  return { accessKeyId: match[1] as string, region: match[2] as string, service: match[3] as string };
}

/** One AssumeRole the emulator answered. */
export interface RecordedAssumeRole {
  roleArn: string;
  roleSessionName: string;
  externalId?: string;
  durationSeconds?: number;
  /** The access key that signed the AssumeRole call. */
  callerAccessKeyId?: string;
  /** The access key issued, unless refused. */
  issuedAccessKeyId?: string;
  /** The STS error answered instead, e.g. `AccessDenied`. */
  error?: string;
  requestId: string;
  at: number;
}

/** Credentials the emulator issued, with the role and account they act as. */
export interface IssuedCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  roleArn: string;
  accountId: string;
}

/** Where a DataZone domain lives. */
export interface EmulatedDomain {
  region: string;
  /** The account that owns it: a call signed by another account's key is refused. Absent: any. */
  accountId?: string;
}

export interface IamOptions {
  /** Access keys that belong to an account (e.g. the base credentials of the "home" account). Keys not named and not issued belong to none, and may call any account. */
  keyAccounts?: Record<string, string>;
  /** Role ARNs or role names whose AssumeRole is refused with AccessDenied. */
  deniedRoles?: string[];
  /** Role ARN -> the accounts its trust policy allows to assume it (absent: any). */
  roleTrust?: Record<string, string[]>;
  /** Role ARN -> the sts:ExternalId its trust policy requires. */
  externalIds?: Record<string, string>;
  /** Domain id -> where it lives; a domain not named lives in the demo region. */
  domains?: Record<string, EmulatedDomain>;
  /** Account id -> the one region its QuickSight connectors live in (absent: every region answers for it). */
  quickSightRegions?: Record<string, string>;
}

/** An AWS refusal: exception name, HTTP status, message. */
export interface Refusal {
  error: string;
  status: number;
  message: string;
}

const ROLE_ARN = /^arn:aws(-[a-z]+)*:iam::([0-9]{12}):role\/([\w+=,.@/-]{1,512})$/;
const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';

function xmlEscape(text: string): string {
  return text.replace(/[<>&'"]/g, (char) => `&#${char.charCodeAt(0)};`);
}

export class EmulatedIam {
  readonly assumeRoleCalls: RecordedAssumeRole[] = [];
  private readonly keyAccounts = new Map<string, string>();
  private readonly issued = new Map<string, IssuedCredentials>();
  private readonly deniedRoles = new Set<string>();
  private readonly roleTrust = new Map<string, string[]>();
  private readonly externalIds = new Map<string, string>();
  private readonly domains = new Map<string, EmulatedDomain>();
  private readonly quickSightRegions = new Map<string, string>();

  constructor(options: IamOptions = {}) {
    for (const [key, account] of Object.entries(options.keyAccounts ?? {})) this.keyAccounts.set(key, account);
    for (const role of options.deniedRoles ?? []) this.deniedRoles.add(role);
    for (const [role, accounts] of Object.entries(options.roleTrust ?? {})) this.roleTrust.set(role, accounts);
    for (const [role, externalId] of Object.entries(options.externalIds ?? {})) this.externalIds.set(role, externalId);
    for (const [domainId, domain] of Object.entries(options.domains ?? {})) this.domains.set(domainId, domain);
    for (const [accountId, region] of Object.entries(options.quickSightRegions ?? {})) this.quickSightRegions.set(accountId, region);
  }

  bindAccessKey(accessKeyId: string, accountId: string): void {
    this.keyAccounts.set(accessKeyId, accountId);
  }

  denyRole(roleArnOrName: string): void {
    this.deniedRoles.add(roleArnOrName);
  }

  /** The accounts `roleArn`'s trust policy lets assume it. */
  trustRole(roleArn: string, accountIds: string[]): void {
    this.roleTrust.set(roleArn, accountIds);
  }

  setDomain(domainId: string, domain: EmulatedDomain): void {
    this.domains.set(domainId, domain);
  }

  /** Places `accountId`'s QuickSight connectors in `region`: calls signed for another region find none. */
  setQuickSightRegion(accountId: string, region: string): void {
    this.quickSightRegions.set(accountId, region);
  }

  /** Every credential issued so far (a test scans logs and errors for them). */
  issuedCredentials(): IssuedCredentials[] {
    return [...this.issued.values()];
  }

  /** The account an access key acts for: issued keys their role's, bound keys theirs; others none. */
  accountOf(accessKeyId: string | undefined): string | undefined {
    if (accessKeyId === undefined) return undefined;
    return this.issued.get(accessKeyId)?.accountId ?? this.keyAccounts.get(accessKeyId);
  }

  /** The role an issued access key acts as. */
  roleOf(accessKeyId: string | undefined): string | undefined {
    return accessKeyId === undefined ? undefined : this.issued.get(accessKeyId)?.roleArn;
  }

  /**
   * AWS's refusal of a call signed with `scope`, or undefined. QuickSight: the key must belong to
   * the path's account (AccessDeniedException, as QuickSight answers a foreign account), and an
   * account placed in a region has no connectors in another (ResourceNotFoundException). DataZone:
   * the domain lives in one region (another region does not know it: ResourceNotFoundException)
   * and, when its account is known, the key must belong to it (AccessDeniedException).
   */
  refusal(service: 'quicksight' | 'datazone', params: Record<string, string>, scope: SigningScope | undefined): Omit<Refusal, 'status'> | undefined {
    if (scope === undefined) return undefined;
    const account = this.accountOf(scope.accessKeyId);
    if (service === 'quicksight') {
      const target = params['AwsAccountId'];
      if (account !== undefined && target !== undefined && account !== target) {
        return { error: 'AccessDeniedException', message: `User: ${this.principal(scope.accessKeyId, account)} is not authorized to access account ${target}` };
      }
      const home = target === undefined ? undefined : this.quickSightRegions.get(target);
      if (home !== undefined && home !== scope.region) return { error: 'ResourceNotFoundException', message: `No action connectors of account ${target} in ${scope.region}.` };
      return undefined;
    }
    const domainId = params['domainIdentifier'];
    if (domainId === undefined) return undefined;
    const domain = this.domains.get(domainId) ?? { region: DEMO_REGION };
    if (scope.region !== domain.region) return { error: 'ResourceNotFoundException', message: `Domain ${domainId} not found.` };
    if (domain.accountId !== undefined && account !== undefined && account !== domain.accountId) {
      return { error: 'AccessDeniedException', message: `User: ${this.principal(scope.accessKeyId, account)} is not authorized to perform this action on domain ${domainId}` };
    }
    return undefined;
  }

  /** Answers STS's Query protocol: `Action=AssumeRole` (anything else: InvalidAction). */
  answerSts(body: string, authorization: string | undefined): { status: number; requestId: string; body: string } {
    const requestId = randomUUID();
    const form = new URLSearchParams(body);
    const caller = signingScopeOf(authorization)?.accessKeyId;
    const fail = (status: number, code: string, message: string, record?: Omit<RecordedAssumeRole, 'requestId' | 'at' | 'error'>) => {
      if (record) this.assumeRoleCalls.push({ ...record, error: code, requestId, at: Date.now() });
      const type = status >= 500 ? 'Receiver' : 'Sender';
      return {
        status,
        requestId,
        body: `<ErrorResponse xmlns="${STS_NAMESPACE}"><Error><Type>${type}</Type><Code>${code}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
      };
    };
    if (form.get('Action') !== 'AssumeRole') return fail(400, 'InvalidAction', `Could not find operation ${form.get('Action') ?? ''} for version 2011-06-15`);
    const roleArn = form.get('RoleArn') ?? '';
    const roleSessionName = form.get('RoleSessionName') ?? '';
    const externalId = form.get('ExternalId') ?? undefined;
    const duration = form.get('DurationSeconds');
    const record = {
      roleArn,
      roleSessionName,
      ...(externalId !== undefined ? { externalId } : {}),
      ...(duration !== null ? { durationSeconds: Number(duration) } : {}),
      ...(caller !== undefined ? { callerAccessKeyId: caller } : {}),
    };
    const role = ROLE_ARN.exec(roleArn);
    if (role === null) return fail(400, 'ValidationError', `${roleArn} is invalid`, record);
    if (!/^[\w+=,.@-]{2,64}$/.test(roleSessionName)) return fail(400, 'ValidationError', 'RoleSessionName is invalid', record);
    const accountId = role[2] as string;
    const callerAccount = this.accountOf(caller);
    const principal = caller === undefined ? 'anonymous' : this.principal(caller, callerAccount);
    const denied = `User: ${principal} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`;
    if (this.deniedRoles.has(roleArn) || this.deniedRoles.has(role[3] as string)) return fail(403, 'AccessDenied', denied, record);
    const trusted = this.roleTrust.get(roleArn);
    if (trusted !== undefined && (callerAccount === undefined || !trusted.includes(callerAccount))) return fail(403, 'AccessDenied', denied, record);
    const requiredExternalId = this.externalIds.get(roleArn);
    if (requiredExternalId !== undefined && requiredExternalId !== externalId) return fail(403, 'AccessDenied', denied, record);
    const seconds = duration === null ? 3_600 : Number(duration);
    if (!Number.isInteger(seconds) || seconds < 900 || seconds > 43_200) return fail(400, 'ValidationError', 'DurationSeconds is invalid', record);

    const credentials: IssuedCredentials = {
      accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: randomBytes(96).toString('base64'),
      roleArn,
      accountId,
    };
    this.issued.set(credentials.accessKeyId, credentials);
    this.assumeRoleCalls.push({ ...record, issuedAccessKeyId: credentials.accessKeyId, requestId, at: Date.now() });
    const expiration = new Date(Date.now() + seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const roleName = (role[3] as string).split('/').pop() as string;
    return {
      status: 200,
      requestId,
      body:
        `<AssumeRoleResponse xmlns="${STS_NAMESPACE}"><AssumeRoleResult>` +
        `<Credentials><AccessKeyId>${credentials.accessKeyId}</AccessKeyId><SecretAccessKey>${xmlEscape(credentials.secretAccessKey)}</SecretAccessKey>` +
        `<SessionToken>${xmlEscape(credentials.sessionToken)}</SessionToken><Expiration>${expiration}</Expiration></Credentials>` +
        `<AssumedRoleUser><AssumedRoleId>AROA${randomBytes(8).toString('hex').toUpperCase()}:${xmlEscape(roleSessionName)}</AssumedRoleId>` +
        `<Arn>arn:aws:sts::${accountId}:assumed-role/${xmlEscape(roleName)}/${xmlEscape(roleSessionName)}</Arn></AssumedRoleUser>` +
        `</AssumeRoleResult><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></AssumeRoleResponse>`,
    };
  }

  private principal(accessKeyId: string, account: string | undefined): string {
    const role = this.roleOf(accessKeyId);
    if (role !== undefined) return `${role.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/')}/session`;
    return `arn:aws:iam::${account ?? '000000000000'}:user/${accessKeyId}`;
  }
}
