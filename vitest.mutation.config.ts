import { defineConfig, mergeConfig } from 'vitest/config';
import baseConfig from './vitest.config.js';

/**
 * The suites `npm run test:mutation` runs against each mutant (stryker.config.mjs): fast,
 * in-process tests of the security-critical modules. No stack, no emulator, no build, so that the
 * whole run takes minutes rather than hours.
 */
const MUTATION_TEST_FILES = [
  'test/token-verification.test.ts',
  'test/auth-policy-rules.test.ts',
  'test/aws-errors.test.ts',
  'test/rate-limit-rules.test.ts',
];

export default mergeConfig(
  { ...baseConfig, test: { ...baseConfig.test, globalSetup: [], include: [] } },
  defineConfig({ test: { include: MUTATION_TEST_FILES } }),
);
