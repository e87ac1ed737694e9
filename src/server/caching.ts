import type { ApolloServerPlugin, HeaderMap } from '@apollo/server';
import { responseHasCredentials } from '../schema/credential-responses.js';

/**
 * HTTP caching of GraphQL responses.
 *
 * Apollo's cache control plugin turns the SDL's `@cacheControl` hints into `cache-control`
 * (`max-age=60, public` for a read of non-secret entity data, `no-store` for anything with an error
 * or without a hint). Two rules sit on top of it:
 *
 * - Every response varies with the caller: the same query is answered differently for a reader, a
 *   secrets reader and an anonymous caller. So every response says `Vary: Authorization`, and a
 *   shared cache (CDN) keys on the token; the hints can stay PUBLIC, which is what lets the Apollo
 *   Router and CDNs share non-secret reads.
 * - A response that carries a credential is `private, no-store`, whatever the hints say. "Carries a
 *   credential" is decided by the schema's own policy (`policy.secretFields`, the fields that
 *   require the secrets scope): one of them resolved to a value in this request. A map entry whose
 *   key names a credential (credential-map-keys.ts) counts as one of them.
 */

export const CREDENTIAL_CACHE_CONTROL = 'private, no-store';

/** Adds `token` to a comma-separated header such as `vary`, once. */
export function appendHeaderToken(headers: HeaderMap, name: string, token: string): void {
  const existing = headers.get(name);
  const tokens = existing ? existing.split(',').map((part) => part.trim()).filter(Boolean) : [];
  if (tokens.some((part) => part.toLowerCase() === token.toLowerCase() || part === '*')) return;
  headers.set(name, [...tokens, token].join(', '));
}

/**
 * `Vary: Authorization` on every response, and `private, no-store` on a response that carries a
 * credential. Installed after Apollo's cache control plugin, so it has the last word.
 */
export function cachingHeadersPlugin<TContext extends object>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          appendHeaderToken(response.http.headers, 'vary', 'Authorization');
          if (responseHasCredentials(contextValue)) response.http.headers.set('cache-control', CREDENTIAL_CACHE_CONTROL);
        },
      };
    },
  };
}
