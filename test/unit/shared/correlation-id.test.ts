import { describe, expect, it } from 'vitest';
import { CORRELATION_PATHS, logger } from '../../../shared/powertools';

/** The correlation id comes from the event, which is untrusted: only a plain, short string may become one. */
describe('the correlation id taken from an event', () => {
  it('is the event id when it is a string', () => {
    // Prepare
    const event = { id: 'b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e' };

    // Act
    logger.setCorrelationId(event, CORRELATION_PATHS.eventBridge);

    // Assess
    expect(logger.getCorrelationId()).toBe('b1c2d3e4-f5a6-4b7c-8d9e-0f1a2b3c4d5e');
    logger.resetKeys();
  });

  it('is left unset for an id nested 10,000 deep, and logging still works (fuzz: cert-rotation, deep id)', () => {
    // Prepare: what crashed every handler's failure log with a RangeError from the logger's deep merge.
    const id: unknown = JSON.parse(`${'['.repeat(10_000)}1${']'.repeat(10_000)}`);

    // Act
    logger.setCorrelationId({ id }, CORRELATION_PATHS.eventBridge);

    // Assess
    expect(logger.getCorrelationId()).toBeUndefined();
    expect(() => logger.error('invocation failed', { error: new Error('x') })).not.toThrow();
    logger.resetKeys();
  });

  it('is left unset for an id that is not a string, or too long to be one', () => {
    // Prepare / Act / Assess
    for (const id of [{ a: 1 }, 42, true, 'x'.repeat(1024 * 1024)]) {
      logger.setCorrelationId({ id }, CORRELATION_PATHS.eventBridge);
      expect(logger.getCorrelationId()).toBeUndefined();
      logger.resetKeys();
    }
  });
});

describe('the correlation id of an API Gateway request', () => {
  it('is the request id under requestContext, and unset where a step of the path is missing or not an object', () => {
    // Prepare / Act / Assess
    logger.setCorrelationId(
      { requestContext: { requestId: 'JxJ8ahmXIAMEVhw=' } },
      CORRELATION_PATHS.apiGatewayV2,
    );
    expect(logger.getCorrelationId()).toBe('JxJ8ahmXIAMEVhw=');
    logger.resetKeys();
    for (const event of [
      {},
      { requestContext: 'x' },
      { requestContext: null },
      null,
      'text',
      { requestContext: {} },
    ]) {
      logger.setCorrelationId(event, CORRELATION_PATHS.apiGatewayV2);
      expect(logger.getCorrelationId()).toBeUndefined();
      logger.resetKeys();
    }
  });

  it('is not read from an inherited property', () => {
    // Prepare: `toString` is on every object's prototype, not the event's own field.
    const path = 'requestContext.toString';

    // Act
    logger.setCorrelationId({ requestContext: {} }, path);

    // Assess
    expect(logger.getCorrelationId()).toBeUndefined();
    logger.resetKeys();
  });
});
