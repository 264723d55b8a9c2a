/**
 * What a bundle built with tracing off (`meshwarden:tracing=false`) uses in place of
 * `@aws-lambda-powertools/tracer` (an esbuild alias, see infra/bundling.ts). The real Tracer
 * loads the X-Ray SDK at init even when tracing is disabled at run time; this stand-in keeps
 * the calls meshwarden makes and does nothing.
 */

/** The Tracer calls meshwarden makes, as no-ops. */
export class Tracer {
  /** Returns the client unchanged: nothing is traced. */
  captureAWSv3Client<T>(client: T): T {
    return client;
  }

  /** Always false: tracing was left out of this build. */
  isTracingEnabled(): boolean {
    return false;
  }
}
