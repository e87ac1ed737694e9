import { GraphQLError } from 'graphql';

export type AwsServiceName = 'quicksight' | 'datazone';

/** The GraphQL error codes of CONTRACT.md ("Errors and bad input"). */
export type GatewayErrorCode =
  | 'NOT_FOUND'
  | 'FORBIDDEN'
  | 'THROTTLED'
  | 'BAD_USER_INPUT'
  | 'UPSTREAM_ERROR';

/**
 * The one table from AWS exception names to GraphQL error codes; anything else is UPSTREAM_ERROR. A
 * Map, not an object: a name such as `constructor` (the name comes off the wire) is not a row.
 */
const CODE_BY_AWS_ERROR: ReadonlyMap<string, GatewayErrorCode> = new Map([
  ['ResourceNotFoundException', 'NOT_FOUND'],
  ['AccessDeniedException', 'FORBIDDEN'],
  ['UnauthorizedException', 'FORBIDDEN'],
  ['ThrottlingException', 'THROTTLED'],
  // Our own client-side rate limiter (src/aws/rate-limit.ts) refusing a call that would queue too long.
  ['ClientRateLimitExceeded', 'THROTTLED'],
  ['ValidationException', 'BAD_USER_INPUT'],
  ['InvalidParameterValueException', 'BAD_USER_INPUT'],
  // QuickSight's list and search calls: the NextToken (from a client's `after` cursor) was refused.
  ['InvalidNextTokenException', 'BAD_USER_INPUT'],
]);

const MESSAGE_BY_CODE: Readonly<Record<GatewayErrorCode, string>> = {
  NOT_FOUND: 'was not found',
  FORBIDDEN: 'could not be read: AWS denied access to the gateway',
  THROTTLED: 'could not be read: AWS kept throttling the request after retries',
  BAD_USER_INPUT: 'could not be read: AWS rejected the request as invalid',
  UPSTREAM_ERROR: 'could not be read: AWS failed or did not answer in time',
};

/** The call never reached AWS: the gateway's own rate limiter had too many calls queued. */
const CLIENT_RATE_LIMIT_MESSAGE = 'could not be read: too many AWS calls are queued in the gateway, try again shortly';

export interface AwsErrorDetails {
  service: AwsServiceName;
  errorName: string;
  requestId: string | null;
}

interface SdkErrorShape {
  name?: unknown;
  $metadata?: { requestId?: unknown; httpStatusCode?: unknown };
}

function awsErrorName(error: unknown): string {
  const name = (error as SdkErrorShape | null)?.name;
  return typeof name === 'string' && name.length > 0 ? name : 'UnknownError';
}

/**
 * Turns whatever the SDK threw into a GraphQLError that is safe to show: our own message (never
 * AWS's text, which may echo input), the contract's code, and `extensions.aws` for support cases.
 * `subject` names the thing that failed, e.g. `DataZone connection conn-1 in domain dzd_1`.
 */
export function toGraphQLError(error: unknown, service: AwsServiceName, subject: string): GraphQLError {
  const errorName = awsErrorName(error);
  const metadata = (error as SdkErrorShape | null)?.$metadata;
  const requestId = typeof metadata?.requestId === 'string' ? metadata.requestId : null;
  const code: GatewayErrorCode = CODE_BY_AWS_ERROR.get(errorName) ?? 'UPSTREAM_ERROR';
  const aws: AwsErrorDetails = { service, errorName, requestId };
  const message = errorName === 'ClientRateLimitExceeded' ? CLIENT_RATE_LIMIT_MESSAGE : MESSAGE_BY_CODE[code];
  return new GraphQLError(`${subject} ${message}.`, {
    extensions: { code, aws },
  });
}

/** Refusal of an argument before any AWS call; the message names the argument. */
export function badUserInput(argumentName: string, problem: string): GraphQLError {
  return new GraphQLError(`Invalid argument "${argumentName}": ${problem}.`, {
    extensions: { code: 'BAD_USER_INPUT', argumentName },
  });
}
