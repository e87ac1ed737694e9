import { badUserInput } from '../aws/errors.js';
import type { ActionConnectorKey } from './model.js';

/** QuickSight account ids are 12 digits; connector ids are word characters and hyphens (AWS API reference). */
const AWS_ACCOUNT_ID = /^[0-9]{12}$/;
const ACTION_CONNECTOR_ID = /^[\w-]{1,128}$/;

/** Refuses an account id that is not 12 digits, before any AWS call. */
export function validateAwsAccountId(awsAccountId: unknown, argumentName = 'awsAccountId'): void {
  if (typeof awsAccountId !== 'string' || !AWS_ACCOUNT_ID.test(awsAccountId)) {
    throw badUserInput(argumentName, 'an AWS account id is exactly 12 digits');
  }
}

/** Refuses ids that break the service's documented patterns, before any AWS call. */
export function validateActionConnectorKey(key: ActionConnectorKey, argumentNames = { account: 'awsAccountId', connector: 'actionConnectorId' }): void {
  validateAwsAccountId(key.awsAccountId, argumentNames.account);
  if (typeof key.actionConnectorId !== 'string' || !ACTION_CONNECTOR_ID.test(key.actionConnectorId)) {
    throw badUserInput(argumentNames.connector, 'an action connector id is 1 to 128 letters, digits, "_" or "-"');
  }
}
