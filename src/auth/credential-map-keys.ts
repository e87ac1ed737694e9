/**
 * Which entries of a free-form string map (`connectionProperties`, `sparkProperties`,
 * `athenaProperties`, `pythonProperties`, `tokenUrlParametersMap`, `configurations.properties`)
 * hold a credential. The schema cannot say it with `@requiresScopes`, since one map mixes a host
 * name with a password; so this key list is the one authorization rule kept in code. The field
 * guard and the response marking (policy.ts, credential-responses.ts), the shared AWS read cache (app.ts), the
 * log redaction (logger.ts) and the emulator's withSecret stripping all read it from here.
 *
 * Matching: keys are compared ignoring case, with `.`, `_` and `-` counted as the same separator;
 * a key is a credential key when it is a listed key, or ends with one right after a separator
 * (`spark.hadoop.fs.s3a.secret.key` ends with `secret.key`, `SNOWFLAKE_TOKEN` with `token`).
 */

/**
 * Glue's `ConnectionPropertyKey` values that hold a secret (Glue's Connection API reference:
 * passwords, and the same passwords encrypted with the Data Catalog's KMS key, which anyone
 * allowed to decrypt with that key can read).
 */
export const GLUE_CREDENTIAL_PROPERTY_KEYS: readonly string[] = Object.freeze([
  'PASSWORD',
  'ENCRYPTED_PASSWORD',
  'KAFKA_CLIENT_KEYSTORE_PASSWORD',
  'KAFKA_CLIENT_KEY_PASSWORD',
  'ENCRYPTED_KAFKA_CLIENT_KEYSTORE_PASSWORD',
  'ENCRYPTED_KAFKA_CLIENT_KEY_PASSWORD',
  'KAFKA_SASL_PLAIN_PASSWORD',
  'ENCRYPTED_KAFKA_SASL_PLAIN_PASSWORD',
  'KAFKA_SASL_SCRAM_PASSWORD',
  'ENCRYPTED_KAFKA_SASL_SCRAM_PASSWORD',
]);

/**
 * Every other Glue `ConnectionPropertyKey`, classified as not a credential. They name where a
 * secret is kept or point at a file, never the secret itself: `SECRET_ID` and
 * `KAFKA_SASL_SCRAM_SECRETS_ARN` name a Secrets Manager secret (reading it takes IAM permission on
 * that secret), `KAFKA_CLIENT_KEYSTORE` and `KAFKA_SASL_GSSAPI_KEYTAB` are S3 locations, and the
 * `*_CERT` keys hold public certificates or their location.
 */
export const GLUE_NON_CREDENTIAL_PROPERTY_KEYS: readonly string[] = Object.freeze([
  'HOST', 'PORT', 'USERNAME', 'JDBC_DRIVER_JAR_URI', 'JDBC_DRIVER_CLASS_NAME', 'JDBC_ENGINE', 'JDBC_ENGINE_VERSION',
  'CONFIG_FILES', 'INSTANCE_ID', 'JDBC_CONNECTION_URL', 'JDBC_ENFORCE_SSL', 'CUSTOM_JDBC_CERT',
  'SKIP_CUSTOM_JDBC_CERT_VALIDATION', 'CUSTOM_JDBC_CERT_STRING', 'CONNECTION_URL', 'KAFKA_BOOTSTRAP_SERVERS',
  'KAFKA_SSL_ENABLED', 'KAFKA_CUSTOM_CERT', 'KAFKA_SKIP_CUSTOM_CERT_VALIDATION', 'KAFKA_CLIENT_KEYSTORE',
  'KAFKA_SASL_MECHANISM', 'KAFKA_SASL_PLAIN_USERNAME', 'KAFKA_SASL_SCRAM_USERNAME', 'KAFKA_SASL_SCRAM_SECRETS_ARN',
  'KAFKA_SASL_GSSAPI_KEYTAB', 'KAFKA_SASL_GSSAPI_KRB5_CONF', 'KAFKA_SASL_GSSAPI_SERVICE', 'KAFKA_SASL_GSSAPI_PRINCIPAL',
  'SECRET_ID', 'CONNECTOR_URL', 'CONNECTOR_TYPE', 'CONNECTOR_CLASS_NAME', 'ENDPOINT', 'ENDPOINT_TYPE', 'ROLE_ARN',
  'REGION', 'WORKGROUP_NAME', 'CLUSTER_IDENTIFIER', 'DATABASE',
]);

/**
 * Credential names seen in the other maps (Spark and Hadoop settings, Athena and Python connector
 * properties, OAuth token request parameters), matched as key endings too: `password` covers
 * `javax.jdo.option.password` and `DB_PASSWORD`, `secret` covers `client_secret` and
 * `spark.authenticate.secret`, `token` covers `access_token` and `fs.s3a.session.token`.
 */
export const GENERIC_CREDENTIAL_KEYS: readonly string[] = Object.freeze([
  'password',
  'secret',
  'token',
  'passphrase',
  'secret.key',
  'access.key',
  'private.key',
  'api.key',
  'apikey',
  'keyPassword',
  'keyStorePassword',
  'trustStorePassword',
  'ConnectionPassword',
  'awsAccessKeyId',
  'awsSecretAccessKey',
  'spark.hadoop.fs.s3a.access.key',
  'spark.hadoop.fs.s3a.secret.key',
  'spark.hadoop.fs.s3a.session.token',
]);

/** The one list: every key whose map entry is a credential. */
export const CREDENTIAL_MAP_KEYS: readonly string[] = Object.freeze([...GLUE_CREDENTIAL_PROPERTY_KEYS, ...GENERIC_CREDENTIAL_KEYS]);

/** Lower case, with `_` and `-` written as `.`. */
function normalize(key: string): string {
  return key.toLowerCase().replace(/[_-]/g, '.');
}

const NORMALIZED_KEYS: ReadonlySet<string> = new Set(CREDENTIAL_MAP_KEYS.map(normalize));

function matches(key: string): boolean {
  const normalized = normalize(key);
  if (NORMALIZED_KEYS.has(normalized)) return true;
  // Every ending that starts right after a separator.
  for (let dot = normalized.indexOf('.'); dot !== -1; dot = normalized.indexOf('.', dot + 1)) {
    if (NORMALIZED_KEYS.has(normalized.slice(dot + 1))) return true;
  }
  return false;
}

/** Answers for keys already seen: a map entry's value is resolved once per entry per request. */
const seen = new Map<string, boolean>();
/** Keys come from AWS, not from callers; the bound only keeps a misbehaving upstream from growing it. */
const MAX_REMEMBERED_KEYS = 4096;

/** Whether a map entry under `key` holds a credential (see the matching rule above). */
export function isCredentialMapKey(key: string): boolean {
  const known = seen.get(key);
  if (known !== undefined) return known;
  const answer = matches(key);
  if (seen.size < MAX_REMEMBERED_KEYS) seen.set(key, answer);
  return answer;
}
