import type { ApolloServerOptionsWithGateway, BaseContext } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import type { CachePolicies } from '../cache-policy.js';
import { type ExecutionStats, createExecutor, fixedSchemaGateway } from './executor.js';
import { FastPath } from './fast-path.js';

/**
 * The accelerator: graphql-jit under Apollo Server (executor.ts) and the fast path beside it
 * (fast-path.ts). It changes how fast an answer comes, never what the answer is: with it off
 * (GRAPHQL_JIT_AFTER=0), Apollo Server runs every request on graphql-js as it ships, and the whole
 * test suite passes either way (`TEST_ACCELERATOR=off npm test`).
 */
export interface Accelerator {
  /** Apollo Server's gateway interface around the schema, with the executor that compiles documents. */
  gateway: ApolloServerOptionsWithGateway<BaseContext>['gateway'];
  fastPath: FastPath;
  stats: ExecutionStats;
}

export { type ExecutionStats, idleExecutionStats } from './executor.js';

/** The accelerator, or undefined when `compileAfter` is 0 (off: no compilation, no fast path). */
export function createAccelerator(schema: GraphQLSchema, cachePolicies: CachePolicies, options: { compileAfter: number }): Accelerator | undefined {
  if (options.compileAfter <= 0) return undefined;
  const executor = createExecutor(schema, cachePolicies, options);
  return { gateway: fixedSchemaGateway(schema, executor), fastPath: new FastPath(executor, cachePolicies), stats: executor.stats };
}
