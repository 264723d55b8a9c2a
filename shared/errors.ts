/**
 * Domain errors. Adapters translate provider failures into these so that use cases can
 * decide (retry, skip, surface) without knowing which cloud answered. The original error
 * is always kept as `cause`.
 */
export class MeshwardenError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The resource does not exist (any more). */
export class NotFoundError extends MeshwardenError {}
/** The resource exists already, or a concurrent write won. */
export class ConflictError extends MeshwardenError {}
/** The request was refused as invalid; retrying it unchanged will not help. */
export class BadRequestError extends MeshwardenError {}
/** The provider asked us to slow down; safe to retry with backoff. */
export class ThrottledError extends MeshwardenError {}
/** The caller lacks permission. */
export class ForbiddenError extends MeshwardenError {}
/** Configuration is missing or invalid; raised at start-up. */
export class ConfigError extends MeshwardenError {}

/** An inbound event, policy or callback failed validation. `issues` name each field path. */
export class ValidationError extends MeshwardenError {
  constructor(
    message: string,
    readonly issues: readonly { path: string; message: string }[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Narrow an unknown thrown value to an Error. */
export function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
