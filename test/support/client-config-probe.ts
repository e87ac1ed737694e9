/**
 * Run in a child process by test/aws-clients.test.ts (`node --allow-natives-syntax --import tsx`):
 * makes the subgraph's AWS clients (with `nofast` as its argument, without the fast-config
 * workaround), makes a real call with each through the emulator, and prints on stdout whether V8
 * holds each client's config with fast properties, as `{ "datazone": bool, "quicksight": bool }`.
 */
import { DescribeActionConnectorCommand } from '@aws-sdk/client-quicksight';
import { GetConnectionCommand } from '@aws-sdk/client-datazone';
import { createAwsClients, destroyAwsClients } from '../../src/aws/clients.js';
import { loadConfig } from '../../src/config/config.js';
import { pointAwsSdkAtEmulator, startEmulator } from '../../tools/emulator/index.js';
import { DEMO_DOMAIN_ID, seedActionConnectors, seedConnections } from '../../tools/emulator/seed.js';

// Parsed at run time, where --allow-natives-syntax applies (esbuild would refuse the `%`).
const hasFastProperties = new Function('object', 'return %HasFastProperties(object)') as (object: object) => boolean;

const emulator = await startEmulator({ port: 0, host: '127.0.0.1' });
pointAwsSdkAtEmulator(emulator.url);
const clients = createAwsClients(loadConfig(), { fastConfig: process.argv[2] !== 'nofast' });
const [connector] = seedActionConnectors();
const [connection] = seedConnections();
await clients.datazone.send(new GetConnectionCommand({ domainIdentifier: DEMO_DOMAIN_ID, identifier: connection?.connectionId ?? '' }));
await clients.quicksight.send(new DescribeActionConnectorCommand({ AwsAccountId: connector?.awsAccountId ?? '', ActionConnectorId: connector?.connector.ActionConnectorId ?? '' }));
process.stdout.write(`${JSON.stringify({ datazone: hasFastProperties(clients.datazone.config), quicksight: hasFastProperties(clients.quicksight.config) })}\n`);
destroyAwsClients(clients);
await emulator.close();
