import { ValidationError } from '../errors';
import * as z from '../schema';
import { parseOrThrow } from '../validation';
import { eventBridgeEvent, nonEmpty } from './envelope';

/**
 * CloudWatch "Alarm State Change" events, as in the CloudWatch user guide's "Alarm events and
 * EventBridge" samples: single-metric, metric-math, anomaly-detection and composite alarms.
 */

export const ALARM_STATE_CHANGE = 'CloudWatch Alarm State Change';

export const alarmStateValue = z.enum(['OK', 'ALARM', 'INSUFFICIENT_DATA']);

const alarmState = z.looseObject({
  value: alarmStateValue,
  reason: z.string(),
  // A JSON document in a string; see parseAlarmReasonData.
  reasonData: z.optional(z.string()),
  timestamp: nonEmpty,
  // Composite alarms with an actions suppressor say why their actions were held back.
  actionsSuppressedBy: z.optional(z.enum(['WaitPeriod', 'ExtensionPeriod', 'Alarm'])),
  actionsSuppressedReason: z.optional(z.string()),
});

const metricStat = z.looseObject({
  metric: z.looseObject({
    namespace: nonEmpty,
    name: nonEmpty,
    dimensions: z.optional(z.record(z.string(), z.string())),
  }),
  period: z.number().check(z.int(), z.positive()),
  stat: nonEmpty,
  unit: z.optional(z.string()),
});

/** One entry of `configuration.metrics`: a metric, or a math expression over metrics. */
const alarmMetric = z.looseObject({
  id: nonEmpty,
  metricStat: z.optional(metricStat),
  expression: z.optional(z.string()),
  label: z.optional(z.string()),
  returnData: z.optional(z.boolean()),
});

/**
 * `configuration` holds `metrics` for a metric alarm and `alarmRule` for a composite alarm.
 * One object with a check (not a union) keeps error messages pointing at the field.
 */
const alarmConfiguration = z
  .looseObject({
    description: z.optional(z.string()),
    metrics: z.optional(z.array(alarmMetric).check(z.minLength(1))),
    alarmRule: z.optional(nonEmpty),
    actionsSuppressor: z.optional(z.string()),
    actionsSuppressorWaitPeriod: z.optional(z.number()),
    actionsSuppressorExtensionPeriod: z.optional(z.number()),
  })
  .check(
    z.refine((c) => (c.metrics === undefined) !== (c.alarmRule === undefined), {
      message: 'expected either metrics (metric alarm) or alarmRule (composite alarm), not both or neither',
    }),
  );

export const alarmStateChangeDetail = z.looseObject({
  alarmName: nonEmpty,
  state: alarmState,
  previousState: alarmState,
  configuration: alarmConfiguration,
});

/**
 * A CloudWatch alarm state change as EventBridge delivers it (`source: aws.cloudwatch`).
 * `resources` holds the alarm's ARN: the guard reads the alarm's tags by it, so anything else
 * there is refused here rather than sent to CloudWatch.
 */
export const alarmStateChangeEvent = z.extend(
  eventBridgeEvent('aws.cloudwatch', ALARM_STATE_CHANGE, alarmStateChangeDetail),
  {
    resources: z
      .array(
        z
          .string()
          .check(
            z.regex(
              /^arn:aws[a-z-]*:cloudwatch:[a-z0-9-]+:\d{12}:alarm:.+$/,
              'expected a CloudWatch alarm ARN',
            ),
          ),
      )
      .check(z.minLength(1)),
  },
);

export type AlarmStateValue = z.infer<typeof alarmStateValue>;
export type AlarmState = z.infer<typeof alarmState>;
export type AlarmStateChangeEvent = z.infer<typeof alarmStateChangeEvent>;

/** Parse a CloudWatch alarm state change, or throw a ValidationError naming each bad field. */
export function parseAlarmStateChange(input: unknown): AlarmStateChangeEvent {
  return parseOrThrow(alarmStateChangeEvent, input, 'CloudWatch alarm state change');
}

/** Whether the event is about a metric alarm or a composite alarm. */
export function alarmKindOf(event: AlarmStateChangeEvent): 'metric' | 'composite' {
  return event.detail.configuration.alarmRule === undefined ? 'metric' : 'composite';
}

/**
 * `state.reasonData`: for metric alarms the evaluated datapoints and the threshold; for
 * composite alarms the child alarms that triggered the change.
 */
const alarmReasonData = z.looseObject({
  version: z.optional(z.string()),
  queryDate: z.optional(z.string()),
  startDate: z.optional(z.string()),
  statistic: z.optional(z.string()),
  period: z.optional(z.number()),
  recentDatapoints: z.optional(z.array(z.number())),
  threshold: z.optional(z.number()),
  triggeringAlarms: z.optional(
    z.array(
      z.looseObject({
        arn: nonEmpty,
        state: z.looseObject({ value: alarmStateValue, timestamp: z.string() }),
      }),
    ),
  ),
});

export type AlarmReasonData = z.infer<typeof alarmReasonData>;

/** Decode `state.reasonData`; `undefined` when the state has none. */
export function parseAlarmReasonData(state: AlarmState): AlarmReasonData | undefined {
  if (state.reasonData === undefined) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(state.reasonData);
  } catch (error) {
    throw new ValidationError(
      'Invalid alarm reasonData: not JSON',
      [{ path: 'detail.state.reasonData', message: 'expected a JSON document' }],
      { cause: error },
    );
  }
  return parseOrThrow(alarmReasonData, json, 'alarm reasonData');
}
