/**
 * What one GraphQL request hands down to every AWS call it makes: its request id (sent as a header,
 * so an AWS-side or emulator-side record can be tied back to the gateway's log line) and the
 * AbortSignal of its overall deadline (passed to `client.send`, which stops waiting, retrying and
 * backing off as soon as it fires).
 */
export interface AwsCallScope {
  requestId?: string;
  signal?: AbortSignal;
}

/** The header carrying the gateway's request id on every AWS call. */
export const GATEWAY_REQUEST_ID_HEADER = 'x-gateway-request-id';

/** Why a request's signal fired; the reason becomes `extensions.aws.errorName` of the fields still waiting. */
export class RequestDeadlineExceededError extends Error {
  override name = 'RequestDeadlineExceeded';
  constructor(deadlineMs: number) {
    super(`The request did not complete within its ${deadlineMs} ms deadline.`);
  }
}

export class ClientClosedRequestError extends Error {
  override name = 'ClientClosedRequest';
  constructor() {
    super('The client closed the connection before the response was sent.');
  }
}

interface MiddlewareCommand {
  middlewareStack: {
    add(
      middleware: (next: (args: { request: unknown }) => Promise<unknown>) => (args: { request: unknown }) => Promise<unknown>,
      options: { step: 'build'; name: string },
    ): void;
  };
}

/**
 * Adds the request id header to this one command (per-command middleware, so the shared clients stay
 * request-agnostic). Added at the build step, before signing, as any header the SDK sends.
 */
export function withRequestId<C extends object>(command: C, requestId: string | undefined): C {
  if (!requestId) return command;
  (command as unknown as MiddlewareCommand).middlewareStack.add(
    (next) => (args) => {
      const request = args.request as { headers?: Record<string, string> } | null;
      if (request && typeof request.headers === 'object') request.headers[GATEWAY_REQUEST_ID_HEADER] = requestId;
      return next(args);
    },
    { step: 'build', name: 'gatewayRequestIdHeader' },
  );
  return command;
}

/**
 * The SDK rejects an aborted call with a bare `AbortError`; name the actual cause (the request's
 * deadline, or a client that went away) so that the error and the log say why the field is null.
 */
export function explainAbort(error: unknown, scope: AwsCallScope): unknown {
  const reason: unknown = scope.signal?.aborted ? scope.signal.reason : undefined;
  if (!(reason instanceof RequestDeadlineExceededError || reason instanceof ClientClosedRequestError)) return error;
  const metadata = (error as { $metadata?: unknown } | null)?.$metadata;
  return { name: reason.name, message: reason.message, $metadata: metadata };
}
