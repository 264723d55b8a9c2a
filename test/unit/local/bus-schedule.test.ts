import { describe, expect, it } from 'vitest';
import { InvalidScheduleError, nextFireTime, parseSchedule } from '../../../infra/local/bus/schedule';

const at = (iso: string) => new Date(iso);

/** The next `count` fire times after `from`. */
function fireTimes(expression: string, from: string, count: number): string[] {
  const schedule = parseSchedule(expression);
  const times: string[] = [];
  let cursor = at(from);
  for (let i = 0; i < count; i++) {
    const next = nextFireTime(schedule, cursor, at(from));
    if (next === undefined) break;
    times.push(next.toISOString());
    cursor = next;
  }
  return times;
}

describe('rate expressions', () => {
  it('fires every interval counted from the anchor', () => {
    const times = fireTimes('rate(5 minutes)', '2026-01-01T10:00:00.000Z', 3);

    expect(times).toEqual([
      '2026-01-01T10:05:00.000Z',
      '2026-01-01T10:10:00.000Z',
      '2026-01-01T10:15:00.000Z',
    ]);
  });

  it('keeps the anchor phase when asked late', () => {
    const schedule = parseSchedule('rate(1 hour)');

    const next = nextFireTime(schedule, at('2026-01-01T12:30:00Z'), at('2026-01-01T10:10:00Z'));

    expect(next?.toISOString()).toBe('2026-01-01T13:10:00.000Z');
  });

  it.each([
    ['rate(1 day)', 86_400_000],
    ['rate(2 days)', 172_800_000],
    ['rate(3 hours)', 10_800_000],
    ['rate(1 minute)', 60_000],
  ])('parses %s', (expression, everyMs) => {
    expect(parseSchedule(expression)).toMatchObject({ kind: 'rate', everyMs });
  });
});

describe('cron expressions (UTC, AWS six fields)', () => {
  it.each([
    ['cron(0 3 * * ? *)', '2026-03-10T05:00:00Z', ['2026-03-11T03:00:00.000Z', '2026-03-12T03:00:00.000Z']],
    [
      'cron(0/15 * * * ? *)',
      '2026-03-10T05:07:00Z',
      ['2026-03-10T05:15:00.000Z', '2026-03-10T05:30:00.000Z'],
    ],
    [
      'cron(0 18 ? * MON-FRI *)',
      '2026-03-13T19:00:00Z',
      ['2026-03-16T18:00:00.000Z', '2026-03-17T18:00:00.000Z'],
    ],
    ['cron(0 8 1 * ? *)', '2026-01-15T00:00:00Z', ['2026-02-01T08:00:00.000Z', '2026-03-01T08:00:00.000Z']],
    [
      'cron(15 10 ? * 6L 2026-2027)',
      '2026-01-01T00:00:00Z',
      ['2026-01-30T10:15:00.000Z', '2026-02-27T10:15:00.000Z'],
    ],
    ['cron(0 12 L * ? *)', '2026-02-01T00:00:00Z', ['2026-02-28T12:00:00.000Z', '2026-03-31T12:00:00.000Z']],
    ['cron(0 9 ? * 2#1 *)', '2026-01-01T00:00:00Z', ['2026-01-05T09:00:00.000Z', '2026-02-02T09:00:00.000Z']],
    ['cron(0 9 15W * ? *)', '2026-02-01T00:00:00Z', ['2026-02-16T09:00:00.000Z', '2026-03-16T09:00:00.000Z']],
    ['cron(0 9 LW * ? *)', '2026-01-01T00:00:00Z', ['2026-01-30T09:00:00.000Z', '2026-02-27T09:00:00.000Z']],
    [
      'cron(0 0 1 JAN,JUL ? *)',
      '2026-02-01T00:00:00Z',
      ['2026-07-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z'],
    ],
    [
      'cron(5,35 14 * * ? *)',
      '2026-05-05T14:05:00Z',
      ['2026-05-05T14:35:00.000Z', '2026-05-06T14:05:00.000Z'],
    ],
    ['cron(0 10 29 2 ? *)', '2026-01-01T00:00:00Z', ['2028-02-29T10:00:00.000Z', '2032-02-29T10:00:00.000Z']],
  ])('%s after %s', (expression, from, expected) => {
    // Act
    const times = fireTimes(expression, from, 2);

    // Assess
    expect(times).toEqual(expected);
  });

  it('fires strictly after the given time, on the minute', () => {
    const next = nextFireTime(parseSchedule('cron(0 3 * * ? *)'), at('2026-03-10T03:00:00.000Z'));

    expect(next?.toISOString()).toBe('2026-03-11T03:00:00.000Z');
  });

  it('never fires again when all its years are past', () => {
    const next = nextFireTime(parseSchedule('cron(0 3 * * ? 2020)'), at('2026-01-01T00:00:00Z'));

    expect(next).toBeUndefined();
  });
});

describe('schedule validation', () => {
  it.each([
    ['every 5 minutes', /expected rate\(\.\.\.\) or cron/],
    ['rate(5 minute)', /singular unit for 1 and a plural/],
    ['rate(1 minutes)', /singular unit for 1 and a plural/],
    ['rate(0 minutes)', /positive integer/],
    ['rate(5 weeks)', /unit minute\(s\), hour\(s\) or day\(s\)/],
    ['rate(-5 minutes)', /expected rate\(value unit\)/],
    ['cron(0 3 * * *)', /cron needs 6 fields/],
    ['cron(0 3 * * * *)', /exactly one of day-of-month and day-of-week/],
    ['cron(0 3 ? * ? *)', /exactly one of day-of-month and day-of-week/],
    ['cron(60 3 * * ? *)', /"60" is out of range for minutes/],
    ['cron(0 24 * * ? *)', /out of range for hours/],
    ['cron(0 3 32 * ? *)', /out of range for day-of-month/],
    ['cron(0 3 ? * 8 *)', /out of range for day-of-week/],
    ['cron(0 3 ? FOO * *)', /out of range for month/],
    ['cron(0 3 * * ? 1969)', /out of range for year/],
    ['cron(0 5-3 * * ? *)', /runs backwards/],
    ['cron(0 3 ? * 2#6 *)', /out of range for day-of-week #/],
  ])('refuses %s', (expression, reason) => {
    const act = () => parseSchedule(expression);

    expect(act).toThrow(InvalidScheduleError);
    expect(act).toThrow(reason);
  });
});
