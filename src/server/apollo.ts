import { ApolloServer, type ApolloServerOptionsWithGateway, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import { ApolloServerPluginLandingPageLocalDefault, ApolloServerPluginLandingPageProductionDefault } from '@apollo/server/plugin/landingPage/default';
import { type ApolloServerErrorCode, unwrapResolverError } from '@apollo/server/errors';
import { type ASTVisitor, GraphQLError, type GraphQLFormattedError, type GraphQLSchema, type ValidationContext } from 'graphql';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginInlineTrace } from '@apollo/server/plugin/inlineTrace';
import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import type { Logger } from 'pino';
import { type SubgraphErrorCode, SUBGRAPH_ERROR_CODES } from '../aws/errors.js';
import type { SubgraphConfig } from '../config/config.js';
import type { SubgraphContext } from '../core/context.js';
import { createArmor } from './armor.js';
import type { CachePolicies } from './cache-policy.js';
import { BoundedDocumentStore } from './document-store.js';
import { responsePolicyPlugin, stringifyResult } from './response-policy.js';

/** Codes of a caller that authorization refused: a bad token (src/auth/verify.ts), a field it may not see (src/auth/policy.ts). */
type AuthErrorCode = 'UNAUTHENTICATED' | 'UNAUTHORIZED_FIELD_OR_TYPE';

/**
 * Codes of a request refused before anything ran: Apollo Server's own (less its code for a
 * fault), and the Apollo Router's for an APQ hash mismatch (refusedRequestCode).
 */
type RequestErrorCode = Exclude<`${ApolloServerErrorCode}`, 'INTERNAL_SERVER_ERROR'> | 'PERSISTED_QUERY_HASH_MISMATCH';

/** Every code an error may leave the process with besides INTERNAL_SERVER_ERROR. */
export type PublicErrorCode = SubgraphErrorCode | AuthErrorCode | RequestErrorCode;

/**
 * Codes this subgraph sets on purpose; any other error is masked before it leaves the process.
 * The AWS codes are every code of the AWS error table (src/aws/errors.ts), so a new row there
 * cannot be masked by being left out here.
 */
export const PUBLIC_ERROR_CODES: ReadonlySet<string> = new Set<PublicErrorCode>([
  ...SUBGRAPH_ERROR_CODES,
  'UNAUTHENTICATED',
  'UNAUTHORIZED_FIELD_OR_TYPE',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'PERSISTED_QUERY_HASH_MISMATCH',
  'OPERATION_RESOLUTION_FAILURE',
]);

/** Apollo Server's message for an automatic persisted query whose `sha256Hash` is not its query's. */
const APQ_HASH_MISMATCH_MESSAGE = 'provided sha does not match query';

/**
 * The code of a request Apollo Server refused before running anything, with a 4xx status but no
 * code of its own: the APQ hash mismatch and an unsupported APQ version. Apollo's error
 * normalisation labels such an error INTERNAL_SERVER_ERROR (its default for a missing code), which
 * would mask a client's mistake as a server fault and log it as one. The hash mismatch gets the
 * code the Apollo Router answers it with (`PERSISTED_QUERY_HASH_MISMATCH`, HTTP 400, same message);
 * the rest Apollo Server's own code for a malformed request, `BAD_REQUEST`.
 */
function refusedRequestCode(error: unknown): RequestErrorCode | undefined {
  if (!(error instanceof GraphQLError) || error.path !== undefined || error.extensions['code'] !== undefined) return undefined;
  const status = (error.extensions['http'] as { status?: unknown } | undefined)?.status;
  if (typeof status !== 'number' || status < 400 || status > 499) return undefined;
  return error.message === APQ_HASH_MISMATCH_MESSAGE ? 'PERSISTED_QUERY_HASH_MISMATCH' : 'BAD_REQUEST';
}

/**
 * Keeps the errors the subgraph means to show and replaces anything else (a bug, an SDK parse
 * failure) with a generic INTERNAL_SERVER_ERROR, logged in full on the server side only.
 */
export function createErrorFormatter(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const code = formatted.extensions?.['code'];
    if (typeof code === 'string' && PUBLIC_ERROR_CODES.has(code)) {
      const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    const refused = refusedRequestCode(error);
    if (refused !== undefined) return { message: formatted.message, extensions: { code: refused } };
    const original = unwrapResolverError(error);
    logger.error({ err: original instanceof Error ? { name: original.name, message: original.message } : String(original), path: formatted.path }, 'masked internal error');
    return { message: 'Internal server error', locations: formatted.locations, path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}

/**
 * The GraphQL spec's "Operation Type Existence" rule (https://spec.graphql.org/draft/#sec-Operation-Type-Existence),
 * as graphql-js 17 ships it (`KnownOperationTypesRule`, same message); graphql-js 16 lacks it, and
 * without it a `mutation` or `subscription` (this schema has neither root type) passed validation
 * and failed in execution: HTTP 200 with a masked internal error. As a validation rule it is what
 * Apollo Server makes of any invalid document, and what the Apollo Router answers such an
 * operation with: HTTP 400, GRAPHQL_VALIDATION_FAILED, before anything runs on either executor.
 */
export function knownOperationTypesRule(context: ValidationContext): ASTVisitor {
  const schema = context.getSchema();
  return {
    OperationDefinition(node) {
      if (!schema.getRootType(node.operation)) {
        context.reportError(new GraphQLError(`The ${node.operation} operation is not supported by the schema.`, { nodes: node }));
      }
    },
  };
}

/** The header a federation router sends when it wants a trace of the subgraph's work (`ftv1`). */
export const INCLUDE_TRACE_HEADER = 'apollo-federation-include-trace';

/**
 * Apollo's inline trace plugin, entered only for requests whose router asked for a trace. The
 * stock plugin builds a trace tree for every request before it looks at the header.
 */
function inlineTraceWhenAsked(): ApolloServerPlugin<SubgraphContext> {
  const inlineTrace = ApolloServerPluginInlineTrace() as ApolloServerPlugin<SubgraphContext>;
  return {
    serverWillStart: inlineTrace.serverWillStart?.bind(inlineTrace),
    async requestDidStart(requestContext) {
      if (requestContext.request.http?.headers.get(INCLUDE_TRACE_HEADER) !== 'ftv1') return undefined;
      return inlineTrace.requestDidStart?.(requestContext);
    },
  };
}

/** How Apollo Server executes operations: as it ships (graphql-js), or through the accelerator's gateway interface. */
export type ExecutionMode = { schema: GraphQLSchema; gateway?: ApolloServerOptionsWithGateway<BaseContext>['gateway'] };

export function createApolloServer(
  execution: ExecutionMode,
  cachePolicies: CachePolicies,
  config: Pick<SubgraphConfig, 'production' | 'introspection'>,
  logger: Logger,
  plugins: ApolloServerPlugin<SubgraphContext>[] = [],
  /** Where automatic persisted queries are kept: the fleet's store with REDIS_URL (src/fleet/), else Apollo's in-process default. */
  persistedQueries?: { cache: KeyValueCache<string>; ttlSeconds: number },
): ApolloServer<SubgraphContext> {
  // Depth, alias, token, cost and directive limits on every document (see armor.ts).
  const armor = createArmor({ production: config.production });
  return new ApolloServer<SubgraphContext>({
    // graphql-jit and the fast path (accelerator/), or graphql-js alone.
    ...(execution.gateway ? { gateway: execution.gateway } : { schema: execution.schema }),
    logger,
    introspection: config.introspection,
    // No "Did you mean …" schema hints in production; no stack traces anywhere.
    hideSchemaDetailsFromClientErrors: config.production,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    csrfPrevention: true,
    formatError: createErrorFormatter(logger),
    // The body of every response, the fast path's too (response-policy.ts).
    stringifyResult,
    validationRules: [knownOperationTypesRule, ...armor.validationRules],
    // Bounded by source length: Apollo's default cache holds hundreds of MB when documents vary.
    documentStore: new BoundedDocumentStore(),
    ...(persistedQueries ? { persistedQueries: { cache: persistedQueries.cache, ttl: persistedQueries.ttlSeconds } } : {}),
    parseOptions: armor.parseOptions,
    plugins: [
      ...(armor.plugins as ApolloServerPlugin<SubgraphContext>[]),
      config.production
        ? ApolloServerPluginLandingPageProductionDefault({ footer: false })
        : ApolloServerPluginLandingPageLocalDefault({ footer: false, embed: true }),
      // `cache-control`, `Vary: Authorization`, the content type and the request log's fields, from
      // the one response policy the fast path uses too. Apollo's cache control plugin would compute
      // `cache-control` a second way, per resolved field: off (docs/architecture.md, "The response pipeline").
      responsePolicyPlugin(cachePolicies),
      ApolloServerPluginCacheControlDisabled(),
      // Inline traces only when a router asks for them (`apollo-federation-include-trace: ftv1`).
      ApolloServerPluginInlineTraceDisabled(),
      inlineTraceWhenAsked(),
      ...plugins,
    ],
  });
}
