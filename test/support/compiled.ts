/** What `npm start` runs: the compiled server (test/support/global-setup.ts builds it before the tests). */
export const COMPILED_SERVER = 'dist/src/server/main.js';
