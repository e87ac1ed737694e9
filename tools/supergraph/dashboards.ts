/**
 * A small example subgraph, `dashboards`, that references both entities of this subgraph by key
 * only (`@key(..., resolvable: false)`): the shape of any other team's subgraph in a supergraph.
 * `npm run supergraph` runs it next to aws-connections, and the gateway tests compose with it.
 */
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { DEMO_AWS_ACCOUNT_ID, DEMO_DOMAIN_ID } from '../emulator/seed.js';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';

export const DASHBOARDS_TYPE_DEFS = parse(/* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])

  directive @cacheControl(maxAge: Int, scope: CacheControlScope, inheritMaxAge: Boolean) on FIELD_DEFINITION | OBJECT | INTERFACE | UNION

  "Who may share a cached response."
  enum CacheControlScope {
    PUBLIC
    PRIVATE
  }

  "A QuickSight action connector, resolved by the aws-connections subgraph; referenced here by key."
  type QuickSightActionConnector @key(fields: "awsAccountId actionConnectorId", resolvable: false) @cacheControl(inheritMaxAge: true) {
    awsAccountId: ID!
    actionConnectorId: ID!
  }

  "A DataZone connection, resolved by the aws-connections subgraph; referenced here by key."
  type DataZoneConnection @key(fields: "domainId connectionId", resolvable: false) @cacheControl(inheritMaxAge: true) {
    domainId: ID!
    connectionId: ID!
  }

  "A dashboard that reads from a DataZone connection and raises alerts through a QuickSight action connector."
  type Dashboard @key(fields: "id") @cacheControl(maxAge: 30, scope: PUBLIC) {
    id: ID!
    "Display title."
    title: String!
    "Where the dashboard sends alerts."
    alertConnector: QuickSightActionConnector
    "Where the dashboard reads its data from."
    sourceConnection: DataZoneConnection
  }

  type Query {
    "Every example dashboard."
    dashboards: [Dashboard!]!
    "One dashboard by id."
    dashboard(id: ID!): Dashboard
  }
`);

export interface ExampleDashboard {
  id: string;
  title: string;
  alertConnectorId: string;
  sourceConnectionId: string;
}

/** Seeded ids of the emulator; several dashboards share a connector or a connection. */
export const EXAMPLE_DASHBOARDS: readonly ExampleDashboard[] = [
  { id: 'sales-daily', title: 'Daily sales', alertConnectorId: 'jira-cloud', sourceConnectionId: 'conn-athena-sales' },
  { id: 'sales-weekly', title: 'Weekly sales', alertConnectorId: 'jira-cloud', sourceConnectionId: 'conn-athena-sales' },
  { id: 'warehouse-load', title: 'Warehouse load', alertConnectorId: 'pagerduty-oncall', sourceConnectionId: 'conn-redshift-cluster' },
  { id: 'lake-usage', title: 'Data lake usage', alertConnectorId: 'pagerduty-oncall', sourceConnectionId: 'conn-s3-datalake' },
  { id: 'crm-pipeline', title: 'CRM pipeline', alertConnectorId: 'salesforce-crm', sourceConnectionId: 'conn-athena-sales' },
];

function toGraphQL(dashboard: ExampleDashboard) {
  return {
    id: dashboard.id,
    title: dashboard.title,
    alertConnector: { awsAccountId: DEMO_AWS_ACCOUNT_ID, actionConnectorId: dashboard.alertConnectorId },
    sourceConnection: { domainId: DEMO_DOMAIN_ID, connectionId: dashboard.sourceConnectionId },
  };
}

const resolvers = {
  Query: {
    dashboards: () => EXAMPLE_DASHBOARDS.map(toGraphQL),
    dashboard: (_: unknown, { id }: { id: string }) => {
      const dashboard = EXAMPLE_DASHBOARDS.find((candidate) => candidate.id === id);
      return dashboard ? toGraphQL(dashboard) : null;
    },
  },
  Dashboard: {
    __resolveReference: ({ id }: { id: string }) => {
      const dashboard = EXAMPLE_DASHBOARDS.find((candidate) => candidate.id === id);
      return dashboard ? toGraphQL(dashboard) : null;
    },
  },
};

export interface RunningSubgraph {
  url: string;
  stop(): Promise<void>;
}

export async function startDashboardsSubgraph(options: { port: number; host?: string }): Promise<RunningSubgraph> {
  // No inline traces: nothing here asks for them, and Apollo Server says so on every start otherwise.
  const server = new ApolloServer({ schema: buildSubgraphSchema([{ typeDefs: DASHBOARDS_TYPE_DEFS, resolvers }]), plugins: [ApolloServerPluginInlineTraceDisabled()] });
  const { url } = await startStandaloneServer(server, { listen: { port: options.port, host: options.host ?? '127.0.0.1' } });
  return { url: new URL('graphql', url).toString(), stop: () => server.stop() };
}
