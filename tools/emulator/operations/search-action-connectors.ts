import { defineEmulatedOperation } from '../operation.js';
import { PAGING_QUERY, answerActionConnectorList } from './list-action-connectors.js';

/** POST /accounts/{AwsAccountId}/search/action-connectors?max-results=&next-token=  body: { Filters } */
export const searchActionConnectors = defineEmulatedOperation({
  service: 'quicksight',
  name: 'SearchActionConnectors',
  method: 'POST',
  path: '/accounts/{AwsAccountId}/search/action-connectors',
  query: PAGING_QUERY,
  faultId: 'AwsAccountId',
  // The body's Filters, recorded as JSON text.
  bodyMembers: (body) => {
    try {
      return { Filters: JSON.stringify((JSON.parse(body || '{}') as { Filters?: unknown }).Filters ?? null) };
    } catch {
      return { Filters: '(invalid JSON)' };
    }
  },
  errors: ['AccessDeniedException', 'InvalidNextTokenException', 'InvalidParameterValueException', 'ThrottlingException'],
  answer: (request, store) => answerActionConnectorList('SearchActionConnectors', request, store),
});
