import {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  MeshwardenError,
  NotFoundError,
  ThrottledError,
} from '../../errors';

type DomainErrorClass = new (message: string, options?: { cause?: unknown }) => MeshwardenError;

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
export function certificateServiceError(error: unknown, attempted: string): MeshwardenError {
  if (error instanceof MeshwardenError) return error;
  const name = error instanceof Error ? error.name : undefined;
  const detail = error instanceof Error ? error.message : String(error);
  const message = `${attempted} failed: ${name === undefined ? '' : `${name}: `}${detail}`;
  const mapped = name === undefined ? undefined : BY_NAME[name];
  if (mapped !== undefined) return new mapped(message, { cause: error });
  const retryable = (error as { $retryable?: { throttling?: unknown } } | null)?.$retryable;
  if (retryable?.throttling === true) return new ThrottledError(message, { cause: error });
  return new MeshwardenError(message, { cause: error });
}
