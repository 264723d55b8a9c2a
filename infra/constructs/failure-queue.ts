import { Duration } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { acknowledge } from './nag';

/**
 * A dead-letter queue for events meshwarden failed to handle: EventBridge puts events it
 * could not deliver here, and Lambda puts asynchronous invocations that kept failing. Nothing
 * is dropped silently; a person (or a redrive) takes them from here.
 */
export class FailureQueue extends sqs.Queue {
  constructor(scope: Construct, id: string) {
    super(scope, id, {
      // SQS's maximum: a failure found after a long weekend is still there.
      retentionPeriod: Duration.days(14),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    acknowledge(
      this,
      'AwsSolutions-SQS3',
      'This queue is itself a dead-letter queue (EventBridge target DLQ and Lambda on-failure destination); a dead-letter queue of a dead-letter queue would only hide failures further.',
    );
  }
}
