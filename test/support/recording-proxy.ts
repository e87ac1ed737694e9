import { once } from 'node:events';
import { type IncomingHttpHeaders, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  headers: IncomingHttpHeaders;
  body: { query?: string; variables?: Record<string, unknown> };
}

export interface RecordingProxy {
  /** The proxy's URL, same path as the target's. */
  url: string;
  /** Every GraphQL request that went through, in order. */
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** Headers that belong to one hop (RFC 9110 section 7.6.1) or that fetch has already applied. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'content-encoding', 'host']);

/**
 * A pass-through HTTP proxy in front of a subgraph that records each request as the subgraph
 * receives it: what a gateway really sends, counted at the subgraph's door.
 */
export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const requests: RecordedRequest[] = [];
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    if (body.length > 0) requests.push({ headers: request.headers, body: JSON.parse(body.toString('utf8')) as RecordedRequest['body'] });
    const headers = Object.entries(request.headers).filter(([name]) => !HOP_BY_HOP.has(name)) as Array<[string, string]>;
    const upstream = await fetch(target, { method: request.method, headers, body: body.length > 0 ? body : undefined });
    upstream.headers.forEach((value, name) => {
      if (!HOP_BY_HOP.has(name)) response.setHeader(name, value);
    });
    response.writeHead(upstream.status).end(Buffer.from(await upstream.arrayBuffer()));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${new URL(target).pathname}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        // A gateway keeps its connections to subgraphs open; close() alone would wait for them.
        server.closeAllConnections();
      }),
  };
}
