import { GraphQLError } from 'graphql';

/** The service an error names: the call's own, or STS when the target's role could not be assumed. */
export type AwsServiceName = 'quicksight' | 'datazone' | 'sts';

/**
 * The one table from AWS exception names to GraphQL error codes; anything else is UPSTREAM_ERROR.
 * Its codes make SubgraphErrorCode: a row with a new code needs a message (MESSAGE_BY_CODE) and is
 * shown to callers unmasked (src/server/apollo.ts) with no second list to keep.
 */
export const CODE_BY_AWS_ERROR = {
  ResourceNotFoundException: 'NOT_FOUND',
  AccessDeniedException: 'FORBIDDEN',
  UnauthorizedException: 'FORBIDDEN',
  // STS (AssumeRole of a target's role, AWS_TARGETS_FILE): its Query protocol's name for a refusal.
  AccessDenied: 'FORBIDDEN',
  ThrottlingException: 'THROTTLED',
  // Our own client-side rate limiter (src/aws/rate-limit.ts) refusing a call of a caller over its share.
  ClientRateLimitExceeded: 'THROTTLED',
  ValidationException: 'BAD_USER_INPUT',
  InvalidParameterValueException: 'BAD_USER_INPUT',
  // QuickSight's list and search calls: the NextToken (from a client's `after` cursor) was refused.
  InvalidNextTokenException: 'BAD_USER_INPUT',
} as const satisfies Readonly<Record<string, string>>;

/** The code of an AWS failure the table does not name. */
const UPSTREAM_ERROR = 'UPSTREAM_ERROR';

/**
 * The GraphQL error codes of CONTRACT.md ("Errors and bad input"): the table's, UPSTREAM_ERROR,
 * and BAD_USER_INPUT for an argument refused before any AWS call (badUserInput).
 */
export type SubgraphErrorCode = (typeof CODE_BY_AWS_ERROR)[keyof typeof CODE_BY_AWS_ERROR] | typeof UPSTREAM_ERROR | 'BAD_USER_INPUT';

/**
 * Lookups go through a Map, not the object: a name such as `constructor` (the name comes off the
 * wire) must not find a property inherited from Object.prototype.
 */
const CODE_LOOKUP: ReadonlyMap<string, SubgraphErrorCode> = new Map(Object.entries(CODE_BY_AWS_ERROR));

const MESSAGE_BY_CODE: Readonly<Record<SubgraphErrorCode, string>> = {
  NOT_FOUND: 'was not found',
  FORBIDDEN: 'could not be read: AWS denied access to the subgraph',
  THROTTLED: 'could not be read: AWS kept throttling the request after retries',
  BAD_USER_INPUT: 'could not be read: AWS rejected the request as invalid',
  UPSTREAM_ERROR: 'could not be read: AWS failed or did not answer in time',
};

/** Every code this module gives an error: the keys of MESSAGE_BY_CODE, which its type keeps complete. */
export const SUBGRAPH_ERROR_CODES: readonly SubgraphErrorCode[] = Object.freeze(Object.keys(MESSAGE_BY_CODE) as SubgraphErrorCode[]);

/**
 * The call never reached AWS: the subgraph's own rate limiter refused it, because the caller already
 * has so many calls queued that this one would wait too long for its share of the limit.
 */
const CLIENT_RATE_LIMIT_MESSAGE =
  'could not be read: too many AWS calls are queued in the subgraph for this caller, which is over its share of the AWS rate limit; try again shortly';

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
  const code: SubgraphErrorCode = CODE_LOOKUP.get(errorName) ?? UPSTREAM_ERROR;
  const aws: AwsErrorDetails = { service, errorName, requestId };
  const message = errorName === 'ClientRateLimitExceeded' ? CLIENT_RATE_LIMIT_MESSAGE : MESSAGE_BY_CODE[code];
  return new GraphQLError(`${subject} ${message}.`, {
    extensions: { code, aws },
  });
}

/** Refusal of an argument before any AWS call; the message names the argument. */
export function badUserInput(argumentName: string, problem: string): GraphQLError {
  return new GraphQLError(`Invalid argument "${argumentName}": ${problem}.`, {
    extensions: { code: 'BAD_USER_INPUT' satisfies SubgraphErrorCode, argumentName },
  });
}

/**
 * Refusal of an account or domain that AWS_TARGETS_FILE does not name, before any AWS call: the
 * subgraph may not read it. The message names the argument, never the file's content.
 */
export function targetNotConfigured(argumentName: string, subject: string): GraphQLError {
  return new GraphQLError(`Argument "${argumentName}": the subgraph is not configured to read ${subject}.`, {
    extensions: { code: 'FORBIDDEN' satisfies SubgraphErrorCode, argumentName },
  });
}

/**
 * `error` as the refusal of argument `to` when it refuses argument `from` (an entity's key field
 * is named otherwise than the root field's argument, e.g. DataZone's `domainId`); else `error`.
 */
export function renamedArgument(error: unknown, from: string, to: string): unknown {
  if (!(error instanceof GraphQLError) || error.extensions['argumentName'] !== from) return error;
  return new GraphQLError(error.message.replace(`"${from}"`, `"${to}"`), { extensions: { ...error.extensions, argumentName: to } });
}
