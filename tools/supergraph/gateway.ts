/**
 * Composition and an `@apollo/gateway` for a local supergraph: what `rover supergraph compose` and a
 * gateway deployment do, in-process. Used by `npm run supergraph` and by the gateway tests.
 *
 * `@apollo/gateway` refuses supergraphs that use `for: SECURITY` features (`@requiresScopes`,
 * `@authenticated`), so aws-connections must serve its gateway-compatible SDL here
 * (`GATEWAY_COMPATIBLE_SDL=true`); it keeps enforcing its full policy on every `_entities` call,
 * which is why the gateway forwards each caller's `Authorization` header.
 */
import { composeServices } from '@apollo/composition';
import { ApolloGateway, type GraphQLDataSourceProcessOptions, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { parse } from 'graphql';
import { callerRulesPlugin } from '../../src/server/response-policy.js';
import { markResponseWithCredentials } from '../../src/schema/credential-responses.js';

export interface SubgraphSource {
  name: string;
  /** Where the gateway sends operations (the routing URL). */
  url: string;
  /** The subgraph's SDL, as its `_service { sdl }` returns it. */
  sdl: string;
}

/** `_service { sdl }` over HTTP, as rover and other composition tools fetch it. */
export async function fetchSubgraphSdl(url: string): Promise<string> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ _service { sdl } }' }),
  });
  const body = (await response.json()) as { data?: { _service?: { sdl?: string } }; errors?: Array<{ message: string }> };
  const sdl = body.data?._service?.sdl;
  if (!response.ok || typeof sdl !== 'string') {
    throw new Error(`${url} did not return its _service { sdl } (HTTP ${response.status}): ${body.errors?.map((error) => error.message).join('; ') ?? 'no data'}`);
  }
  return sdl;
}

/** Federation composition with `@apollo/composition`; throws with every composition error. */
export function composeSupergraph(subgraphs: readonly SubgraphSource[]): string {
  const result = composeServices(subgraphs.map((subgraph) => ({ name: subgraph.name, url: subgraph.url, typeDefs: parse(subgraph.sdl) })));
  if (result.errors) throw new Error(`Composition failed:\n${result.errors.map((error) => `  ${error.message}`).join('\n')}`);
  return result.supergraphSdl;
}

/** What the gateway keeps per request: the caller's own `Authorization` header, passed on unchanged. */
export interface SupergraphContext {
  authorization?: string;
}

export interface SubgraphRequestEvent {
  subgraph: string;
  query: string;
  variables: Record<string, unknown> | undefined;
}

/**
 * Forwards the caller's `Authorization` to every subgraph (the subgraph enforces its policy per
 * caller) and carries a subgraph's `private, no-store` (a credential in its answer) up to the
 * gateway's own response.
 */
export class AuthorizationForwardingDataSource extends RemoteGraphQLDataSource<SupergraphContext> {
  constructor(
    options: { name: string; url: string },
    private readonly onRequest?: (event: SubgraphRequestEvent) => void,
  ) {
    super({ url: options.url });
    this.subgraphName = options.name;
  }

  private readonly subgraphName: string;

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<SupergraphContext>): void {
    if (context.authorization) request.http?.headers.set('authorization', context.authorization);
    this.onRequest?.({ subgraph: this.subgraphName, query: request.query ?? '', variables: request.variables });
  }

  override async didReceiveResponse({ response, context }: Parameters<NonNullable<RemoteGraphQLDataSource<SupergraphContext>['didReceiveResponse']>>[0]) {
    const cacheControl = response.http?.headers.get('cache-control') ?? '';
    if (/\bprivate\b/.test(cacheControl) && /\bno-store\b/.test(cacheControl)) markResponseWithCredentials(context as object);
    return response;
  }
}

export interface RunningSupergraphGateway {
  url: string;
  gateway: ApolloGateway;
  stop(): Promise<void>;
}

export interface StartSupergraphGatewayOptions {
  supergraphSdl: string;
  port: number;
  host?: string;
  /** Called for every request the gateway sends to a subgraph (the tests count `_entities` batches). */
  onSubgraphRequest?: (event: SubgraphRequestEvent) => void;
}

/** A real `@apollo/gateway` on `@apollo/server`, from a static supergraph SDL. */
export async function startSupergraphGateway(options: StartSupergraphGatewayOptions): Promise<RunningSupergraphGateway> {
  // @apollo/gateway otherwise sends usage metrics to Apollo and probes cloud metadata endpoints
  // from its constructor; a local example has no business doing either. An explicit value wins.
  process.env['APOLLO_TELEMETRY_DISABLED'] ??= 'true';
  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    buildService: ({ name, url }) => new AuthorizationForwardingDataSource({ name, url: url ?? '' }, options.onSubgraphRequest),
  });
  const server = new ApolloServer<SupergraphContext>({
    gateway,
    includeStacktraceInErrorResponses: false,
    // Vary: Authorization, and `private, no-store` when a subgraph said its answer carried a credential.
    plugins: [callerRulesPlugin<SupergraphContext>()],
  });
  const { url } = await startStandaloneServer(server, {
    listen: { port: options.port, host: options.host ?? '127.0.0.1' },
    context: async ({ req }) => ({ authorization: req.headers.authorization }),
  });
  return { url: new URL('graphql', url).toString(), gateway, stop: () => server.stop() };
}
