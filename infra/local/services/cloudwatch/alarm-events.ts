import { createHash } from 'node:crypto';
import type { BusEntry } from '../../types';
import type { AlarmState, CompositeAlarm, MetricAlarm, MetricDataQuery, StoredAlarm } from './alarm-model';

/**
 * `CloudWatch Alarm State Change` events, shaped as the CloudWatch user guide's "Alarm events
 * and EventBridge" samples: detail {alarmName, state, previousState, configuration}, with
 * `configuration.metrics` for metric alarms and `configuration.alarmRule` for composite ones.
 */

export const ALARM_STATE_CHANGE = 'CloudWatch Alarm State Change';

/** `2019-10-02T17:04:40.985+0000`, the timestamp form these events use. */
export function eventTimestamp(iso: string): string {
  return iso.replace(/Z$/, '+0000');
}

/** Single-metric alarms get a generated metric id in these events; derive it from the name so it is stable. */
function metricIdFor(alarmName: string): string {
  const hex = createHash('sha256').update(alarmName).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function dimensionsOf(
  dimensions: readonly { Name: string; Value: string }[] | undefined,
): Record<string, string> | undefined {
  if (dimensions === undefined || dimensions.length === 0) return undefined;
  return Object.fromEntries(dimensions.map((d) => [d.Name, d.Value]));
}

function queryMetric(query: MetricDataQuery): Record<string, unknown> {
  const stat = query.MetricStat;
  const dimensions = dimensionsOf(stat?.Metric.Dimensions);
  return {
    id: query.Id,
    ...(stat !== undefined
      ? {
          metricStat: {
            metric: {
              namespace: stat.Metric.Namespace,
              name: stat.Metric.MetricName,
              ...(dimensions !== undefined ? { dimensions } : {}),
            },
            period: stat.Period,
            stat: stat.Stat,
            ...(stat.Unit !== undefined ? { unit: stat.Unit } : {}),
          },
        }
      : {}),
    ...(query.Expression !== undefined ? { expression: query.Expression } : {}),
    ...(query.Label !== undefined ? { label: query.Label } : {}),
    returnData: query.ReturnData ?? true,
  };
}

function metricConfiguration(alarm: MetricAlarm): Record<string, unknown> {
  const dimensions = dimensionsOf(alarm.Dimensions);
  const metrics =
    alarm.Metrics !== undefined && alarm.Metrics.length > 0
      ? alarm.Metrics.map(queryMetric)
      : [
          {
            id: metricIdFor(alarm.AlarmName),
            metricStat: {
              metric: {
                namespace: alarm.Namespace,
                name: alarm.MetricName,
                ...(dimensions !== undefined ? { dimensions } : {}),
              },
              period: alarm.Period,
              stat: alarm.Statistic ?? alarm.ExtendedStatistic,
              ...(alarm.Unit !== undefined ? { unit: alarm.Unit } : {}),
            },
            returnData: true,
          },
        ];
  return {
    ...(alarm.AlarmDescription !== undefined ? { description: alarm.AlarmDescription } : {}),
    metrics,
  };
}

function compositeConfiguration(alarm: CompositeAlarm): Record<string, unknown> {
  return {
    ...(alarm.AlarmDescription !== undefined ? { description: alarm.AlarmDescription } : {}),
    alarmRule: alarm.AlarmRule,
    ...(alarm.ActionsSuppressor !== undefined ? { actionsSuppressor: alarm.ActionsSuppressor } : {}),
    ...(alarm.ActionsSuppressorWaitPeriod !== undefined
      ? { actionsSuppressorWaitPeriod: alarm.ActionsSuppressorWaitPeriod }
      : {}),
    ...(alarm.ActionsSuppressorExtensionPeriod !== undefined
      ? { actionsSuppressorExtensionPeriod: alarm.ActionsSuppressorExtensionPeriod }
      : {}),
  };
}

function stateOf(state: AlarmState): Record<string, unknown> {
  return {
    value: state.StateValue,
    reason: state.StateReason,
    ...(state.StateReasonData !== undefined ? { reasonData: state.StateReasonData } : {}),
    timestamp: eventTimestamp(state.StateUpdatedTimestamp),
  };
}

/** The event for a transition of `stored` (already in its new state) from `previous`. */
export function alarmStateChangeEntry(stored: StoredAlarm, previous: AlarmState, at: Date): BusEntry {
  const { alarm } = stored;
  return {
    source: 'aws.cloudwatch',
    detailType: ALARM_STATE_CHANGE,
    resources: [alarm.AlarmArn],
    time: at,
    detail: {
      alarmName: alarm.AlarmName,
      state: stateOf(alarm),
      previousState: stateOf(previous),
      configuration:
        stored.kind === 'metric' ? metricConfiguration(stored.alarm) : compositeConfiguration(stored.alarm),
    },
  };
}
