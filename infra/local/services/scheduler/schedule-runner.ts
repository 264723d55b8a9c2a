import { randomUUID } from 'node:crypto';
import type { LocalServiceContext } from '../../types';
import { nextRunAfter, parseScheduleExpression, type ScheduleExpression } from './schedule-expression';
import type { SchedulerState, ScheduleTarget, StoredSchedule } from './scheduler-state';

/** A Lambda function ARN (optionally with a version or alias qualifier). */
export const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[\w-]{1,64}(:[\w$-]+)?$/;
/** An EventBridge event bus ARN. */
export const EVENT_BUS_ARN = /^arn:aws[a-z-]*:events:[a-z0-9-]+:\d{12}:event-bus\/([\w.\-/]+)$/;

/** One delivery attempt the runner made. */
export interface Firing {
  readonly scheduleArn: string;
  readonly targetArn: string;
  readonly scheduledTime: Date;
  readonly executionId: string;
  readonly attempt: number;
  readonly outcome: 'delivered' | 'will-retry' | 'dead-lettered';
  readonly error?: string;
}

/** An invocation that exhausted its retry policy; AWS would send it to the target's DLQ. */
export interface DeadLetter {
  readonly scheduleArn: string;
  readonly deadLetterArn: string | undefined;
  readonly executionId: string;
  readonly error: string;
}

interface Delivery {
  readonly scheduleArn: string;
  readonly target: ScheduleTarget;
  readonly scheduledTime: number;
  readonly executionId: string;
  attempt: number;
}

/** Replace Scheduler's context attributes in a target's Input, as AWS does before delivery. */
export function renderInput(
  input: string | undefined,
  delivery: Omit<Delivery, 'target'>,
): string | undefined {
  if (input === undefined) return undefined;
  return input
    .replaceAll('<aws.scheduler.schedule-arn>', delivery.scheduleArn)
    .replaceAll(
      '<aws.scheduler.scheduled-time>',
      new Date(delivery.scheduledTime).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    )
    .replaceAll('<aws.scheduler.execution-id>', delivery.executionId)
    .replaceAll('<aws.scheduler.attempt-number>', String(delivery.attempt));
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Fires due schedules. `tick(now)` is the whole clock: the service's interval timer calls it
 * with the context clock and tests call it with any time they like. A failed delivery is
 * retried on later ticks within the target's RetryPolicy, then recorded as a dead letter.
 * FlexibleTimeWindow is honoured as its earliest moment: local schedules fire when due.
 */
export class ScheduleRunner {
  private readonly retries: Delivery[] = [];
  readonly deadLetters: DeadLetter[] = [];
  private running: Promise<Firing[]> | undefined;

  constructor(
    private readonly state: SchedulerState,
    private readonly context: LocalServiceContext,
    /** Called when a tick changed the state (fired, completed or deleted a schedule). */
    private readonly onChange: () => void,
  ) {}

  /** Fire everything due at `now`; overlapping calls share one run. */
  tick(now: Date): Promise<Firing[]> {
    if (this.running !== undefined) return this.running;
    this.running = this.run(now.getTime()).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(now: number): Promise<Firing[]> {
    const firings: Firing[] = [];
    const retrying = this.retries.splice(0);
    for (const delivery of retrying) {
      delivery.attempt += 1;
      firings.push(await this.deliver(delivery, now));
    }
    let changed = false;
    for (const schedule of [...this.state.schedules]) {
      if (schedule.state !== 'ENABLED' || schedule.nextDueAt === undefined || schedule.nextDueAt > now)
        continue;
      const expression = parseScheduleExpression(schedule.scheduleExpression, schedule.timezone);
      const due = this.latestMissed(expression, schedule.nextDueAt, now);
      changed = true;
      if (schedule.endDate !== undefined && due > schedule.endDate) {
        this.complete(schedule);
        continue;
      }
      const delivery: Delivery = {
        scheduleArn: schedule.arn,
        target: schedule.target,
        scheduledTime: due,
        executionId: randomUUID(),
        attempt: 1,
      };
      firings.push(await this.deliver(delivery, now));
      if (expression.kind === 'at') {
        this.complete(schedule);
        continue;
      }
      const next = nextRunAfter(expression, due, now);
      if (next !== undefined && (schedule.endDate === undefined || next <= schedule.endDate))
        schedule.nextDueAt = next;
      else this.complete(schedule);
    }
    if (changed) this.onChange();
    return firings;
  }

  /** After a pause (a laptop asleep), fire once for the latest missed run, not once per missed run. */
  private latestMissed(expression: ScheduleExpression, nextDue: number, now: number): number {
    if (expression.kind === 'rate')
      return nextDue + Math.floor((now - nextDue) / expression.periodMs) * expression.periodMs;
    let due = nextDue;
    // Bounded: a schedule every minute missed for a week is 10,080 runs.
    for (let i = 0; expression.kind === 'cron' && i < 20_000; i++) {
      const next = nextRunAfter(expression, due, due);
      if (next === undefined || next > now) break;
      due = next;
    }
    return due;
  }

  /** A schedule with nothing left to run: forget its due time, delete it if it asked to be. */
  private complete(schedule: StoredSchedule): void {
    delete schedule.nextDueAt;
    if (schedule.actionAfterCompletion === 'DELETE') {
      this.state.schedules = this.state.schedules.filter((s) => s !== schedule);
    }
  }

  private async deliver(delivery: Delivery, now: number): Promise<Firing> {
    const { target } = delivery;
    const base = {
      scheduleArn: delivery.scheduleArn,
      targetArn: target.Arn,
      scheduledTime: new Date(delivery.scheduledTime),
      executionId: delivery.executionId,
      attempt: delivery.attempt,
    };
    try {
      await this.send(delivery);
      return { ...base, outcome: 'delivered' };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const { MaximumRetryAttempts, MaximumEventAgeInSeconds } = target.RetryPolicy;
      const fresh = now - delivery.scheduledTime <= MaximumEventAgeInSeconds * 1000;
      if (delivery.attempt <= MaximumRetryAttempts && fresh) {
        this.retries.push(delivery);
        return { ...base, outcome: 'will-retry', error: message };
      }
      this.deadLetters.push({
        scheduleArn: delivery.scheduleArn,
        deadLetterArn: target.DeadLetterConfig?.Arn,
        executionId: delivery.executionId,
        error: message,
      });
      return { ...base, outcome: 'dead-lettered', error: message };
    }
  }

  private async send(delivery: Delivery): Promise<void> {
    const { target } = delivery;
    const input = renderInput(target.Input, delivery);
    if (LAMBDA_ARN.test(target.Arn)) {
      await this.context.invokeFunction(target.Arn, input === undefined ? {} : parseJson(input));
      return;
    }
    const bus = EVENT_BUS_ARN.exec(target.Arn);
    const params = target.EventBridgeParameters;
    if (bus === null || params === undefined) {
      throw new Error(
        `Target ${target.Arn} is neither a Lambda function nor an event bus with EventBridgeParameters`,
      );
    }
    const detail = input === undefined ? {} : parseJson(input);
    if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) {
      throw new Error('The target Input must be a JSON object to be sent as an event detail');
    }
    await this.context.putEvents([
      {
        source: params.Source,
        detailType: params.DetailType,
        detail: detail as Record<string, unknown>,
        eventBusName: bus[1] as string,
        time: new Date(delivery.scheduledTime),
      },
    ]);
  }
}
