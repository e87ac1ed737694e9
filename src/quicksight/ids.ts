import { badUserInput } from '../aws/errors.js';
import type { ActionConnectorKey } from './model.js';

/** QuickSight account ids are 12 digits; connector ids are word characters and hyphens (AWS API reference). */
const AWS_ACCOUNT_ID = /^[0-9]{12}$/;
const ACTION_CONNECTOR_ID = /^[\w-]{1,128}$/;

/** Refuses ids that break the service's documented patterns, before any AWS call. */
export function validateActionConnectorKey(key: ActionConnectorKey, argumentNames = { account: 'awsAccountId', connector: 'actionConnectorId' }): void {
  if (typeof key.awsAccountId !== 'string' || !AWS_ACCOUNT_ID.test(key.awsAccountId)) {
    throw badUserInput(argumentNames.account, 'an AWS account id is exactly 12 digits');
  }
  if (typeof key.actionConnectorId !== 'string' || !ACTION_CONNECTOR_ID.test(key.actionConnectorId)) {
    throw badUserInput(argumentNames.connector, 'an action connector id is 1 to 128 letters, digits, "_" or "-"');
  }
}
