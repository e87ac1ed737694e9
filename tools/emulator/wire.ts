/**
 * SDK-shaped objects -> restJson1 wire JSON, the way the real services put them on the wire.
 *
 * - Member names are the JSON keys (neither service uses `jsonName` on these shapes).
 * - Timestamps: restJson1's default is epoch seconds as a JSON number (fractional milliseconds
 *   allowed). Members whose schema carries `@timestampFormat("date-time")` are RFC 3339 strings
 *   instead; for GetConnectionOutput these are `connectionCredentials.expiration` and
 *   `props.sparkEmrProperties.credentialsExpiration` (SDK schema type 5), listed in
 *   DATAZONE_DATE_TIME_MEMBERS.
 * - An SDK-style unknown union member `{ $unknown: [name, value] }` is written as `{ name: value }`,
 *   so what the SDK hands out can be put back in and comes out the same.
 * - Everything else is copied as it is, including keys and enum values the SDK does not know.
 */

import { GetConnectionOutput$ } from '@aws-sdk/client-datazone';
import { isCredentialMapKey } from '../../src/auth/credential-map-keys.js';
import { MAP_VALUES, type MemberPath, type SdkSchema, sdkMembers } from '../../src/aws/sdk-shapes.js';
import { credentialMembers } from '../../src/schema/credential-members.js';

export type WireObject = Record<string, unknown>;

/** Timestamp members of QuickSight's ActionConnector that use date-time instead of epoch seconds: none. */
export const QUICKSIGHT_DATE_TIME_MEMBERS: ReadonlySet<string> = new Set<string>();

/** Timestamp members of DataZone's GetConnectionOutput serialized as RFC 3339 date-time strings. */
export const DATAZONE_DATE_TIME_MEMBERS: ReadonlySet<string> = new Set<string>(['expiration', 'credentialsExpiration']);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** Converts one SDK-shaped value into a fresh wire value (never shares objects with the input). */
export function toWire(value: unknown, dateTimeMembers: ReadonlySet<string>, memberName = ''): unknown {
  if (value instanceof Date) {
    return dateTimeMembers.has(memberName) ? value.toISOString() : value.getTime() / 1000;
  }
  if (Array.isArray(value)) {
    const out: unknown[] = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = toWire(value[i], dateTimeMembers, memberName);
    return out;
  }
  if (isPlainObject(value)) {
    const out: WireObject = {};
    for (const key of Object.keys(value)) {
      const v = value[key];
      if (v === undefined) continue;
      if (key === '$unknown' && Array.isArray(v) && v.length === 2 && typeof v[0] === 'string') {
        out[v[0]] = toWire(v[1], dateTimeMembers, v[0]);
        continue;
      }
      out[key] = toWire(v, dateTimeMembers, key);
    }
    return out;
  }
  return value;
}

/**
 * What DataZone does with a map entry whose key names a credential (credential-map-keys.ts) when
 * `withSecret` is not true. Whether it passes such an entry through is not documented (Glue's own
 * GetConnection returns passwords in `ConnectionProperties` unless told `HidePassword`), so the
 * emulator answers the worst case by default, `'returned'`: the entry comes back without
 * `withSecret`, and only the subgraph's own guard keeps it from readers. `'withSecretOnly'` withholds
 * it like a credential member (stripSecretMembers).
 */
export type CredentialMapEntries = 'returned' | 'withSecretOnly';

/** Removes, in place, the entries of a wire map whose key names a credential. */
function stripCredentialEntries(map: unknown): void {
  if (!isPlainObject(map)) return;
  for (const key of Object.keys(map)) if (isCredentialMapKey(key)) delete map[key];
}

/** Where the members DataZone withholds without `withSecret=true` sit in one output shape. */
export interface SecretMembers {
  /** The credential members: the outermost member on each path whose name is a secret name. */
  credentials: MemberPath[];
  /** The string maps, whose credential entries go with `credentialMapEntries: 'withSecretOnly'`. */
  maps: MemberPath[];
}

/**
 * The secret members of `output`, found by walking the SDK's schema of it for the members whose
 * name holds a credential (credential-members.ts: the schema's secret fields, the SDK members
 * they serve) and for its string maps.
 */
export function secretMembersOf(output: SdkSchema, secretNames: ReadonlySet<string>): SecretMembers {
  const credentials: MemberPath[] = [];
  const maps: MemberPath[] = [];
  const isBelow = (path: MemberPath, outer: MemberPath) => outer.length < path.length && outer.every((name, index) => path[index] === name);
  for (const member of sdkMembers(output)) {
    if (credentials.some((outer) => isBelow(member.path, outer))) continue;
    if (secretNames.has(member.name)) credentials.push(member.path);
    else if (member.kind === 'map' && member.leaf) maps.push(member.path);
  }
  return { credentials, maps };
}

/** Calls `visit` with each object that holds the last member of `path` in `value` (lists are transparent). */
function forEachHolder(value: unknown, path: MemberPath, visit: (holder: WireObject, member: string) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) forEachHolder(item, path, visit);
    return;
  }
  if (!isPlainObject(value)) return;
  const [head, ...rest] = path;
  if (head === undefined) return;
  if (rest.length === 0) return visit(value, head);
  if (head === MAP_VALUES) for (const item of Object.values(value)) forEachHolder(item, rest, visit);
  else forEachHolder(value[head], rest, visit);
}

/**
 * Removes, in place, the members DataZone only returns with `withSecret=true`: every credential
 * member of `secrets`, and with `mapEntries: 'withSecretOnly'` the credential entries of every
 * string map. Works on wire objects (fresh copies made by toWire).
 */
export function stripSecretMembers(wire: WireObject, secrets: SecretMembers, mapEntries: CredentialMapEntries = 'returned'): void {
  for (const path of secrets.credentials) forEachHolder(wire, path, (holder, member) => delete holder[member]);
  if (mapEntries !== 'withSecretOnly') return;
  for (const path of secrets.maps) forEachHolder(wire, path, (holder, member) => stripCredentialEntries(holder[member]));
}

let getConnectionSecrets: SecretMembers | undefined;

/**
 * stripSecretMembers for a GetConnection answer, with the subgraph's own credential members
 * (`connectionCredentials`, a Glue connection's `oAuth2Credentials`, the Redshift `password`, ...),
 * found once.
 */
export function stripDataZoneSecrets(connection: WireObject, mapEntries: CredentialMapEntries = 'returned'): void {
  getConnectionSecrets ??= secretMembersOf(GetConnectionOutput$, credentialMembers().secretNames);
  stripSecretMembers(connection, getConnectionSecrets, mapEntries);
}

/**
 * Members of QuickSight's ActionConnectorSummary (what ListActionConnectors and
 * SearchActionConnectors return per connector), as in the SDK's `ActionConnectorSummary$` schema.
 * test/lists.test.ts re-checks the list against the installed SDK.
 */
export const ACTION_CONNECTOR_SUMMARY_MEMBERS: readonly string[] = Object.freeze([
  'Arn', 'ActionConnectorId', 'Type', 'Name', 'LastUpdatedTime', 'CreatedTime', 'Status', 'Error',
]);

/** Members of DataZone's ConnectionSummary (what ListConnections returns per connection), as in `ConnectionSummary$`. */
export const CONNECTION_SUMMARY_MEMBERS: readonly string[] = Object.freeze([
  'connectionId', 'domainId', 'domainUnitId', 'name', 'physicalEndpoints', 'type', 'configurations',
  'environmentId', 'projectId', 'props', 'scope',
]);

/** A fresh object with only `members` of a wire object (a summary cut from a full record). */
export function pickMembers(wire: WireObject, members: readonly string[]): WireObject {
  const out: WireObject = {};
  for (const member of members) if (wire[member] !== undefined) out[member] = wire[member];
  return out;
}
