import { AwsError } from '../../protocol/aws-json';
import type { ApiCallRecord, LocalResponse } from '../../types';

/**
 * VPC Lattice's typed errors with the HTTP status its model gives each. The SDK picks the
 * exception class from `x-amzn-errortype` and reads the other members (`resourceId`,
 * `resourceType`, `fieldList`, `reason`) from the JSON body.
 */
const STATUS = {
  ValidationException: 400,
  AccessDeniedException: 403,
  ResourceNotFoundException: 404,
  ConflictException: 409,
  ServiceQuotaExceededException: 402,
  ThrottlingException: 429,
  InternalServerException: 500,
} as const;

export type LatticeErrorCode = keyof typeof STATUS;

/** What VPC Lattice names the resource types in its errors. */
export type LatticeResourceType =
  | 'SERVICE_NETWORK'
  | 'SERVICE'
  | 'LISTENER'
  | 'RULE'
  | 'TARGET_GROUP'
  | 'SERVICE_NETWORK_SERVICE_ASSOCIATION'
  | 'SERVICE_NETWORK_VPC_ASSOCIATION'
  | 'AUTH_POLICY'
  | 'RESOURCE_POLICY';

/** One member of `ValidationException.fieldList`. */
export interface FieldIssue {
  readonly name: string;
  readonly message: string;
}

export function validationError(
  fieldList: readonly FieldIssue[],
  reason: 'unknownOperation' | 'cannotParse' | 'fieldValidationFailed' | 'other' = 'fieldValidationFailed',
): AwsError {
  const count = fieldList.length;
  const details = fieldList.map((f) => `${f.name}: ${f.message}`).join('; ');
  return new AwsError(
    'ValidationException',
    `${count} validation error${count === 1 ? '' : 's'} detected: ${details}`,
    STATUS.ValidationException,
    { reason, fieldList },
  );
}

/** A ValidationException about a request as a whole rather than one field. */
export function invalidRequest(message: string, reason: 'cannotParse' | 'other' = 'other'): AwsError {
  return new AwsError('ValidationException', message, STATUS.ValidationException, { reason });
}

export function notFound(resourceType: LatticeResourceType, resourceId: string, message: string): AwsError {
  return new AwsError('ResourceNotFoundException', message, STATUS.ResourceNotFoundException, {
    resourceId,
    resourceType,
  });
}

export function conflict(resourceType: LatticeResourceType, resourceId: string, message: string): AwsError {
  return new AwsError('ConflictException', message, STATUS.ConflictException, { resourceId, resourceType });
}

/** A quota hit; `quotaCode` is the Service Quotas code where local AWS knows it. */
export function quotaExceeded(
  resourceType: LatticeResourceType,
  message: string,
  options: { resourceId?: string; quotaCode?: string } = {},
): AwsError {
  return new AwsError('ServiceQuotaExceededException', message, STATUS.ServiceQuotaExceededException, {
    resourceType,
    serviceCode: 'vpc-lattice',
    ...options,
  });
}

/** A REST-JSON error response with the error's extra members, and the call record for CloudTrail. */
export function errorResponse(error: AwsError, apiCall?: ApiCallRecord): LocalResponse {
  return {
    status: error.status,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': error.code },
    body: JSON.stringify({ message: error.message, ...error.extra }),
    error: { code: error.code, message: error.message },
    ...(apiCall === undefined ? {} : { apiCall }),
  };
}
