import type { ApolloServerPlugin, HeaderMap } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import Negotiator from 'negotiator';
import type { SubgraphContext } from '../core/context.js';
import { responseHasCredentials } from '../schema/credential-responses.js';
import type { CachePolicies } from './cache-policy.js';

/**
 * What a GraphQL response gets beyond its data, decided here for Apollo Server's path (through
 * responsePolicyPlugin) and the fast path (accelerator/fast-path.ts) alike:
 *
 * - `cache-control`: the operation's cache policy (cache-policy.ts); `no-store` for an answer with
 *   errors; `private, no-store` for an answer that carries a credential, whatever else holds.
 *   "Carries a credential" is decided by the schema's own policy: a field that requires the secrets
 *   scope, or a map entry whose key names a credential, resolved to a value in this request
 *   (src/schema/credential-responses.ts).
 * - `Vary: Authorization` on every response: the same query is answered differently for a reader,
 *   a secrets reader and an anonymous caller, so a shared cache (CDN) keys on the token, and the
 *   hints can stay PUBLIC, which lets the Apollo Router and CDNs share non-secret reads.
 * - `content-type`: the media type the request's `Accept` negotiates to, from Apollo Server's list.
 * - The body: Apollo Server's JSON (`stringifyResult`, its `errors`, `data`, `extensions` order).
 * - The request log line's GraphQL fields: the operation name and the errors' codes.
 */

export const CREDENTIAL_CACHE_CONTROL = 'private, no-store';
export const UNCACHEABLE = 'no-store';
/** The request header every response varies with. */
export const VARY_BY_CALLER = 'Authorization';

/**
 * The response's `cache-control`, from the header its operation's cache policy gives the request
 * (undefined when none does: nothing ran, or the request cannot succeed).
 */
export function cacheControlOf(planned: string | undefined, hasErrors: boolean, carriesCredentials: boolean): string {
  if (carriesCredentials) return CREDENTIAL_CACHE_CONTROL;
  return hasErrors || planned === undefined ? UNCACHEABLE : planned;
}

/** Adds `token` to a comma-separated header such as `vary`, once. */
export function appendHeaderToken(headers: HeaderMap, name: string, token: string): void {
  const existing = headers.get(name);
  const tokens = existing ? existing.split(',').map((part) => part.trim()).filter(Boolean) : [];
  if (tokens.some((part) => part.toLowerCase() === token.toLowerCase() || part === '*')) return;
  headers.set(name, [...tokens, token].join(', '));
}

/** Apollo Server's media types for a single result (`MEDIA_TYPES`), in its order of preference. */
const JSON_MEDIA_TYPE = 'application/json; charset=utf-8';
const RESPONSE_MEDIA_TYPES = [JSON_MEDIA_TYPE, 'application/graphql-response+json; charset=utf-8', 'application/json; callbackSpec=1.0; charset=utf-8'];
const MAX_REMEMBERED_ACCEPT_HEADERS = 64;
/** Negotiation per `Accept` value: few distinct ones arrive (each client sends one). */
const negotiated = new Map<string, string | undefined>();

/**
 * The media type of a single result for this `Accept`, as Apollo Server negotiates it; undefined
 * when nothing acceptable is offered, and Apollo Server answers 406 (the fast path leaves such a
 * request to it).
 */
export function negotiateMediaType(accept: string | undefined): string | undefined {
  if (!accept) return JSON_MEDIA_TYPE;
  if (negotiated.has(accept)) return negotiated.get(accept);
  const chosen = new Negotiator({ headers: { accept } }).mediaType(RESPONSE_MEDIA_TYPES);
  if (negotiated.size < MAX_REMEMBERED_ACCEPT_HEADERS) negotiated.set(accept, chosen);
  return chosen;
}

/** The response body: Apollo Server's own serialization (`prettyJSONStringify`), given to it as `stringifyResult`. */
export function stringifyResult(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}

/** The operation name as the request log line shows it (cut to 100 characters: it is the client's text). */
export function logOperationName(name: string | null | undefined): string | null {
  return typeof name === 'string' ? name.slice(0, 100) : null;
}

/** Each distinct `extensions.code` of the response's errors, with how often it occurred. */
export function errorCodeCounts(errors: readonly GraphQLFormattedError[] | undefined): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const error of errors ?? []) {
    const code = String(error.extensions?.['code'] ?? 'UNKNOWN');
    counts[code] = (counts[code] ?? 0) + 1;
  }
  return counts;
}

/** Apollo Server's side: every response its request pipeline sends gets its headers and log fields here. */
export function responsePolicyPlugin(cachePolicies: CachePolicies): ApolloServerPlugin<SubgraphContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, document, operation, operationName, request, response }) {
          const { body } = response;
          const single = body.kind === 'single';
          const errors = body.kind === 'single' ? body.singleResult.errors : body.initialResult.errors;
          const headers = response.http.headers;
          const planned = single && !errors && document && operation ? cachePolicies.cacheControl(cachePolicies.planFor(document, operation), request.variables ?? {}) : undefined;
          headers.set('cache-control', cacheControlOf(planned, !single || Boolean(errors), responseHasCredentials(contextValue)));
          appendHeaderToken(headers, 'vary', VARY_BY_CALLER);
          // Over HTTP, Apollo Server negotiates only when no content-type is set, and answers 406 when nothing fits.
          const mediaType = single && request.http ? negotiateMediaType(request.http.headers.get('accept')) : undefined;
          if (mediaType !== undefined) headers.set('content-type', mediaType);
          const entry = contextValue.requestLog;
          if (entry) {
            entry.operationName = logOperationName(operationName ?? request.operationName);
            entry.errorCodes = errorCodeCounts(errors);
            if (operation) entry.operationType = operation.operation;
          }
        },
      };
    },
  };
}

/**
 * The caller rules alone, for a server whose `cache-control` is computed elsewhere (the example
 * supergraph's @apollo/gateway, from its subgraphs' headers): `Vary: Authorization`, and
 * `private, no-store` for a response that carries a credential. Installed after the plugin that
 * writes `cache-control`, so it has the last word.
 */
export function callerRulesPlugin<TContext extends object>(): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue }) {
          appendHeaderToken(response.http.headers, 'vary', VARY_BY_CALLER);
          if (responseHasCredentials(contextValue)) response.http.headers.set('cache-control', CREDENTIAL_CACHE_CONTROL);
        },
      };
    },
  };
}
