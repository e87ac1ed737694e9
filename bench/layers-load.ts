/**
 * The load generator of `npm run bench:layers`' HTTP layers, in its own process so that its CPU is
 * not counted as the server's. Reads one JSON command per stdin line,
 * `{ "url": ..., "count": N, "authorization": ... }`, sends N scenario-A requests (32 connections,
 * 1000 ids in rotation) with autocannon, and answers each with one JSON line:
 * `{ "requests": N, "ok": M }` (ok: status 200 and no `errors`).
 */
import autocannon from 'autocannon';
import { createInterface } from 'node:readline';
import { rotatingConnectionBody } from './shared.js';

interface Command {
  url: string;
  count: number;
  authorization: string;
}

let sequence = 0;

for await (const line of createInterface({ input: process.stdin })) {
  const command = JSON.parse(line) as Command;
  let ok = 0;
  const result = await autocannon({
    url: command.url,
    method: 'POST',
    connections: 32,
    amount: command.count,
    timeout: 30,
    headers: { 'content-type': 'application/json', authorization: command.authorization },
    requests: [
      {
        setupRequest: (request) => ({ ...request, body: rotatingConnectionBody(sequence++) }),
        onResponse: (status, responseBody) => {
          if (status === 200 && !responseBody.includes('"errors"')) ok += 1;
        },
      },
    ],
  });
  process.stdout.write(`${JSON.stringify({ requests: result.requests.total, ok })}\n`);
}
