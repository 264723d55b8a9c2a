import { awsErrorTranslator, type DomainErrorClass } from '../../adapters/aws-errors';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError, ThrottledError } from '../../errors';

// LimitExceededException is App Mesh's "account quota reached" answer (too many nodes, routes,
// ...): retrying cannot help until someone raises the quota, so it is a refused request.
const BY_NAME: Readonly<Record<string, DomainErrorClass>> = {
  NotFoundException: NotFoundError,
  ConflictException: ConflictError,
  ResourceInUseException: ConflictError,
  BadRequestException: BadRequestError,
  TooManyTagsException: BadRequestError,
  TooManyRequestsException: ThrottledError,
  LimitExceededException: BadRequestError,
  ThrottlingException: ThrottledError,
  Throttling: ThrottledError,
  RequestLimitExceeded: ThrottledError,
  ForbiddenException: ForbiddenError,
  AccessDenied: ForbiddenError,
  AccessDeniedException: ForbiddenError,
};

/**
 * Translate anything an App Mesh call threw into a domain error whose message says what was
 * attempted, keeping the original as `cause`. Domain errors pass through unchanged.
 */
export const toDomainError = awsErrorTranslator(BY_NAME, 'App Mesh ');
