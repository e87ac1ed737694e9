import { createHash } from 'node:crypto';
import { GraphQLError } from 'graphql';
import { badUserInput } from '../aws/errors.js';

/**
 * Relay-style cursor connections over AWS list APIs that page with MaxResults / NextToken.
 *
 * A cursor is opaque to clients: base64url of JSON `{ v, q, t, o }`, where `t` is the AWS NextToken
 * the page started from (null for the first AWS page), `o` how many items of that AWS page lie before
 * the cursor, and `q` a fingerprint of the query (field and filters) the cursor belongs to. Resuming
 * from a cursor asks AWS for `o + first` items from token `t` and skips the first `o`, so paging by
 * `endCursor` costs exactly one AWS call per page: a page that ends where AWS's page ends carries
 * AWS's next token with `o = 0`.
 */

/** Relay's PageInfo, as every `…PageInfo` type of the schema resolves it. */
export interface PageInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
}

export interface Edge<Node> {
  cursor: string;
  node: Node;
}

/** What every `…Connection` type of the schema resolves from. */
export interface Page<Node> {
  edges: Array<Edge<Node>>;
  pageInfo: PageInfo;
}

/** Page size when `first` is absent. */
export const DEFAULT_PAGE_SIZE = 25;
const CURSOR_VERSION = 1;
/** AWS documents NextTokens of up to 8192 characters (DataZone); a cursor carries one plus a little JSON. */
const MAX_TOKEN_LENGTH = 8192;
const MAX_CURSOR_LENGTH = Math.ceil(((MAX_TOKEN_LENGTH + 200) * 4) / 3);
const BASE64URL = /^[A-Za-z0-9_-]+$/;

interface CursorPosition {
  token: string | null;
  offset: number;
}

/** A short fingerprint of the query a cursor belongs to: field name, parent ids, filters and sort. */
export function queryFingerprint(parts: readonly unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 22);
}

function encodeCursor(position: CursorPosition, fingerprint: string): string {
  return Buffer.from(JSON.stringify({ v: CURSOR_VERSION, q: fingerprint, t: position.token, o: position.offset })).toString('base64url');
}

/** The position an `after` cursor points at, or BAD_USER_INPUT naming `after` (before any AWS call). */
export function decodeCursor(after: string, fingerprint: string, maxPageSize: number): CursorPosition {
  const refuse = (problem: string) => badUserInput('after', problem);
  if (after.length === 0 || after.length > MAX_CURSOR_LENGTH || !BASE64URL.test(after)) {
    throw refuse('not a cursor of this API; pass an `endCursor` or edge `cursor` from an earlier page');
  }
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(after, 'base64url').toString('utf8'));
  } catch {
    throw refuse('not a cursor of this API; pass an `endCursor` or edge `cursor` from an earlier page');
  }
  const cursor = decoded as { v?: unknown; q?: unknown; t?: unknown; o?: unknown } | null;
  const tokenOk = cursor?.t === null || (typeof cursor?.t === 'string' && cursor.t.length >= 1 && cursor.t.length <= MAX_TOKEN_LENGTH);
  const offsetOk = typeof cursor?.o === 'number' && Number.isSafeInteger(cursor.o) && cursor.o >= 0 && cursor.o <= maxPageSize;
  if (typeof cursor !== 'object' || cursor === null || cursor.v !== CURSOR_VERSION || typeof cursor.q !== 'string' || !tokenOk || !offsetOk) {
    throw refuse('not a cursor of this API; pass an `endCursor` or edge `cursor` from an earlier page');
  }
  if (cursor.q !== fingerprint) {
    throw refuse('this cursor belongs to a different list or filter; page with the arguments it was issued for');
  }
  return { token: cursor.t as string | null, offset: cursor.o as number };
}

/** `first` checked against the service's page limit; BAD_USER_INPUT naming `first` otherwise. */
export function pageSizeOf(first: number | null | undefined, maxPageSize: number): number {
  if (first === null || first === undefined) return Math.min(DEFAULT_PAGE_SIZE, maxPageSize);
  if (!Number.isInteger(first) || first < 1 || first > maxPageSize) {
    throw badUserInput('first', `the page size must be between 1 and ${maxPageSize}`);
  }
  return first;
}

/** One AWS list call's answer: the items of the page and the token of the next page, if any. */
export interface AwsPage<Item> {
  items: readonly Item[];
  nextToken?: string | undefined;
}

export interface PageRequest<Item, Node> {
  /** Field name, parent ids, filters and sort: a cursor only resumes the query it came from. */
  query: readonly unknown[];
  first: number | null | undefined;
  after: string | null | undefined;
  /** The service's largest MaxResults. */
  maxPageSize: number;
  /** One AWS list call; rejects with the mapped GraphQLError (toGraphQLError). */
  fetchPage(nextToken: string | undefined, maxResults: number): Promise<AwsPage<Item>>;
  /** AWS error names that, on a call that carried a NextToken, mean the token was refused. */
  tokenRefusals: readonly string[];
  toNode(item: Item): Node;
}

/**
 * One page of a Relay connection, from one AWS list call. Arguments are validated before the call
 * (BAD_USER_INPUT naming `first` or `after`).
 */
export async function relayPage<Item, Node>(request: PageRequest<Item, Node>): Promise<Page<Node>> {
  const size = pageSizeOf(request.first, request.maxPageSize);
  const fingerprint = queryFingerprint(request.query);
  const start: CursorPosition =
    request.after === null || request.after === undefined ? { token: null, offset: 0 } : decodeCursor(request.after, fingerprint, request.maxPageSize);
  const maxResults = Math.min(request.maxPageSize, start.offset + size);
  const { items, nextToken } = await request.fetchPage(start.token ?? undefined, maxResults).catch((error: unknown) => {
    throw start.token !== null && refusedToken(error, request.tokenRefusals) ? blameCursor(error as GraphQLError) : error;
  });
  const taken = items.slice(start.offset, start.offset + size);
  const continuation = nextToken ? encodeCursor({ token: nextToken, offset: 0 }, fingerprint) : null;
  const edges = taken.map((item, index) => {
    const consumed = start.offset + index + 1;
    // The last item of AWS's page: continue from AWS's next token rather than re-reading this page.
    const cursor = consumed === items.length && continuation ? continuation : encodeCursor({ token: start.token, offset: consumed }, fingerprint);
    return { cursor, node: request.toNode(item) };
  });
  const hasNextPage = start.offset + taken.length < items.length || Boolean(nextToken);
  return {
    edges,
    pageInfo: {
      hasNextPage,
      hasPreviousPage: request.after !== null && request.after !== undefined,
      startCursor: edges[0]?.cursor ?? null,
      // AWS may answer an empty page that still has a next token: hand that on, so paging never stalls.
      endCursor: edges.at(-1)?.cursor ?? (hasNextPage ? continuation : null),
    },
  };
}

function refusedToken(error: unknown, refusals: readonly string[]): boolean {
  if (!(error instanceof GraphQLError)) return false;
  const errorName = (error.extensions['aws'] as { errorName?: unknown } | undefined)?.errorName;
  return typeof errorName === 'string' && refusals.includes(errorName);
}

/**
 * An AWS refusal of the NextToken a cursor carried, as BAD_USER_INPUT naming `after` (the cursor is
 * what the client controls). Keeps the mapped error's message and `extensions.aws`.
 */
function blameCursor(error: GraphQLError): GraphQLError {
  return new GraphQLError(error.message, { extensions: { ...error.extensions, code: 'BAD_USER_INPUT', argumentName: 'after' } });
}
