import type { ActionConnector } from '@aws-sdk/client-quicksight';
import { awsError, defineEmulatedOperation, defineResource } from '../operation.js';
import { seedActionConnectors, seedBulkActionConnectors } from '../seed.js';
import { ACTION_CONNECTOR_SUMMARY_MEMBERS, QUICKSIGHT_DATE_TIME_MEMBERS, type WireObject, pickMembers, toWire } from '../wire.js';

/** Validation patterns from the QuickSight API reference. */
export const QS_ACCOUNT_ID = /^[0-9]{12}$/;
const QS_CONNECTOR_ID = /^[\w-]{1,512}$/;

/**
 * QuickSight action connectors, stored as DescribeActionConnector's `ActionConnector` (wire JSON)
 * and as the summary ListActionConnectors / SearchActionConnectors return.
 */
export const actionConnectors = defineResource({
  store: ({ awsAccountId, connector }: { awsAccountId: string; connector: ActionConnector | Record<string, unknown> }) => {
    const id = (connector as Record<string, unknown>)['ActionConnectorId'];
    if (typeof awsAccountId !== 'string' || typeof id !== 'string') {
      throw new TypeError('putActionConnector needs an awsAccountId and a connector with a string ActionConnectorId');
    }
    const wire = toWire(connector, QUICKSIGHT_DATE_TIME_MEMBERS) as WireObject;
    return { owner: awsAccountId, id, stored: { json: JSON.stringify(wire), summary: pickMembers(wire, ACTION_CONNECTOR_SUMMARY_MEMBERS) } };
  },
  seed: () => [...seedActionConnectors(), ...seedBulkActionConnectors()],
});

/** GET /accounts/{AwsAccountId}/action-connectors/{ActionConnectorId} */
export const describeActionConnector = defineEmulatedOperation({
  service: 'quicksight',
  name: 'DescribeActionConnector',
  method: 'GET',
  path: '/accounts/{AwsAccountId}/action-connectors/{ActionConnectorId}',
  faultId: 'ActionConnectorId',
  errors: ['AccessDeniedException', 'InternalFailureException', 'InvalidParameterValueException', 'ResourceNotFoundException', 'ThrottlingException'],
  answer: ({ params, requestId }, store) => {
    const account = params['AwsAccountId'] as string;
    const id = params['ActionConnectorId'] as string;
    if (!QS_ACCOUNT_ID.test(account)) {
      return awsError('InvalidParameterValueException', 400, `The value for AwsAccountId '${account}' is not valid: it must be a 12-digit AWS account ID.`);
    }
    if (!QS_CONNECTOR_ID.test(id)) {
      return awsError('InvalidParameterValueException', 400, `The value for ActionConnectorId '${id}' is not valid: it must match [\\w\\-]+ and be 1-512 characters long.`);
    }
    const stored = store.of(actionConnectors).get(account, id);
    if (stored === undefined) return awsError('ResourceNotFoundException', 404, `Action connector '${id}' was not found in account ${account}.`);
    return `{"ActionConnector":${stored.json},"RequestId":${JSON.stringify(requestId)}}`;
  },
});

