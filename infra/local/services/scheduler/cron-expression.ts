/**
 * AWS cron expressions, `cron(minutes hours day-of-month month day-of-week year)`, as
 * EventBridge Scheduler reads them: exactly one of day-of-month and day-of-week is `?`,
 * days of the week run 1-7 from SUN, names (JAN, MON) are accepted. `L` (last day of the
 * month) is supported in day-of-month; `W`, `#` and the other `L` forms are refused by name
 * rather than misread.
 */

/** The parsed fields: the allowed values of each (day-of-week 1-7 = SUN-SAT). */
export interface CronSchedule {
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  /** Undefined when the field is `?`. */
  readonly daysOfMonth?: ReadonlySet<number>;
  readonly lastDayOfMonth: boolean;
  readonly months: ReadonlySet<number>;
  readonly daysOfWeek?: ReadonlySet<number>;
  readonly years: ReadonlySet<number> | 'any';
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
/** How far ahead to look for the next run before concluding there is none. */
const SEARCH_DAYS = 366 * 5;

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

function parseValue(text: string, spec: FieldSpec): number {
  const named = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  const value = named >= 0 ? named + spec.min : /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(value) || value < spec.min || value > spec.max) {
    throw new Error(`${spec.name} value "${text}" is not in ${spec.min}-${spec.max}`);
  }
  return value;
}

function parseField(text: string, spec: FieldSpec): Set<number> {
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const [range = '', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1)
      throw new Error(`${spec.name} step "${stepText}" is not a positive number`);
    let from: number;
    let to: number;
    if (range === '*') {
      from = spec.min;
      to = spec.max;
    } else if (range.includes('-')) {
      const [a = '', b = ''] = range.split('-');
      from = parseValue(a, spec);
      to = parseValue(b, spec);
      if (to < from) throw new Error(`${spec.name} range "${range}" runs backwards`);
    } else {
      from = parseValue(range, spec);
      to = stepText === undefined ? from : spec.max;
    }
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

/** Parse the six fields inside `cron(...)`; throws an Error naming the bad field. */
export function parseCron(body: string): CronSchedule {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6)
    throw new Error(
      `expected 6 fields (minutes hours day-of-month month day-of-week year), got ${fields.length}`,
    );
  const [min, hour, dom, month, dow, year] = fields as [string, string, string, string, string, string];
  if (/[W#]/.test(dom) || (dom.includes('L') && dom !== 'L')) {
    throw new Error(
      `day-of-month "${dom}" uses W, # or an L form that local AWS does not evaluate (only L alone is)`,
    );
  }
  if (/[#L]/.test(dow))
    throw new Error(`day-of-week "${dow}" uses # or L, which local AWS does not evaluate`);
  if ((dom === '?') === (dow === '?'))
    throw new Error('exactly one of day-of-month and day-of-week must be ?');
  return {
    minutes: parseField(min, { name: 'minutes', min: 0, max: 59 }),
    hours: parseField(hour, { name: 'hours', min: 0, max: 23 }),
    ...(dom === '?' || dom === 'L'
      ? {}
      : { daysOfMonth: parseField(dom, { name: 'day-of-month', min: 1, max: 31 }) }),
    lastDayOfMonth: dom === 'L',
    months: parseField(month, { name: 'month', min: 1, max: 12, names: MONTHS }),
    ...(dow === '?'
      ? {}
      : { daysOfWeek: parseField(dow, { name: 'day-of-week', min: 1, max: 7, names: DAYS }) }),
    years: year === '*' ? 'any' : parseField(year, { name: 'year', min: 1970, max: 2199 }),
  };
}

function dayMatches(cron: CronSchedule, year: number, month: number, day: number): boolean {
  if (cron.years !== 'any' && !cron.years.has(year)) return false;
  if (!cron.months.has(month)) return false;
  if (cron.lastDayOfMonth) return day === new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (cron.daysOfMonth !== undefined) return cron.daysOfMonth.has(day);
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;
  return cron.daysOfWeek?.has(weekday) ?? false;
}

/**
 * The first run strictly after `after`, reading the fields as wall-clock time in the zone
 * that `toInstant` converts from; undefined when none falls in the next five years.
 */
export function nextCronRun(
  cron: CronSchedule,
  after: number,
  toInstant: (localAsUtc: number) => number,
): number | undefined {
  // Start a day early: the wall-clock date in the zone may be behind the UTC date.
  const start = new Date(after - 86_400_000);
  const hours = [...cron.hours].sort((a, b) => a - b);
  const minutes = [...cron.minutes].sort((a, b) => a - b);
  for (let i = 0; i <= SEARCH_DAYS; i++) {
    const day = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate() + i));
    const [y, m, d] = [day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate()];
    if (!dayMatches(cron, y, m, d)) continue;
    for (const h of hours) {
      for (const min of minutes) {
        const instant = toInstant(Date.UTC(y, m - 1, d, h, min));
        if (instant > after) return instant;
      }
    }
  }
  return undefined;
}
