import { createHash } from 'node:crypto';

/**
 * NextTokens are opaque to clients, as AWS's are: base64url of the offset into the result and a
 * fingerprint of the query they belong to. A token that does not decode, or that belongs to another
 * query, is refused (QuickSight: InvalidNextTokenException; DataZone: ValidationException).
 */
function encodeNextToken(offset: number, fingerprint: string): string {
  return Buffer.from(JSON.stringify({ o: offset, q: fingerprint })).toString('base64url');
}

export function decodeNextToken(token: string, fingerprint: string): number | undefined {
  try {
    const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { o?: unknown; q?: unknown };
    if (decoded.q !== fingerprint || typeof decoded.o !== 'number' || !Number.isSafeInteger(decoded.o) || decoded.o < 0) return undefined;
    return decoded.o;
  } catch {
    return undefined;
  }
}

export function queryFingerprint(parts: unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 16);
}

/** One page of `items` from `offset`, and the token of the next page when there is one. */
export function pageOf<T>(items: T[], offset: number, maxResults: number, fingerprint: string): { page: T[]; nextToken?: string } {
  const end = offset + maxResults;
  const page = items.slice(offset, end);
  return end < items.length ? { page, nextToken: encodeNextToken(end, fingerprint) } : { page };
}

/** `value` as an integer in [min, max], or undefined. */
export function intInRange(value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined || !/^-?[0-9]+$/.test(value)) return undefined;
  const parsed = Number(value);
  return parsed >= min && parsed <= max ? parsed : undefined;
}
