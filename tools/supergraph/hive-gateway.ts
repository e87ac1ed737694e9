/**
 * Hive Gateway (The Guild's federation gateway) in front of a supergraph that includes this
 * subgraph, configured so that it behaves as the Apollo Router does with router.yaml:
 *
 * - Hive's JWT plugin verifies the same bearer tokens as the subgraph (HS256 shared secret, or a
 *   JWKS URL); no token is anonymous, a bad token is HTTP 401.
 * - Its generic auth enforces the supergraph's `@requiresScopes` at the gateway: a field the caller
 *   may not see is removed before any subgraph is asked, and answered with `null` plus an
 *   `UNAUTHORIZED_FIELD_OR_TYPE` error, with HTTP 200 for the rest of the data.
 * - The caller's `Authorization` goes on to the subgraph, which enforces the same policy again and
 *   asks AWS for secrets only for callers allowed to see them.
 * - A subgraph's `Cache-Control: private, no-store` (an answer that carries a credential) and its
 *   `Vary` reach the client.
 *
 * `hive-gateway.config.ts` next to this file is the `gatewayConfig` the `hive-gateway` CLI reads;
 * test/hive-gateway.test.ts runs this same configuration in-process. See docs/hive-gateway.md.
 */
import { type ValidateUserFn, defaultProtectSingleValidateFn } from '@envelop/generic-auth';
import type { GatewayConfigSupergraph, GatewayContext, GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { type JWTAuthContextExtension, createInlineSigningKeyProvider, createRemoteJwksSigningKeyProvider, useJWT } from '@graphql-mesh/plugin-jwt-auth';
import { GraphQLError } from 'graphql';

export interface HiveGatewayAuthOptions {
  /** HS256 shared secret (the subgraph's `AUTH_JWT_SECRET`). */
  jwtSecret?: string;
  /** Or a JWKS URL for RS256/ES256 tokens (the subgraph's `AUTH_JWKS_URL`). */
  jwksUrl?: string;
  /** Optional `iss` and `aud` checks (the subgraph's `AUTH_ISSUER`, `AUTH_AUDIENCE`). */
  issuer?: string;
  audience?: string;
}

/** What the JWT plugin puts on the context: the verified token's claims. */
type AuthContext = GatewayContext & Partial<JWTAuthContextExtension>;
type Claims = Record<string, unknown>;

/**
 * The caller's scopes as the subgraph reads them (src/auth/verify.ts): the space-separated `scope`
 * claim, or `scp` as a list or a string. Hive's default reads `scope` only, so a token from an
 * identity provider that issues `scp` (Microsoft Entra ID, Okta) would otherwise have no scopes.
 */
export function scopesFromClaims(claims: Claims | null | undefined): string[] {
  for (const claim of ['scope', 'scp'] as const) {
    const value = claims?.[claim];
    if (typeof value === 'string') return value.split(' ').filter(Boolean);
    if (Array.isArray(value)) return value.filter((scope): scope is string => typeof scope === 'string');
  }
  return [];
}

/**
 * Hive's default refusal (`UNAUTHORIZED_FIELD_OR_TYPE`, the Apollo Router's code) without its
 * `extensions.http.status: 401`, which would turn a response with partial data into an HTTP 401;
 * the Router and the subgraph answer 200 with the field `null` and the error at its path.
 */
const refuseWithoutHttpStatus: ValidateUserFn<Claims> = (params) => {
  const refusal = defaultProtectSingleValidateFn(params);
  if (!refusal) return undefined;
  return new GraphQLError(refusal.message, { nodes: refusal.nodes, path: refusal.path, extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE' } });
};

/**
 * The verified claims, or null for an anonymous caller. A token without `exp` would never expire;
 * the subgraph refuses it, and so does the gateway (Hive's JWT plugin does not require `exp`).
 */
function callerClaims(context: AuthContext): Claims | null {
  const claims = context.jwt?.payload as Claims | undefined;
  if (claims && typeof claims['exp'] !== 'number') {
    throw new GraphQLError('Unauthenticated: the token has no expiry (exp).', { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
  }
  return claims ?? null;
}

/** Headers a subgraph's response passes on to the client. */
function headersForClient(response: Response): Record<string, string | undefined> {
  const cacheControl = response.headers.get('cache-control') ?? '';
  return {
    // Hive does not combine the subgraphs' cache hints into a policy of its own; it only passes
    // on a subgraph's refusal to be stored. Without a Cache-Control, nothing caches the response.
    'cache-control': /\bprivate\b/.test(cacheControl) && /\bno-store\b/.test(cacheControl) ? cacheControl : undefined,
    vary: response.headers.get('vary') ?? undefined,
  };
}

/** Everything but the supergraph: JWT, scopes, header propagation. */
export function hiveGatewayAuthConfig(options: HiveGatewayAuthOptions): Omit<GatewayConfigSupergraph<AuthContext>, 'supergraph'> {
  if (!options.jwtSecret === !options.jwksUrl) throw new Error('Hive Gateway: set exactly one of AUTH_JWT_SECRET and AUTH_JWKS_URL');
  const signingKeyProvider = options.jwksUrl
    ? createRemoteJwksSigningKeyProvider({ jwksUri: options.jwksUrl })
    : createInlineSigningKeyProvider(options.jwtSecret!);
  return {
    plugins: () => [
      // The cast: the plugin's bundled typings carry their own copy of Hive's Logger class, which
      // TypeScript does not take for the runtime's (a class with private fields is nominal).
      useJWT({
        signingKeyProviders: [signingKeyProvider],
        tokenVerification: {
          algorithms: options.jwksUrl ? ['RS256', 'ES256'] : ['HS256'],
          ...(options.issuer ? { issuer: options.issuer } : {}),
          ...(options.audience ? { audience: options.audience } : {}),
        },
        // No token: anonymous (fields under @requiresScopes are refused); a bad token: HTTP 401.
        reject: { missingToken: false, invalidToken: true },
        // The subgraph reads the forwarded Authorization header, not claims in `extensions`.
        forward: { payload: false, token: false },
      }) as GatewayPlugin,
    ],
    genericAuth: {
      mode: 'protect-granular',
      resolveUserFn: (context) => callerClaims(context as AuthContext),
      extractScopes: scopesFromClaims,
      validateUser: refuseWithoutHttpStatus,
      // Refuse the fields, serve the rest (the default rejects the whole operation).
      rejectUnauthenticated: false,
    },
    propagateHeaders: {
      fromClientToSubgraphs: ({ request }) => ({ authorization: request.headers.get('authorization') ?? undefined }),
      fromSubgraphsToClient: ({ response }) => headersForClient(response),
      // One Cache-Control and one Vary however many subgraph requests answered them.
      deduplicateHeaders: true,
    },
  };
}
