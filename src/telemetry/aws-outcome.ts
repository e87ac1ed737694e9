import { CODE_BY_AWS_ERROR } from '../aws/errors.js';

/**
 * How an AWS call, or one attempt of it, ended, as metric labels and span attributes say it: a
 * fixed set of values, never text from the wire.
 *
 * - `ok`;
 * - the contract's error code of the AWS error name (src/aws/errors.ts, the one table), in lower
 *   case: `not_found`, `forbidden`, `throttled`, `bad_user_input`, `upstream_error` (any other name);
 * - `rate_limited`: the subgraph's own rate limiter refused the call (it never reached AWS);
 * - `timeout`: an attempt timed out (AWS_REQUEST_TIMEOUT_MS) or the request's deadline passed;
 * - `aborted`: the client went away.
 */
export type AwsOutcome = 'ok' | 'not_found' | 'forbidden' | 'throttled' | 'bad_user_input' | 'upstream_error' | 'rate_limited' | 'timeout' | 'aborted';

const OUTCOME_BY_NAME: ReadonlyMap<string, AwsOutcome> = new Map<string, AwsOutcome>([
  ...Object.entries(CODE_BY_AWS_ERROR).map(([name, code]) => [name, code.toLowerCase() as AwsOutcome] as const),
  ['ClientRateLimitExceeded', 'rate_limited'],
  // @smithy/node-http-handler's per-attempt timeout, and the request's deadline (src/aws/call.ts).
  ['TimeoutError', 'timeout'],
  ['RequestDeadlineExceeded', 'timeout'],
  // The client went away (src/aws/call.ts), or the SDK's own name for an aborted request.
  ['ClientClosedRequest', 'aborted'],
  ['AbortError', 'aborted'],
]);

export function awsOutcomeOf(error: unknown): AwsOutcome {
  const name = (error as { name?: unknown } | null)?.name;
  return (typeof name === 'string' ? OUTCOME_BY_NAME.get(name) : undefined) ?? 'upstream_error';
}

/**
 * The error's name for a span's `error.type`: an AWS exception name or a Node error name (letters
 * only, as AWS and Node name them), else `_OTHER` (OpenTelemetry's fallback value).
 */
export function errorTypeOf(error: unknown): string {
  const name = (error as { name?: unknown } | null)?.name;
  return typeof name === 'string' && /^[A-Za-z]{1,64}$/.test(name) ? name : '_OTHER';
}
