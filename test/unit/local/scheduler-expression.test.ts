import { describe, expect, it } from 'vitest';
import {
  firstDue,
  nextDueAfter,
  parseScheduleExpression,
  ScheduleExpressionError,
} from '../../../infra/local/services/scheduler/schedule-expression';

const MIN = 60_000;

describe('schedule expressions', () => {
  it('reads at() as UTC by default', () => {
    expect(parseScheduleExpression('at(2030-06-01T12:30:15)')).toEqual({
      kind: 'at',
      at: Date.parse('2030-06-01T12:30:15Z'),
    });
  });

  it('reads at() in a time zone, summer and winter offsets alike', () => {
    const winter = parseScheduleExpression('at(2030-01-15T09:00:00)', 'America/New_York');
    const summer = parseScheduleExpression('at(2030-07-15T09:00:00)', 'America/New_York');

    expect(winter).toEqual({ kind: 'at', at: Date.parse('2030-01-15T14:00:00Z') });
    expect(summer).toEqual({ kind: 'at', at: Date.parse('2030-07-15T13:00:00Z') });
  });

  it('moves a wall time that a daylight-saving jump skips forward by the jump', () => {
    // Europe/Paris jumps from 02:00 to 03:00 on 2030-03-31; 02:30 does not exist, 03:30 CEST does.
    const skipped = parseScheduleExpression('at(2030-03-31T02:30:00)', 'Europe/Paris');

    expect(skipped).toEqual({ kind: 'at', at: Date.parse('2030-03-31T01:30:00Z') });
  });

  it('reads rate() in minutes, hours and days', () => {
    expect(parseScheduleExpression('rate(1 minute)')).toEqual({ kind: 'rate', periodMs: MIN });
    expect(parseScheduleExpression('rate(2 hours)')).toEqual({ kind: 'rate', periodMs: 120 * MIN });
    expect(parseScheduleExpression('rate(7 days)')).toEqual({ kind: 'rate', periodMs: 7 * 1440 * MIN });
  });

  it.each([
    ['rate(1 minutes)', /singular/],
    ['rate(5 minute)', /plural/],
    ['rate(0 minutes)', /positive whole value/],
    ['rate(1.5 hours)', /positive whole value/],
    ['rate(5 weeks)', /minutes, hours or days/],
    ['at(2030-13-01T00:00:00)', /not a valid date/],
    ['at(2030-01-01T24:00:00)', /not a valid date/],
    ['at(2030-01-01 00:00:00)', /yyyy-mm-ddThh:mm:ss/],
    ['cron(0 12 * * ? )', /expected 6 fields/],
    ['cron(0 12 ? * 8 *)', /day-of-week value "8" is not in 1-7/],
    ['cron(0 12 LW * ? *)', /W, # or an L form/],
    ['cron(0 12 ? * 6L *)', /# or L/],
    ['cron(0 12-10 * * ? *)', /runs backwards/],
    ['cron(0/0 12 * * ? *)', /step "0"/],
    ['', /expected at/],
    ['rate(5  minutes)', /expected rate/],
  ])('refuses %j', (expression, message) => {
    expect(() => parseScheduleExpression(expression)).toThrow(ScheduleExpressionError);
    expect(() => parseScheduleExpression(expression)).toThrow(message);
  });

  it('runs a cron schedule on its next wall-clock match', () => {
    const lastDay = parseScheduleExpression('cron(0 0 L * ? *)');
    const everyQuarter = parseScheduleExpression('cron(0/15 * * * ? *)');
    const weekdays = parseScheduleExpression('cron(0 9 ? * MON-FRI *)', 'Europe/Paris');
    const onlyIn2031 = parseScheduleExpression('cron(0 0 1 JAN ? 2031)');

    expect(firstDue(lastDay, Date.parse('2030-02-10T00:00:00Z'), undefined)).toBe(
      Date.parse('2030-02-28T00:00:00Z'),
    );
    expect(firstDue(everyQuarter, Date.parse('2030-01-01T10:07:00Z'), undefined)).toBe(
      Date.parse('2030-01-01T10:15:00Z'),
    );
    // Saturday 2030-01-05 -> Monday 2030-01-07, 09:00 CET = 08:00Z.
    expect(firstDue(weekdays, Date.parse('2030-01-05T12:00:00Z'), undefined)).toBe(
      Date.parse('2030-01-07T08:00:00Z'),
    );
    expect(firstDue(onlyIn2031, Date.parse('2030-06-01T00:00:00Z'), undefined)).toBe(
      Date.parse('2031-01-01T00:00:00Z'),
    );
    expect(firstDue(onlyIn2031, Date.parse('2031-06-01T00:00:00Z'), undefined)).toBeUndefined();
  });

  it('starts a rate schedule one period after it becomes active, or on the grid of its StartDate', () => {
    const rate = { kind: 'rate', periodMs: 10 * MIN } as const;

    expect(firstDue(rate, 1_000_000, undefined)).toBe(1_000_000 + 10 * MIN);
    expect(firstDue(rate, 1_000_000, 5_000_000)).toBe(5_000_000);
    expect(firstDue(rate, 100 * MIN + 1, 0)).toBe(110 * MIN);
  });

  it('finds the next run strictly after now on the grid', () => {
    const rate = { kind: 'rate', periodMs: 5 * MIN } as const;

    expect(nextDueAfter(rate, 10 * MIN, 10 * MIN)).toBe(15 * MIN);
    expect(nextDueAfter(rate, 10 * MIN, 27 * MIN)).toBe(30 * MIN);
  });
});
