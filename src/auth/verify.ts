import { GraphQLError } from 'graphql';
import { type JWTPayload, type JWTVerifyOptions, createRemoteJWKSet, jwtVerify } from 'jose';
import type { AuthConfig } from '../config/config.js';
import type { Caller } from '../core/context.js';

export const ANONYMOUS: Caller = Object.freeze({ authenticated: false, scopes: new Set<string>() });

/** HTTP 401, code UNAUTHENTICATED, no data: the message never echoes the token. */
export function unauthenticated(reason: string): GraphQLError {
  return new GraphQLError(`Unauthenticated: ${reason}.`, {
    extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
  });
}

/** Scopes as the Apollo Router reads them: `scope` (space-separated) and/or `scp` (array or string). */
export function scopesOf(payload: JWTPayload): Set<string> {
  const scopes = new Set<string>();
  for (const claim of [payload['scope'], payload['scp']]) {
    if (typeof claim === 'string') for (const scope of claim.split(' ')) if (scope) scopes.add(scope);
    if (Array.isArray(claim)) for (const scope of claim) if (typeof scope === 'string' && scope) scopes.add(scope);
  }
  return scopes;
}

/**
 * Whom a verified token names (see Caller.principal): its subject, else the OAuth client it was
 * issued to (`client_id`, as in RFC 9068 access tokens, or OpenID Connect's `azp`).
 */
export function principalOf(payload: JWTPayload): string | undefined {
  if (typeof payload.sub === 'string' && payload.sub !== '') return `sub:${payload.sub}`;
  for (const claim of [payload['client_id'], payload['azp']]) if (typeof claim === 'string' && claim !== '') return `client:${claim}`;
  return undefined;
}

/** How long a verified token is taken as verified without checking its signature again. */
export const VERIFIED_TOKEN_TTL_MS = 60_000;
/** The most verified tokens remembered at once. */
export const VERIFIED_TOKEN_MAX_ENTRIES = 10_000;

/**
 * Tokens whose signature and claims were verified, until they expire (and for at most
 * VERIFIED_TOKEN_TTL_MS, so a key dropped from the JWKS stops being honoured soon). A caller sends
 * the same token with every request, and checking its signature costs more than the rest of a
 * cheap request. Only a successful verification is remembered, keyed by the whole token.
 */
class VerifiedTokens {
  private readonly entries = new Map<string, { caller: Caller; until: number }>();

  constructor(private readonly maxEntries: number) {}

  get(token: string, now: number): Caller | undefined {
    const entry = this.entries.get(token);
    if (entry === undefined) return undefined;
    if (entry.until > now) return entry.caller;
    this.entries.delete(token);
    return undefined;
  }

  /**
   * `exp` in seconds since the epoch, as in the JWT. jose accepted the token at `now` on the same
   * clock, so `exp * 1000 > now`: the entry is live when stored.
   */
  set(token: string, caller: Caller, exp: number, now: number): void {
    const until = Math.min(now + VERIFIED_TOKEN_TTL_MS, exp * 1000);
    if (this.entries.size >= this.maxEntries) {
      for (const [key, entry] of this.entries) if (entry.until <= now) this.entries.delete(key);
      // Still full: forget the oldest (Map keeps insertion order); they are verified again when next seen.
      for (const key of this.entries.keys()) {
        if (this.entries.size < this.maxEntries) break;
        this.entries.delete(key);
      }
    }
    this.entries.set(token, { caller, until });
  }
}

/**
 * What is wrong with a token jose refused, in words a caller can act on (a 401's message and its
 * log line). Names claims and algorithms only: never the token, nor a claim's value.
 */
export function tokenDefect(error: unknown): string {
  const { code, claim, reason } = error as { code?: unknown; claim?: unknown; reason?: unknown };
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'the token has expired';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (reason === 'missing') return `the token has no ${String(claim)} claim`;
      if (claim === 'iss') return 'the token was issued by another issuer';
      if (claim === 'aud') return 'the token is for another audience';
      if (claim === 'nbf') return 'the token is not valid yet (nbf)';
      return `the token's ${String(claim)} claim is not valid`;
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return "the token's signing algorithm is not accepted";
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return "the token's signature does not verify";
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return 'no key of the JWKS matches the token';
    case 'ERR_JWS_INVALID':
    case 'ERR_JWT_INVALID':
      return 'the token is not a well-formed signed JWT';
    default:
      return 'the token could not be verified';
  }
}

export type TokenVerifier = (authorizationHeader: string | undefined) => Promise<Caller>;

export interface TokenVerifierOptions {
  /** Milliseconds since the epoch: the one clock for `exp` / `nbf` (jose's) and the verified-token cache. */
  now?: () => number;
  /** The most verified tokens remembered at once (VERIFIED_TOKEN_MAX_ENTRIES). */
  maxCachedTokens?: number;
}

/**
 * Verifies `Authorization: Bearer <JWT>` with jose: HS256 with a shared secret, or RS256/ES256
 * keys from a JWKS URL (jose caches the key set and refetches it on an unknown `kid`). No header
 * means an anonymous caller.
 */
export function createTokenVerifier(config: AuthConfig, options: TokenVerifierOptions = {}): TokenVerifier {
  // Read through `Date.now()` at each call, not a captured reference: a test that fakes the clock replaces `Date`.
  const clock = options.now ?? (() => Date.now());
  // A token without `exp` would never expire: refuse it.
  const claims: JWTVerifyOptions = { issuer: config.issuer, audience: config.audience, requiredClaims: ['exp'] };
  let verify: ((token: string, currentDate: Date) => Promise<JWTPayload>) | undefined;
  if (config.jwtSecret) {
    const secret = new TextEncoder().encode(config.jwtSecret);
    verify = async (token, currentDate) => (await jwtVerify(token, secret, { ...claims, currentDate, algorithms: ['HS256'] })).payload;
  } else if (config.jwksUrl) {
    // Stryker disable next-line ObjectLiteral: equivalent, these are jose's defaults; written out so that our key refresh does not change with jose's.
    const keySet = createRemoteJWKSet(new URL(config.jwksUrl), { cooldownDuration: 30_000, cacheMaxAge: 600_000 });
    verify = async (token, currentDate) => (await jwtVerify(token, keySet, { ...claims, currentDate, algorithms: ['RS256', 'ES256'] })).payload;
  }
  const verified = new VerifiedTokens(options.maxCachedTokens ?? VERIFIED_TOKEN_MAX_ENTRIES);
  return async (authorizationHeader) => {
    if (authorizationHeader === undefined || authorizationHeader === '') return ANONYMOUS;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorizationHeader);
    if (!match?.[1]) throw unauthenticated('the Authorization header must be "Bearer <JWT>"');
    if (!verify) throw unauthenticated('this server is not configured to verify tokens');
    const token = match[1];
    const now = clock();
    const known = verified.get(token, now);
    if (known) return known;
    let payload: JWTPayload;
    try {
      payload = await verify(token, new Date(now));
    } catch (error) {
      throw unauthenticated(tokenDefect(error));
    }
    const principal = principalOf(payload);
    const caller: Caller = Object.freeze({ authenticated: true, subject: payload.sub, ...(principal ? { principal } : {}), scopes: scopesOf(payload) });
    // requiredClaims made jose check that `exp` is there and a number.
    verified.set(token, caller, payload.exp as number, now);
    return caller;
  };
}
