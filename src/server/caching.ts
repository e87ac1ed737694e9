import type { ApolloServerPlugin, HeaderMap } from '@apollo/server';
import { type GraphQLSchema, defaultFieldResolver, isObjectType } from 'graphql';
import { isCredentialMapKey } from '../auth/credential-map-keys.js';
import { type AuthPolicy, MAP_ENTRY_VALUE } from '../auth/policy.js';

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

/** The per-request context objects of requests in which a secret field resolved to a value. */
const requestsWithCredentials = new WeakSet<object>();

/** Marks the request (by its context object) as carrying a credential in its response. */
export function markResponseWithCredentials(context: object): void {
  requestsWithCredentials.add(context);
}

export function responseHasCredentials(context: object): boolean {
  return requestsWithCredentials.has(context);
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === 'function';
}

/**
 * Wraps the resolver of every secret field (from the policy, so no second list), and of a map
 * entry's value when its key names a credential, to mark the request when the field resolves to a
 * value. Applied after `policy.enforce`: a field the caller may not see throws before it could be
 * marked.
 */
export function trackCredentialResponses(schema: GraphQLSchema, policy: AuthPolicy): void {
  for (const coordinate of policy.mayCarryCredentials) {
    const [typeName = '', fieldName = ''] = coordinate.split('.');
    const type = schema.getType(typeName);
    const field = isObjectType(type) ? type.getFields()[fieldName] : undefined;
    if (!field) throw new Error(`Secret field ${coordinate} is not in the schema`);
    const resolve = field.resolve ?? defaultFieldResolver;
    const carriesCredential: (parent: unknown) => boolean =
      coordinate === MAP_ENTRY_VALUE ? (entry) => isCredentialMapKey((entry as { key: string }).key) : () => true;
    field.resolve = (parent, args, context: object, info) => {
      if (!carriesCredential(parent)) return resolve(parent, args, context, info);
      const value = resolve(parent, args, context, info);
      if (isPromiseLike(value)) {
        return Promise.resolve(value).then((resolved) => {
          if (resolved !== null && resolved !== undefined) markResponseWithCredentials(context);
          return resolved;
        });
      }
      if (value !== null && value !== undefined) markResponseWithCredentials(context);
      return value;
    };
  }
}

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
