import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { publishMetrics } from './middleware/publish-metrics';
import { reportFailure } from './middleware/report-failure';
import { CORRELATION_PATHS, logger, metrics, tracer } from './powertools';

/**
 * The house shape of an asynchronously invoked function (EventBridge, Scheduler): parse
 * the event at the edge, call one use case, log with the event id as correlation id, and
 * rethrow failures so the platform retries and dead-letters them.
 */
export function eventHandler<E, R>(
  parse: (event: unknown) => E,
  useCase: (event: E, context: Context) => Promise<R>,
  options: { readonly idempotency?: middy.MiddlewareObj } = {},
): middy.MiddyfiedHandler<unknown, R, Error, Context> {
  const handler = middy<unknown, R, Error, Context>()
    .use(captureLambdaHandler(tracer))
    .use(injectLambdaContext(logger, { correlationIdPath: CORRELATION_PATHS.eventBridge, resetKeys: true }))
    .use(publishMetrics(metrics))
    .use(reportFailure({ logger }));
  // On a failure the idempotency middleware deletes its in-progress record, so a retry runs again.
  if (options.idempotency) handler.use(options.idempotency);
  return handler.handler(async (event, context) => useCase(parse(event), context));
}
