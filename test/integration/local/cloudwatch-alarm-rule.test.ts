import { describe, expect, it } from 'vitest';
import {
  AlarmRuleError,
  type AlarmStateValue,
  evaluateAlarmRule,
  parseAlarmRule,
  referencedAlarms,
  satisfiedAlarms,
} from '../../../infra/local/services/cloudwatch/alarm-rule';

/**
 * Composite alarm rules, evaluated without I/O (kept beside the CloudWatch integration tests,
 * which cover the same rules end to end).
 */

const states: Record<string, AlarmStateValue> = { a: 'ALARM', b: 'OK', c: 'INSUFFICIENT_DATA' };
const stateOf = (name: string) => states[name];
const evaluate = (rule: string) => evaluateAlarmRule(parseAlarmRule(rule), stateOf);

describe('composite alarm rules', () => {
  it.each([
    ['ALARM(a)', true],
    ['OK(a)', false],
    ['INSUFFICIENT_DATA(c)', true],
    ['ALARM(a) AND OK(b)', true],
    ['ALARM(a) AND ALARM(b)', false],
    ['ALARM(b) OR ALARM(a)', true],
    ['NOT ALARM(a)', false],
    ['NOT NOT ALARM(a)', true],
    ['TRUE', true],
    ['FALSE OR OK(b)', true],
    // AND binds tighter than OR: ALARM(b) OR (ALARM(a) AND OK(b)).
    ['ALARM(b) OR ALARM(a) AND OK(b)', true],
    ['(ALARM(b) OR ALARM(a)) AND ALARM(c)', false],
    ['ALARM("a")', true],
    ['ALARM(unknown)', false],
    ['NOT ALARM(unknown)', true],
  ])('%s is %s', (rule, expected) => {
    expect(evaluate(rule)).toBe(expected);
  });

  it('lists the alarms a rule names, ARNs included', () => {
    const rule = parseAlarmRule(
      'ALARM(a) AND NOT (OK("arn:aws:cloudwatch:us-east-1:000000000000:alarm:b") OR TRUE)',
    );

    expect(referencedAlarms(rule)).toEqual(['a', 'arn:aws:cloudwatch:us-east-1:000000000000:alarm:b']);
  });

  it('names the alarms whose clauses hold', () => {
    expect(satisfiedAlarms(parseAlarmRule('ALARM(a) OR ALARM(b) OR OK(b)'), stateOf)).toEqual(['a', 'b']);
  });

  it.each([
    ['', /empty/],
    ['ALARM(a) AND', /unexpected end of rule/],
    ['ALARM a', /expected "\(" after ALARM/],
    ['ALARM()', /expected an alarm name or ARN/],
    ['ALARM(a', /expected "\)" but found end of rule/],
    ['(ALARM(a)', /expected "\)"/],
    ['ALARM(a) ALARM(b)', /unexpected "ALARM" at 9/],
    ['alarm(a)', /unexpected "alarm"/],
    ['ALARM("a)', /unterminated quote/],
    ['WARN(a)', /unexpected "WARN"/],
  ])('refuses %j', (rule, reason) => {
    const act = () => parseAlarmRule(rule);

    expect(act).toThrow(AlarmRuleError);
    expect(act).toThrow(reason);
  });
});
