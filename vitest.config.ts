import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

/**
 * `TEST_ACCELERATOR=off npm test` runs the suite with graphql-jit and the fast path off: the servers
 * tests start in-process read it in test/support/stack.ts, the ones they start as `npm start` get
 * GRAPHQL_JIT_AFTER=0 from here.
 */
const acceleratorOff = process.env['TEST_ACCELERATOR'] === 'off';

export default defineConfig({
  resolve: {
    // Vite would pick graphql's ESM build (`module` field) while @apollo/subgraph and @apollo/server
    // require its CommonJS build: two copies, and graphql-js refuses to mix them. Node itself
    // resolves `graphql` to the CommonJS build, so tests use that one too.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // `npm run build:tools` once: tests that run the server as `npm start` does run the compiled dist/.
    globalSetup: ['test/support/global-setup.ts'],
    // Each file starts its own emulator and subgraph on free ports; files run in separate processes.
    pool: 'forks',
    // The AWS SDK warns once per process on a Node version it is about to drop; every test file
    // and every server a test starts is such a process. The SDK's own switch silences it in tests.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...(acceleratorOff ? { GRAPHQL_JIT_AFTER: '0' } : {}) },
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
