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
