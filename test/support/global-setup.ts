import { spawnSync } from 'node:child_process';

/**
 * Once before all test files: `npm run build:tools` (the product and the tooling), so that the tests
 * which run the server as `npm start` does (compiled, `node dist/src/server/main.js`) run today's code.
 */
export default function setup(): void {
  const result = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.tools.json'], { encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) throw new Error(`npm run build:tools failed:\n${result.stdout}${result.stderr}`);
}
