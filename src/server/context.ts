import type { Logger } from 'pino';
import type { ConnectionLoader, ConnectionPageLoader } from '../datazone/loader.js';
import type { ActionConnectorLoader, ActionConnectorPageLoader } from '../quicksight/loader.js';
import type { AuthPolicy } from '../auth/policy.js';

/** Who is calling, as the bearer token says. Anonymous callers have no scopes. */
export interface Caller {
  authenticated: boolean;
  subject?: string;
  scopes: ReadonlySet<string>;
}

/** The per-request DataLoaders: made fresh for every request, never shared between callers. */
export interface Loaders {
  actionConnector: ActionConnectorLoader;
  connection: ConnectionLoader;
  /** Pages of ListActionConnectors / SearchActionConnectors. */
  actionConnectorPages: ActionConnectorPageLoader;
  /** Pages of ListConnections. */
  connectionPages: ConnectionPageLoader;
}

export interface GatewayContext {
  caller: Caller;
  loaders: Loaders;
  /** The schema's authorization policy (from its @requiresScopes/@authenticated), made once per process. */
  policy: AuthPolicy;
  requestId: string;
  logger: Logger;
}
