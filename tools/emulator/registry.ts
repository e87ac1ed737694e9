/**
 * Every AWS operation the emulator speaks, and every kind of item it holds. Adding an operation:
 * its file in `operations/`, one line here, its seed data (docs/adding-an-operation.md).
 */
import type { AnyResource, EmulatedOperationSpec } from './operation.js';
import { actionConnectors, describeActionConnector } from './operations/describe-action-connector.js';
import { connections, getConnection } from './operations/get-connection.js';
import { getProject, projects } from './operations/get-project.js';
import { listActionConnectors } from './operations/list-action-connectors.js';
import { listConnections } from './operations/list-connections.js';
import { searchActionConnectors } from './operations/search-action-connectors.js';

export const OPERATIONS = [describeActionConnector, listActionConnectors, searchActionConnectors, getConnection, listConnections, getProject] as const;

/** The resources, in the order the emulator seeds them. */
export const RESOURCES: readonly AnyResource[] = [actionConnectors, connections, projects];

export type EmulatedOperation = (typeof OPERATIONS)[number]['name'];

/** The errors each emulated operation declares (the `@throws` list of the SDK command). */
export const DECLARED_ERRORS = Object.fromEntries(OPERATIONS.map((operation) => [operation.name, operation.errors])) as {
  readonly [Name in EmulatedOperation]: readonly string[];
};

/** Every operation, as the router looks them up. */
export const ALL_OPERATIONS: readonly EmulatedOperationSpec[] = OPERATIONS;
