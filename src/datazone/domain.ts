import * as dataZoneSdk from '@aws-sdk/client-datazone';
import { mergeResolvers } from '@graphql-tools/merge';
import type { Resolvers } from '../generated/resolvers-types.js';
import type { LoadersOf } from '../aws/operation.js';
import { connectionResolvers, getConnection } from './connection.js';
import { connectionsResolvers, listConnections } from './connections.js';
import { getProject, projectResolvers } from './project.js';

/**
 * Amazon DataZone as the subgraph serves it. An operation is added here with one line in each
 * table (docs/adding-an-operation.md); src/schema/domains.ts lists the domains.
 */

/** The request context's DataZone loaders, by name: each is made from its operation, once per request. */
const dataZoneLoaders = {
  connection: getConnection,
  /** Pages of ListConnections. */
  connectionPages: listConnections,
  project: getProject,
};

declare module '../core/context.js' {
  // This domain's loaders in the request context (src/core/context.ts names no domain).
  interface Loaders extends LoadersOf<typeof dataZoneLoaders> {}
}

/** The domain's resolvers: one file per root field or entity type, merged by type. */
export const dataZoneResolvers = mergeResolvers([connectionResolvers, connectionsResolvers, projectResolvers]) as Resolvers;

export const dataZone = {
  schemaFile: 'datazone.graphql',
  /** Its GraphQL type names start with it; an enum `DataZoneX` takes its values from the SDK's const enum `X`. */
  typePrefix: 'DataZone',
  sdk: dataZoneSdk as Record<string, unknown>,
  loaders: dataZoneLoaders,
  resolvers: dataZoneResolvers,
};
