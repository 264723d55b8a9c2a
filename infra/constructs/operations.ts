import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { MeshwardenFunction } from './meshwarden-function';

/** A failure queue and whose failures it holds. */
export interface WatchedQueue {
  readonly label: string;
  readonly queue: sqs.IQueue;
}

export interface OperationsProps {
  readonly functions: readonly MeshwardenFunction[];
  readonly queues: readonly WatchedQueue[];
  /** Notified when an alarm goes to ALARM and back to OK; none when absent. */
  readonly alarmTopic?: sns.ITopic;
}

const PERIOD = Duration.minutes(5);

/**
 * Alarms and a dashboard for meshwarden itself: any message on a failure queue, any function
 * error and any throttle is worth a look, since each means a governance decision was late or
 * missing. Thresholds are "at least one" on purpose.
 */
export class Operations extends Construct {
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    const rows: cloudwatch.IWidget[][] = [];

    for (const fn of props.functions) {
      const name = fn.definition.name;
      const errors = fn.metricErrors({ period: PERIOD, statistic: 'Sum' });
      const throttles = fn.metricThrottles({ period: PERIOD, statistic: 'Sum' });
      this.alarm(`${name}-errors`, errors, `meshwarden ${name} threw: a decision or effect failed`, props);
      this.alarm(
        `${name}-throttles`,
        throttles,
        `meshwarden ${name} was throttled: events wait or retry`,
        props,
      );
      rows.push([
        new cloudwatch.GraphWidget({
          title: `${name}: invocations, errors, throttles`,
          left: [fn.metricInvocations({ period: PERIOD }), errors, throttles],
          width: 12,
        }),
        new cloudwatch.GraphWidget({
          title: `${name}: duration`,
          left: [
            fn.metricDuration({ period: PERIOD, statistic: 'p50' }),
            fn.metricDuration({ period: PERIOD, statistic: 'p99' }),
          ],
          width: 12,
        }),
      ]);
    }

    const depths = props.queues.map(({ label, queue }) => {
      const depth = queue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' });
      this.alarm(`${label}-failures`, depth, `Events wait on the ${label} failure queue`, props);
      return depth.with({ label });
    });
    if (depths.length > 0) {
      rows.push([
        new cloudwatch.GraphWidget({ title: 'Failure queues: messages waiting', left: depths, width: 24 }),
      ]);
    }
    rows.push([
      new cloudwatch.AlarmStatusWidget({ title: 'meshwarden alarms', alarms: this.alarms, width: 24 }),
    ]);

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: 'meshwarden',
      widgets: rows,
    });
  }

  private alarm(id: string, metric: cloudwatch.IMetric, description: string, props: OperationsProps): void {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmName: `meshwarden-${id}`,
      alarmDescription: description,
      metric,
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    if (props.alarmTopic !== undefined) {
      alarm.addAlarmAction(new actions.SnsAction(props.alarmTopic));
      alarm.addOkAction(new actions.SnsAction(props.alarmTopic));
    }
    this.alarms.push(alarm);
  }
}
