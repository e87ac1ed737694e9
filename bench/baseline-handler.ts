/**
 * The direct SDK path's request handler (see bench/baseline.ts): reads the request body, makes the
 * same GetConnection call(s) the subgraph would with the given client, and writes the same JSON.
 */
import type { DataZoneClient } from '@aws-sdk/client-datazone';
import { GetConnectionCommand } from '@aws-sdk/client-datazone';
import type { IncomingMessage, ServerResponse } from 'node:http';
import pMap from 'p-map';
import { projectConnection } from './shared.js';

interface Variables {
  domainIdentifier?: string;
  identifier?: string;
  representations?: Array<{ domainId: string; connectionId: string }>;
}

export function createBaselineHandler(datazone: DataZoneClient, concurrency: number): (request: IncomingMessage, response: ServerResponse) => void {
  async function getConnection(domainIdentifier: string, identifier: string) {
    return projectConnection(await datazone.send(new GetConnectionCommand({ domainIdentifier, identifier })));
  }

  async function answer(variables: Variables): Promise<unknown> {
    if (variables.representations) {
      const entities = await pMap(variables.representations, (reference) => getConnection(reference.domainId, reference.connectionId), { concurrency });
      return { data: { _entities: entities } };
    }
    return { data: { dataZoneConnection: await getConnection(variables.domainIdentifier ?? '', variables.identifier ?? '') } };
  }

  return (request, response) => {
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
  };
}
