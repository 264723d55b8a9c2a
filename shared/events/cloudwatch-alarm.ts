import * as z from 'zod';
import { ValidationError } from '../errors';
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
  reasonData: z.string().optional(),
  timestamp: nonEmpty,
  // Composite alarms with an actions suppressor say why their actions were held back.
  actionsSuppressedBy: z.enum(['WaitPeriod', 'ExtensionPeriod', 'Alarm']).optional(),
  actionsSuppressedReason: z.string().optional(),
});

const metricStat = z.looseObject({
  metric: z.looseObject({
    namespace: nonEmpty,
    name: nonEmpty,
    dimensions: z.record(z.string(), z.string()).optional(),
  }),
  period: z.number().int().positive(),
  stat: nonEmpty,
  unit: z.string().optional(),
});

/** One entry of `configuration.metrics`: a metric, or a math expression over metrics. */
const alarmMetric = z.looseObject({
  id: nonEmpty,
  metricStat: metricStat.optional(),
  expression: z.string().optional(),
  label: z.string().optional(),
  returnData: z.boolean().optional(),
});

/**
 * `configuration` holds `metrics` for a metric alarm and `alarmRule` for a composite alarm.
 * One object with a check (not a union) keeps error messages pointing at the field.
 */
const alarmConfiguration = z
  .looseObject({
    description: z.string().optional(),
    metrics: z.array(alarmMetric).min(1).optional(),
    alarmRule: nonEmpty.optional(),
    actionsSuppressor: z.string().optional(),
    actionsSuppressorWaitPeriod: z.number().optional(),
    actionsSuppressorExtensionPeriod: z.number().optional(),
  })
  .refine((c) => (c.metrics === undefined) !== (c.alarmRule === undefined), {
    message: 'expected either metrics (metric alarm) or alarmRule (composite alarm), not both or neither',
  });

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
export const alarmStateChangeEvent = eventBridgeEvent(
  'aws.cloudwatch',
  ALARM_STATE_CHANGE,
  alarmStateChangeDetail,
).extend({
  resources: z
    .array(
      z
        .string()
        .regex(/^arn:aws[a-z-]*:cloudwatch:[a-z0-9-]+:\d{12}:alarm:.+$/, 'expected a CloudWatch alarm ARN'),
    )
    .min(1),
});

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
  version: z.string().optional(),
  queryDate: z.string().optional(),
  startDate: z.string().optional(),
  statistic: z.string().optional(),
  period: z.number().optional(),
  recentDatapoints: z.array(z.number()).optional(),
  threshold: z.number().optional(),
  triggeringAlarms: z
    .array(
      z.looseObject({
        arn: nonEmpty,
        state: z.looseObject({ value: alarmStateValue, timestamp: z.string() }),
      }),
    )
    .optional(),
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
