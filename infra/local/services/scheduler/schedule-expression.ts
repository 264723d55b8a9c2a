import { type CronSchedule, nextCronRun, parseCron } from './cron-expression';

/**
 * EventBridge Scheduler's schedule expressions: `at(yyyy-mm-ddThh:mm:ss)` for one-time
 * schedules, `rate(value unit)` and `cron(...)` for recurring ones. Wall-clock times (at,
 * cron) are read in the schedule's time zone.
 */
export type ScheduleExpression =
  | { readonly kind: 'at'; readonly at: number }
  | { readonly kind: 'rate'; readonly periodMs: number }
  | { readonly kind: 'cron'; readonly cron: CronSchedule; readonly timeZone: string };

/** A schedule expression that AWS would refuse, or that local AWS cannot run. */
export class ScheduleExpressionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScheduleExpressionError';
  }
}

const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

/** True when `timeZone` is an IANA time zone name this runtime knows. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** Offset of `timeZone` from UTC at instant `t`, in milliseconds (wall clock minus UTC). */
function offsetAt(t: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(new Date(t));
  const get = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(t / 1000) * 1000;
}

/**
 * The instant at which the wall clock of `timeZone` shows the given local time. A time that
 * a daylight-saving jump skips moves forward by the jump (02:30 becomes 03:30).
 */
export function zonedTimeToInstant(localAsUtc: number, timeZone: string): number {
  const first = offsetAt(localAsUtc - offsetAt(localAsUtc, timeZone), timeZone);
  return localAsUtc - first;
}

function parseAt(body: string, timeZone: string): ScheduleExpression {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec(body);
  if (match === null) {
    throw new ScheduleExpressionError(
      `Invalid Schedule Expression at(${body}): expected at(yyyy-mm-ddThh:mm:ss).`,
    );
  }
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const localAsUtc = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(localAsUtc);
  if (
    check.getUTCFullYear() !== year ||
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    throw new ScheduleExpressionError(`Invalid Schedule Expression at(${body}): not a valid date and time.`);
  }
  return { kind: 'at', at: zonedTimeToInstant(localAsUtc, timeZone) };
}

function parseRate(body: string): ScheduleExpression {
  const match = /^(\d+) (minute|minutes|hour|hours|day|days)$/.exec(body);
  const value = match === null ? Number.NaN : Number(match[1]);
  if (match === null || !Number.isSafeInteger(value) || value < 1) {
    throw new ScheduleExpressionError(
      `Invalid Schedule Expression rate(${body}): expected rate(value unit) with a positive whole value and a unit of minutes, hours or days.`,
    );
  }
  const unit = match[2] as string;
  const singular = unit.replace(/s$/, '') as keyof typeof UNIT_MS;
  if ((value === 1) !== (unit === singular)) {
    throw new ScheduleExpressionError(
      `Invalid Schedule Expression rate(${body}): use the singular unit for a value of 1 and the plural otherwise, e.g. rate(1 ${singular}) or rate(5 ${singular}s).`,
    );
  }
  return { kind: 'rate', periodMs: value * UNIT_MS[singular] };
}

/** Parse an expression; `timeZone` (IANA, default UTC) places the wall-clock time of `at()`. */
export function parseScheduleExpression(expression: string, timeZone = 'UTC'): ScheduleExpression {
  const match = /^(at|rate|cron)\((.*)\)$/.exec(expression.trim());
  if (match === null) {
    throw new ScheduleExpressionError(
      `Invalid Schedule Expression ${expression}: expected at(yyyy-mm-ddThh:mm:ss), rate(value unit) or cron(...).`,
    );
  }
  const [, kind, body] = match as unknown as [string, 'at' | 'rate' | 'cron', string];
  if (kind === 'cron') {
    try {
      return { kind: 'cron', cron: parseCron(body), timeZone };
    } catch (error) {
      throw new ScheduleExpressionError(
        `Invalid Schedule Expression ${expression}: ${(error as Error).message}.`,
      );
    }
  }
  return kind === 'at' ? parseAt(body, timeZone) : parseRate(body);
}

/** The next run of a recurring expression strictly after `after` (undefined: none in five years). */
export function nextRunAfter(
  expression: ScheduleExpression & { kind: 'rate' | 'cron' },
  previousDue: number,
  after: number,
) {
  if (expression.kind === 'rate') return nextDueAfter(expression, previousDue, after);
  return nextCronRun(expression.cron, after, (local) => zonedTimeToInstant(local, expression.timeZone));
}

/** The first due time of an expression for a schedule that becomes active at `activeFrom`. */
export function firstDue(
  expression: ScheduleExpression,
  activeFrom: number,
  startDate: number | undefined,
): number | undefined {
  if (expression.kind === 'at') return expression.at;
  if (expression.kind === 'cron')
    return nextRunAfter(expression, activeFrom, Math.max(activeFrom, startDate ?? activeFrom) - 1);
  // Like a rate rule: one period after the schedule starts; with a StartDate, on the grid it sets.
  if (startDate === undefined) return activeFrom + expression.periodMs;
  return startDate >= activeFrom ? startDate : nextDueAfter(expression, startDate, activeFrom - 1);
}

/** The next due time strictly after `now`, on the grid set by the previous due time. */
export function nextDueAfter(
  expression: ScheduleExpression & { kind: 'rate' },
  previousDue: number,
  now: number,
): number {
  const periods = Math.floor((now - previousDue) / expression.periodMs) + 1;
  return previousDue + Math.max(1, periods) * expression.periodMs;
}
