import type { Logger } from '@aws-lambda-powertools/logger';
import type middy from '@middy/core';

export interface ReportFailureOptions {
  readonly logger: Logger;
}

/**
 * Logs a failed invocation with the error's name, message and cause chain, then lets it
 * propagate: async handlers must rethrow so that EventBridge retries and the DLQ keep the
 * event (never log-and-swallow).
 */
export function reportFailure(options: ReportFailureOptions): middy.MiddlewareObj {
  const onError: middy.MiddlewareFn = async (request) => {
    options.logger.error('invocation failed', { error: request.error ?? undefined });
  };
  return { onError };
}
