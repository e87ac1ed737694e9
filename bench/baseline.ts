/**
 * The direct SDK path the gateway is measured against: a bare node:http handler that reads the
 * same request body, makes the same GetConnection call(s) with the same SDK client configuration
 * (keep-alive sockets, retries, timeouts) and returns the same JSON, without GraphQL, auth or
 * anything shared between requests. Prints one JSON line: { "url": ... }.
 */
import { GetConnectionCommand } from '@aws-sdk/client-datazone';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pMap from 'p-map';
import { createAwsClients } from '../src/aws/clients.js';
import { loadConfig } from '../src/config/config.js';
import { projectConnection } from './shared.js';

interface Variables {
  domainIdentifier?: string;
  identifier?: string;
  representations?: Array<{ domainId: string; connectionId: string }>;
}

// The same configuration as the gateway's, but never a client-side rate limit: this is the raw path.
const config = loadConfig({ ...process.env, AWS_RATE_LIMIT_PER_SECOND: '0' });
const { datazone } = createAwsClients(config);

async function getConnection(domainIdentifier: string, identifier: string) {
  return projectConnection(await datazone.send(new GetConnectionCommand({ domainIdentifier, identifier })));
}

async function answer(variables: Variables): Promise<unknown> {
  if (variables.representations) {
    const entities = await pMap(variables.representations, (reference) => getConnection(reference.domainId, reference.connectionId), {
      concurrency: config.aws.maxConcurrency,
    });
    return { data: { _entities: entities } };
  }
  return { data: { dataZoneConnection: await getConnection(variables.domainIdentifier ?? '', variables.identifier ?? '') } };
}

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    let variables: Variables;
    try {
      variables = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { variables?: Variables }).variables ?? {};
    } catch {
      response.writeHead(400).end();
      return;
    }
    answer(variables).then(
      (body) => {
        const payload = JSON.stringify(body);
        response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload) });
        response.end(payload);
      },
      (error: unknown) => {
        const payload = JSON.stringify({ errors: [{ message: error instanceof Error ? error.name : 'error' }] });
        response.writeHead(502, { 'content-type': 'application/json; charset=utf-8' }).end(payload);
      },
    );
  });
});
server.keepAliveTimeout = 65_000;
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql` })}\n`);
process.once('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  datazone.destroy();
  process.exit(0);
});
