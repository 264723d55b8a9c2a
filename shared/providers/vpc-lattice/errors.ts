import { awsErrorTranslator, type DomainErrorClass } from '../../adapters/aws-errors';
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError, ThrottledError } from '../../errors';

// ServiceQuotaExceededException is a quota reached (too many rules, target groups per rule):
// retrying cannot help until someone raises it, so it is a refused request.
const BY_NAME: Readonly<Record<string, DomainErrorClass>> = {
  ResourceNotFoundException: NotFoundError,
  ConflictException: ConflictError,
  ValidationException: BadRequestError,
  ServiceQuotaExceededException: BadRequestError,
  ThrottlingException: ThrottledError,
  Throttling: ThrottledError,
  TooManyRequestsException: ThrottledError,
  AccessDeniedException: ForbiddenError,
  AccessDenied: ForbiddenError,
};

/**
 * Translate anything a VPC Lattice call threw into a domain error whose message says what was
 * attempted, keeping the original as `cause`. Domain errors pass through unchanged.
 */
export const toDomainError = awsErrorTranslator(BY_NAME, 'VPC Lattice ');
