import {
  type Input,
  objectList,
  oneOf,
  optionalBoolean,
  optionalInteger,
  optionalNumber,
  optionalObject,
  optionalString,
  requiredNumber,
  requiredString,
  stringList,
} from '../events/input-fields';
import type { Dimension, MetricDataQuery, Tag } from './alarm-model';
import type { AlarmStateValue } from './alarm-rule';
import type { AlarmFilter, CompositeAlarmSpec, MetricAlarmSpec } from './alarm-store';
import { cloudWatchErrors } from './cloudwatch-errors';

/**
 * Decoding and validating the alarm operations' requests (same member names in JSON 1.0 and
 * in the query protocol). Refusals use the error codes the CloudWatch API reference lists for
 * each operation: MissingParameter, InvalidParameterValue, InvalidParameterCombination.
 */

export const STATE_VALUES = ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const;
const COMPARISON_OPERATORS = [
  'GreaterThanOrEqualToThreshold',
  'GreaterThanThreshold',
  'LessThanThreshold',
  'LessThanOrEqualToThreshold',
  'LessThanLowerOrGreaterThanUpperThreshold',
  'LessThanLowerThreshold',
  'GreaterThanUpperThreshold',
] as const;
const STATISTICS = ['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'] as const;
const TREAT_MISSING = ['breaching', 'notBreaching', 'ignore', 'missing'] as const;
const ALARM_NAME = /^\P{Cc}{1,255}$/u;
const QUERY_ID = /^[a-z][a-zA-Z0-9_]*$/;

function alarmName(input: Input, field = 'AlarmName'): string {
  const name = requiredString(input, field);
  if (!ALARM_NAME.test(name))
    throw cloudWatchErrors.invalidParameterValue(
      `The parameter ${field} must be 1 to 255 printable characters.`,
    );
  return name;
}

function dimensions(input: Input): Dimension[] {
  const list = objectList(input, 'Dimensions');
  if (list.length > 30)
    throw cloudWatchErrors.invalidParameterValue(
      'The collection Dimensions must not have more than 30 members.',
    );
  return list.map((d) => ({ Name: requiredString(d, 'Name'), Value: requiredString(d, 'Value') }));
}

export function tags(input: Input): Tag[] {
  return objectList(input, 'Tags').map((t) => ({
    Key: requiredString(t, 'Key'),
    Value: optionalString(t, 'Value') ?? '',
  }));
}

function period(input: Input, field = 'Period'): number | undefined {
  const value = optionalInteger(input, field, 1, 86_400 * 366);
  if (value !== undefined && value !== 10 && value !== 20 && value !== 30 && value % 60 !== 0) {
    throw cloudWatchErrors.invalidParameterValue(
      `The parameter ${field} must be 10, 20, 30 or a multiple of 60.`,
    );
  }
  return value;
}

function metricQuery(raw: Input): MetricDataQuery {
  const id = requiredString(raw, 'Id');
  if (!QUERY_ID.test(id)) {
    throw cloudWatchErrors.validation(
      `The value ${id} for Metrics.Id must start with a lower-case letter and contain only letters, digits and _.`,
    );
  }
  const stat = optionalObject(raw, 'MetricStat');
  const expression = optionalString(raw, 'Expression');
  if ((stat === undefined) === (expression === undefined)) {
    throw cloudWatchErrors.validation(
      `Metrics ${id}: exactly one of MetricStat and Expression must be given.`,
    );
  }
  const label = optionalString(raw, 'Label');
  const returnData = optionalBoolean(raw, 'ReturnData');
  const queryPeriod = period(raw);
  const accountId = optionalString(raw, 'AccountId');
  let metricStat: MetricDataQuery['MetricStat'];
  if (stat !== undefined) {
    const metric = optionalObject(stat, 'Metric');
    if (metric === undefined)
      throw cloudWatchErrors.missingParameter(`Metrics ${id}: MetricStat.Metric is required.`);
    const namespace = optionalString(metric, 'Namespace');
    const metricName = optionalString(metric, 'MetricName');
    const dims = dimensions(metric);
    const unit = optionalString(stat, 'Unit');
    metricStat = {
      Metric: {
        ...(namespace !== undefined ? { Namespace: namespace } : {}),
        ...(metricName !== undefined ? { MetricName: metricName } : {}),
        ...(dims.length > 0 ? { Dimensions: dims } : {}),
      },
      Period: period(stat) ?? requiredNumber(stat, 'Period'),
      Stat: requiredString(stat, 'Stat'),
      ...(unit !== undefined ? { Unit: unit } : {}),
    };
  }
  return {
    Id: id,
    ...(metricStat !== undefined ? { MetricStat: metricStat } : {}),
    ...(expression !== undefined ? { Expression: expression } : {}),
    ...(label !== undefined ? { Label: label } : {}),
    ...(returnData !== undefined ? { ReturnData: returnData } : {}),
    ...(queryPeriod !== undefined ? { Period: queryPeriod } : {}),
    ...(accountId !== undefined ? { AccountId: accountId } : {}),
  };
}

function actions(
  input: Input,
): Pick<MetricAlarmSpec, 'ActionsEnabled' | 'OKActions' | 'AlarmActions' | 'InsufficientDataActions'> {
  const lists = {
    OKActions: stringList(input, 'OKActions'),
    AlarmActions: stringList(input, 'AlarmActions'),
    InsufficientDataActions: stringList(input, 'InsufficientDataActions'),
  };
  for (const [field, list] of Object.entries(lists)) {
    if (list.length > 5)
      throw cloudWatchErrors.invalidParameterValue(
        `The collection ${field} must not have more than 5 members.`,
      );
    const bad = list.find((arn) => !arn.startsWith('arn:'));
    if (bad !== undefined) throw cloudWatchErrors.invalidParameterValue(`Invalid arn syntax: ${bad}`);
  }
  return { ActionsEnabled: optionalBoolean(input, 'ActionsEnabled') ?? true, ...lists };
}

/** PutMetricAlarm: a single metric (MetricName, Namespace, Statistic, Period) or metric math (Metrics), not both. */
export function metricAlarmSpec(input: Input): MetricAlarmSpec {
  const name = alarmName(input);
  const metrics = objectList(input, 'Metrics').map(metricQuery);
  const metricName = optionalString(input, 'MetricName');
  const namespace = optionalString(input, 'Namespace');
  const statistic = oneOf(input, 'Statistic', STATISTICS);
  const extendedStatistic = optionalString(input, 'ExtendedStatistic');
  const alarmPeriod = period(input);
  const dims = dimensions(input);
  if (metrics.length > 0) {
    if (
      metricName !== undefined ||
      namespace !== undefined ||
      statistic !== undefined ||
      extendedStatistic !== undefined
    ) {
      throw cloudWatchErrors.invalidParameterCombination(
        'The parameters MetricName, Namespace, Statistic and ExtendedStatistic cannot be used with Metrics.',
      );
    }
    const returning = metrics.filter((m) => m.ReturnData !== false);
    if (returning.length !== 1) {
      throw cloudWatchErrors.validation(
        'Exactly one element of the metrics list should return data (ReturnData true).',
      );
    }
  } else {
    if (metricName === undefined)
      throw cloudWatchErrors.missingParameter('The parameter MetricName is required.');
    if (namespace === undefined)
      throw cloudWatchErrors.missingParameter('The parameter Namespace is required.');
    if (alarmPeriod === undefined)
      throw cloudWatchErrors.missingParameter('The parameter Period is required.');
    if (statistic !== undefined && extendedStatistic !== undefined) {
      throw cloudWatchErrors.invalidParameterCombination(
        'Exactly one of Statistic and ExtendedStatistic must be given.',
      );
    }
    if (statistic === undefined && extendedStatistic === undefined) {
      throw cloudWatchErrors.missingParameter(
        'One of the parameters Statistic or ExtendedStatistic is required.',
      );
    }
  }
  const thresholdMetricId = optionalString(input, 'ThresholdMetricId');
  const threshold = optionalNumber(input, 'Threshold');
  if (threshold === undefined && thresholdMetricId === undefined) {
    throw cloudWatchErrors.missingParameter('The parameter Threshold is required.');
  }
  const evaluationPeriods = optionalInteger(input, 'EvaluationPeriods', 1, 100_000);
  if (evaluationPeriods === undefined)
    throw cloudWatchErrors.missingParameter('The parameter EvaluationPeriods is required.');
  const datapointsToAlarm = optionalInteger(input, 'DatapointsToAlarm', 1, evaluationPeriods);
  const comparison = oneOf(input, 'ComparisonOperator', COMPARISON_OPERATORS);
  if (comparison === undefined)
    throw cloudWatchErrors.missingParameter('The parameter ComparisonOperator is required.');
  const description = optionalString(input, 'AlarmDescription');
  const unit = optionalString(input, 'Unit');
  const treatMissing = oneOf(input, 'TreatMissingData', TREAT_MISSING);
  const lowSample = optionalString(input, 'EvaluateLowSampleCountPercentile');
  return {
    AlarmName: name,
    ...(description !== undefined ? { AlarmDescription: description } : {}),
    ...actions(input),
    ...(metricName !== undefined ? { MetricName: metricName } : {}),
    ...(namespace !== undefined ? { Namespace: namespace } : {}),
    ...(statistic !== undefined ? { Statistic: statistic } : {}),
    ...(extendedStatistic !== undefined ? { ExtendedStatistic: extendedStatistic } : {}),
    Dimensions: dims,
    ...(alarmPeriod !== undefined ? { Period: alarmPeriod } : {}),
    ...(unit !== undefined ? { Unit: unit } : {}),
    EvaluationPeriods: evaluationPeriods,
    ...(datapointsToAlarm !== undefined ? { DatapointsToAlarm: datapointsToAlarm } : {}),
    ...(threshold !== undefined ? { Threshold: threshold } : {}),
    ComparisonOperator: comparison,
    ...(treatMissing !== undefined ? { TreatMissingData: treatMissing } : {}),
    ...(lowSample !== undefined ? { EvaluateLowSampleCountPercentile: lowSample } : {}),
    ...(metrics.length > 0 ? { Metrics: metrics } : {}),
    ...(thresholdMetricId !== undefined ? { ThresholdMetricId: thresholdMetricId } : {}),
  };
}

export function compositeAlarmSpec(input: Input): CompositeAlarmSpec {
  const name = alarmName(input);
  const rule = requiredString(input, 'AlarmRule');
  const description = optionalString(input, 'AlarmDescription');
  const suppressor = optionalString(input, 'ActionsSuppressor');
  const wait = optionalInteger(input, 'ActionsSuppressorWaitPeriod', 0, 86_400);
  const extension = optionalInteger(input, 'ActionsSuppressorExtensionPeriod', 0, 86_400);
  if (suppressor === undefined && (wait !== undefined || extension !== undefined)) {
    throw cloudWatchErrors.invalidParameterCombination(
      'ActionsSuppressor periods need an ActionsSuppressor.',
    );
  }
  return {
    AlarmName: name,
    AlarmRule: rule,
    ...(description !== undefined ? { AlarmDescription: description } : {}),
    ...actions(input),
    ...(suppressor !== undefined ? { ActionsSuppressor: suppressor } : {}),
    ...(wait !== undefined ? { ActionsSuppressorWaitPeriod: wait } : {}),
    ...(extension !== undefined ? { ActionsSuppressorExtensionPeriod: extension } : {}),
  };
}

/** DescribeAlarms filters. Without AlarmTypes only metric alarms are returned, as in AWS. */
export function alarmFilter(input: Input): AlarmFilter {
  const names = stringList(input, 'AlarmNames');
  const namePrefix = optionalString(input, 'AlarmNamePrefix');
  const childrenOf = optionalString(input, 'ChildrenOfAlarmName');
  const parentsOf = optionalString(input, 'ParentsOfAlarmName');
  const stateValue = oneOf(input, 'StateValue', STATE_VALUES);
  const actionPrefix = optionalString(input, 'ActionPrefix');
  const typeList = stringList(input, 'AlarmTypes');
  if (names.length > 100)
    throw cloudWatchErrors.invalidParameterValue(
      'The collection AlarmNames must not have more than 100 members.',
    );
  if (names.length > 0 && namePrefix !== undefined) {
    throw cloudWatchErrors.invalidParameterCombination(
      'AlarmNames and AlarmNamePrefix cannot be used together.',
    );
  }
  if (childrenOf !== undefined && parentsOf !== undefined) {
    throw cloudWatchErrors.invalidParameterCombination(
      'ChildrenOfAlarmName and ParentsOfAlarmName cannot be used together.',
    );
  }
  const family = childrenOf !== undefined || parentsOf !== undefined;
  if (
    family &&
    (names.length > 0 || namePrefix !== undefined || stateValue !== undefined || actionPrefix !== undefined)
  ) {
    throw cloudWatchErrors.invalidParameterCombination(
      'With ChildrenOfAlarmName or ParentsOfAlarmName only AlarmTypes, MaxRecords and NextToken may be given.',
    );
  }
  const types = new Set<'MetricAlarm' | 'CompositeAlarm'>();
  for (const type of typeList) {
    if (type !== 'MetricAlarm' && type !== 'CompositeAlarm') {
      throw cloudWatchErrors.invalidParameterValue(
        `The value ${type} for AlarmTypes must be MetricAlarm or CompositeAlarm.`,
      );
    }
    types.add(type);
  }
  if (types.size === 0) {
    types.add('MetricAlarm');
    if (family) types.add('CompositeAlarm');
  }
  return {
    ...(names.length > 0 ? { names } : {}),
    ...(namePrefix !== undefined ? { namePrefix } : {}),
    types,
    ...(stateValue !== undefined ? { stateValue } : {}),
    ...(actionPrefix !== undefined ? { actionPrefix } : {}),
    ...(childrenOf !== undefined ? { childrenOf } : {}),
    ...(parentsOf !== undefined ? { parentsOf } : {}),
  };
}

export function stateValue(input: Input): AlarmStateValue {
  const value = oneOf(input, 'StateValue', STATE_VALUES);
  if (value === undefined) throw cloudWatchErrors.missingParameter('The parameter StateValue is required.');
  return value;
}
