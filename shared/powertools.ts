import { Logger, type LogItem } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

/** Where log lines go instead of standard output, when the host says so. */
let logSink: ((line: string) => void) | undefined;

/**
 * Send every function's log lines to `sink` (undefined: back to standard output, as in
 * Lambda). The local runtime runs the functions in its own process, where their JSON lines
 * would interleave with what it prints.
 */
export function sendLogsTo(sink: ((line: string) => void) | undefined): void {
  logSink = sink;
}

class HostedLogger extends Logger {
  protected override printLog(logLevel: number, log: LogItem): void {
    if (logSink === undefined) {
      super.printLog(logLevel, log);
      return;
    }
    logSink(JSON.stringify(log.getAttributes(), this.getJsonReplacer()));
  }
}

/**
 * One Logger, Metrics and Tracer per function, created at module scope. The service name
 * comes from POWERTOOLS_SERVICE_NAME, which the CDK construct sets per function.
 */
export const logger: Logger = new HostedLogger({
  correlationIdSearchFn: (path, data) => correlationIdOf(fieldAt(data, path)),
});
export const metrics = new Metrics({ namespace: 'meshwarden' });
export const tracer = new Tracer();

/** Longer than any id AWS or Slack writes; a longer value is not an id. */
const MAX_CORRELATION_ID_LENGTH = 256;

/**
 * The correlation id found in an event, if it is one. The event is untrusted: a value that is
 * not a short string (an object nested thousands deep, megabytes of text) would be merged into
 * every log line, and a deep one crashes the logger before the handler can refuse the event.
 */
export function correlationIdOf(value: unknown): string | undefined {
  return typeof value === 'string' && value.length <= MAX_CORRELATION_ID_LENGTH ? value : undefined;
}

/**
 * The value at a dotted path of field names (`requestContext.requestId`) in `data`, or undefined
 * where a step is not an object or lacks the field. The correlation paths are plain field names,
 * so this stands in for a JMESPath search: the JMESPath library (about 22 KB) stays out of the
 * bundles that need it for nothing else.
 */
export function fieldAt(data: unknown, path: string): unknown {
  let value = data;
  for (const name of path.split('.')) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, name)) return undefined;
    value = (value as Record<string, unknown>)[name];
  }
  return value;
}

/** Where the correlation id lives in each kind of inbound event: dotted field names (see {@link fieldAt}). */
export const CORRELATION_PATHS = {
  /** EventBridge: the event id. */
  eventBridge: 'id',
  /** API Gateway HTTP API (payload v2): the request id. */
  apiGatewayV2: 'requestContext.requestId',
} as const;
