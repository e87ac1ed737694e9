/** The subgraphs of `npm run supergraph` and their default ports, as supergraph.yaml lists them (a test keeps the two in step). */
export const SUPERGRAPH_SUBGRAPHS = {
  awsConnections: { name: 'aws-connections', defaultPort: 4000 },
  dashboards: { name: 'dashboards', defaultPort: 4001 },
} as const;

/** Where `npm run supergraph` serves the gateway unless SUPERGRAPH_PORT says otherwise. */
export const DEFAULT_SUPERGRAPH_PORT = 4002;

/** The start of the line that says everything is up (the test waits for it). */
export const READY_BANNER = 'Supergraph gateway';
