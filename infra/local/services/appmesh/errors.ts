import { AwsError } from '../../protocol/aws-json';
import { wireError } from '../../protocol/wire-errors';
import type { ApiCallRecord, LocalResponse } from '../../types';

/**
 * App Mesh's error codes with the HTTP status its model gives each; the SDK maps the
 * `x-amzn-errortype` header of a REST-JSON error to its typed exception class.
 */
const STATUS = {
  BadRequestException: 400,
  ForbiddenException: 403,
  NotFoundException: 404,
  ConflictException: 409,
  ResourceInUseException: 409,
  TooManyTagsException: 400,
  LimitExceededException: 400,
  UnknownOperationException: 404,
} as const;

export type AppMeshErrorCode = keyof typeof STATUS;

function appMeshError(code: AppMeshErrorCode, message: string): AwsError {
  return new AwsError(code, message, STATUS[code]);
}

export const badRequest = (message: string): AwsError => appMeshError('BadRequestException', message);
export const notFound = (message: string): AwsError => appMeshError('NotFoundException', message);
export const conflict = (message: string): AwsError => appMeshError('ConflictException', message);
export const resourceInUse = (message: string): AwsError => appMeshError('ResourceInUseException', message);
export const tooManyTags = (message: string): AwsError => appMeshError('TooManyTagsException', message);
export const unknownOperation = (message: string): AwsError =>
  appMeshError('UnknownOperationException', message);

/** A REST-JSON error response (`x-amzn-errortype` + `{"message"}`), with the call record for CloudTrail. */
export function errorResponse(error: AwsError, requestId: string, apiCall?: ApiCallRecord): LocalResponse {
  const res = wireError({ kind: 'rest-json' }, error.status, error.code, error.message, requestId);
  return apiCall === undefined ? res : { ...res, apiCall };
}
