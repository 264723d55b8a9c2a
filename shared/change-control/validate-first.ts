import type middy from '@middy/core';

/**
 * Validate the event before another middleware (idempotency) reads it: a malformed event is
 * refused with the parser's path-naming error, not with "no idempotency key found".
 */
export function validateFirst(
  parse: (event: unknown) => unknown,
  inner: middy.MiddlewareObj,
): middy.MiddlewareObj {
  return {
    before: async (request) => {
      parse(request.event);
      return inner.before?.(request);
    },
    ...(inner.after === undefined ? {} : { after: inner.after }),
    ...(inner.onError === undefined ? {} : { onError: inner.onError }),
  };
}

/**
 * `parse`, remembered per event object: {@link validateFirst} and the handler both parse the
 * same event, and a zod parse of a CloudTrail record is a real share of a warm invocation.
 * Keyed by identity, so only the very object parsed before is answered from memory.
 */
export function parsedOnce<T>(parse: (event: unknown) => T): (event: unknown) => T {
  const parsed = new WeakMap<object, T>();
  return (event) => {
    if (typeof event !== 'object' || event === null) return parse(event);
    const known = parsed.get(event);
    if (known !== undefined) return known;
    const result = parse(event);
    parsed.set(event, result);
    return result;
  };
}
