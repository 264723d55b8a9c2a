import type * as z from 'zod';
import { ValidationError } from '../../../../shared/errors';
import { parseOrThrow } from '../../../../shared/validation';
import { AwsError } from '../../protocol/aws-json';

/**
 * Validate an operation's input as the AWS front end does: a request that breaks the API
 * model (missing member, wrong type, out-of-range value) is a `ValidationException` naming
 * each field. The SDK v3 does not check inputs itself, so this is the only check.
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, operation: string): z.output<S> {
  try {
    return parseOrThrow(schema, input, `${operation} request`);
  } catch (error) {
    if (error instanceof ValidationError) {
      const count = error.issues.length;
      const details = error.issues
        .map((i) => `Value at '${i.path}' failed to satisfy constraint: ${i.message}`)
        .join('; ');
      throw new AwsError(
        'ValidationException',
        `${count} validation error${count === 1 ? '' : 's'} detected: ${details}`,
      );
    }
    throw error;
  }
}

/** Decode a blob member (base64 on the wire), or refuse it with `code`. */
export function blobBytes(value: string, member: string, code = 'ValidationException'): Buffer {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(value.replace(/\s/g, ''))) {
    throw new AwsError(code, `${member} is not base64-encoded`);
  }
  return Buffer.from(value, 'base64');
}

/** Decode a blob member holding text (PEM) as UTF-8. */
export function blobText(value: string, member: string, code = 'ValidationException'): string {
  return blobBytes(value, member, code).toString('utf8');
}

/** Opaque pagination tokens: the index of the next item, signed by nothing but shape. */
export function pageOf<T>(items: readonly T[], max: number, token: string | undefined, invalidCode: string) {
  let start = 0;
  if (token !== undefined) {
    const decoded = Buffer.from(token, 'base64url').toString('utf8');
    const match = /^next:(\d+)$/.exec(decoded);
    if (match?.[1] === undefined || Number(match[1]) > items.length)
      throw new AwsError(invalidCode, 'The token is not valid.');
    start = Number(match[1]);
  }
  const page = items.slice(start, start + max);
  const next =
    start + max < items.length ? Buffer.from(`next:${start + max}`).toString('base64url') : undefined;
  return { page, nextToken: next };
}
