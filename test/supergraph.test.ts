import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { parse as parseYaml } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { EXAMPLE_DASHBOARDS } from '../tools/supergraph/dashboards.js';
import { READY_BANNER, SUPERGRAPH_SUBGRAPHS } from '../tools/supergraph/config.js';

interface SupergraphYaml {
  federation_version: string;
  subgraphs: Record<string, { routing_url: string; schema: { subgraph_url?: string; file?: string } }>;
}

describe('supergraph.yaml', () => {
  const config = parseYaml(readFileSync('supergraph.yaml', 'utf8')) as SupergraphYaml;

  it('pins the federation version the tests compose with (@apollo/composition)', () => {
    const composition = JSON.parse(readFileSync('node_modules/@apollo/composition/package.json', 'utf8')) as { version: string };
    expect(config.federation_version).toBe(`=${composition.version}`);
    expect(config.federation_version).toMatch(/^=2\.\d+\.\d+$/);
  });

  it('lists aws-connections at http://localhost:4000/graphql and the example subgraph where `npm run supergraph` runs them', () => {
    expect(Object.keys(config.subgraphs).sort()).toEqual(Object.values(SUPERGRAPH_SUBGRAPHS).map((subgraph) => subgraph.name).sort());
    expect(config.subgraphs['aws-connections']!.routing_url).toBe('http://localhost:4000/graphql');
    for (const subgraph of Object.values(SUPERGRAPH_SUBGRAPHS)) {
      const entry = config.subgraphs[subgraph.name]!;
      expect(entry.routing_url).toBe(`http://localhost:${subgraph.defaultPort}/graphql`);
      expect(entry.schema.subgraph_url).toBe(entry.routing_url);
    }
  });
});

describe('npm run supergraph', () => {
  let child: ChildProcess | undefined;
  afterAll(async () => {
    if (child?.pid && child.exitCode === null) {
      const exited = once(child, 'exit');
      // The whole process group: npm, tsx and the node process running main.ts.
      process.kill(-child.pid, 'SIGTERM');
      await exited;
    }
  });

  it('starts emulator, both subgraphs and @apollo/gateway, prints URL and tokens; a reader queries across both subgraphs', async () => {
    // Free ports everywhere; a fresh signing secret per run, as for a newcomer.
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', DASHBOARDS_PORT: '0', SUPERGRAPH_PORT: '0', EMULATOR_PORT: '0', LOG_LEVEL: 'warn' };
    delete env['AUTH_JWT_SECRET'];
    child = spawn('npm', ['run', 'supergraph'], { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env });
    let output = '';
    const started = new Promise<void>((resolve, reject) => {
      child!.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (/Ctrl-C stops everything/.test(output)) resolve();
      });
      child!.stderr!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      child!.once('exit', (code) => reject(new Error(`npm run supergraph exited (${code}):\n${output}`)));
    });
    await started;

    const url = new RegExp(`${READY_BANNER}\\s+(http://\\S+)`).exec(output)?.[1];
    const readerToken = /^\s+reader\s+(\S+)$/m.exec(output)?.[1];
    const secretsToken = /^\s+secrets reader\s+(\S+)$/m.exec(output)?.[1];
    expect(url, output).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
    expect(readerToken).toMatch(/^ey/);
    expect(secretsToken).toMatch(/^ey/);

    const query = '{ dashboards { id alertConnector { name } sourceConnection { name connectionCredentials { accessKeyId } } } }';
    const ask = async (token: string) => {
      const response = await fetch(url!, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query }) });
      return (await response.json()) as { data: { dashboards: Array<Record<string, any>> }; errors?: Array<{ extensions: { code: string } }> };
    };
    const asReader = await ask(readerToken!);
    expect(asReader.data.dashboards.map((dashboard) => dashboard['id'])).toEqual(EXAMPLE_DASHBOARDS.map((dashboard) => dashboard.id));
    expect(asReader.data.dashboards.every((dashboard) => typeof dashboard['alertConnector'].name === 'string' && dashboard['sourceConnection'].connectionCredentials === null)).toBe(true);
    expect(new Set(asReader.errors!.map((error) => error.extensions.code))).toEqual(new Set(['UNAUTHORIZED_FIELD_OR_TYPE']));

    const asSecretsReader = await ask(secretsToken!);
    expect(asSecretsReader.errors).toBeUndefined();
    expect(asSecretsReader.data.dashboards.some((dashboard) => dashboard['sourceConnection'].connectionCredentials?.accessKeyId)).toBe(true);
  });
});
