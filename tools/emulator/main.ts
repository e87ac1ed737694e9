/// <reference types="node" />
/**
 * CLI: `tsx tools/emulator/main.ts` starts the AWS emulator with the demo data.
 * Env: PORT (default 4566), HOST (default 127.0.0.1), EMULATOR_LATENCY_MS (default 0).
 */
import { startEmulator } from './server.js';
import { OPERATIONS } from './registry.js';
import { DEMO_REGION, seededIds } from './seed.js';

async function main(): Promise<void> {
  const port = Number(process.env['PORT'] ?? 4566);
  const host = process.env['HOST'] ?? '127.0.0.1';
  const latencyMs = Number(process.env['EMULATOR_LATENCY_MS'] ?? 0);
  const emulator = await startEmulator({ port, host, latencyMs: Number.isFinite(latencyMs) ? latencyMs : 0 });
  const ids = seededIds();
  const lines = [
    `AWS emulator (${OPERATIONS.map((operation) => operation.name).join(', ')}) listening on ${emulator.url}`,
    '',
    'Point the SDK at it:',
    `  export AWS_ENDPOINT_URL_QUICKSIGHT=${emulator.url}`,
    `  export AWS_ENDPOINT_URL_DATAZONE=${emulator.url}`,
    `  export AWS_ENDPOINT_URL_STS=${emulator.url}`,
    // DataZone domains live in one region, as on AWS: a call signed for another is not found.
    `  export AWS_REGION=${DEMO_REGION}`,
    '',
    `QuickSight account ${ids.awsAccountId}, action connectors:`,
    ...ids.actionConnectorIds.map((id) => `  ${id}`),
    '',
    `DataZone domain ${ids.domainId}, connections:`,
    ...ids.connectionIds.map((id) => `  ${id}`),
    '',
    'Press Ctrl+C to stop.',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\nReceived ${signal}, stopping the emulator...\n`);
    emulator.close().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`Error while stopping: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`Failed to start the AWS emulator: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
