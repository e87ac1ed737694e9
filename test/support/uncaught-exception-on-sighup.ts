/**
 * Preloaded into `npm start` by test/shutdown.test.ts (`node --import tsx --import <this file>`): on
 * SIGHUP the process throws from a callback nobody guards, as a bug in a dependency would.
 */
process.on('SIGHUP', () => {
  setImmediate(() => {
    throw new Error('test: an exception nobody caught');
  });
});
