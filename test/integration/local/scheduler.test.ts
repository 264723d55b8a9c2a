import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConflictException,
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  DeleteScheduleGroupCommand,
  GetScheduleCommand,
  GetScheduleGroupCommand,
  ListScheduleGroupsCommand,
  ListSchedulesCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
  ValidationException,
} from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Firing } from '../../../infra/local/services/scheduler/schedule-runner';
import { SchedulerService } from '../../../infra/local/services/scheduler/scheduler-service';
import { startTestEdge, type TestEdge } from '../../support/local-edge';

const ROLE = 'arn:aws:iam::000000000000:role/scheduler-invoke';
const FUNCTION = 'arn:aws:lambda:us-east-1:000000000000:function:meshwarden-cert-rotation';
const BUS = 'arn:aws:events:us-east-1:000000000000:event-bus/meshwarden';
const T0 = Date.parse('2030-01-01T00:00:00Z');

/** Settle a call that should fail, so the error is asserted after acting. */
const failureOf = (call: Promise<unknown>): Promise<unknown> =>
  call.then(
    () => new Error('expected the call to fail'),
    (error: unknown) => error,
  );

describe('local EventBridge Scheduler', () => {
  let dataDir: string;
  let edge: TestEdge;
  let scheduler: SchedulerService;
  let client: SchedulerClient;
  let clock = T0;
  let n = 0;
  const uniqueName = (base: string) => `${base}-${++n}`;

  const lambdaSchedule = (
    Name: string,
    extra: Partial<CreateScheduleCommandInput> = {},
  ): CreateScheduleCommandInput => ({
    Name,
    ScheduleExpression: 'at(2030-01-01T00:10:00)',
    FlexibleTimeWindow: { Mode: 'OFF' },
    Target: { Arn: FUNCTION, RoleArn: ROLE, Input: '{"reason":"scheduled"}' },
    ...extra,
  });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'scheduler-'));
    edge = await startTestEdge(
      (context) => {
        // The service's clock is the test's; the edge keeps real time to check signatures.
        scheduler = new SchedulerService({ ...context, now: () => new Date(clock) });
        return [scheduler];
      },
      { dataDir },
    );
    client = new SchedulerClient({ ...edge.clientConfig, maxAttempts: 1 });
  });
  afterAll(async () => {
    await edge.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  beforeEach(() => {
    clock = T0;
    edge.invocations.length = 0;
    edge.events.length = 0;
  });

  it('creates a schedule and returns it as AWS describes it, defaults filled in', async () => {
    // Prepare
    const name = uniqueName('rotate');

    // Act
    const created = await client.send(new CreateScheduleCommand(lambdaSchedule(name)));
    const got = await client.send(new GetScheduleCommand({ Name: name }));

    // Assess
    expect(created.ScheduleArn).toBe(`arn:aws:scheduler:us-east-1:000000000000:schedule/default/${name}`);
    expect(got).toMatchObject({
      Name: name,
      GroupName: 'default',
      State: 'ENABLED',
      ActionAfterCompletion: 'NONE',
      ScheduleExpression: 'at(2030-01-01T00:10:00)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: FUNCTION,
        RoleArn: ROLE,
        Input: '{"reason":"scheduled"}',
        RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 },
      },
    });
    expect(got.CreationDate?.getTime()).toBe(T0);
    await client.send(new DeleteScheduleCommand({ Name: name }));
  });

  it('fires a one-time schedule once when due, then deletes it with ActionAfterCompletion DELETE', async () => {
    // Prepare
    const name = uniqueName('once');
    const { ScheduleArn } = await client.send(
      new CreateScheduleCommand(
        lambdaSchedule(name, {
          ActionAfterCompletion: 'DELETE',
          ScheduleExpression: 'at(2030-01-01T00:30:00)',
        }),
      ),
    );
    const mine = (firings: Firing[]) => firings.filter((f) => f.scheduleArn === ScheduleArn);

    // Act
    const early = mine(await scheduler.tick(new Date(T0 + 29 * 60_000)));
    const due = mine(await scheduler.tick(new Date(T0 + 30 * 60_000)));
    const later = mine(await scheduler.tick(new Date(T0 + 40 * 60_000)));

    // Assess
    expect(early).toEqual([]);
    expect(due.map((f) => [f.outcome, f.scheduledTime.getTime() - T0])).toEqual([['delivered', 30 * 60_000]]);
    expect(later).toEqual([]);
    expect(edge.invocations).toEqual([{ target: FUNCTION, payload: { reason: 'scheduled' } }]);
    expect(await failureOf(client.send(new GetScheduleCommand({ Name: name })))).toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it('keeps a fired one-time schedule with ActionAfterCompletion NONE and does not fire it again', async () => {
    // Prepare
    const name = uniqueName('kept');
    await client.send(new CreateScheduleCommand(lambdaSchedule(name)));

    // Act
    await scheduler.tick(new Date(T0 + 11 * 60_000));
    await scheduler.tick(new Date(T0 + 12 * 60_000));
    const got = await client.send(new GetScheduleCommand({ Name: name }));

    // Assess
    expect(edge.invocations.filter((i) => i.target === FUNCTION)).toHaveLength(1);
    expect(got.Name).toBe(name);
    await client.send(new DeleteScheduleCommand({ Name: name }));
  });

  it('places at() in the schedule time zone', async () => {
    // Prepare: 09:00 in Paris in January is 08:00 UTC.
    const name = uniqueName('paris');
    await client.send(
      new CreateScheduleCommand(
        lambdaSchedule(name, {
          ScheduleExpression: 'at(2030-01-01T09:00:00)',
          ScheduleExpressionTimezone: 'Europe/Paris',
        }),
      ),
    );

    // Act
    const before = await scheduler.tick(new Date(Date.parse('2030-01-01T07:59:59Z')));
    const at = await scheduler.tick(new Date(Date.parse('2030-01-01T08:00:00Z')));

    // Assess
    expect(before).toEqual([]);
    expect(at.map((f) => f.scheduledTime.toISOString())).toEqual(['2030-01-01T08:00:00.000Z']);
    await client.send(new DeleteScheduleCommand({ Name: name }));
  });

  it('fires a rate schedule every period on an event bus, with the context attributes filled in', async () => {
    // Prepare
    const name = uniqueName('every-5');
    const { ScheduleArn } = await client.send(
      new CreateScheduleCommand({
        Name: name,
        ScheduleExpression: 'rate(5 minutes)',
        FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 2 },
        Target: {
          Arn: BUS,
          RoleArn: ROLE,
          Input: '{"schedule":"<aws.scheduler.schedule-arn>","at":"<aws.scheduler.scheduled-time>"}',
          EventBridgeParameters: { Source: 'meshwarden.scheduler', DetailType: 'Certificate Scan' },
        },
      }),
    );

    // Act: 5 min due, 10 min due, then a tick after a long pause fires once, not three times.
    const fired = [
      ...(await scheduler.tick(new Date(T0 + 5 * 60_000))),
      ...(await scheduler.tick(new Date(T0 + 7 * 60_000))),
      ...(await scheduler.tick(new Date(T0 + 10 * 60_000))),
      ...(await scheduler.tick(new Date(T0 + 26 * 60_000))),
    ];

    // Assess
    expect(fired.map((f) => (f.scheduledTime.getTime() - T0) / 60_000)).toEqual([5, 10, 25]);
    expect(edge.events).toHaveLength(3);
    expect(edge.events[0]).toMatchObject({
      source: 'meshwarden.scheduler',
      detailType: 'Certificate Scan',
      eventBusName: 'meshwarden',
      detail: { schedule: ScheduleArn, at: '2030-01-01T00:05:00Z' },
    });
    await client.send(new DeleteScheduleCommand({ Name: name }));
  });

  it('fires a cron schedule at its wall-clock times in the schedule time zone', async () => {
    // Prepare: weekdays at 09:30 in New York (14:30 UTC in winter); 2030-01-01 is a Tuesday.
    const name = uniqueName('cron');
    const { ScheduleArn } = await client.send(
      new CreateScheduleCommand(
        lambdaSchedule(name, {
          ScheduleExpression: 'cron(30 9 ? * MON-FRI *)',
          ScheduleExpressionTimezone: 'America/New_York',
        }),
      ),
    );
    const mine = (firings: Firing[]) => firings.filter((f) => f.scheduleArn === ScheduleArn);

    // Act: just before and at Tuesday 14:30Z; on Saturday, after missing Wednesday to Friday; on Monday.
    const times = [
      '2030-01-01T14:29:00Z',
      '2030-01-01T14:30:00Z',
      '2030-01-05T14:30:00Z',
      '2030-01-07T14:30:00Z',
    ];
    const fired: Firing[] = [];
    for (const t of times) fired.push(...mine(await scheduler.tick(new Date(t))));

    // Assess
    expect(fired.map((f) => f.scheduledTime.toISOString())).toEqual([
      '2030-01-01T14:30:00.000Z',
      '2030-01-04T14:30:00.000Z',
      '2030-01-07T14:30:00.000Z',
    ]);
    await client.send(new DeleteScheduleCommand({ Name: name }));
  });

  it('does not fire a disabled schedule, and fires it after an update enables it', async () => {
    // Prepare
    const name = uniqueName('disabled');
    await client.send(new CreateScheduleCommand(lambdaSchedule(name, { State: 'DISABLED' })));
    await scheduler.tick(new Date(T0 + 15 * 60_000));
    clock = T0 + 15 * 60_000;

    // Act
    await client.send(
      new UpdateScheduleCommand({ ...lambdaSchedule(name), ScheduleExpression: 'at(2030-01-01T00:20:00)' }),
    );
    await scheduler.tick(new Date(T0 + 20 * 60_000));
    const got = await client.send(new GetScheduleCommand({ Name: name }));

    // Assess
    expect(edge.invocations).toHaveLength(1);
    expect(got.State).toBe('ENABLED');
    expect(got.CreationDate?.getTime()).toBe(T0);
    expect(got.LastModificationDate?.getTime()).toBe(T0 + 15 * 60_000);
    await client.send(new DeleteScheduleCommand({ Name: name }));
  });

  it('answers a retried create with the same ClientToken and refuses a second one with ConflictException', async () => {
    // Prepare
    const name = uniqueName('dup');
    const first = await client.send(
      new CreateScheduleCommand(lambdaSchedule(name, { ClientToken: 'token-1' })),
    );

    // Act
    const retry = await client.send(
      new CreateScheduleCommand(lambdaSchedule(name, { ClientToken: 'token-1' })),
    );
    const second = await failureOf(
      client.send(new CreateScheduleCommand(lambdaSchedule(name, { ClientToken: 'token-2' }))),
    );

    // Assess
    expect(retry.ScheduleArn).toBe(first.ScheduleArn);
    expect(second).toBeInstanceOf(ConflictException);
    expect((second as Error).message).toContain(name);
  });

  it('refuses bad schedules with ValidationException naming the problem', async () => {
    // Prepare
    const cases: [Partial<CreateScheduleCommandInput>, RegExp][] = [
      [
        { ScheduleExpression: 'cron(0 12 * * * *)' },
        /exactly one of day-of-month and day-of-week must be \?/,
      ],
      [{ ScheduleExpression: 'cron(0 12 ? * MON#1 *)' }, /local AWS does not evaluate/],
      [{ ScheduleExpression: 'cron(0 25 * * ? *)' }, /hours value "25" is not in 0-23/],
      [{ ScheduleExpression: 'rate(1 minutes)' }, /singular unit/],
      [{ ScheduleExpression: 'rate(0 hours)' }, /positive whole value/],
      [{ ScheduleExpression: 'at(2030-02-30T00:00:00)' }, /not a valid date/],
      [{ ScheduleExpression: 'every day' }, /Invalid Schedule Expression/],
      [{ ScheduleExpressionTimezone: 'Mars/Olympus' }, /ScheduleExpressionTimezone/],
      [{ FlexibleTimeWindow: { Mode: 'FLEXIBLE' } }, /MaximumWindowInMinutes is required/],
      [
        { Target: { Arn: 'arn:aws:sqs:us-east-1:000000000000:queue', RoleArn: ROLE } },
        /Lambda functions and EventBridge event buses/,
      ],
      [{ Target: { Arn: BUS, RoleArn: ROLE } }, /EventBridgeParameters is required/],
      [{ Target: { Arn: FUNCTION, RoleArn: 'not-a-role' } }, /Target\.RoleArn/],
      [
        { Target: { Arn: FUNCTION, RoleArn: ROLE, RetryPolicy: { MaximumRetryAttempts: 500 } } },
        /MaximumRetryAttempts/,
      ],
      [{ Name: 'bad name!' }, /Name/],
    ];

    // Act
    const errors = await Promise.all(
      cases.map(([extra], i) =>
        failureOf(client.send(new CreateScheduleCommand(lambdaSchedule(`bad-${i}`, extra)))),
      ),
    );

    // Assess
    errors.forEach((error, i) => {
      expect(error, `case ${i}`).toBeInstanceOf(ValidationException);
      expect((error as Error).message, `case ${i}`).toMatch(cases[i]?.[1] ?? /never/);
    });
  });

  it('answers ResourceNotFoundException for unknown schedules and groups', async () => {
    // Act
    const get = await failureOf(client.send(new GetScheduleCommand({ Name: 'missing' })));
    const del = await failureOf(client.send(new DeleteScheduleCommand({ Name: 'missing' })));
    const update = await failureOf(client.send(new UpdateScheduleCommand(lambdaSchedule('missing'))));
    const inGroup = await failureOf(
      client.send(new CreateScheduleCommand(lambdaSchedule('x', { GroupName: 'no-group' }))),
    );

    // Assess
    for (const error of [get, del, update, inGroup]) expect(error).toBeInstanceOf(ResourceNotFoundException);
  });

  it('manages schedule groups: create, get, list, delete with its schedules', async () => {
    // Prepare
    const group = uniqueName('certs');
    const { ScheduleGroupArn } = await client.send(new CreateScheduleGroupCommand({ Name: group }));
    await client.send(new CreateScheduleCommand(lambdaSchedule('in-group', { GroupName: group })));

    // Act
    const got = await client.send(new GetScheduleGroupCommand({ Name: group }));
    const groups = await client.send(new ListScheduleGroupsCommand({}));
    const listed = await client.send(new ListSchedulesCommand({ GroupName: group }));
    const duplicate = await failureOf(client.send(new CreateScheduleGroupCommand({ Name: group })));
    await client.send(new DeleteScheduleGroupCommand({ Name: group }));
    const deletedDefault = await failureOf(client.send(new DeleteScheduleGroupCommand({ Name: 'default' })));

    // Assess
    expect(ScheduleGroupArn).toBe(`arn:aws:scheduler:us-east-1:000000000000:schedule-group/${group}`);
    expect(got).toMatchObject({ Name: group, State: 'ACTIVE', Arn: ScheduleGroupArn });
    expect(groups.ScheduleGroups?.map((g) => g.Name)).toEqual(expect.arrayContaining(['default', group]));
    expect(listed.Schedules?.map((s) => [s.Name, s.GroupName, s.Target?.Arn])).toEqual([
      ['in-group', group, FUNCTION],
    ]);
    expect(duplicate).toBeInstanceOf(ConflictException);
    expect(deletedDefault).toBeInstanceOf(ValidationException);
    expect(
      await failureOf(client.send(new GetScheduleCommand({ Name: 'in-group', GroupName: group }))),
    ).toBeInstanceOf(ResourceNotFoundException);
  });

  it('lists schedules by name prefix, page by page', async () => {
    // Prepare
    const prefix = uniqueName('page');
    for (const suffix of ['a', 'b', 'c'])
      await client.send(new CreateScheduleCommand(lambdaSchedule(`${prefix}-${suffix}`)));

    // Act
    const first = await client.send(new ListSchedulesCommand({ NamePrefix: prefix, MaxResults: 2 }));
    const second = await client.send(
      new ListSchedulesCommand({ NamePrefix: prefix, MaxResults: 2, NextToken: first.NextToken }),
    );

    // Assess
    expect(first.Schedules?.map((s) => s.Name)).toEqual([`${prefix}-a`, `${prefix}-b`]);
    expect(second.Schedules?.map((s) => s.Name)).toEqual([`${prefix}-c`]);
    expect(second.NextToken).toBeUndefined();
  });

  it('keeps schedules across a restart and fires them from the new instance', async () => {
    // Prepare
    const name = uniqueName('persisted');
    await client.send(
      new CreateScheduleCommand(lambdaSchedule(name, { ScheduleExpression: 'at(2030-01-01T01:00:00)' })),
    );
    let restarted: SchedulerService | undefined;
    const second = await startTestEdge(
      (context) => {
        restarted = new SchedulerService({ ...context, now: () => new Date(clock) });
        return [restarted];
      },
      { dataDir },
    );

    try {
      // Act
      const fired = (await restarted?.tick(new Date(T0 + 60 * 60_000))) ?? [];

      // Assess
      expect(fired.map((f) => f.scheduleArn)).toContain(
        `arn:aws:scheduler:us-east-1:000000000000:schedule/default/${name}`,
      );
      expect(second.invocations.map((i) => i.target)).toContain(FUNCTION);
    } finally {
      await second.close();
    }
  });
});
