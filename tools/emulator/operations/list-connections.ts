import { awsError, defineEmulatedOperation } from '../operation.js';
import { decodeNextToken, intInRange, pageOf, queryFingerprint } from '../paging.js';
import { DZ_DOMAIN_ID, connections } from './get-connection.js';

const DZ_PROJECT_OR_ENVIRONMENT_ID = /^[a-zA-Z0-9_-]{1,36}$/;
const DZ_NAME_MAX = 64;
const DZ_NEXT_TOKEN_MAX = 8192;
const DZ_SCOPES = new Set(['DOMAIN', 'PROJECT']);
const DZ_SORT_ORDERS = new Set(['ASCENDING', 'DESCENDING']);
/** Page size: ListConnections allows up to 50 per call. */
const DZ_MAX_RESULTS = 50;
const QUERY_MEMBERS = ['maxResults', 'nextToken', 'sortBy', 'sortOrder', 'name', 'environmentIdentifier', 'projectIdentifier', 'type', 'scope'];

/**
 * GET /v2/domains/{domainIdentifier}/connections?maxResults=&nextToken=&sortBy=&sortOrder=&name=&environmentIdentifier=&projectIdentifier=&type=&scope=
 *
 * The domain's connections, filtered by every query member sent (project, environment, exact name,
 * type, scope), in insertion order or by name (sortBy=NAME), reversed by sortOrder=DESCENDING;
 * paged by maxResults (1..50, default 50) and nextToken.
 */
export const listConnections = defineEmulatedOperation({
  service: 'datazone',
  name: 'ListConnections',
  method: 'GET',
  path: '/v2/domains/{domainIdentifier}/connections',
  query: Object.fromEntries(QUERY_MEMBERS.map((name) => [name, name])),
  faultId: 'domainIdentifier',
  errors: ['AccessDeniedException', 'InternalServerException', 'ThrottlingException', 'ValidationException', 'UnauthorizedException'],
  answer: ({ params: p }, store) => {
    const domain = p['domainIdentifier'] as string;
    const refuse = (member: string, constraint: string) =>
      awsError('ValidationException', 400, `1 validation error detected: Value at '${member}' failed to satisfy constraint: ${constraint}`);
    if (!DZ_DOMAIN_ID.test(domain)) return refuse('domainIdentifier', 'Member must satisfy regular expression pattern: ^dzd[-_][a-zA-Z0-9_-]{1,36}$');
    const maxResults = p['maxResults'] === undefined ? DZ_MAX_RESULTS : intInRange(p['maxResults'], 1, DZ_MAX_RESULTS);
    if (maxResults === undefined) return refuse('maxResults', `Member must have value between 1 and ${DZ_MAX_RESULTS}`);
    for (const member of ['projectIdentifier', 'environmentIdentifier']) {
      const value = p[member];
      if (value !== undefined && !DZ_PROJECT_OR_ENVIRONMENT_ID.test(value)) return refuse(member, 'Member must satisfy regular expression pattern: ^[a-zA-Z0-9_-]{1,36}$');
    }
    if (p['name'] !== undefined && p['name'].length > DZ_NAME_MAX) return refuse('name', `Member must have length less than or equal to ${DZ_NAME_MAX}`);
    if (p['scope'] !== undefined && !DZ_SCOPES.has(p['scope'])) return refuse('scope', 'Member must satisfy enum value set: [DOMAIN, PROJECT]');
    if (p['sortBy'] !== undefined && p['sortBy'] !== 'NAME') return refuse('sortBy', 'Member must satisfy enum value set: [NAME]');
    if (p['sortOrder'] !== undefined && !DZ_SORT_ORDERS.has(p['sortOrder'])) return refuse('sortOrder', 'Member must satisfy enum value set: [ASCENDING, DESCENDING]');
    const token = p['nextToken'];
    if (token !== undefined && (token.length < 1 || token.length > DZ_NEXT_TOKEN_MAX)) return refuse('nextToken', `Member must have length between 1 and ${DZ_NEXT_TOKEN_MAX}`);

    const filterMembers: Array<[string, string]> = [
      ['projectIdentifier', 'projectId'],
      ['environmentIdentifier', 'environmentId'],
      ['name', 'name'],
      ['type', 'type'],
      ['scope', 'scope'],
    ];
    const wanted = filterMembers.flatMap(([query, member]) => (p[query] === undefined ? [] : [[member, p[query]] as const]));
    const fingerprint = queryFingerprint(['ListConnections', domain, wanted, p['sortBy'] ?? null, p['sortOrder'] ?? null]);
    const offset = token === undefined ? 0 : decodeNextToken(token, fingerprint);
    if (offset === undefined) return refuse('nextToken', 'Member must be a token returned by a previous ListConnections call with the same parameters');

    const items = store
      .of(connections)
      .ownedBy(domain)
      .map((stored) => stored.summary)
      .filter((summary) => wanted.every(([member, value]) => summary[member] === value));
    if (p['sortBy'] === 'NAME') {
      const text = (value: unknown) => (typeof value === 'string' ? value : '');
      items.sort((a, b) => text(a['name']).localeCompare(text(b['name'])) || text(a['connectionId']).localeCompare(text(b['connectionId'])));
    }
    if (p['sortOrder'] === 'DESCENDING') items.reverse();
    const { page, nextToken } = pageOf(items, offset, maxResults, fingerprint);
    return JSON.stringify({ items: page, ...(nextToken ? { nextToken } : {}) });
  },
});
