import { ConfigurationError, loadConfig } from '../config/config.js';
import { startSubgraph } from './app.js';
import { createLogger } from './logger.js';
import { startTracing } from '../telemetry/tracing.js';

/** `npm start`: the production server against real AWS. Refuses to start without token verification. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env, { requireAuth: true });
  } catch (error) {
    if (error instanceof ConfigurationError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  // A promise nobody awaited must not take down every other request in the process: log it (name
  // and message only: an SDK error can carry request details) and keep serving.
  process.on('unhandledRejection', (reason) => {
    logger.error({ err: reason instanceof Error ? { name: reason.name, message: reason.message } : String(reason) }, 'unhandled rejection');
  });
  // Before the subgraph is made: its AWS clients are traced from the first call (OTEL_* variables).
  const tracing = await startTracing(process.env);
  const subgraph = await startSubgraph(config, { logger });
  subgraph.logger.info({ url: subgraph.url, metrics: subgraph.metricsUrl, tracing: tracing.enabled }, 'AWS connections subgraph ready');
  // Whoever started the process waits for this line: it goes out now, not with the next buffer.
  subgraph.logger.flush();
  let shuttingDown = false;
  const shutdown = (signal: string, exitCode = 0) => {
    if (shuttingDown) return;
    shuttingDown = true;
    // /readyz turns 503, the listener closes, in-flight requests get up to SHUTDOWN_TIMEOUT_MS.
    subgraph.logger.info({ signal, timeoutMs: config.shutdownTimeoutMs }, 'draining');
    subgraph.close(config.shutdownTimeoutMs).then(
      // The spans still buffered go out before the process ends.
      () => tracing.shutdown().catch(() => undefined),
    ).then(
      () => {
        subgraph.logger.info('drained, exiting');
        process.exit(exitCode);
      },
      (error: unknown) => {
        subgraph.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  // After an exception nobody caught, the process's state is unknown (Node's own advice is not to
  // resume): log it (name and message only), let the requests in flight finish, and exit 1 so the
  // orchestrator starts a fresh process. A second one while draining is only logged.
  process.on('uncaughtException', (error) => {
    subgraph.logger.fatal({ err: { name: error.name, message: error.message } }, 'uncaught exception');
    shutdown('uncaughtException', 1);
  });
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

await main();
