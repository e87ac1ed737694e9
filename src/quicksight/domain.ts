import * as quickSightSdk from '@aws-sdk/client-quicksight';
import { mergeResolvers } from '@graphql-tools/merge';
import type { Resolvers } from '../generated/resolvers-types.js';
import type { LoadersOf } from '../aws/operation.js';
import { actionConnectorResolvers, describeActionConnector } from './action-connector.js';
import { actionConnectorsResolvers, listActionConnectors } from './action-connectors.js';

/**
 * Amazon QuickSight as the subgraph serves it. An operation is added here with one line in each
 * table (docs/adding-an-operation.md); src/schema/domains.ts lists the domains.
 */

/** The request context's QuickSight loaders, by name: each is made from its operation, once per request. */
const quickSightLoaders = {
  actionConnector: describeActionConnector,
  /** Pages of ListActionConnectors / SearchActionConnectors. */
  actionConnectorPages: listActionConnectors,
};

declare module '../core/context.js' {
  // This domain's loaders in the request context (src/core/context.ts names no domain).
  interface Loaders extends LoadersOf<typeof quickSightLoaders> {}
}

/** The domain's resolvers: one file per root field or entity type, merged by type. */
export const quickSightResolvers = mergeResolvers([actionConnectorResolvers, actionConnectorsResolvers]) as Resolvers;

export const quickSight = {
  schemaFile: 'quicksight.graphql',
  /** Its GraphQL type names start with it; an enum `QuickSightX` takes its values from the SDK's const enum `X`. */
  typePrefix: 'QuickSight',
  sdk: quickSightSdk as Record<string, unknown>,
  loaders: quickSightLoaders,
  resolvers: quickSightResolvers,
};
