import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * `npm run lint:deps` finds no violation in this repository; these tests show that its rules
 * (.dependency-cruiser.cjs) would find them: a small tree laid out like this one, with one breach of
 * each rule and one legal import, cruised with the repository's own configuration.
 */
const FIXTURE: Record<string, string> = {
  // A cycle across layers: the bottom layer imports the server, which imports it back.
  'src/core/context.ts': "import { serve } from '../server/app.js';\nexport const context = () => serve;\n",
  'src/server/app.ts': "import { context } from '../core/context.js';\nimport { schema } from '../schema/build.js';\nimport { accelerate } from './accelerator/index.js';\nimport { respond } from './apollo.js';\nexport const serve = () => [context, schema, accelerate, respond];\n",
  // Legal: the server's wiring turns the accelerator on. A breach: Apollo's setup depends on it.
  'src/server/accelerator/index.ts': 'export const accelerate = 1;\n',
  'src/server/apollo.ts': "import { accelerate } from './accelerator/index.js';\nexport const respond = accelerate;\n",
  // Legal: schema assembly imports a domain (downward).
  'src/schema/build.ts': "import { resolvers } from '../quicksight/resolvers.js';\nexport const schema = resolvers;\n",
  // One domain importing another; a domain importing a type of the server.
  'src/quicksight/resolvers.ts': "import type { Serve } from '../server/types.js';\nimport { loadConnection } from '../datazone/loader.js';\nexport const resolvers: Serve = () => loadConnection;\n",
  'src/server/types.ts': 'export type Serve = () => unknown;\n',
  'src/datazone/loader.ts': "import { seed } from '../../tools/emulator/seed.js';\nexport const loadConnection = () => seed;\n",
  // Product code importing a devDependency.
  'src/aws/clients.ts': "import { ApolloGateway } from '@apollo/gateway';\nimport { schema } from '../schema/build.js';\nexport const clients = [ApolloGateway, schema];\n",
  'tools/emulator/seed.ts': 'export const seed = 1;\n',
  // Imports nothing, imported by nothing.
  'src/pagination/unused.ts': 'export const unused = 1;\n',
  'tsconfig.json': JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext' } }),
  'package.json': JSON.stringify({ name: 'fixture', type: 'module', devDependencies: { '@apollo/gateway': '*' } }),
};

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

let fixture = '';
let violations: Violation[] = [];

beforeAll(() => {
  fixture = mkdtempSync(path.join(os.tmpdir(), 'dependency-rules-'));
  for (const [file, content] of Object.entries(FIXTURE)) {
    mkdirSync(path.dirname(path.join(fixture, file)), { recursive: true });
    writeFileSync(path.join(fixture, file), content);
  }
  symlinkSync(path.resolve('node_modules'), path.join(fixture, 'node_modules'), 'dir');
  const cli = path.resolve('node_modules/dependency-cruiser/bin/dependency-cruise.mjs');
  const result = spawnSync(process.execPath, [cli, 'src', 'tools', '--config', path.resolve('.dependency-cruiser.cjs'), '--output-type', 'json'], {
    cwd: fixture,
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (!result.stdout) throw new Error(`depcruise printed nothing: ${result.stderr}`);
  violations = (JSON.parse(result.stdout) as { summary: { violations: Violation[] } }).summary.violations;
});

afterAll(() => {
  if (fixture) rmSync(fixture, { recursive: true, force: true });
});

const found = (rule: string) => violations.filter((violation) => violation.rule.name === rule).map(({ from, to }) => `${from} -> ${to}`);

describe('dependency rules (.dependency-cruiser.cjs)', () => {
  it('no-circular - reports a cycle between two modules', () => {
    expect(found('no-circular')).toEqual(expect.arrayContaining(['src/core/context.ts -> src/server/app.ts']));
  });

  it('layers - report an import upward, type-only imports included', () => {
    expect(found('base-imports-no-higher-layer')).toEqual(['src/core/context.ts -> src/server/app.ts']);
    expect(found('services-import-no-higher-layer')).toEqual(['src/aws/clients.ts -> src/schema/build.ts']);
    expect(found('domains-import-no-higher-layer')).toEqual(['src/quicksight/resolvers.ts -> src/server/types.ts']);
  });

  it('domains-are-independent - reports one domain importing another', () => {
    expect(found('domains-are-independent')).toEqual(['src/quicksight/resolvers.ts -> src/datazone/loader.ts']);
  });

  it('product-imports-no-tooling and no devDependency - report src/ importing tools/ or a devDependency', () => {
    expect(found('product-imports-no-tooling')).toEqual(['src/datazone/loader.ts -> tools/emulator/seed.ts']);
    expect(found('product-imports-no-dev-dependency')).toEqual([expect.stringMatching(/^src\/aws\/clients\.ts -> .*node_modules\/@apollo\/gateway\//)]);
  });

  it('accelerator-behind-its-switch - reports product code other than the wiring and the HTTP layer importing the accelerator', () => {
    expect(found('accelerator-behind-its-switch')).toEqual(['src/server/apollo.ts -> src/server/accelerator/index.ts']);
  });

  it('no-orphans - reports a module nothing imports and that imports nothing', () => {
    expect(found('no-orphans')).toEqual(['src/pagination/unused.ts -> src/pagination/unused.ts']);
  });

  it('a downward import is no violation', () => {
    expect(violations.filter((violation) => violation.from === 'src/schema/build.ts')).toEqual([]);
  });
});
