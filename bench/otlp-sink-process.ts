/**
 * An OTLP/HTTP receiver for `npm run bench:ab`, in its own process: it answers every export at once
 * and keeps nothing, so that a subgraph exporting its traces pays the whole cost of exporting
 * (serialization, HTTP) and nothing else. Counts the spans' export requests and bytes for the report.
 * Prints one JSON line: { "otlp": url }.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

let exports = 0;
let bytes = 0;
const server = createServer((request, response) => {
  request.on('data', (chunk: Buffer) => (bytes += chunk.length));
  request.on('end', () => {
    if (request.url === '/stats') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ exports, bytes }));
      return;
    }
    exports += 1;
    response.writeHead(200, { 'content-type': request.headers['content-type'] ?? 'application/x-protobuf' });
    response.end();
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${JSON.stringify({ otlp: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })}\n`);
});
