/**
 * Preloaded into `npm start` by test/shutdown.test.ts (`node --import tsx --import <this file>`): on
 * SIGUSR2 the process creates a rejected promise that nobody handles, as a bug in a dependency would.
 */
process.on('SIGUSR2', () => {
  void Promise.reject(new Error('test: a rejection nobody awaited'));
});
