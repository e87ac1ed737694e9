/**
 * AWS exception names -> HTTP status, exactly as declared by the `httpError` trait of the error
 * schemas in the installed SDK clients (@aws-sdk/client-quicksight 3.1169.0,
 * @aws-sdk/client-datazone 3.1048.0). test/emulator.test.ts re-checks these tables against the SDK.
 * What each operation declares it may throw is part of its description (operations/).
 */

export type ServiceName = 'quicksight' | 'datazone';

/** Every error the QuickSight SDK registers (service-wide error registry). */
export const QUICKSIGHT_ERROR_STATUS: Readonly<Record<string, number>> = Object.freeze({
  AccessDeniedException: 401,
  ConcurrentUpdatingException: 500,
  ConflictException: 409,
  CustomerManagedKeyUnavailableException: 400,
  DomainNotWhitelistedException: 403,
  IdentityTypeNotSupportedException: 403,
  InternalFailureException: 500,
  InternalServerException: 500,
  InvalidDataSetParameterValueException: 400,
  InvalidNextTokenException: 400,
  InvalidParameterException: 400,
  InvalidParameterValueException: 400,
  InvalidRequestException: 400,
  LimitExceededException: 409,
  PreconditionNotMetException: 400,
  QuickSightUserNotFoundException: 404,
  ResourceExistsException: 409,
  ResourceNotFoundException: 404,
  ResourceUnavailableException: 503,
  SessionLifetimeInMinutesInvalidException: 400,
  ThrottlingException: 429,
  UnsupportedPricingPlanException: 403,
  UnsupportedUserEditionException: 403,
});

/** Every error the DataZone SDK registers (service-wide error registry). */
export const DATAZONE_ERROR_STATUS: Readonly<Record<string, number>> = Object.freeze({
  AccessDeniedException: 403,
  ConflictException: 409,
  InternalServerException: 500,
  ResourceNotFoundException: 404,
  ServiceQuotaExceededException: 402,
  ThrottlingException: 429,
  UnauthorizedException: 401,
  ValidationException: 400,
});

/** HTTP status the SDK declares for `errorName` in `service`; 500 for names the SDK does not know. */
export function defaultErrorStatus(service: ServiceName, errorName: string): number {
  const table = service === 'quicksight' ? QUICKSIGHT_ERROR_STATUS : DATAZONE_ERROR_STATUS;
  return Object.prototype.hasOwnProperty.call(table, errorName) ? (table[errorName] as number) : 500;
}

/** Default human-readable message for an injected error. */
export function defaultErrorMessage(errorName: string): string {
  switch (errorName) {
    case 'ThrottlingException':
      return 'Rate exceeded';
    case 'AccessDeniedException':
      return 'User is not authorized to perform this action.';
    case 'UnauthorizedException':
      return 'You are not authorized to perform this action.';
    case 'InternalFailureException':
    case 'InternalServerException':
      return 'An internal failure occurred. Please try again later.';
    case 'ServiceQuotaExceededException':
      return 'Service quota exceeded.';
    default:
      return `Injected ${errorName}`;
  }
}
