/**
 * Where a process's CPU went, from a V8 `.cpuprofile` (`BENCH_CPU_PROF=<dir> npm run bench` writes
 * one per subgraph and baseline process): self time grouped by package (AWS SDK, Apollo Server,
 * graphql-js, Node's HTTP stack, garbage collection, promise jobs, this repository's code, ...).
 * With `--requests N` (and `--requests M` for a second profile) it also prints µs per request.
 *
 *   node dist/bench/profile-summary.js subgraph.cpuprofile [--requests N] [baseline.cpuprofile [--requests M]]
 *
 * Time spent loading modules at start-up is its own group, so that it can be told apart from the
 * cost of serving requests.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const GROUPS: Array<[name: string, test: (url: string, fn: string) => boolean]> = [
  ['idle', (_url, fn) => fn === '(idle)'],
  ['garbage collection', (_url, fn) => fn === '(garbage collector)'],
  ['promise jobs (runMicrotasks)', (_url, fn) => fn === 'runMicrotasks'],
  ['AWS SDK', (url) => /node_modules\/(@smithy|@aws-sdk|@aws-crypto)\//.test(url) || /node:internal\/crypto/.test(url)],
  ['Apollo Server', (url) => /node_modules\/(@apollo|negotiator|whatwg-mimetype|content-type)\//.test(url)],
  ['graphql-js', (url) => /node_modules\/graphql\//.test(url)],
  ['DataLoader', (url) => /node_modules\/dataloader\//.test(url)],
  ['pino (logging)', (url) => /node_modules\/(pino|@pinojs|sonic-boom)/.test(url)],
  ['module loading (start-up)', (url) => /node:internal\/modules|cjs-module-lexer|node_modules\/tsx\//.test(url)],
  ['node:http, net, streams', (url, fn) => /node:(_http|net|http|stream|internal\/stream|internal\/http)/.test(url) || (!url && ['writev', 'writeLatin1String', 'writeUtf8String', 'writeBuffer'].includes(fn))],
  ['events, timers, AbortSignal', (url) => /node:(events|timers|internal\/timers|internal\/event_target|internal\/abort_controller)/.test(url)],
  ['this repository', (url) => /\/(src|bench)\//.test(url) && !url.includes('node_modules')],
  ['other dependencies', (url) => url.includes('node_modules')],
];

function summarize(file: string): Map<string, number> {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const totals = new Map<string, number>(GROUPS.map(([name]) => [name, 0]));
  totals.set('other (native, Node internals)', 0);
  profile.samples.forEach((id, index) => {
    const frame = nodes.get(id)?.callFrame ?? { functionName: '', url: '' };
    const group = GROUPS.find(([, test]) => test(frame.url, frame.functionName))?.[0] ?? 'other (native, Node internals)';
    totals.set(group, (totals.get(group) ?? 0) + (profile.timeDeltas[index] ?? 0) / 1000);
  });
  return totals;
}

const inputs: Array<{ file: string; requests?: number }> = [];
const args = process.argv.slice(2);
for (let index = 0; index < args.length; index += 1) {
  const arg = args[index] as string;
  if (arg === '--requests') {
    const last = inputs.at(-1);
    const requests = Number(args[(index += 1)]);
    if (!last || !(requests > 0)) throw new Error('--requests N follows a profile file and N is positive');
    last.requests = requests;
  } else {
    inputs.push({ file: arg });
  }
}
if (inputs.length === 0) {
  process.stderr.write('usage: profile-summary <file.cpuprofile> [--requests N] [<file.cpuprofile> [--requests M]]\n');
  process.exit(2);
}

const summaries = inputs.map((input) => ({ ...input, totals: summarize(input.file) }));
const busy = (totals: Map<string, number>) => [...totals].filter(([name]) => name !== 'idle').reduce((sum, [, ms]) => sum + ms, 0);
const names = [...(summaries[0] as { totals: Map<string, number> }).totals.keys()].sort(
  (a, b) => (summaries[0]!.totals.get(b) ?? 0) - (summaries[0]!.totals.get(a) ?? 0),
);
const header = summaries.map((summary, index) => `profile ${index + 1}: ms | % busy${summary.requests ? ' | µs/request' : ''}`).join(' | ');
console.log(`| group | ${header} |`);
console.log(`|---|${summaries.map((summary) => (summary.requests ? '---|---|---|' : '---|---|')).join('')}`);
for (const name of names) {
  const cells = summaries.map((summary) => {
    const ms = summary.totals.get(name) ?? 0;
    const share = name === 'idle' ? '' : ((100 * ms) / busy(summary.totals)).toFixed(1);
    return [ms.toFixed(0), share, ...(summary.requests ? [name === 'idle' ? '' : ((1000 * ms) / summary.requests).toFixed(1)] : [])].join(' | ');
  });
  console.log(`| ${name} | ${cells.join(' | ')} |`);
}
const busyCells = summaries.map((summary) => {
  const ms = busy(summary.totals);
  return [ms.toFixed(0), '100.0', ...(summary.requests ? [((1000 * ms) / summary.requests).toFixed(1)] : [])].join(' | ');
});
console.log(`| busy (all but idle) | ${busyCells.join(' | ')} |`);
summaries.forEach((summary, index) => console.log(`profile ${index + 1}: ${summary.file}`));
