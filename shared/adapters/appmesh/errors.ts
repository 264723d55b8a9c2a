import {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  MeshwardenError,
  NotFoundError,
  ThrottledError,
} from '../../errors';

type DomainErrorClass = new (message: string, options?: { cause?: unknown }) => MeshwardenError;

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

function isThrottle(error: object): boolean {
  const retryable = (error as { $retryable?: { throttling?: unknown } }).$retryable;
  return retryable?.throttling === true;
}

/**
 * Translate anything an App Mesh call threw into a domain error whose message says what was
 * attempted, keeping the original as `cause`. Domain errors pass through unchanged.
 */
export function toDomainError(error: unknown, attempted: string): MeshwardenError {
  if (error instanceof MeshwardenError) return error;
  const name = error instanceof Error ? error.name : undefined;
  const detail = error instanceof Error ? error.message : String(error);
  const message = `App Mesh ${attempted} failed: ${name === undefined ? '' : `${name}: `}${detail}`;
  const mapped = name === undefined ? undefined : BY_NAME[name];
  if (mapped !== undefined) return new mapped(message, { cause: error });
  if (error !== null && typeof error === 'object' && isThrottle(error))
    return new ThrottledError(message, { cause: error });
  return new MeshwardenError(message, { cause: error });
}
