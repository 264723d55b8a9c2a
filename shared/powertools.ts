import type { JSONObject } from '@aws-lambda-powertools/commons/types';
import { search } from '@aws-lambda-powertools/jmespath';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * One Logger, Metrics and Tracer per function, created at module scope. The service name
 * comes from POWERTOOLS_SERVICE_NAME, which the CDK construct sets per function.
 */
export const logger = new Logger({
  correlationIdSearchFn: (expression, data) => search(expression, data as JSONObject),
});
export const metrics = new Metrics({ namespace: 'meshwarden' });
export const tracer = new Tracer();

/** Where the correlation id lives in each kind of inbound event. */
export const CORRELATION_PATHS = {
  /** EventBridge: the event id. */
  eventBridge: 'id',
  /** API Gateway HTTP API (payload v2): the request id. */
  apiGatewayV2: 'requestContext.requestId',
} as const;
