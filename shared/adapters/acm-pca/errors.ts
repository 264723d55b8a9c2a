import { BadRequestError, ConflictError, ForbiddenError, NotFoundError, ThrottledError } from '../../errors';
import { awsErrorTranslator, type DomainErrorClass } from '../aws-errors';

/**
 * AWS error names of ACM PCA, ACM and Secrets Manager mapped to domain errors. A refused CSR, a
 * CA that cannot issue, a malformed certificate: BadRequestError (retrying unchanged will not help).
 */
const BY_NAME: Readonly<Record<string, DomainErrorClass>> = {
  ResourceNotFoundException: NotFoundError,
  MalformedCSRException: BadRequestError,
  MalformedCertificateException: BadRequestError,
  InvalidArgsException: BadRequestError,
  InvalidArnException: BadRequestError,
  InvalidStateException: BadRequestError,
  InvalidRequestException: BadRequestError,
  InvalidParameterException: BadRequestError,
  ValidationException: BadRequestError,
  LimitExceededException: BadRequestError,
  InvalidPolicyException: BadRequestError,
  ResourceExistsException: ConflictError,
  ConflictException: ConflictError,
  ThrottlingException: ThrottledError,
  TooManyRequestsException: ThrottledError,
  Throttling: ThrottledError,
  AccessDeniedException: ForbiddenError,
  AccessDenied: ForbiddenError,
};

/** Translate what an SDK call threw into a domain error naming what was attempted; the original is the cause. */
export const certificateServiceError = awsErrorTranslator(BY_NAME);
