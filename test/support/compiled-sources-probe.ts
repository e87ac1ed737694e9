/**
 * Run in a child process by test/jit.test.ts (`node --expose-gc --import tsx`): compiles distinct
 * documents with graphql-jit, drops them, and prints on stdout how many heap bytes the second
 * batch left behind after full collections. With `executor` as its argument it first makes the
 * subgraph's executor, as createSubgraphCore does.
 */
import { parse } from 'graphql';
import { compileQuery, isCompiledQuery } from 'graphql-jit';
import { buildServedSchema } from '../../src/schema/build.js';
import { createExecutor } from '../../src/server/accelerator/executor.js';
import { CachePolicies } from '../../src/server/cache-policy.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with --expose-gc');
const { schema } = buildServedSchema();
if (process.argv[2] === 'executor') createExecutor(schema, new CachePolicies(schema), { compileAfter: 2 });

function compileDistinct(from: number): void {
  for (let index = from; index < from + 300; index += 1) {
    const document = parse(`{ c${index}: dataZoneConnection(domainIdentifier: "d", identifier: "id-${index}") { connectionId name type props { __typename ... on DataZoneAthenaPropertiesOutput { workgroupName } } physicalEndpoints { host port } } }`);
    if (!isCompiledQuery(compileQuery(schema, document))) throw new Error('not compiled');
  }
}

function settledHeap(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}

// A first batch warms up graphql-jit and the schema's lazily built parts.
compileDistinct(0);
const before = settledHeap();
compileDistinct(1_000);
process.stdout.write(`${JSON.stringify({ retainedBytes: settledHeap() - before })}\n`);
