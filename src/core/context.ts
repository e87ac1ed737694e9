import type { GraphQLResolveInfo } from 'graphql';
import type { Logger } from 'pino';

/** Who is calling, as the bearer token says. Anonymous callers have no scopes. */
export interface Caller {
  authenticated: boolean;
  subject?: string;
  /**
   * Whom the token names, for sharing the client-side AWS rate limit between callers: `sub:<sub>`,
   * else `client:<client_id or azp>`; absent for anonymous callers and tokens naming neither,
   * which then share one turn. A claim, never the token; not logged.
   */
  principal?: string;
  scopes: ReadonlySet<string>;
}

/** The per-request DataLoaders: made fresh for every request, never shared between callers. */
// Each domain's domain.ts adds its loaders here (declaration merging): this bottom layer names no domain.
export interface Loaders {}

/** What resolvers ask of the schema's authorization policy (AuthPolicy in src/auth/policy.ts). */
export interface RequestPolicy {
  /** Whether the selection below the field being resolved asks for a field that requires the secrets scope. */
  selectsSecretFields(info: GraphQLResolveInfo): boolean;
}

/** What the one log line of a request says about its GraphQL side; filled in by the response policy (src/server/response-policy.ts). */
export interface RequestLogEntry {
  operationName: string | null;
  /** Each distinct `extensions.code` of the response's errors, with how often it occurred. */
  errorCodes: Record<string, number>;
  /** Why the request was refused before it ran (a 401's defect of the token); never the token itself. */
  refusal?: string;
  /** Who answered: the accelerator's fast path, or Apollo Server; absent when neither was reached (a body refused by the HTTP layer). */
  path?: 'fast' | 'apollo';
  /** The executed operation's type (`query`), when one was resolved. */
  operationType?: string;
}

export interface SubgraphContext {
  caller: Caller;
  loaders: Loaders;
  /** The schema's authorization policy (from its @requiresScopes/@authenticated), made once per process. */
  policy: RequestPolicy;
  requestId: string;
  logger: Logger;
  /** Where the HTTP layer's access log line picks up the operation name and error codes. */
  requestLog?: RequestLogEntry;
}
