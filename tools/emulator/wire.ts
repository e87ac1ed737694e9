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

import { isCredentialMapKey } from '../../src/auth/credential-map-keys.js';

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

function child(obj: unknown, key: string): WireObject | undefined {
  if (!isPlainObject(obj)) return undefined;
  const v = obj[key];
  return isPlainObject(v) ? v : undefined;
}

/**
 * What DataZone does with a map entry whose key names a credential (credential-map-keys.ts) when
 * `withSecret` is not true. Whether it passes such an entry through is not documented (Glue's own
 * GetConnection returns passwords in `ConnectionProperties` unless told `HidePassword`), so the
 * emulator answers the worst case by default, `'returned'`: the entry comes back without
 * `withSecret`, and only the subgraph's own guard keeps it from readers. `'withSecretOnly'` treats
 * it like the credential members below.
 */
export type CredentialMapEntries = 'returned' | 'withSecretOnly';

/** Removes, in place, the entries of a wire map whose key names a credential. */
function stripCredentialEntries(map: WireObject | undefined): void {
  if (!map) return;
  for (const key of Object.keys(map)) if (isCredentialMapKey(key)) delete map[key];
}

/**
 * Removes, in place, every credential member DataZone only returns with `withSecret=true`:
 * - `connectionCredentials`
 * - physicalEndpoints[].glueConnection.authenticationConfiguration.oAuth2Properties:
 *   `oAuth2Credentials` and `authorizationCodeProperties.authorizationCode`
 * - props.redshiftProperties.credentials.usernamePassword.password
 * - props.sparkEmrProperties: `credentials.password` and `managedEndpointCredentials.token`
 * - with `mapEntries: 'withSecretOnly'`, the credential entries of every string map:
 *   physicalEndpoints[].glueConnection `connectionProperties`, `sparkProperties`,
 *   `athenaProperties`, `pythonProperties`, its oAuth2Properties' `tokenUrlParametersMap`, and
 *   configurations[].properties
 * Works on wire objects (fresh copies made by toWire).
 */
export function stripDataZoneSecrets(connection: WireObject, mapEntries: CredentialMapEntries = 'returned'): void {
  const stripMaps = mapEntries === 'withSecretOnly';
  delete connection['connectionCredentials'];
  const endpoints = connection['physicalEndpoints'];
  if (Array.isArray(endpoints)) {
    for (const endpoint of endpoints) {
      const glue = child(endpoint, 'glueConnection');
      const oauth = child(child(glue, 'authenticationConfiguration'), 'oAuth2Properties');
      if (stripMaps) {
        for (const map of ['connectionProperties', 'sparkProperties', 'athenaProperties', 'pythonProperties']) stripCredentialEntries(child(glue, map));
        stripCredentialEntries(child(oauth, 'tokenUrlParametersMap'));
      }
      if (!oauth) continue;
      delete oauth['oAuth2Credentials'];
      const codeProps = child(oauth, 'authorizationCodeProperties');
      if (codeProps) delete codeProps['authorizationCode'];
    }
  }
  const configurations = connection['configurations'];
  if (stripMaps && Array.isArray(configurations)) for (const configuration of configurations) stripCredentialEntries(child(configuration, 'properties'));
  const props = child(connection, 'props');
  const usernamePassword = child(child(child(props, 'redshiftProperties'), 'credentials'), 'usernamePassword');
  if (usernamePassword) delete usernamePassword['password'];
  const emr = child(props, 'sparkEmrProperties');
  if (emr) {
    const creds = child(emr, 'credentials');
    if (creds) delete creds['password'];
    const managed = child(emr, 'managedEndpointCredentials');
    if (managed) delete managed['token'];
  }
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
