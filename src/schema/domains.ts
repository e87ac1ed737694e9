import type { LoaderOperations } from '../aws/operation.js';
import { dataZone } from '../datazone/domain.js';
import { quickSight } from '../quicksight/domain.js';

/**
 * A domain as the subgraph assembles and serves it: its SDL, its resolvers and its AWS operations,
 * all from one folder (`src/<domain>/domain.ts`). Adding an operation to a domain changes nothing here.
 */
export interface Domain {
  /** Its SDL file in `schema/`. */
  schemaFile: string;
  /** The prefix of its GraphQL type names; an enum `<prefix>X` takes its values from the SDK's const enum `X`. */
  typePrefix: string;
  /** The AWS SDK client package's exports, for its const enums. */
  sdk: Record<string, unknown>;
  /** Its resolvers, typed by the generated `Resolvers`. */
  resolvers: object;
  /** Its loaders: the operation each is made from. */
  loaders: Partial<LoaderOperations>;
}

/** The domains, in the order their SDL files follow `base.graphql`. */
export const DOMAINS: readonly Domain[] = [quickSight, dataZone];

/** Every loader of the request context and the operation it is made from; a loader a domain declares but nobody lists fails the typecheck here. */
export const LOADER_OPERATIONS: LoaderOperations = { ...quickSight.loaders, ...dataZone.loaders };
