import { AuthPolicy } from '../auth/policy.js';
import { type SdkSchema, fieldNameOf, sdkMembers } from '../aws/sdk-shapes.js';
import { DATAZONE_READ_OUTPUTS } from '../datazone/model.js';
import { QUICKSIGHT_READ_OUTPUTS } from '../quicksight/model.js';
import { loadTypeDefs } from './build.js';

/*
 * The member names the security tables are made of, derived from their two sources so that no
 * second list is kept by hand:
 * - the schema's policy: a field guarded by `@requiresScopes` with the secrets scope holds a
 *   credential (AuthPolicy.secretFields), and so does the SDK member it serves;
 * - the SDK's `sensitive` trait on the members of what the domains read (their `*_READ_OUTPUTS`).
 * The trait marks personal data (a connector's Name, an e-mail address) as well as credentials,
 * and AWS returns those to any reader: so it decides what a log line never shows, while what a
 * reader may see, and what DataZone withholds without `withSecret`, is the policy's to decide.
 * test/auth.test.ts holds the two together: every sensitive member is guarded by the policy or
 * classified, with a reason, as not a credential.
 */

export interface CredentialMembers {
  /**
   * Names of the members that hold a credential: the secret fields' names, and the names of the
   * SDK members they serve (QuickSight's are capitalised: `ClientSecret` for `clientSecret`).
   */
  secretNames: ReadonlySet<string>;
  /** Names of the SDK members AWS marks sensitive. */
  sensitiveNames: ReadonlySet<string>;
  /** What a log line never shows: both of the above. */
  neverLogged: ReadonlySet<string>;
}

/** The credential members of a policy's secret fields (`Type.field` coordinates) and the SDK shapes `outputs`. */
export function deriveCredentialMembers(secretFields: Iterable<string>, outputs: readonly SdkSchema[]): CredentialMembers {
  const secretFieldNames = new Set([...secretFields].map((coordinate) => coordinate.slice(coordinate.indexOf('.') + 1)));
  const secretNames = new Set(secretFieldNames);
  const sensitiveNames = new Set<string>();
  for (const output of outputs) {
    for (const member of sdkMembers(output)) {
      if (secretFieldNames.has(fieldNameOf(member.name))) secretNames.add(member.name);
      if (member.sensitive) sensitiveNames.add(member.name);
    }
  }
  return { secretNames, sensitiveNames, neverLogged: new Set([...secretNames, ...sensitiveNames]) };
}

let fromTheSource: CredentialMembers | undefined;

/**
 * The credential members of this subgraph: from the SDL's policy and both domains' SDK outputs,
 * worked out once per process.
 */
export function credentialMembers(): CredentialMembers {
  fromTheSource ??= deriveCredentialMembers(new AuthPolicy(loadTypeDefs()).secretFields, [...QUICKSIGHT_READ_OUTPUTS, ...DATAZONE_READ_OUTPUTS]);
  return fromTheSource;
}

