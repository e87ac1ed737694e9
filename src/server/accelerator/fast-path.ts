import type { ExecutionResult } from 'graphql';
import type { SubgraphContext } from '../../core/context.js';
import { responseHasCredentials } from '../../schema/credential-responses.js';
import type { CachePolicies } from '../cache-policy.js';
import { cacheControlOf, logOperationName, negotiateMediaType, stringifyResult } from '../response-policy.js';
import type { Executor, FastPlan } from './executor.js';

/**
 * The fast path: a POST for an operation Apollo Server has parsed, validated and run before, and
 * that graphql-jit has compiled (executor.ts registers it then, by its exact source text and
 * requested operation name), is run by the compiled query straight from the HTTP handler.
 *
 * Apollo Server's request pipeline costs more per request than everything else the subgraph adds
 * to an AWS call (`npm run bench:layers`): the document cache's SHA-256, a dozen plugin hooks and
 * their promises. For a request whose answer it already knows how to give, none of that decides
 * anything: the document is valid (Apollo said so), its cache policy is known before it runs
 * (../cache-policy.ts), and what a response without errors gets beyond its data (headers, body
 * serialization, the log line's operation name) comes from the response policy that Apollo Server's
 * plugin calls too (../response-policy.ts).
 *
 * Apollo Server stays in charge of everything else, and of every request that is not a plain
 * success:
 * - a first sight of a document, GET, persisted queries (`extensions`), a router asking for a
 *   trace, an `Accept` that negotiates to nothing (Apollo's 406), representations that cannot
 *   succeed;
 * - a context that fails (an invalid token): Apollo gets the same failed context;
 * - an answer with errors: Apollo gets the context and the result (Executor.handOff) and reports
 *   it exactly as if it had run it, without a second execution (its error formatting, masking,
 *   HTTP statuses and plugins);
 * - variables that do not coerce: no resolver ran, and Apollo runs the request on graphql-js.
 * test/fast-path.test.ts sends each kind of request twice, first through Apollo and then through
 * this path, and compares status, headers and body.
 */

export interface FastRequest {
  /** The parsed JSON body of a POST with `Content-Type: application/json`. */
  body: unknown;
  accept: string | undefined;
  /** `apollo-federation-include-trace` */
  traceHeader: string | undefined;
}

export type FastOutcome =
  /** Answered: write these (the response policy's headers and log field). */
  | { kind: 'served'; contentType: string; cacheControl: string; body: string; operationName: string | null }
  /** For Apollo Server, with the context made here if there is one (it must not be made twice). */
  | { kind: 'apollo'; context?: Promise<SubgraphContext> };

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
  constructor(
    private readonly executor: Executor,
    private readonly cachePolicies: CachePolicies,
  ) {}

  /** The plan registered for this source text and operation name, if any (for `npm run bench:layers`). */
  plan(query: string, operationName?: string): FastPlan | undefined {
    return this.executor.plans.get(query, operationName);
  }

  /** The request's plan, media type and planned `cache-control`, if the fast path may answer it. */
  private planFor(request: FastRequest): { plan: FastPlan; body: GraphQLPostBody; mediaType: string; cacheControl: string } | undefined {
    const body = graphQLPostBody(request.body);
    if (body === undefined || request.traceHeader === 'ftv1') return undefined;
    const plan = this.executor.plans.get(body.query, body.operationName);
    if (plan === undefined) return undefined;
    const mediaType = negotiateMediaType(request.accept);
    if (mediaType === undefined) return undefined;
    const cacheControl = this.cachePolicies.cacheControl(plan.cache, body.variables);
    if (cacheControl === undefined) return undefined;
    return { plan, body, mediaType, cacheControl };
  }

  /**
   * Answers the request if it can; otherwise says so, with the request's context when one was made.
   * `createContext` is called at most once.
   */
  async serve(request: FastRequest, createContext: () => Promise<SubgraphContext>): Promise<FastOutcome> {
    const planned = this.planFor(request);
    if (planned === undefined) return TO_APOLLO;
    const { plan, body, mediaType } = planned;
    const contextPromise = createContext();
    let context: SubgraphContext;
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
      cacheControl: cacheControlOf(planned.cacheControl, false, responseHasCredentials(context)),
      // In Apollo Server's order (`errors`, `data`, `extensions`); there are no errors here.
      body: stringifyResult({ data: result.data, extensions: result.extensions }),
      operationName: logOperationName(plan.operationName),
    };
  }
}
