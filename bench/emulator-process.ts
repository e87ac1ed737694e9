/**
 * The benchmark's emulator, in its own process: the real emulator with BENCH_IDS and HOT_ID added,
 * plus a small control server on loopback that the orchestrator asks for the call log's figures
 * and uses to set latency and quota between scenarios.
 * Prints one JSON line: { "emulator": url, "control": url }.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startEmulator } from '../tools/emulator/index.js';
import { BENCH_IDS, HOT_ID, benchConnection } from './shared.js';

const emulator = await startEmulator({ port: 0, host: '127.0.0.1' });
for (const id of [...BENCH_IDS, HOT_ID]) emulator.putConnection(benchConnection(id));

/** Most calls AWS received in any window of 1 s among calls[from..]. */
function maxPerSecond(from: number): number {
  const times = emulator.calls.slice(from).filter((call) => !call.throttled).map((call) => call.at);
  let best = 0;
  let start = 0;
  for (let end = 0; end < times.length; end += 1) {
    while ((times[end] as number) - (times[start] as number) >= 1_000) start += 1;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

/** Shortest time between two accepted calls for the same id among calls[from..] (Infinity if none). */
function minGapMs(from: number): number {
  const last = new Map<string, number>();
  let gap = Number.POSITIVE_INFINITY;
  for (const call of emulator.calls.slice(from)) {
    if (call.throttled) continue;
    const id = call.params['identifier'] ?? call.params['ActionConnectorId'] ?? '';
    const previous = last.get(id);
    if (previous !== undefined) gap = Math.min(gap, call.at - previous);
    last.set(id, call.at);
  }
  return gap;
}

const control = createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  let body: unknown = { ok: true };
  if (url.pathname === '/calls') {
    // The call log only grows during a run (never reset), so a round is the slice since its start index.
    const from = Number(url.searchParams.get('from') ?? 0);
    const slice = emulator.calls.slice(from);
    body = {
      count: emulator.calls.length,
      calls: slice.length,
      throttled: slice.filter((call) => call.throttled).length,
      maxPerSecond: url.searchParams.has('window') ? maxPerSecond(from) : undefined,
      minGapMs: url.searchParams.has('window') ? minGapMs(from) : undefined,
    };
  } else if (url.pathname === '/latency') {
    emulator.setLatency(Number(url.searchParams.get('ms') ?? 0));
  } else if (url.pathname === '/quota') {
    emulator.setQuota(Number(url.searchParams.get('perSecond') ?? 0));
  } else {
    response.writeHead(404).end();
    return;
  }
  response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
});
await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
const { port } = control.address() as AddressInfo;
process.stdout.write(`${JSON.stringify({ emulator: emulator.url, control: `http://127.0.0.1:${port}` })}\n`);

const stop = (): void => {
  control.close();
  emulator.close().then(() => process.exit(0), () => process.exit(1));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
