import type { ApolloServerPlugin } from '@apollo/server';
import type { GatewayContext } from '../core/context.js';

/**
 * Copies the operation name and the final (formatted) error codes of a response into the request's
 * log entry, which the HTTP layer writes as one line when the response is done.
 */
export function requestLogPlugin(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, operationName, request, response }) {
          const entry = contextValue.requestLog;
          if (!entry) return;
          const name = operationName ?? request.operationName ?? null;
          entry.operationName = typeof name === 'string' ? name.slice(0, 100) : null;
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : response.body.initialResult.errors;
          const counts: Record<string, number> = {};
          for (const error of errors ?? []) {
            const code = String(error.extensions?.['code'] ?? 'UNKNOWN');
            counts[code] = (counts[code] ?? 0) + 1;
          }
          entry.errorCodes = counts;
        },
      };
    },
  };
}
