// @ts-check
/**
 * Mutation testing of the security-critical modules: `npm run test:mutation` (docs/mutation-testing.md).
 *
 * - Runner: @stryker-mutator/vitest-runner with vitest.mutation.config.ts, which runs only the fast
 *   in-process suites of these modules (no emulator, no HTTP stack), so that a run takes minutes,
 *   not hours.
 * - No checker: @stryker-mutator/typescript-checker drives the TypeScript compiler's JavaScript API,
 *   which TypeScript 7 (the native compiler this project uses) does not have. Mutants that would not
 *   type-check simply run; vitest strips types without checking them.
 * - Thresholds: Stryker has one global `break`; scripts/check-mutation-scores.ts then fails the
 *   command for any file below its own threshold (90 for src/auth/, 85 elsewhere) and writes
 *   docs/mutation-report.md from reports/mutation/mutation.json.
 *
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  checkers: [],
  // Stryker rewrites the sandbox's tsconfig.json with the TypeScript JS API too (for `extends` and
  // `references` outside the project, which tsconfig.json does not have): naming a file that does
  // not exist skips that step.
  tsconfigFile: 'no-tsconfig-rewrite.json',
  mutate: ['src/auth/verify.ts', 'src/auth/policy.ts', 'src/aws/errors.ts', 'src/aws/rate-limit.ts'],
  coverageAnalysis: 'perTest',
  // The machine may be shared: two test runners at most.
  concurrency: 2,
  reporters: ['json', 'html', 'clear-text', 'progress'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  clearTextReporter: { allowColor: false, reportMutants: true, reportScoreTable: true },
  thresholds: { high: 90, low: 85, break: 85 },
  // Copied into each sandbox for nothing: build output, earlier reports, profiles.
  ignorePatterns: ['dist', 'reports', '*.cpuprofile'],
  tempDirName: '.stryker-tmp',
};
