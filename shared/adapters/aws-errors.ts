import { MeshwardenError, ThrottledError } from '../errors';

/** A domain error class, as an adapter's table of AWS error names lists it. */
export type DomainErrorClass = new (message: string, options?: { cause?: unknown }) => MeshwardenError;

/**
 * Build a translator from what an AWS SDK call threw to a domain error whose message says
 * what was attempted, keeping the original as `cause`. Each adapter supplies its service's
 * table of error names; an error the table does not name but the SDK marks as throttling is a
 * ThrottledError; anything else a plain MeshwardenError. Domain errors pass through unchanged.
 */
export function awsErrorTranslator(
  byName: Readonly<Record<string, DomainErrorClass>>,
  prefix = '',
): (error: unknown, attempted: string) => MeshwardenError {
  return (error, attempted) => {
    if (error instanceof MeshwardenError) return error;
    const name = error instanceof Error ? error.name : undefined;
    const detail = error instanceof Error ? error.message : String(error);
    const message = `${prefix}${attempted} failed: ${name === undefined ? '' : `${name}: `}${detail}`;
    const mapped = name === undefined || !Object.hasOwn(byName, name) ? undefined : byName[name];
    if (mapped !== undefined) return new mapped(message, { cause: error });
    const retryable = (error as { $retryable?: { throttling?: unknown } } | null)?.$retryable;
    if (retryable?.throttling === true) return new ThrottledError(message, { cause: error });
    return new MeshwardenError(message, { cause: error });
  };
}
