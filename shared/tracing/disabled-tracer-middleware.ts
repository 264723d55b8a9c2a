/**
 * `@aws-lambda-powertools/tracer/middleware` in a bundle built with tracing off: a middy
 * middleware that does nothing (see disabled-tracer.ts). Middy refuses a middleware with no
 * phase, so it has an empty one.
 */

/** A middleware that does nothing. */
export function captureLambdaHandler(_tracer?: unknown, _options?: unknown): { before: () => void } {
  return { before: () => {} };
}
