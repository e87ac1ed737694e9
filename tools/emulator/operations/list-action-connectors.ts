import { type AwsErrorAnswer, type EmulatorStore, type OperationRequest, awsError, defineEmulatedOperation } from '../operation.js';
import { decodeNextToken, intInRange, pageOf, queryFingerprint } from '../paging.js';
import type { WireObject } from '../wire.js';
import { QS_ACCOUNT_ID, actionConnectors } from './describe-action-connector.js';

/** Page size: QuickSight's list and search allow up to 100 per call. */
const QS_MAX_RESULTS = 100;
const QS_SEARCH_FILTER_NAMES = new Set(['ACTION_CONNECTOR_NAME', 'ACTION_CONNECTOR_TYPE']);
const QS_OWNERSHIP_FILTER_NAMES = new Set([
  'QUICKSIGHT_OWNER',
  'QUICKSIGHT_VIEWER_OR_OWNER',
  'DIRECT_QUICKSIGHT_SOLE_OWNER',
  'DIRECT_QUICKSIGHT_OWNER',
  'DIRECT_QUICKSIGHT_VIEWER_OR_OWNER',
]);

/** The paging query members both operations bind. */
export const PAGING_QUERY = { 'max-results': 'MaxResults', 'next-token': 'NextToken' } as const;

/**
 * ListActionConnectors / SearchActionConnectors: the account's connectors in insertion order,
 * paged by MaxResults (1..100, default 100) and NextToken. Search takes at most one filter, as
 * QuickSight does: ACTION_CONNECTOR_NAME or ACTION_CONNECTOR_TYPE with StringEquals (exact) or
 * StringLike (contains, ignoring case). The ownership filters need QuickSight users and
 * permissions, which the emulator does not model: it refuses them.
 */
export function answerActionConnectorList(operation: 'ListActionConnectors' | 'SearchActionConnectors', request: OperationRequest, store: EmulatorStore): string | AwsErrorAnswer {
  const { params } = request;
  const account = params['AwsAccountId'] as string;
  const refuse = (name: string, message: string) => awsError(name, 400, message);
  if (!QS_ACCOUNT_ID.test(account)) {
    return refuse('InvalidParameterValueException', `The value for AwsAccountId '${account}' is not valid: it must be a 12-digit AWS account ID.`);
  }
  const maxResultsRaw = params['MaxResults'];
  const maxResults = maxResultsRaw === undefined ? QS_MAX_RESULTS : intInRange(maxResultsRaw, 1, QS_MAX_RESULTS);
  if (maxResults === undefined) {
    return refuse('InvalidParameterValueException', `The value for MaxResults is not valid: it must be between 1 and ${QS_MAX_RESULTS}.`);
  }
  let matches: (summary: WireObject) => boolean = () => true;
  let filters: unknown[] = [];
  if (operation === 'SearchActionConnectors') {
    let body: { Filters?: unknown };
    try {
      body = JSON.parse(request.body || '{}') as { Filters?: unknown };
    } catch {
      return refuse('InvalidParameterValueException', 'The request body is not valid JSON.');
    }
    if (!Array.isArray(body.Filters)) return refuse('InvalidParameterValueException', 'Filters is required.');
    if (body.Filters.length > 1) return refuse('InvalidParameterValueException', 'Maximum of one filter is supported.');
    filters = body.Filters;
    const filter = body.Filters[0] as Record<string, unknown> | undefined;
    if (filter !== undefined) {
      const { Name: name, Operator: operator, Value: value } = filter;
      if (typeof name !== 'string' || typeof operator !== 'string' || typeof value !== 'string') {
        return refuse('InvalidParameterValueException', 'A filter needs a Name, an Operator and a Value.');
      }
      if (QS_OWNERSHIP_FILTER_NAMES.has(name)) {
        return refuse('InvalidParameterValueException', `The emulator does not model QuickSight users, so it cannot filter by ${name}.`);
      }
      if (!QS_SEARCH_FILTER_NAMES.has(name)) return refuse('InvalidParameterValueException', `Unknown filter name '${name}'.`);
      if (operator !== 'StringEquals' && operator !== 'StringLike') return refuse('InvalidParameterValueException', `Unknown filter operator '${operator}'.`);
      const member = name === 'ACTION_CONNECTOR_NAME' ? 'Name' : 'Type';
      const needle = value.toLowerCase();
      matches = (summary) => {
        const actual = summary[member];
        if (typeof actual !== 'string') return false;
        return operator === 'StringEquals' ? actual === value : actual.toLowerCase().includes(needle);
      };
    }
  }
  const fingerprint = queryFingerprint([operation, account, filters]);
  const token = params['NextToken'];
  const offset = token === undefined ? 0 : decodeNextToken(token, fingerprint);
  if (offset === undefined) return refuse('InvalidNextTokenException', 'The NextToken is not valid for this request.');
  const items = store
    .of(actionConnectors)
    .ownedBy(account)
    .map((stored) => stored.summary)
    .filter(matches);
  const { page, nextToken } = pageOf(items, offset, maxResults, fingerprint);
  return JSON.stringify({ ActionConnectorSummaries: page, ...(nextToken ? { NextToken: nextToken } : {}), RequestId: request.requestId });
}

/** GET /accounts/{AwsAccountId}/action-connectors?max-results=&next-token= */
export const listActionConnectors = defineEmulatedOperation({
  service: 'quicksight',
  name: 'ListActionConnectors',
  method: 'GET',
  path: '/accounts/{AwsAccountId}/action-connectors',
  query: PAGING_QUERY,
  faultId: 'AwsAccountId',
  errors: ['AccessDeniedException', 'InternalFailureException', 'InvalidNextTokenException', 'InvalidParameterValueException', 'ThrottlingException'],
  answer: (request, store) => answerActionConnectorList('ListActionConnectors', request, store),
});
