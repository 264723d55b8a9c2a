import type { BusEvent } from '../types';

/**
 * At-least-once delivery of one event to one rule target, as EventBridge does it: on failure
 * retry with exponential backoff until MaximumRetryAttempts or MaximumEventAgeInSeconds is
 * reached, then put the event in the dead-letter list with the last error.
 */

/** A target's RetryPolicy; AWS's defaults are 185 attempts and 24 hours. */
export interface RetryPolicy {
  readonly maximumRetryAttempts: number;
  readonly maximumEventAgeInSeconds: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maximumRetryAttempts: 185,
  maximumEventAgeInSeconds: 86_400,
};

/** An event that could not be delivered, kept for inspection (the local DLQ). */
export interface DeadLetter {
  readonly busName: string;
  readonly ruleName: string;
  readonly targetId: string;
  readonly targetArn: string;
  readonly event: BusEvent;
  readonly errorMessage: string;
  /** How many times delivery was tried. */
  readonly attempts: number;
  /** When the event was given up on (ISO 8601). */
  readonly time: string;
}

/** One delivery job: a matched event for one target of one rule. */
export interface DeliveryJob {
  readonly busName: string;
  readonly ruleName: string;
  readonly targetId: string;
  readonly targetArn: string;
  readonly event: BusEvent;
  readonly retryPolicy: RetryPolicy;
  /** Deliver once; throw to fail this attempt. */
  readonly send: (event: BusEvent) => Promise<void>;
}

/** What happened to a delivery, for the timeline. */
export type DeliveryActivity =
  | { readonly kind: 'delivered'; readonly job: DeliveryJob; readonly attempt: number }
  | {
      readonly kind: 'retrying';
      readonly job: DeliveryJob;
      readonly attempt: number;
      readonly error: string;
      readonly delayMs: number;
    }
  | { readonly kind: 'dead-lettered'; readonly deadLetter: DeadLetter };

export interface BackoffOptions {
  /** Delay before the first retry; doubled each retry. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseDelayMs: 1_000, maxDelayMs: 60_000 };

/** The delay before retry number `retry` (1-based): exponential, capped, with up to 20% jitter. */
export function backoffDelay(
  retry: number,
  options: BackoffOptions,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (retry - 1));
  return Math.round(exponential * (1 + 0.2 * random()));
}

/**
 * Runs delivery jobs concurrently and tracks how many are outstanding (in flight or waiting
 * to retry), so that `idle()` can resolve when everything has been delivered or dead-lettered.
 */
export class DeliveryQueue {
  private outstanding = 0;
  private waiters: (() => void)[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly dead: DeadLetter[] = [];
  private closed = false;

  constructor(
    private readonly now: () => Date,
    private readonly backoff: BackoffOptions,
    private readonly report: (activity: DeliveryActivity) => void,
  ) {}

  /** Start delivering; returns at once (delivery is asynchronous). */
  enqueue(job: DeliveryJob): void {
    if (this.closed) return;
    this.outstanding++;
    queueMicrotask(() => void this.attempt(job, 1));
  }

  /** Resolves when no delivery is in flight or waiting to retry. */
  idle(): Promise<void> {
    if (this.outstanding === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  deadLetters(): readonly DeadLetter[] {
    return this.dead;
  }

  /** The dead letters a previous run kept, listed before any new one. */
  restoreDeadLetters(deadLetters: readonly DeadLetter[]): void {
    this.dead.unshift(...deadLetters);
  }

  /** Stop retrying: pending retries are dropped (the process is going away). */
  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.outstanding = 0;
    this.settle();
  }

  private async attempt(job: DeliveryJob, attempt: number): Promise<void> {
    if (this.closed) return;
    try {
      await job.send(job.event);
      this.report({ kind: 'delivered', job, attempt });
      this.finish();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const ageSeconds = (this.now().getTime() - Date.parse(job.event.time)) / 1000;
      const retriesLeft = attempt <= job.retryPolicy.maximumRetryAttempts;
      const delayMs = backoffDelay(attempt, this.backoff);
      const tooOld = ageSeconds + delayMs / 1000 > job.retryPolicy.maximumEventAgeInSeconds;
      if (this.closed) return;
      if (!retriesLeft || tooOld) {
        const deadLetter: DeadLetter = {
          busName: job.busName,
          ruleName: job.ruleName,
          targetId: job.targetId,
          targetArn: job.targetArn,
          event: job.event,
          errorMessage: message,
          attempts: attempt,
          time: this.now().toISOString(),
        };
        this.dead.push(deadLetter);
        this.report({ kind: 'dead-lettered', deadLetter });
        this.finish();
        return;
      }
      this.report({ kind: 'retrying', job, attempt, error: message, delayMs });
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        void this.attempt(job, attempt + 1);
      }, delayMs);
      this.timers.add(timer);
    }
  }

  private finish(): void {
    this.outstanding--;
    this.settle();
  }

  private settle(): void {
    if (this.outstanding > 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
