import type { AlarmStateValue } from './alarm-rule';

/**
 * CloudWatch alarms as DescribeAlarms returns them (member names as in the API, so the same
 * record renders to JSON 1.0 and to query XML). Timestamps are ISO 8601 strings here; each
 * protocol renders them its own way.
 */

export interface Dimension {
  readonly Name: string;
  readonly Value: string;
}

export interface Tag {
  readonly Key: string;
  readonly Value: string;
}

/** One entry of `Metrics` (metric math or a single metric with an id). */
export interface MetricDataQuery {
  readonly Id: string;
  readonly MetricStat?: {
    readonly Metric: {
      readonly Namespace?: string;
      readonly MetricName?: string;
      readonly Dimensions?: readonly Dimension[];
    };
    readonly Period: number;
    readonly Stat: string;
    readonly Unit?: string;
  };
  readonly Expression?: string;
  readonly Label?: string;
  readonly ReturnData?: boolean;
  readonly Period?: number;
  readonly AccountId?: string;
}

export interface AlarmState {
  readonly StateValue: AlarmStateValue;
  readonly StateReason: string;
  readonly StateReasonData?: string;
  readonly StateUpdatedTimestamp: string;
  readonly StateTransitionedTimestamp: string;
}

interface AlarmCommon extends AlarmState {
  readonly AlarmName: string;
  readonly AlarmArn: string;
  readonly AlarmDescription?: string;
  readonly AlarmConfigurationUpdatedTimestamp: string;
  readonly ActionsEnabled: boolean;
  readonly OKActions: readonly string[];
  readonly AlarmActions: readonly string[];
  readonly InsufficientDataActions: readonly string[];
}

export interface MetricAlarm extends AlarmCommon {
  readonly MetricName?: string;
  readonly Namespace?: string;
  readonly Statistic?: string;
  readonly ExtendedStatistic?: string;
  readonly Dimensions: readonly Dimension[];
  readonly Period?: number;
  readonly Unit?: string;
  readonly EvaluationPeriods: number;
  readonly DatapointsToAlarm?: number;
  readonly Threshold?: number;
  readonly ComparisonOperator: string;
  readonly TreatMissingData?: string;
  readonly EvaluateLowSampleCountPercentile?: string;
  readonly Metrics?: readonly MetricDataQuery[];
  readonly ThresholdMetricId?: string;
}

export interface CompositeAlarm extends AlarmCommon {
  readonly AlarmRule: string;
  readonly ActionsSuppressor?: string;
  readonly ActionsSuppressorWaitPeriod?: number;
  readonly ActionsSuppressorExtensionPeriod?: number;
}

export type StoredAlarm =
  | { readonly kind: 'metric'; readonly alarm: MetricAlarm }
  | { readonly kind: 'composite'; readonly alarm: CompositeAlarm };

/** What the cloudwatch service persists. */
export interface AlarmsState {
  readonly alarms: readonly StoredAlarm[];
  /** Tags by alarm ARN. */
  readonly tags: Readonly<Record<string, readonly Tag[]>>;
}

export const TIMESTAMP_FIELDS = [
  'AlarmConfigurationUpdatedTimestamp',
  'StateUpdatedTimestamp',
  'StateTransitionedTimestamp',
] as const;

export function alarmArn(region: string, account: string, name: string): string {
  return `arn:aws:cloudwatch:${region}:${account}:alarm:${name}`;
}
