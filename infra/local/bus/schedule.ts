/**
 * EventBridge schedule expressions: `rate(5 minutes)` and AWS's six-field cron
 * `cron(minutes hours day-of-month month day-of-week year)`, evaluated in UTC as EventBridge
 * rules are. Cron supports `*`, `,`, `-`, `/`, `?`, month and weekday names, `L` and `W` in
 * day-of-month (`L`, `LW`, `15W`), and `L` and `#` in day-of-week (`6L`, `3#2`); weekdays
 * count 1 = SUN to 7 = SAT, as in AWS.
 */

/** A schedule expression was refused; PutRule answers ValidationException with this message. */
export class InvalidScheduleError extends Error {
  constructor(detail: string) {
    super(`Parameter ScheduleExpression is not valid: ${detail}`);
    this.name = 'InvalidScheduleError';
  }
}

export interface RateSchedule {
  readonly kind: 'rate';
  readonly expression: string;
  readonly everyMs: number;
}

export interface CronSchedule {
  readonly kind: 'cron';
  readonly expression: string;
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  readonly years: ReadonlySet<number> | 'any';
  readonly dayOfMonth: DayOfMonthRule | undefined;
  readonly dayOfWeek: DayOfWeekRule | undefined;
}

type DayOfMonthRule =
  | { kind: 'set'; days: ReadonlySet<number> }
  | { kind: 'last'; offset: number }
  | { kind: 'lastWeekday' }
  | { kind: 'nearestWeekday'; day: number };

type DayOfWeekRule =
  | { kind: 'set'; days: ReadonlySet<number> }
  | { kind: 'last'; weekday: number }
  | { kind: 'nth'; weekday: number; nth: number };

export type Schedule = RateSchedule | CronSchedule;

const UNIT_MS: Readonly<Record<string, number>> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
const MIN_YEAR = 1970;
const MAX_YEAR = 2199;

function bad(detail: string): never {
  throw new InvalidScheduleError(detail);
}

function parseRate(expression: string, body: string): RateSchedule {
  const match = /^(\d+)\s+(minute|minutes|hour|hours|day|days)$/.exec(body.trim());
  if (match === null) bad(`${expression} (expected rate(value unit), unit minute(s), hour(s) or day(s))`);
  const value = Number(match[1]);
  const unit = match[2] ?? '';
  if (value <= 0) bad(`${expression} (the value must be a positive integer)`);
  const singular = !unit.endsWith('s');
  if ((value === 1) !== singular)
    bad(`${expression} (use a singular unit for 1 and a plural unit otherwise)`);
  return { kind: 'rate', expression, everyMs: value * (UNIT_MS[unit.replace(/s$/, '')] ?? 0) };
}

/** A number or a name (JAN, MON) within [min, max]; names map to their 1-based position. */
function atom(
  text: string,
  min: number,
  max: number,
  names: readonly string[] | undefined,
  field: string,
): number {
  const named = names?.indexOf(text.toUpperCase()) ?? -1;
  const value = named >= 0 ? named + 1 : /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(value) || value < min || value > max)
    bad(`"${text}" is out of range for ${field} (${min}-${max})`);
  return value;
}

/** `*`, `a`, `a-b`, `a/n`, `*\/n`, `a-b/n`, comma-separated. */
function valueSet(
  text: string,
  min: number,
  max: number,
  field: string,
  names?: readonly string[],
): Set<number> {
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const [range = '', stepText, ...extra] = part.split('/');
    if (extra.length > 0 || range === '') bad(`"${part}" in ${field}`);
    const step = stepText === undefined ? 1 : atom(stepText, 1, max, undefined, `${field} step`);
    let from: number;
    let to: number;
    if (range === '*') {
      from = min;
      to = max;
    } else if (range.includes('-')) {
      const [a = '', b = ''] = range.split('-');
      from = atom(a, min, max, names, field);
      to = atom(b, min, max, names, field);
      if (from > to) bad(`"${range}" in ${field} runs backwards`);
    } else {
      from = atom(range, min, max, names, field);
      to = stepText === undefined ? from : max;
    }
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

function parseDayOfMonth(text: string): DayOfMonthRule | undefined {
  if (text === '?') return undefined;
  if (text === 'L') return { kind: 'last', offset: 0 };
  if (text === 'LW') return { kind: 'lastWeekday' };
  const last = /^L-(\d+)$/.exec(text);
  if (last !== null) return { kind: 'last', offset: atom(last[1] ?? '', 0, 30, undefined, 'day-of-month') };
  const weekday = /^(\d+)W$/.exec(text);
  if (weekday !== null)
    return { kind: 'nearestWeekday', day: atom(weekday[1] ?? '', 1, 31, undefined, 'day-of-month') };
  return { kind: 'set', days: valueSet(text, 1, 31, 'day-of-month') };
}

function parseDayOfWeek(text: string): DayOfWeekRule | undefined {
  if (text === '?') return undefined;
  const last = /^(\w+)L$/.exec(text);
  if (last !== null && text !== 'L')
    return { kind: 'last', weekday: atom(last[1] ?? '', 1, 7, WEEKDAYS, 'day-of-week') };
  if (text === 'L') return { kind: 'set', days: new Set([7]) };
  const nth = /^(\w+)#(\d)$/.exec(text);
  if (nth !== null) {
    return {
      kind: 'nth',
      weekday: atom(nth[1] ?? '', 1, 7, WEEKDAYS, 'day-of-week'),
      nth: atom(nth[2] ?? '', 1, 5, undefined, 'day-of-week #'),
    };
  }
  return { kind: 'set', days: valueSet(text, 1, 7, 'day-of-week', WEEKDAYS) };
}

function parseCron(expression: string, body: string): CronSchedule {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6)
    bad(`${expression} (cron needs 6 fields: minutes hours day-of-month month day-of-week year)`);
  const [minutes = '', hours = '', dom = '', month = '', dow = '', year = ''] = fields;
  if ((dom === '?') === (dow === '?'))
    bad(`${expression} (exactly one of day-of-month and day-of-week must be "?")`);
  return {
    kind: 'cron',
    expression,
    minutes: valueSet(minutes, 0, 59, 'minutes'),
    hours: valueSet(hours, 0, 23, 'hours'),
    months: valueSet(month, 1, 12, 'month', MONTHS),
    years: year === '*' ? 'any' : valueSet(year, MIN_YEAR, MAX_YEAR, 'year'),
    dayOfMonth: parseDayOfMonth(dom),
    dayOfWeek: parseDayOfWeek(dow),
  };
}

/** Parse `rate(...)` or `cron(...)`; throws InvalidScheduleError. */
export function parseSchedule(expression: string): Schedule {
  const match = /^(rate|cron)\((.*)\)$/.exec(expression.trim());
  if (match === null) bad(`${expression} (expected rate(...) or cron(...))`);
  return match[1] === 'rate' ? parseRate(expression, match[2] ?? '') : parseCron(expression, match[2] ?? '');
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function isWeekday(year: number, month: number, day: number): boolean {
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

/** The weekday nearest to `day` within the month (Quartz `W` semantics). */
function nearestWeekday(year: number, month: number, day: number): number {
  const last = daysInMonth(year, month);
  const d = Math.min(day, last);
  const weekday = new Date(Date.UTC(year, month - 1, d)).getUTCDay();
  if (weekday === 6) return d === 1 ? 3 : d - 1;
  if (weekday === 0) return d === last ? d - 2 : d + 1;
  return d;
}

function dayMatches(schedule: CronSchedule, year: number, month: number, day: number): boolean {
  const last = daysInMonth(year, month);
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;
  const dom = schedule.dayOfMonth;
  if (dom !== undefined) {
    switch (dom.kind) {
      case 'set':
        return dom.days.has(day);
      case 'last':
        return day === last - dom.offset;
      case 'lastWeekday': {
        let d = last;
        while (!isWeekday(year, month, d)) d--;
        return day === d;
      }
      case 'nearestWeekday':
        return day === nearestWeekday(year, month, dom.day);
    }
  }
  const dow = schedule.dayOfWeek;
  if (dow === undefined) return false;
  switch (dow.kind) {
    case 'set':
      return dow.days.has(weekday);
    case 'last':
      return weekday === dow.weekday && day + 7 > last;
    case 'nth':
      return weekday === dow.weekday && Math.ceil(day / 7) === dow.nth;
  }
}

/**
 * The first time strictly after `after` at which the schedule fires, or undefined when it
 * never fires again (a cron whose years are all past). A rate fires every interval counted
 * from `anchor` (when the rule was created).
 */
export function nextFireTime(schedule: Schedule, after: Date, anchor: Date = after): Date | undefined {
  if (schedule.kind === 'rate') {
    const elapsed = after.getTime() - anchor.getTime();
    const periods = elapsed < 0 ? 0 : Math.floor(elapsed / schedule.everyMs) + 1;
    return new Date(anchor.getTime() + periods * schedule.everyMs);
  }
  // Start at the next whole minute; cron has minute resolution.
  const start = new Date(Math.floor(after.getTime() / 60_000) * 60_000 + 60_000);
  const hours = [...schedule.hours].sort((a, b) => a - b);
  const minutes = [...schedule.minutes].sort((a, b) => a - b);
  const day = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate()));
  for (; day.getUTCFullYear() <= MAX_YEAR; day.setUTCDate(day.getUTCDate() + 1)) {
    const year = day.getUTCFullYear();
    const month = day.getUTCMonth() + 1;
    if (schedule.years !== 'any' && !schedule.years.has(year)) {
      if ([...schedule.years].every((y) => y < year)) return undefined;
      continue;
    }
    if (!schedule.months.has(month) || !dayMatches(schedule, year, month, day.getUTCDate())) continue;
    for (const hour of hours) {
      for (const minute of minutes) {
        const candidate = new Date(day.getTime() + hour * 3_600_000 + minute * 60_000);
        if (candidate.getTime() >= start.getTime()) return candidate;
      }
    }
  }
  return undefined;
}
