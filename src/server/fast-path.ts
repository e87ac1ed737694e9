import type { ExecutionResult } from 'graphql';
import Negotiator from 'negotiator';
import { CREDENTIAL_CACHE_CONTROL } from './caching.js';
import { responseHasCredentials } from '../schema/credential-responses.js';
import { cacheControlFor } from './cache-plan.js';
import type { GatewayContext } from '../core/context.js';
import type { Executor, FastPlan } from './executor.js';

/**
 * The fast path: a POST for an operation Apollo Server has parsed, validated and run before, and
 * that graphql-jit has compiled (executor.ts registers it then, by its exact source text and
 * requested operation name), is run by the compiled query straight from the HTTP handler.
 *
 * Apollo Server's request pipeline costs more per request than everything else the gateway adds
 * to an AWS call (`npm run bench:layers`): the document cache's SHA-256, a dozen plugin hooks and
 * their promises, the per-field cache-control instrumentation. For a request whose answer it
 * already knows how to give, none of that decides anything: the document is valid (Apollo said
 * so), its cache policy is fixed by the operation (cache-plan.ts), and no plugin acts on a
 * response without errors but the three whose headers are written here (`cache-control`,
 * `Vary: Authorization`, the request log's operation name).
 *
 * Apollo Server stays in charge of everything else, and of every request that is not a plain
 * success:
 * - a first sight of a document, GET, persisted queries (`extensions`), a router asking for a
 *   trace, an `Accept` that does not negotiate to JSON, a policy that depends on the data;
 * - a context that fails (an invalid token): Apollo gets the same failed context;
 * - an answer with errors: Apollo gets the context and the result (Executor.handOff) and reports
 *   it exactly as if it had run it, without a second execution (its error formatting, masking,
 *   HTTP statuses and plugins);
 * - variables that do not coerce: no resolver ran, and Apollo runs the request on graphql-js.
 * test/fast-path.test.ts sends each kind of request twice, first through Apollo and then through
 * this path, and compares status, headers and body.
 */

/** Apollo Server's MEDIA_TYPES for a single result, in its order of preference. */
const JSON_MEDIA_TYPE = 'application/json; charset=utf-8';
const RESPONSE_MEDIA_TYPES = [JSON_MEDIA_TYPE, 'application/graphql-response+json; charset=utf-8', 'application/json; callbackSpec=1.0; charset=utf-8'];
/** The fast path answers only these; Apollo answers the subscription callback type. */
const FAST_MEDIA_TYPES = new Set(RESPONSE_MEDIA_TYPES.slice(0, 2));
const MAX_REMEMBERED_ACCEPT_HEADERS = 64;

export interface FastRequest {
  /** The parsed JSON body of a POST with `Content-Type: application/json`. */
  body: unknown;
  accept: string | undefined;
  /** `apollo-federation-include-trace` */
  traceHeader: string | undefined;
}

export type FastOutcome =
  /** Answered: write these. */
  | { kind: 'served'; contentType: string; cacheControl: string; body: string; operationName: string | null }
  /** For Apollo Server, with the context made here if there is one (it must not be made twice). */
  | { kind: 'apollo'; context?: Promise<GatewayContext> };

const TO_APOLLO: FastOutcome = { kind: 'apollo' };

interface GraphQLPostBody {
  query: string;
  operationName?: string;
  variables: Record<string, unknown>;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The body as Apollo Server reads a POST, if the fast path may take it (no `extensions`, well-formed members). */
function graphQLPostBody(body: unknown): GraphQLPostBody | undefined {
  if (!isRecord(body)) return undefined;
  const { query, operationName, variables, extensions } = body;
  if (typeof query !== 'string' || (extensions !== undefined && extensions !== null)) return undefined;
  if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return undefined;
  if (variables !== undefined && variables !== null && !isRecord(variables)) return undefined;
  return { query, operationName: operationName ?? undefined, variables: variables ?? {} };
}

export class FastPath {
  /** Apollo's content negotiation per `Accept` value (few distinct ones: each client sends one). */
  private readonly mediaTypes = new Map<string, string | undefined>();

  constructor(private readonly executor: Executor) {}

  /** What Apollo Server would answer a successful single result with, for this `Accept`. */
  private mediaTypeFor(accept: string | undefined): string | undefined {
    if (!accept) return JSON_MEDIA_TYPE;
    if (this.mediaTypes.has(accept)) return this.mediaTypes.get(accept);
    const chosen = new Negotiator({ headers: { accept } }).mediaType(RESPONSE_MEDIA_TYPES);
    const served = chosen !== undefined && FAST_MEDIA_TYPES.has(chosen) ? chosen : undefined;
    if (this.mediaTypes.size < MAX_REMEMBERED_ACCEPT_HEADERS) this.mediaTypes.set(accept, served);
    return served;
  }

  /** The plan registered for this source text and operation name, if any (for `npm run bench:layers`). */
  plan(query: string, operationName?: string): FastPlan | undefined {
    return this.executor.plans.get(query, operationName);
  }

  /** The request's plan and media type, if the fast path may answer it. */
  private planFor(request: FastRequest): { plan: FastPlan; body: GraphQLPostBody; mediaType: string; cacheControl: string } | undefined {
    const body = graphQLPostBody(request.body);
    if (body === undefined || request.traceHeader === 'ftv1') return undefined;
    const plan = this.executor.plans.get(body.query, body.operationName);
    if (plan === undefined) return undefined;
    const mediaType = this.mediaTypeFor(request.accept);
    if (mediaType === undefined) return undefined;
    const cacheControl = cacheControlFor(plan.cache, this.executor.schema, body.variables);
    if (cacheControl === undefined) return undefined;
    return { plan, body, mediaType, cacheControl };
  }

  /**
   * Answers the request if it can; otherwise says so, with the request's context when one was made.
   * `createContext` is called at most once.
   */
  async serve(request: FastRequest, createContext: () => Promise<GatewayContext>): Promise<FastOutcome> {
    const planned = this.planFor(request);
    if (planned === undefined) return TO_APOLLO;
    const { plan, body, mediaType } = planned;
    const contextPromise = createContext();
    let context: GatewayContext;
    try {
      context = await contextPromise;
    } catch {
      // Apollo Server reports a failed context creation (e.g. 401 for an invalid token).
      return { kind: 'apollo', context: contextPromise };
    }
    const result = (await plan.compiled.query(undefined, context, body.variables)) as ExecutionResult;
    if (result.data === undefined) {
      this.executor.handOff(context, { kind: 'rerun' });
      return { kind: 'apollo', context: contextPromise };
    }
    if (result.errors !== undefined && result.errors.length > 0) {
      this.executor.handOff(context, { kind: 'result', result, carriesCredentials: responseHasCredentials(context) });
      return { kind: 'apollo', context: contextPromise };
    }
    this.executor.stats.fastPath += 1;
    return {
      kind: 'served',
      contentType: mediaType,
      cacheControl: responseHasCredentials(context) ? CREDENTIAL_CACHE_CONTROL : planned.cacheControl,
      // Apollo Server's stringifyResult: `{ errors, data, extensions }` in that order, then a newline.
      body: `${JSON.stringify({ data: result.data, extensions: result.extensions })}\n`,
      operationName: plan.operationName,
    };
  }
}
