import type { Duration } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';

/**
 * Give a rule target a retry policy. Some CDK targets (the event bus target among them)
 * take a DLQ but no retry settings; every meshwarden target must have all three.
 */
export function withRetryPolicy(
  target: events.IRuleTarget,
  policy: { readonly retryAttempts: number; readonly maxEventAge: Duration },
): events.IRuleTarget {
  return {
    bind(rule, id) {
      const config = target.bind(rule, id);
      return {
        ...config,
        retryPolicy: {
          maximumRetryAttempts: policy.retryAttempts,
          maximumEventAgeInSeconds: policy.maxEventAge.toSeconds(),
        },
      };
    },
  };
}
