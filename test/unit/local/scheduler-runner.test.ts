import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderInput, ScheduleRunner } from '../../../infra/local/services/scheduler/schedule-runner';
import { SchedulerService } from '../../../infra/local/services/scheduler/scheduler-service';
import type { SchedulerState, StoredSchedule } from '../../../infra/local/services/scheduler/scheduler-state';
import type { BusEntry, LocalServiceContext } from '../../../infra/local/types';

const FUNCTION = 'arn:aws:lambda:us-east-1:000000000000:function:flaky';
const T0 = Date.parse('2030-01-01T00:00:00Z');

function context(
  invoke: (target: string, payload: unknown) => Promise<void>,
  now = () => new Date(T0),
): LocalServiceContext {
  return {
    region: 'us-east-1',
    accountId: '000000000000',
    now,
    putEvents: async (entries: readonly BusEntry[]) => entries.map(() => 'id'),
    invokeFunction: invoke,
    dataDir: undefined,
  };
}

function schedule(overrides: Partial<StoredSchedule> = {}): StoredSchedule {
  return {
    name: 'flaky',
    groupName: 'default',
    arn: 'arn:aws:scheduler:us-east-1:000000000000:schedule/default/flaky',
    scheduleExpression: 'at(2030-01-01T00:00:00)',
    state: 'ENABLED',
    flexibleTimeWindow: { Mode: 'OFF' },
    target: {
      Arn: FUNCTION,
      RoleArn: 'arn:aws:iam::000000000000:role/r',
      Input: '{"n":"<aws.scheduler.attempt-number>"}',
      RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 2 },
      DeadLetterConfig: { Arn: 'arn:aws:sqs:us-east-1:000000000000:dlq' },
    },
    actionAfterCompletion: 'NONE',
    clientToken: 't',
    createdAt: T0,
    modifiedAt: T0,
    nextDueAt: T0,
    ...overrides,
  };
}

describe('schedule runner', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('retries a failed delivery on later ticks, then records a dead letter', async () => {
    // Prepare
    const payloads: unknown[] = [];
    const state: SchedulerState = { groups: [], schedules: [schedule()] };
    const runner = new ScheduleRunner(
      state,
      context(async (_target, payload) => {
        payloads.push(payload);
        throw new Error('function is broken');
      }),
      () => {},
    );

    // Act
    const outcomes = [];
    for (let i = 0; i < 4; i++) outcomes.push(...(await runner.tick(new Date(T0 + i * 1000))));

    // Assess
    expect(outcomes.map((f) => [f.attempt, f.outcome])).toEqual([
      [1, 'will-retry'],
      [2, 'will-retry'],
      [3, 'dead-lettered'],
    ]);
    expect(payloads).toEqual([{ n: '1' }, { n: '2' }, { n: '3' }]);
    expect(runner.deadLetters).toEqual([
      expect.objectContaining({
        deadLetterArn: 'arn:aws:sqs:us-east-1:000000000000:dlq',
        error: 'function is broken',
      }),
    ]);
  });

  it('gives up when the event is older than MaximumEventAgeInSeconds', async () => {
    // Prepare
    const state: SchedulerState = { groups: [], schedules: [schedule()] };
    const runner = new ScheduleRunner(
      state,
      context(async () => {
        throw new Error('down');
      }),
      () => {},
    );
    await runner.tick(new Date(T0));

    // Act
    const late = await runner.tick(new Date(T0 + 3601 * 1000));

    // Assess
    expect(late.map((f) => f.outcome)).toEqual(['dead-lettered']);
  });

  it('shares one run between overlapping ticks so nothing fires twice', async () => {
    // Prepare
    let release: () => void = () => {};
    const calls: string[] = [];
    const state: SchedulerState = { groups: [], schedules: [schedule()] };
    const runner = new ScheduleRunner(
      state,
      context(async (target) => {
        calls.push(target);
        await new Promise<void>((resolve) => {
          release = resolve;
        });
      }),
      () => {},
    );

    // Act
    const first = runner.tick(new Date(T0));
    const second = runner.tick(new Date(T0));
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    release();
    const [a, b] = await Promise.all([first, second]);

    // Assess
    expect(calls).toEqual([FUNCTION]);
    expect(a).toBe(b);
  });

  it('replaces context attributes in the input', () => {
    const text = renderInput(
      '<aws.scheduler.schedule-arn>|<aws.scheduler.scheduled-time>|<aws.scheduler.execution-id>',
      {
        scheduleArn: 'arn:x',
        scheduledTime: T0,
        executionId: 'e-1',
        attempt: 1,
      },
    );

    expect(text).toBe('arn:x|2030-01-01T00:00:00Z|e-1');
  });

  it('ticks from the interval timer started by start() and stops on close()', async () => {
    // Prepare
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const invoked: string[] = [];
    const service = new SchedulerService(
      context(async (target) => {
        invoked.push(target);
      }),
      { intervalMs: 1000 },
    );
    await service.handle({
      service: 'scheduler',
      region: 'us-east-1',
      method: 'POST',
      path: '/schedules/timer',
      query: new URLSearchParams(),
      headers: {},
      body: Buffer.from(
        JSON.stringify({
          ScheduleExpression: 'at(2029-12-31T23:00:00)',
          FlexibleTimeWindow: { Mode: 'OFF' },
          Target: { Arn: FUNCTION, RoleArn: 'arn:aws:iam::000000000000:role/r' },
        }),
      ),
      caller: {} as never,
      requestId: 'r',
    });

    // Act
    service.start();
    await vi.advanceTimersByTimeAsync(1000);
    await service.close();
    await vi.advanceTimersByTimeAsync(5000);

    // Assess
    expect(invoked).toEqual([FUNCTION]);
    expect(vi.getTimerCount()).toBe(0);
  });
});
