import { describe, expect, it } from 'vitest';
import {
  alarmKindOf,
  parseAlarmReasonData,
  parseAlarmStateChange,
} from '../../../shared/events/cloudwatch-alarm';
import { loadEvent } from '../../support/sample-events';
import { pathsOf, refusalOf } from './refusal';

describe('parseAlarmStateChange', () => {
  it('reads a metric alarm going to ALARM, with the threshold from reasonData', () => {
    // Act
    const event = parseAlarmStateChange(loadEvent('cloudwatch/metric-alarm-to-alarm'));
    const reason = parseAlarmReasonData(event.detail.state);

    // Assess
    expect(alarmKindOf(event)).toBe('metric');
    expect([event.detail.previousState.value, event.detail.state.value]).toEqual(['OK', 'ALARM']);
    expect(event.detail.configuration.metrics?.[0]?.metricStat?.metric.name).toBe('HTTP5xxRate');
    expect(reason).toMatchObject({ threshold: 5, recentDatapoints: [12.7], statistic: 'Average' });
  });

  it('reads a metric alarm recovering to OK', () => {
    // Act
    const event = parseAlarmStateChange(loadEvent('cloudwatch/metric-alarm-to-ok'));

    // Assess
    expect([event.detail.previousState.value, event.detail.state.value]).toEqual(['ALARM', 'OK']);
  });

  it('reads a composite alarm, its rule and the child alarm that triggered it', () => {
    // Act
    const event = parseAlarmStateChange(loadEvent('cloudwatch/composite-alarm-to-alarm'));
    const reason = parseAlarmReasonData(event.detail.state);

    // Assess
    expect(alarmKindOf(event)).toBe('composite');
    expect(event.detail.configuration.alarmRule).toBe(
      'ALARM("web-v2-5xx-rate") OR ALARM("web-v2-latency-p99")',
    );
    expect(reason?.triggeringAlarms?.map((a) => a.arn)).toEqual([
      'arn:aws:cloudwatch:us-east-1:123456789012:alarm:web-v2-5xx-rate',
    ]);
  });

  it('accepts the actions-suppressor fields of a composite alarm', () => {
    // Prepare
    const event = loadEvent('cloudwatch/composite-alarm-to-alarm');
    event.detail.state.actionsSuppressedBy = 'WaitPeriod';
    event.detail.state.actionsSuppressedReason = 'Actions suppressed by WaitPeriod';
    event.detail.configuration.actionsSuppressor = 'mesh-maintenance';

    // Act
    const parsed = parseAlarmStateChange(event);

    // Assess
    expect(parsed.detail.state.actionsSuppressedBy).toBe('WaitPeriod');
  });

  it('refuses an unknown state value, naming the field', () => {
    // Prepare
    const event = loadEvent('cloudwatch/metric-alarm-to-alarm') as unknown as {
      detail: { state: { value: string } };
    };
    event.detail.state.value = 'ON_FIRE';

    // Act
    const error = refusalOf(() => parseAlarmStateChange(event));

    // Assess
    expect(pathsOf(error)).toEqual(['detail.state.value']);
    expect(error.message).toContain('expected one of "OK"|"ALARM"|"INSUFFICIENT_DATA"');
  });

  it.each([
    ['empty', ''],
    ['cut short', 'arn:aws:cloudwatch:us-east-1:123456789012:ala'],
    ['another service', 'arn:aws:sns:us-east-1:123456789012:web-v2-5xx-rate'],
  ])('refuses a resource that is not an alarm ARN (%s): its tags would be read by it', (_, arn) => {
    // Prepare
    const event = loadEvent('cloudwatch/metric-alarm-to-alarm');
    event.resources = [arn];

    // Act
    const error = refusalOf(() => parseAlarmStateChange(event));

    // Assess
    expect(pathsOf(error)).toEqual(['resources[0]']);
    expect(error.message).toContain('expected a CloudWatch alarm ARN');
  });

  it('refuses a configuration that is neither a metric nor a composite alarm', () => {
    // Prepare
    const event = loadEvent('cloudwatch/metric-alarm-to-alarm');
    event.detail.configuration.alarmRule = 'ALARM("other")';

    // Act
    const error = refusalOf(() => parseAlarmStateChange(event));

    // Assess
    expect(pathsOf(error)).toEqual(['detail.configuration']);
    expect(error.message).toContain('either metrics (metric alarm) or alarmRule (composite alarm)');
  });

  it('refuses missing detail and a wrong detail-type', () => {
    // Prepare
    const { detail: _detail, ...event } = {
      ...loadEvent('cloudwatch/metric-alarm-to-ok'),
      'detail-type': 'Alarm',
    };

    // Act
    const error = refusalOf(() => parseAlarmStateChange(event));

    // Assess
    expect(pathsOf(error).sort()).toEqual(['detail', 'detail-type']);
  });

  it('refuses reasonData that is not JSON', () => {
    // Prepare
    const event = parseAlarmStateChange(loadEvent('cloudwatch/metric-alarm-to-alarm'));

    // Act
    const error = refusalOf(() =>
      parseAlarmReasonData({ ...event.detail.state, reasonData: '{"threshold":' }),
    );

    // Assess
    expect(pathsOf(error)).toEqual(['detail.state.reasonData']);
  });
});
