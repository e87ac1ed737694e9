import { Writable } from 'node:stream';
import { type SubgraphServer, startSubgraph } from '../../src/server/app.js';
import { createLogger } from '../../src/server/logger.js';
import type { Emulator, EmulatorOptions } from '../../tools/emulator/index.js';
import { type RedisServer, startRedisServer } from '../../tools/fleet/redis-server.js';
import { type GraphQLResponse, type Stack, startStack } from './stack.js';

/** One subgraph process of a fleet, as a test sees it. */
export interface Replica {
  subgraph: SubgraphServer;
  /** Every log line this replica wrote, as text. */
  logLines: string[];
  graphql: Stack['graphql'];
}

/** Replicas over one emulator and one real redis-server (REDIS_URL), as a platform runs them. */
export interface Fleet {
  emulator: Emulator;
  redis: RedisServer;
  replicas: Replica[];
  close(): Promise<void>;
}

export async function postGraphQL<Data = Record<string, any>>(
  url: string,
  query: string | undefined,
  { variables, extensions, token, headers }: Parameters<Stack['graphql']>[1] = {},
): Promise<GraphQLResponse<Data>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: JSON.stringify({ query, variables, extensions }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: JSON.parse(text), text };
}

/**
 * `replicas` subgraphs (two by default) on one emulator and one Redis. The first is test/support/
 * stack.ts' subgraph; the others run the same configuration in the same process, each with its own
 * clients, caches, rate limit queue and Redis connection, as separate processes would.
 */
export async function startFleet(options: { env?: Record<string, string>; emulator?: EmulatorOptions; replicas?: number; redis?: RedisServer } = {}): Promise<Fleet> {
  const redis = options.redis ?? (await startRedisServer());
  const first = await startStack({ env: { REDIS_URL: redis.url, ...options.env }, emulator: options.emulator });
  const replicas: Replica[] = [{ subgraph: first.subgraph, logLines: first.logLines, graphql: first.graphql }];
  for (let index = 1; index < (options.replicas ?? 2); index += 1) {
    const logLines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, callback) {
        logLines.push(String(chunk));
        callback();
      },
    });
    const subgraph = await startSubgraph(first.config, { logger: createLogger(first.config.logLevel, sink) });
    replicas.push({ subgraph, logLines, graphql: (query, requestOptions) => postGraphQL(subgraph.url, query, requestOptions) });
  }
  return {
    emulator: first.emulator,
    redis,
    replicas,
    async close() {
      await Promise.all(replicas.slice(1).map((replica) => replica.subgraph.close(1_000)));
      await first.close();
      await redis.close();
    },
  };
}
