/**
 * The one table from AWS exception names to GraphQL errors (src/aws/errors.ts), row by row, with the
 * SDKs' own exception classes: each row's code and message, `extensions.aws`, and the fallbacks.
 * test/faults.test.ts and test/resilience.test.ts show the same table end to end through the emulator.
 */
import * as dataZone from '@aws-sdk/client-datazone';
import * as quickSight from '@aws-sdk/client-quicksight';
import { GraphQLError } from 'graphql';
import { describe, expect, test } from 'vitest';
import { type AwsServiceName, badUserInput, renamedArgument, targetNotConfigured, toGraphQLError } from '../src/aws/errors.js';
import { AssumeRoleError } from '../src/aws/targets.js';
import { RateLimitExceededError } from '../src/aws/rate-limit.js';

const SUBJECT = 'DataZone connection "conn-1" in domain dzd_test0001';
const REQUEST_ID = 'a1b2c3d4-5e6f-4a5b-8c9d-0e1f2a3b4c5d';
/** Text AWS may put in an exception; it may echo input, so it never reaches the GraphQL message. */
const AWS_TEXT = 'User arn:aws:iam::111122223333:user/alice is not authorized; key AKIAIOSFODNN7EXAMPLE';

const MESSAGES = {
  NOT_FOUND: 'was not found',
  FORBIDDEN: 'could not be read: AWS denied access to the subgraph',
  THROTTLED: 'could not be read: AWS kept throttling the request after retries',
  BAD_USER_INPUT: 'could not be read: AWS rejected the request as invalid',
  UPSTREAM_ERROR: 'could not be read: AWS failed or did not answer in time',
} as const;

type SdkException = new (options: { $metadata: { requestId?: string; httpStatusCode?: number }; message: string }) => Error;

interface Row {
  service: AwsServiceName;
  exception: SdkException;
  errorName: string;
  code: keyof typeof MESSAGES;
}

const ROWS: Row[] = [
  { service: 'datazone', exception: dataZone.ResourceNotFoundException, errorName: 'ResourceNotFoundException', code: 'NOT_FOUND' },
  { service: 'quicksight', exception: quickSight.ResourceNotFoundException, errorName: 'ResourceNotFoundException', code: 'NOT_FOUND' },
  { service: 'datazone', exception: dataZone.AccessDeniedException, errorName: 'AccessDeniedException', code: 'FORBIDDEN' },
  { service: 'quicksight', exception: quickSight.AccessDeniedException, errorName: 'AccessDeniedException', code: 'FORBIDDEN' },
  { service: 'datazone', exception: dataZone.UnauthorizedException, errorName: 'UnauthorizedException', code: 'FORBIDDEN' },
  { service: 'datazone', exception: dataZone.ThrottlingException, errorName: 'ThrottlingException', code: 'THROTTLED' },
  { service: 'quicksight', exception: quickSight.ThrottlingException, errorName: 'ThrottlingException', code: 'THROTTLED' },
  { service: 'datazone', exception: dataZone.ValidationException, errorName: 'ValidationException', code: 'BAD_USER_INPUT' },
  { service: 'quicksight', exception: quickSight.InvalidParameterValueException, errorName: 'InvalidParameterValueException', code: 'BAD_USER_INPUT' },
  { service: 'quicksight', exception: quickSight.InvalidNextTokenException, errorName: 'InvalidNextTokenException', code: 'BAD_USER_INPUT' },
  { service: 'datazone', exception: dataZone.InternalServerException, errorName: 'InternalServerException', code: 'UPSTREAM_ERROR' },
  { service: 'quicksight', exception: quickSight.InternalFailureException, errorName: 'InternalFailureException', code: 'UPSTREAM_ERROR' },
  { service: 'quicksight', exception: quickSight.ResourceUnavailableException, errorName: 'ResourceUnavailableException', code: 'UPSTREAM_ERROR' },
  { service: 'datazone', exception: dataZone.ConflictException, errorName: 'ConflictException', code: 'UPSTREAM_ERROR' },
];

function expectSafe(error: GraphQLError): void {
  expect(error).toBeInstanceOf(GraphQLError);
  expect(error.message).not.toContain(AWS_TEXT);
  expect(JSON.stringify(error.extensions)).not.toContain('AKIA');
  expect(error.extensions).not.toHaveProperty('stacktrace');
}

describe('toGraphQLError - the AWS error table', () => {
  for (const row of ROWS) {
    test(`toGraphQLError - ${row.service} ${row.errorName} is ${row.code}, with its message and extensions.aws`, () => {
      const thrown = new row.exception({ $metadata: { requestId: REQUEST_ID, httpStatusCode: 400 }, message: AWS_TEXT });
      expect(thrown.name).toBe(row.errorName);
      const error = toGraphQLError(thrown, row.service, SUBJECT);
      expect(error.message).toBe(`${SUBJECT} ${MESSAGES[row.code]}.`);
      expect(error.extensions).toEqual({ code: row.code, aws: { service: row.service, errorName: row.errorName, requestId: REQUEST_ID } });
      expectSafe(error);
    });
  }

  test('toGraphQLError - the client-side rate limit refusal is THROTTLED, saying that the call never left the subgraph', () => {
    const error = toGraphQLError(new RateLimitExceededError('more than 5000 ms of calls are already queued'), 'quicksight', SUBJECT);
    expect(error.message).toBe(`${SUBJECT} could not be read: too many AWS calls are queued in the subgraph for this caller, which is over its share of the AWS rate limit; try again shortly.`);
    expect(error.extensions).toEqual({ code: 'THROTTLED', aws: { service: 'quicksight', errorName: 'ClientRateLimitExceeded', requestId: null } });
  });

  test('toGraphQLError - a name the table does not know (a timeout, a network error) is UPSTREAM_ERROR under its own name', () => {
    const timeout = Object.assign(new Error('socket hang up'), { name: 'TimeoutError' });
    const error = toGraphQLError(timeout, 'datazone', SUBJECT);
    expect(error.message).toBe(`${SUBJECT} ${MESSAGES.UPSTREAM_ERROR}.`);
    expect(error.extensions).toEqual({ code: 'UPSTREAM_ERROR', aws: { service: 'datazone', errorName: 'TimeoutError', requestId: null } });
  });

  test('toGraphQLError - names that are properties of every object are not rows of the table', () => {
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      const error = toGraphQLError(Object.assign(new Error('x'), { name }), 'datazone', SUBJECT);
      expect(error.extensions['code'], name).toBe('UPSTREAM_ERROR');
      expect(error.message).toBe(`${SUBJECT} ${MESSAGES.UPSTREAM_ERROR}.`);
    }
  });

  const NAMELESS: Array<{ name: string; thrown: unknown }> = [
    { name: 'an object without a name', thrown: { message: AWS_TEXT } },
    { name: 'an empty name', thrown: Object.assign(new Error(AWS_TEXT), { name: '' }) },
    { name: 'a name that is not a string', thrown: { name: 42 } },
    { name: 'null', thrown: null },
    { name: 'undefined', thrown: undefined },
    { name: 'a string', thrown: AWS_TEXT },
  ];
  for (const { name, thrown } of NAMELESS) {
    test(`toGraphQLError - ${name} is UPSTREAM_ERROR named UnknownError`, () => {
      const error = toGraphQLError(thrown, 'quicksight', SUBJECT);
      expect(error.message).toBe(`${SUBJECT} ${MESSAGES.UPSTREAM_ERROR}.`);
      expect(error.extensions).toEqual({ code: 'UPSTREAM_ERROR', aws: { service: 'quicksight', errorName: 'UnknownError', requestId: null } });
      expectSafe(error);
    });
  }

  test('toGraphQLError - extensions.aws.requestId is null when the metadata has none or a non-string one', () => {
    const withoutId = new dataZone.ResourceNotFoundException({ $metadata: {}, message: 'gone' });
    expect(toGraphQLError(withoutId, 'datazone', SUBJECT).extensions['aws']).toEqual({ service: 'datazone', errorName: 'ResourceNotFoundException', requestId: null });
    const numericId = { name: 'ThrottlingException', $metadata: { requestId: 12345 } };
    expect(toGraphQLError(numericId, 'quicksight', SUBJECT).extensions['aws']).toEqual({ service: 'quicksight', errorName: 'ThrottlingException', requestId: null });
    const noMetadata = { name: 'ThrottlingException' };
    expect(toGraphQLError(noMetadata, 'quicksight', SUBJECT).extensions['aws']).toEqual({ service: 'quicksight', errorName: 'ThrottlingException', requestId: null });
  });
});

describe('badUserInput', () => {
  test('badUserInput - names the argument and the problem, code BAD_USER_INPUT', () => {
    const error = badUserInput('awsAccountId', 'a QuickSight account id is 12 digits');
    expect(error.message).toBe('Invalid argument "awsAccountId": a QuickSight account id is 12 digits.');
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', argumentName: 'awsAccountId' });
  });
});

describe('AWS_TARGETS_FILE refusals', () => {
  test('toGraphQLError - a role STS refuses (AccessDenied) is FORBIDDEN naming sts, without STS\'s text', () => {
    const refused = new AssumeRoleError(Object.assign(new Error(AWS_TEXT), { name: 'AccessDenied', $metadata: { requestId: REQUEST_ID, httpStatusCode: 403 } }));
    expect(refused.message).toBe('AssumeRole failed');
    expect(refused.$metadata).toEqual({ requestId: REQUEST_ID, httpStatusCode: 403 });
    const error = toGraphQLError(refused, 'sts', SUBJECT);
    expect(error.message).toBe(`${SUBJECT} ${MESSAGES.FORBIDDEN}.`);
    expect(error.extensions).toEqual({ code: 'FORBIDDEN', aws: { service: 'sts', errorName: 'AccessDenied', requestId: REQUEST_ID } });
    expectSafe(error);
  });

  test('AssumeRoleError - another failure keeps its name; a bare Error, or anything else, is AssumeRoleFailed without metadata', () => {
    expect(toGraphQLError(new AssumeRoleError({ name: 'RegionDisabledException', $metadata: {} }), 'sts', SUBJECT).extensions).toEqual({
      code: 'UPSTREAM_ERROR',
      aws: { service: 'sts', errorName: 'RegionDisabledException', requestId: null },
    });
    for (const cause of [new Error(AWS_TEXT), null, AWS_TEXT, { name: 7, $metadata: { requestId: 7, httpStatusCode: '403' } }]) {
      const error = new AssumeRoleError(cause);
      expect(error.name).toBe('AssumeRoleFailed');
      expect(error.$metadata).toEqual({});
    }
  });

  test('targetNotConfigured - FORBIDDEN naming the argument and the subject', () => {
    const error = targetNotConfigured('awsAccountId', 'QuickSight action connector "jira" in account 999988887777');
    expect(error.message).toBe('Argument "awsAccountId": the subgraph is not configured to read QuickSight action connector "jira" in account 999988887777.');
    expect(error.extensions).toEqual({ code: 'FORBIDDEN', argumentName: 'awsAccountId' });
  });

  test('renamedArgument - renames the refusal of one argument only; anything else passes unchanged', () => {
    const refusal = targetNotConfigured('domainIdentifier', SUBJECT);
    const renamed = renamedArgument(refusal, 'domainIdentifier', 'domainId') as GraphQLError;
    expect(renamed.message).toBe(`Argument "domainId": the subgraph is not configured to read ${SUBJECT}.`);
    expect(renamed.extensions).toEqual({ code: 'FORBIDDEN', argumentName: 'domainId' });
    expect(refusal.extensions['argumentName']).toBe('domainIdentifier');
    const other = badUserInput('identifier', 'too long');
    expect(renamedArgument(other, 'domainIdentifier', 'domainId')).toBe(other);
    const plain = new Error('x');
    expect(renamedArgument(plain, 'domainIdentifier', 'domainId')).toBe(plain);
  });
});
