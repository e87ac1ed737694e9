import { ConfigurationError, loadConfig } from '../config/config.js';
import { startGateway } from './app.js';

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
  const gateway = await startGateway(config);
  gateway.logger.info({ url: gateway.url }, 'AWS connections subgraph ready');
  const shutdown = (signal: string) => {
    gateway.logger.info({ signal }, 'draining');
    gateway.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

process.on('unhandledRejection', (reason) => {
  console.error('unhandled rejection', reason instanceof Error ? reason.message : String(reason));
});

await main();
