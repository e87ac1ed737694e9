/**
 * The layers of the product (src/) and the place of the tooling, checked by dependency-cruiser in
 * `npm test` (`npm run lint:deps`). docs/architecture.md ("Layers") says the same in prose.
 *
 * The product's layers, bottom to top; a module imports its own layer or lower ones, never higher:
 *   1. base     src/config/    configuration, parsed once at start-up
 *               src/core/      the request context and caller types every layer uses
 *               src/graphql/   GraphQL helpers the domains use (SDK unions, member resolvers)
 *               src/types/     ambient declarations for untyped packages
 *   2. services src/aws/       AWS clients, calls, errors, shared reads, rate limit
 *               src/auth/      token verification, the schema's authorization policy
 *               src/pagination/
 *               src/fleet/     what replicas share through Redis: rate limit, response cache, persisted queries
 *               src/telemetry/ Prometheus metrics and OpenTelemetry traces: instruments the AWS
 *                              clients where aws/ makes them, and is wired up by the server
 *   3. domains  src/quicksight/, src/datazone/ (neither imports the other), and src/generated/,
 *               the codegen's resolver types, which import both domains' model types (its mappers)
 *   4. schema   src/schema/    assembly: the SDL, the domains' resolvers and the schema passes
 *   5. server   src/server/    HTTP, Apollo Server, the response policy, `npm start`; and the
 *                              accelerator (src/server/accelerator/: graphql-jit, the fast path),
 *                              which only the server's wiring (app.ts) and HTTP layer (http.ts) know
 *
 * Tooling lives outside src/: tools/ (emulator, demo, example supergraph), bench/, test/. The
 * product never imports them; tools/ imports the product only; bench/ may use tools/; test/ any.
 */

const BASE = '^src/(config|core|graphql|types)/';
const SERVICES = '^src/(aws|auth|pagination|fleet|telemetry)/';
const DOMAINS = '^src/(quicksight|datazone|generated)/';
const SCHEMA = '^src/schema/';
const SERVER = '^src/server/';

/** A rule that `from` imports nothing in `to` (a higher layer, or tooling). */
function forbid(name, comment, from, to) {
  return { name, comment, severity: 'error', from: { path: from }, to: { path: to } };
}

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A cycle makes two modules one: neither can be read, tested or moved without the other.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    forbid('base-imports-no-higher-layer', 'config/, core/, graphql/ and types/ are the bottom layer: they import no other layer.', BASE, [SERVICES, DOMAINS, SCHEMA, SERVER]),
    forbid('services-import-no-higher-layer', 'aws/, auth/, pagination/, fleet/ and telemetry/ know no domain, no schema assembly and no server.', SERVICES, [DOMAINS, SCHEMA, SERVER]),
    forbid('domains-import-no-higher-layer', 'A domain is assembled into the schema and served by the server; it imports neither.', DOMAINS, [SCHEMA, SERVER]),
    forbid('schema-imports-no-server', 'Schema assembly is below the server: anything both need lives in the schema layer or lower.', SCHEMA, SERVER),
    {
      name: 'domains-are-independent',
      comment: 'How one AWS resource is fetched and resolved lives in its own folder: one domain never imports another.',
      severity: 'error',
      from: { path: '^src/(quicksight|datazone)/' },
      to: { path: '^src/(quicksight|datazone)/', pathNot: '^src/$1/' },
    },
    {
      name: 'accelerator-behind-its-switch',
      comment:
        'graphql-jit and the fast path change how fast an answer comes, never what it is: app.ts turns them on or off (GRAPHQL_JIT_AFTER) and http.ts hands requests to the fast path; nothing else in the product depends on them.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/server/accelerator/', '^src/server/(app|http)\\.ts$'] },
      to: { path: '^src/server/accelerator/' },
    },
    forbid('product-imports-no-tooling', 'src/ is what runs in production: it never imports the emulator, the demo, the benchmarks or the tests.', '^src/', '^(tools|bench|test)/'),
    forbid('tools-import-no-bench-or-tests', 'tools/ (emulator, demo, example supergraph) runs on the product alone.', '^tools/', '^(bench|test)/'),
    forbid('bench-imports-no-tests', 'The benchmarks run without the test suite.', '^bench/', '^test/'),
    {
      name: 'product-imports-no-dev-dependency',
      comment: 'npm start runs without devDependencies installed (npm ci --omit=dev).',
      severity: 'error',
      from: { path: '^src/' },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'no-orphans',
      comment: 'A module nothing imports and that imports nothing is dead code, or an entry point nobody wired up.',
      severity: 'error',
      from: {
        orphan: true,
        pathNot: [
          // Ambient declarations are found by the compiler, not imported.
          '\\.d\\.ts$',
          // Preloaded by path into the server process (`node --import <file>`) by test/shutdown.test.ts.
          '^test/support/(uncaught-exception-on-sighup|unhandled-rejection-on-sigusr2)\\.ts$',
        ],
      },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // swc reads the TypeScript source as written (the installed TypeScript 7 has no compiler API
    // dependency-cruiser can use), so type-only imports count: a layer that names a higher layer's
    // types depends on it all the same.
    parser: 'swc',
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
    // Dependencies are read from package.json, so `npm-dev` above knows what a devDependency is.
    combinedDependencies: false,
  },
};
