/**
 * The bearer token the benchmarks' subgraph processes accept (kept out of bench/shared.ts, which the
 * baseline process loads: the baseline has no auth and loads nothing for it).
 */
import { mintDemoToken } from '../tools/demo/demo-tokens.js';
import { READ_SCOPE } from '../src/auth/policy.js';

/** The HS256 secret of the benchmarks' subgraph processes (AUTH_JWT_SECRET): worthless outside them. */
export const BENCH_JWT_SECRET = 'bench-only-hs256-secret-0123456789abcdef';

/** A reader's bearer token for the benchmarks' subgraph processes. */
export function benchReaderToken(): Promise<string> {
  return mintDemoToken(BENCH_JWT_SECRET, 'bench', [READ_SCOPE]);
}
