/**
 * Bearer token verification (src/auth/verify.ts) in-process: the same table of bad tokens against
 * both paths (HS256 shared secret; RS256 and ES256 keys from a JWKS served over local HTTP), the
 * verified-token cache on a clock the test controls, and the Authorization header's grammar.
 */
import { type JWK, type JWTPayload, SignJWT, UnsecuredJWT, base64url, exportJWK, exportPKCS8, generateKeyPair, importPKCS8 } from 'jose';
import { GraphQLError } from 'graphql';
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { AuthConfig } from '../src/config/config.js';
import {
  ANONYMOUS,
  VERIFIED_TOKEN_MAX_ENTRIES,
  VERIFIED_TOKEN_TTL_MS,
  createTokenVerifier,
  scopesOf,
  type TokenVerifier,
  type TokenVerifierOptions,
} from '../src/auth/verify.js';

const ISSUER = 'https://idp.example.com/';
const AUDIENCE = 'connections-subgraph';
const SECRET = 'token-verification-test-secret-0123456789';
const OTHER_SECRET = 'another-secret-that-is-long-enough-9876543';
/** The test's clock: a fixed instant far from the machine's, so only the injected clock can make a token valid. */
const T0 = Date.UTC(2031, 4, 6, 12, 0, 0);
const T0_SECONDS = T0 / 1000;

const MESSAGES = {
  header: 'Unauthenticated: the Authorization header must be "Bearer <JWT>".',
  expired: 'Unauthenticated: the token has expired.',
  unverified: 'Unauthenticated: the token could not be verified.',
  otherIssuer: 'Unauthenticated: the token was issued by another issuer.',
  otherAudience: 'Unauthenticated: the token is for another audience.',
  noIssuer: 'Unauthenticated: the token has no iss claim.',
  noAudience: 'Unauthenticated: the token has no aud claim.',
  noExp: 'Unauthenticated: the token has no exp claim.',
  notYetValid: 'Unauthenticated: the token is not valid yet (nbf).',
  algorithm: "Unauthenticated: the token's signing algorithm is not accepted.",
  signature: "Unauthenticated: the token's signature does not verify.",
  malformed: 'Unauthenticated: the token is not a well-formed signed JWT.',
  unconfigured: 'Unauthenticated: this server is not configured to verify tokens.',
};

/** Claims of a token both paths accept at T0. */
function goodClaims(overrides: JWTPayload = {}): JWTPayload {
  return { iss: ISSUER, aud: AUDIENCE, sub: 'alice', scope: 'connections:read connections:secrets:read', iat: T0_SECONDS - 10, exp: T0_SECONDS + 600, ...overrides };
}

function without(claims: JWTPayload, name: keyof JWTPayload): JWTPayload {
  const copy = { ...claims };
  delete copy[name];
  return copy;
}

const hs = (secret: string) => new TextEncoder().encode(secret);

/** A controllable clock for the verifier. */
function testClock(start = T0) {
  const clock = { time: start, now: () => clock.time };
  return clock;
}

async function expectRefused(verifier: TokenVerifier, header: string | undefined, message: string, token?: string): Promise<void> {
  const error = await verifier(header).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error, `${header} was accepted`).toBeInstanceOf(GraphQLError);
  const refusal = error as GraphQLError;
  expect(refusal.extensions).toEqual({ code: 'UNAUTHENTICATED', http: { status: 401 } });
  expect(refusal.message).toBe(message);
  if (token) expect(refusal.message).not.toContain(token);
}

// ---------------------------------------------------------------------------------------------
// Keys and the JWKS server shared by the path table
// ---------------------------------------------------------------------------------------------

interface Keys {
  rs: CryptoKeyPair;
  es: CryptoKeyPair;
  rogueRs: CryptoKeyPair;
  rogueEs: CryptoKeyPair;
  /** The private key of `rs`, for algorithms the JWKS path does not accept (WebCrypto binds a key to one). */
  rsAs: { PS256: CryptoKey; RS512: CryptoKey };
  jwksUrl: string;
  jwksFetches: number;
}

const keys = {} as Keys;
let jwksServer: Server;

beforeAll(async () => {
  keys.rs = await generateKeyPair('RS256', { extractable: true });
  const rsPkcs8 = await exportPKCS8(keys.rs.privateKey);
  keys.rsAs = { PS256: await importPKCS8(rsPkcs8, 'PS256'), RS512: await importPKCS8(rsPkcs8, 'RS512') };
  keys.es = await generateKeyPair('ES256');
  keys.rogueRs = await generateKeyPair('RS256');
  keys.rogueEs = await generateKeyPair('ES256');
  keys.jwksFetches = 0;
  // The RSA key is published without `alg`, as many identity providers do: then only the
  // verifier's own list of algorithms stands between a PS256/RS512 signature and acceptance.
  const jwks: { keys: JWK[] } = {
    keys: [
      { ...(await exportJWK(keys.rs.publicKey)), kid: 'rs-1', use: 'sig' },
      { ...(await exportJWK(keys.es.publicKey)), kid: 'es-1', use: 'sig' },
    ],
  };
  jwksServer = createServer((_request, response) => {
    keys.jwksFetches += 1;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify(jwks));
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
  keys.jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks.json`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => (jwksServer ? jwksServer.close(() => resolve()) : resolve()));
});

// ---------------------------------------------------------------------------------------------
// The two paths, and the one table of bad tokens run against each
// ---------------------------------------------------------------------------------------------

interface TokenPath {
  name: string;
  config: () => AuthConfig;
  /** Signs as this path's identity provider does. */
  sign: (claims: JWTPayload) => Promise<string>;
  /** A key of the right kind that this path does not trust. */
  signWithUntrustedKey: (claims: JWTPayload) => Promise<string>;
  /** A key this path trusts, under an algorithm it does not accept. */
  signWithOtherAlgorithm: (claims: JWTPayload) => Promise<string>;
  /** What the other path would accept. */
  signForOtherPath: (claims: JWTPayload) => Promise<string>;
}

const jwt = (claims: JWTPayload, header: { alg: string; kid?: string }, key: CryptoKey | Uint8Array) => new SignJWT(claims).setProtectedHeader(header).sign(key);

const PATHS: TokenPath[] = [
  {
    name: 'HS256',
    config: () => ({ jwtSecret: SECRET, issuer: ISSUER, audience: AUDIENCE }),
    sign: (claims) => jwt(claims, { alg: 'HS256' }, hs(SECRET)),
    signWithUntrustedKey: (claims) => jwt(claims, { alg: 'HS256' }, hs(OTHER_SECRET)),
    signWithOtherAlgorithm: (claims) => jwt(claims, { alg: 'HS512' }, hs(SECRET)),
    signForOtherPath: (claims) => jwt(claims, { alg: 'RS256', kid: 'rs-1' }, keys.rs.privateKey),
  },
  {
    name: 'JWKS RS256',
    config: () => ({ jwksUrl: keys.jwksUrl, issuer: ISSUER, audience: AUDIENCE }),
    sign: (claims) => jwt(claims, { alg: 'RS256', kid: 'rs-1' }, keys.rs.privateKey),
    signWithUntrustedKey: (claims) => jwt(claims, { alg: 'RS256', kid: 'rs-1' }, keys.rogueRs.privateKey),
    signWithOtherAlgorithm: (claims) => jwt(claims, { alg: 'PS256', kid: 'rs-1' }, keys.rsAs.PS256),
    signForOtherPath: (claims) => jwt(claims, { alg: 'HS256' }, hs(SECRET)),
  },
  {
    name: 'JWKS ES256',
    config: () => ({ jwksUrl: keys.jwksUrl, issuer: ISSUER, audience: AUDIENCE }),
    sign: (claims) => jwt(claims, { alg: 'ES256', kid: 'es-1' }, keys.es.privateKey),
    signWithUntrustedKey: (claims) => jwt(claims, { alg: 'ES256', kid: 'es-1' }, keys.rogueEs.privateKey),
    signWithOtherAlgorithm: (claims) => jwt(claims, { alg: 'RS512', kid: 'rs-1' }, keys.rsAs.RS512),
    signForOtherPath: (claims) => jwt(claims, { alg: 'HS256' }, hs(SECRET)),
  },
];

interface BadToken {
  name: string;
  token: (path: TokenPath) => Promise<string>;
  message: string;
}

/** Replaces a signed token's payload, keeping its header and signature. */
function withPayload(token: string, claims: JWTPayload): string {
  const [header, , signature] = token.split('.');
  return `${header}.${base64url.encode(JSON.stringify(claims))}.${signature}`;
}

const BAD_TOKENS: BadToken[] = [
  { name: 'another issuer', token: (p) => p.sign(goodClaims({ iss: 'https://evil.example.com/' })), message: MESSAGES.otherIssuer },
  { name: 'no issuer', token: (p) => p.sign(without(goodClaims(), 'iss')), message: MESSAGES.noIssuer },
  { name: 'another audience', token: (p) => p.sign(goodClaims({ aud: 'some-other-api' })), message: MESSAGES.otherAudience },
  { name: 'no audience', token: (p) => p.sign(without(goodClaims(), 'aud')), message: MESSAGES.noAudience },
  { name: 'no exp (it would never expire)', token: (p) => p.sign(without(goodClaims(), 'exp')), message: MESSAGES.noExp },
  { name: 'an exp that has passed', token: (p) => p.sign(goodClaims({ exp: T0_SECONDS - 1 })), message: MESSAGES.expired },
  { name: 'an exp of this very second', token: (p) => p.sign(goodClaims({ exp: T0_SECONDS })), message: MESSAGES.expired },
  { name: 'an nbf in the future', token: (p) => p.sign(goodClaims({ nbf: T0_SECONDS + 60 })), message: MESSAGES.notYetValid },
  { name: 'alg none (unsigned)', token: async () => new UnsecuredJWT(goodClaims()).encode(), message: MESSAGES.algorithm },
  { name: 'a trusted key under an algorithm the path does not accept', token: (p) => p.signWithOtherAlgorithm(goodClaims()), message: MESSAGES.algorithm },
  { name: "the other path's algorithm", token: (p) => p.signForOtherPath(goodClaims()), message: MESSAGES.algorithm },
  { name: 'a key the path does not trust', token: (p) => p.signWithUntrustedKey(goodClaims()), message: MESSAGES.signature },
  {
    name: 'a payload changed after signing',
    token: async (p) => withPayload(await p.sign(goodClaims({ scope: 'connections:read' })), goodClaims()),
    message: MESSAGES.signature,
  },
  { name: 'its signature cut off', token: async (p) => `${(await p.sign(goodClaims())).split('.').slice(0, 2).join('.')}.`, message: MESSAGES.signature },
  { name: 'one segment of garbage (malformed)', token: async () => 'not-a-jwt', message: MESSAGES.malformed },
  { name: 'three segments of garbage (malformed)', token: async () => 'abc.def.ghi', message: MESSAGES.malformed },
  {
    name: 'a payload that is not JSON (malformed)',
    token: async (p) => {
      const [header, , signature] = (await p.sign(goodClaims())).split('.');
      return `${header}.${base64url.encode('{"sub":')}.${signature}`;
    },
    message: MESSAGES.signature,
  },
];

for (const path of PATHS) {
  describe(`createTokenVerifier (${path.name})`, () => {
    for (const bad of BAD_TOKENS) {
      test(`createTokenVerifier (${path.name}) - a token with ${bad.name} is refused: 401 UNAUTHENTICATED`, async () => {
        const verifier = createTokenVerifier(path.config(), { now: testClock().now });
        const token = await bad.token(path);
        await expectRefused(verifier, `Bearer ${token}`, bad.message, token);
      });
    }

    test(`createTokenVerifier (${path.name}) - a good token gives an authenticated caller with its subject and scopes`, async () => {
      const verifier = createTokenVerifier(path.config(), { now: testClock().now });
      const caller = await verifier(`Bearer ${await path.sign(goodClaims())}`);
      expect(caller).toEqual({ authenticated: true, subject: 'alice', principal: 'sub:alice', scopes: new Set(['connections:read', 'connections:secrets:read']) });
      expect(Object.isFrozen(caller)).toBe(true);
    });

    test(`createTokenVerifier (${path.name}) - a token is good from its nbf up to the second before its exp, on the verifier's clock`, async () => {
      const clock = testClock();
      const verifier = createTokenVerifier(path.config(), { now: clock.now });
      const notBefore = await path.sign(goodClaims({ nbf: T0_SECONDS, exp: T0_SECONDS + 1 }));
      await expect(verifier(`Bearer ${notBefore}`)).resolves.toMatchObject({ authenticated: true });
      clock.time = T0 + 999;
      const lastMoment = await path.sign(goodClaims({ exp: T0_SECONDS + 1, sub: 'last-moment' }));
      await expect(verifier(`Bearer ${lastMoment}`)).resolves.toMatchObject({ subject: 'last-moment' });
    });

    test(`createTokenVerifier (${path.name}) - without configured issuer and audience, tokens need neither`, async () => {
      const { issuer: _issuer, audience: _audience, ...config } = path.config();
      const verifier = createTokenVerifier(config, { now: testClock().now });
      const caller = await verifier(`Bearer ${await path.sign(without(without(goodClaims(), 'iss'), 'aud'))}`);
      expect(caller.authenticated).toBe(true);
    });
  });
}

test('createTokenVerifier (JWKS) - the key set is fetched from AUTH_JWKS_URL', async () => {
  const before = keys.jwksFetches;
  const verifier = createTokenVerifier({ jwksUrl: keys.jwksUrl }, { now: testClock().now });
  await verifier(`Bearer ${await jwt(goodClaims(), { alg: 'ES256', kid: 'es-1' }, keys.es.privateKey)}`);
  expect(keys.jwksFetches).toBe(before + 1);
});

test('createTokenVerifier - a server with neither a secret nor a JWKS URL refuses every token, and still serves anonymous callers', async () => {
  const verifier = createTokenVerifier({});
  const token = await jwt(goodClaims(), { alg: 'HS256' }, hs(SECRET));
  await expectRefused(verifier, `Bearer ${token}`, MESSAGES.unconfigured, token);
  await expectRefused(verifier, `Basic ${token}`, MESSAGES.header, token);
  await expect(verifier(undefined)).resolves.toBe(ANONYMOUS);
});

test('createTokenVerifier - by default, tokens are checked against the machine clock', async () => {
  const verifier = createTokenVerifier({ jwtSecret: SECRET });
  const now = Math.floor(Date.now() / 1000);
  const current = await jwt({ sub: 'now', iat: now, exp: now + 600 }, { alg: 'HS256' }, hs(SECRET));
  await expect(verifier(`Bearer ${current}`)).resolves.toMatchObject({ authenticated: true, subject: 'now' });
  const expired = await jwt({ sub: 'then', iat: now - 600, exp: now - 60 }, { alg: 'HS256' }, hs(SECRET));
  await expectRefused(verifier, `Bearer ${expired}`, MESSAGES.expired, expired);
});

// ---------------------------------------------------------------------------------------------
// The verified-token cache
// ---------------------------------------------------------------------------------------------

describe('verified-token cache', () => {
  const config: AuthConfig = { jwtSecret: SECRET, issuer: ISSUER, audience: AUDIENCE };
  const sign = (claims: JWTPayload) => jwt(claims, { alg: 'HS256' }, hs(SECRET));
  /** Each verification makes a new frozen caller; the cache hands back the one it stored. */
  const bearer = (token: string) => `Bearer ${token}`;

  function verifierOn(clock: { now: () => number }, options: Omit<TokenVerifierOptions, 'now'> = {}) {
    return createTokenVerifier(config, { now: clock.now, ...options });
  }

  test('verified-token cache - a token seen before is answered from the cache (the same caller, not verified again)', async () => {
    const clock = testClock();
    const verify = verifierOn(clock);
    const token = await sign(goodClaims());
    const first = await verify(bearer(token));
    expect(await verify(bearer(token))).toBe(first);
    // Another verifier (another cache) verifies it afresh.
    const fresh = await verifierOn(clock)(bearer(token));
    expect(fresh).not.toBe(first);
    expect(fresh).toEqual(first);
  });

  test('verified-token cache - a JWKS token seen before is answered from the cache too', async () => {
    const verify = createTokenVerifier({ jwksUrl: keys.jwksUrl, issuer: ISSUER, audience: AUDIENCE }, { now: testClock().now });
    const token = await jwt(goodClaims(), { alg: 'RS256', kid: 'rs-1' }, keys.rs.privateKey);
    const first = await verify(bearer(token));
    expect(await verify(bearer(token))).toBe(first);
  });

  test("verified-token cache - an entry ends with the token's exp: at exp the token is refused as expired", async () => {
    const clock = testClock();
    const verify = verifierOn(clock);
    const token = await sign(goodClaims({ exp: T0_SECONDS + 30 }));
    const first = await verify(bearer(token));
    clock.time = T0 + 29_999;
    expect(await verify(bearer(token))).toBe(first);
    clock.time = (T0_SECONDS + 30) * 1000;
    await expectRefused(verify, bearer(token), MESSAGES.expired, token);
    clock.time = T0 + 45_000;
    await expectRefused(verify, bearer(token), MESSAGES.expired, token);
  });

  test(`verified-token cache - an entry lasts at most VERIFIED_TOKEN_TTL_MS (${VERIFIED_TOKEN_TTL_MS} ms), then the token is verified again`, async () => {
    const clock = testClock();
    const verify = verifierOn(clock);
    const token = await sign(goodClaims({ exp: T0_SECONDS + 3600 }));
    const first = await verify(bearer(token));
    clock.time = T0 + VERIFIED_TOKEN_TTL_MS - 1;
    expect(await verify(bearer(token))).toBe(first);
    clock.time = T0 + VERIFIED_TOKEN_TTL_MS;
    const second = await verify(bearer(token));
    expect(second).not.toBe(first);
    expect(second).toEqual(first);
    // The new entry is the one served from then on.
    expect(await verify(bearer(token))).toBe(second);
  });

  test('verified-token cache - holds at most maxCachedTokens entries, forgetting the oldest first', async () => {
    const clock = testClock();
    const verify = verifierOn(clock, { maxCachedTokens: 3 });
    const tokens = await Promise.all([1, 2, 3, 4].map((index) => sign(goodClaims({ sub: `user-${index}` }))));
    const callers = [];
    for (const token of tokens) callers.push(await verify(bearer(token)));
    // Newest first: looking up a cached token changes nothing; verifying a forgotten one stores it.
    expect(await verify(bearer(tokens[3]!))).toBe(callers[3]);
    expect(await verify(bearer(tokens[2]!))).toBe(callers[2]);
    expect(await verify(bearer(tokens[1]!))).toBe(callers[1]);
    const again = await verify(bearer(tokens[0]!));
    expect(again).not.toBe(callers[0]);
    expect(again).toEqual(callers[0]);
  });

  test('verified-token cache - when full, expired entries are dropped before live ones', async () => {
    const clock = testClock();
    const verify = verifierOn(clock, { maxCachedTokens: 3 });
    const longLived = await sign(goodClaims({ sub: 'long-1' }));
    const shortLived = await sign(goodClaims({ sub: 'short', exp: T0_SECONDS + 10 }));
    const alsoLongLived = await sign(goodClaims({ sub: 'long-2' }));
    const oldest = await verify(bearer(longLived));
    await verify(bearer(shortLived));
    const middle = await verify(bearer(alsoLongLived));
    // The very instant the short-lived entry ends.
    clock.time = (T0_SECONDS + 10) * 1000;
    const newest = await verify(bearer(await sign(goodClaims({ sub: 'new' }))));
    expect(newest.subject).toBe('new');
    expect(await verify(bearer(alsoLongLived))).toBe(middle);
    expect(await verify(bearer(longLived))).toBe(oldest);
  });

  test('verified-token cache - a token verified again after its entry ended counts as the newest entry', async () => {
    const clock = testClock();
    const verify = verifierOn(clock, { maxCachedTokens: 3 });
    const [first, second, third, fourth] = await Promise.all(['a', 'b', 'c', 'd'].map((sub) => sign(goodClaims({ sub, exp: T0_SECONDS + 3600 }))));
    await verify(bearer(first!));
    clock.time = T0 + 30_000;
    const secondCaller = await verify(bearer(second!));
    const thirdCaller = await verify(bearer(third!));
    // `first`'s entry ends; verified again, it is stored as the newest, behind `second` and `third`.
    clock.time = T0 + VERIFIED_TOKEN_TTL_MS;
    const firstAgain = await verify(bearer(first!));
    const fourthCaller = await verify(bearer(fourth!));
    expect(await verify(bearer(fourth!))).toBe(fourthCaller);
    expect(await verify(bearer(first!))).toBe(firstAgain);
    expect(await verify(bearer(third!))).toBe(thirdCaller);
    expect(await verify(bearer(second!))).not.toBe(secondCaller);
  });

  test(`verified-token cache - by default it holds VERIFIED_TOKEN_MAX_ENTRIES (${VERIFIED_TOKEN_MAX_ENTRIES}) tokens`, async () => {
    const clock = testClock();
    const verify = createTokenVerifier({ jwtSecret: SECRET }, { now: clock.now });
    // Signed with node:crypto's synchronous HMAC: ten thousand tokens in a few milliseconds.
    const header = base64url.encode(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
    const tokens = Array.from({ length: VERIFIED_TOKEN_MAX_ENTRIES + 1 }, (_, index) => {
      const signingInput = `${header}.${base64url.encode(JSON.stringify({ sub: `u${index}`, exp: T0_SECONDS + 600 }))}`;
      return `${signingInput}.${createHmac('sha256', SECRET).update(signingInput).digest('base64url')}`;
    });
    const callers = [];
    for (const token of tokens) callers.push(await verify(bearer(token)));
    expect(callers[VERIFIED_TOKEN_MAX_ENTRIES]?.subject).toBe(`u${VERIFIED_TOKEN_MAX_ENTRIES}`);
    expect(await verify(bearer(tokens[VERIFIED_TOKEN_MAX_ENTRIES]!))).toBe(callers[VERIFIED_TOKEN_MAX_ENTRIES]);
    expect(await verify(bearer(tokens[1]!))).toBe(callers[1]);
    expect(await verify(bearer(tokens[0]!))).not.toBe(callers[0]);
  });

  test('verified-token cache - a refused token is not remembered: it stays refused', async () => {
    const clock = testClock();
    const verify = verifierOn(clock);
    const token = await jwt(goodClaims(), { alg: 'HS256' }, hs(OTHER_SECRET));
    await expectRefused(verify, bearer(token), MESSAGES.signature, token);
    await expectRefused(verify, bearer(token), MESSAGES.signature, token);
  });
});

// ---------------------------------------------------------------------------------------------
// The Authorization header
// ---------------------------------------------------------------------------------------------

describe('Authorization header', () => {
  let token = '';
  // Made in each test, so that the verifier's own code runs inside the test.
  const verifier = () => createTokenVerifier({ jwtSecret: SECRET, issuer: ISSUER, audience: AUDIENCE }, { now: testClock().now });

  beforeAll(async () => {
    token = await jwt(goodClaims(), { alg: 'HS256' }, hs(SECRET));
  });

  test('Authorization header - none at all is an anonymous caller', async () => {
    await expect(verifier()(undefined)).resolves.toBe(ANONYMOUS);
  });

  test('Authorization header - an empty one is an anonymous caller, not a 401', async () => {
    await expect(verifier()('')).resolves.toBe(ANONYMOUS);
  });

  test('Authorization header - the anonymous caller is unauthenticated, has no scopes and cannot be changed', () => {
    expect(ANONYMOUS).toEqual({ authenticated: false, scopes: new Set() });
    expect(Object.isFrozen(ANONYMOUS)).toBe(true);
  });

  const ACCEPTED: Array<{ name: string; header: (token: string) => string }> = [
    { name: '"Bearer <token>"', header: (t) => `Bearer ${t}` },
    { name: 'the scheme in lower case (schemes are case-insensitive, RFC 9110)', header: (t) => `bearer ${t}` },
    { name: 'the scheme in upper case', header: (t) => `BEARER ${t}` },
    { name: 'two spaces after the scheme', header: (t) => `Bearer  ${t}` },
    { name: 'a tab after the scheme', header: (t) => `Bearer\t${t}` },
    { name: 'trailing white space', header: (t) => `Bearer ${t}  ` },
  ];
  for (const { name, header } of ACCEPTED) {
    test(`Authorization header - ${name} is accepted`, async () => {
      await expect(verifier()(header(token))).resolves.toMatchObject({ authenticated: true, subject: 'alice' });
    });
  }

  const REFUSED: Array<{ name: string; header: (token: string) => string }> = [
    { name: '"xBearer <token>" (a longer scheme name)', header: (t) => `xBearer ${t}` },
    { name: '"Bearer <token> <more>" (two credentials)', header: (t) => `Bearer ${t} ${t}` },
    { name: '"Bearer a b"', header: () => 'Bearer a b' },
    { name: '"Bearer" with no token', header: () => 'Bearer' },
    { name: '"Bearer " with only a space', header: () => 'Bearer ' },
    { name: 'no space between scheme and token', header: (t) => `Bearer${t}` },
    { name: 'white space before the scheme', header: (t) => ` Bearer ${t}` },
    { name: 'the Basic scheme', header: () => 'Basic dXNlcjpwYXNzd29yZA==' },
    { name: 'another scheme with a JWT', header: (t) => `Token ${t}` },
    { name: 'a bare JWT without a scheme', header: (t) => t },
  ];
  for (const { name, header } of REFUSED) {
    test(`Authorization header - ${name} is refused: 401 UNAUTHENTICATED`, async () => {
      await expectRefused(verifier(), header(token), MESSAGES.header, token);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Scopes
// ---------------------------------------------------------------------------------------------

describe('scopesOf', () => {
  test('scopesOf - reads the space-separated `scope` claim, skipping empty parts', () => {
    expect(scopesOf({ scope: '  a   b c ' })).toEqual(new Set(['a', 'b', 'c']));
  });

  test('scopesOf - reads `scp` as an array, keeping only non-empty strings', () => {
    expect(scopesOf({ scp: ['a', '', 42, null, 'b c'] })).toEqual(new Set(['a', 'b c']));
  });

  test('scopesOf - reads `scp` as a space-separated string too', () => {
    expect(scopesOf({ scp: 'a b' })).toEqual(new Set(['a', 'b']));
  });

  test('scopesOf - unites `scope` and `scp`', () => {
    expect(scopesOf({ scope: 'a', scp: ['b'] })).toEqual(new Set(['a', 'b']));
  });

  test('scopesOf - no scope claims, or claims of other types, give no scopes', () => {
    expect(scopesOf({})).toEqual(new Set());
    expect(scopesOf({ scope: 7, scp: { a: true } })).toEqual(new Set());
  });
});
