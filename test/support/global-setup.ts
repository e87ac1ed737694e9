import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Debian packages the tests drive, by the binary each provides (`.ci/run` installs the missing ones). */
const DEBIAN_PACKAGES: Record<string, string> = {
  '/usr/bin/chromium': 'chromium',
  '/usr/bin/redis-server': 'redis-server',
  '/usr/bin/promtool': 'prometheus',
};

/**
 * Once before all test files: a check that the Debian packages the tests drive are installed, then
 * `npm run build:tools` (the product and the tooling), so that the tests
 * which run the server as `npm start` does (compiled, `node dist/src/server/main.js`) run today's code.
 */
export default function setup(): void {
  const missing = Object.entries(DEBIAN_PACKAGES).filter(([binary]) => !existsSync(binary)).map(([, pkg]) => pkg);
  if (missing.length > 0) {
    throw new Error(`The tests need Debian's ${missing.join(', ')}: apt-get install -y --no-install-recommends ${missing.join(' ')}`);
  }
  const result = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.tools.json'], { encoding: 'utf8', timeout: 120_000 });
  if (result.status !== 0) throw new Error(`npm run build:tools failed:\n${result.stdout}${result.stderr}`);
}
