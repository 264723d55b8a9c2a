import { METRICS_KEY } from '@aws-lambda-powertools/commons';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type middy from '@middy/core';

/**
 * Flushes the metrics an invocation added, after it returns or throws, as Powertools'
 * `logMetrics` does, but only when there are some: most invocations add none, and
 * `publishStoredMetrics` warns "No application metrics to publish" on every one of them.
 */
export function publishMetrics(metrics: Metrics): middy.MiddlewareObj {
  const publish = (): void => {
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  };
  return {
    before: (request) => {
      // Middy runs this cleanup when a middleware returns early (an idempotent replay).
      request.internal = { ...request.internal, [METRICS_KEY]: publish };
    },
    after: publish,
    onError: publish,
  };
}
