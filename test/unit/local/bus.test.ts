import { afterEach, describe, expect, it, vi } from 'vitest';
import { backoffDelay } from '../../../infra/local/bus/delivery';
import { type BusActivity, LocalEventBus } from '../../../infra/local/bus/event-bus';
import { InvalidEventPatternError } from '../../../infra/local/bus/pattern';
import { InvalidScheduleError } from '../../../infra/local/bus/schedule';
import type { BusEntry, BusEvent } from '../../../infra/local/types';
import { BadRequestError, ConflictError, NotFoundError } from '../../../shared/errors';

const ACCOUNT = '000000000000';
const FAST = { baseDelayMs: 1, maxDelayMs: 4 };

interface Invocation {
  readonly functionName: string;
  readonly event: BusEvent;
}

/** A bus whose local functions are recorded, and fail as `failures` says (function -> failures left). */
function makeBus(options: { now?: () => Date; failures?: Map<string, number> } = {}) {
  const invocations: Invocation[] = [];
  const failures = options.failures ?? new Map<string, number>();
  const bus = new LocalEventBus({
    region: 'us-east-1',
    accountId: ACCOUNT,
    backoff: FAST,
    ...(options.now ? { now: options.now } : {}),
    invoke: async (functionName, event) => {
      invocations.push({ functionName, event: event as BusEvent });
      const left = failures.get(functionName) ?? 0;
      if (left > 0) {
        failures.set(functionName, left - 1);
        throw new Error(`${functionName} failed`);
      }
    },
  });
  return { bus, invocations };
}

const meshCall: BusEntry = {
  source: 'aws.appmesh',
  detailType: 'AWS API Call via CloudTrail',
  detail: { eventName: 'UpdateRoute', requestParameters: { meshName: 'prod' } },
  resources: ['arn:aws:appmesh:us-east-1:000000000000:mesh/prod'],
};

describe('local event bus: putEvents', () => {
  it('stamps id, time, account and region and delivers to a matching rule', async () => {
    // Prepare
    const now = new Date('2026-04-01T12:34:56.789Z');
    const { bus, invocations } = makeBus({ now: () => now });
    bus.addLocalRule({
      name: 'mesh-changes',
      eventPattern: { source: ['aws.appmesh'], detail: { eventName: [{ prefix: 'Update' }] } },
      target: { functionName: 'mesh-guard' },
    });

    // Act
    const [id] = await bus.putEvents([meshCall]);
    await bus.drain();

    // Assess
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(invocations).toEqual([
      {
        functionName: 'mesh-guard',
        event: {
          version: '0',
          id,
          'detail-type': 'AWS API Call via CloudTrail',
          source: 'aws.appmesh',
          account: ACCOUNT,
          time: '2026-04-01T12:34:56Z',
          region: 'us-east-1',
          resources: ['arn:aws:appmesh:us-east-1:000000000000:mesh/prod'],
          detail: meshCall.detail,
        },
      },
    ]);
  });

  it('keeps the time the entry gives', async () => {
    const { bus, invocations } = makeBus();
    bus.addLocalRule({ name: 'all', eventPattern: { source: ['app'] }, target: { functionName: 'f' } });

    await bus.putEvents([
      { source: 'app', detailType: 'x', detail: {}, time: new Date('2020-01-02T03:04:05Z') },
    ]);
    await bus.drain();

    expect(invocations[0]?.event.time).toBe('2020-01-02T03:04:05Z');
  });

  it('does not deliver an event no rule matches, nor to a disabled rule', async () => {
    const { bus, invocations } = makeBus();
    bus.addLocalRule({
      name: 'acm',
      eventPattern: { source: ['aws.acm'] },
      target: { functionName: 'rotator' },
    });
    bus.addLocalRule({
      name: 'mesh',
      eventPattern: { source: ['aws.appmesh'] },
      target: { functionName: 'guard' },
    });
    bus.setRuleState('mesh', undefined, 'DISABLED');

    await bus.putEvents([meshCall]);
    await bus.drain();

    expect(invocations).toEqual([]);
  });

  it('withholds a read-only CloudTrail event from an ENABLED rule and delivers it to an opted-in one', async () => {
    // Prepare
    const { bus, invocations } = makeBus();
    const pattern = { source: ['aws.sts'], detail: { eventName: ['AssumeRoleWithWebIdentity'] } };
    bus.addLocalRule({ name: 'default-state', eventPattern: pattern, target: { functionName: 'plain' } });
    bus.addLocalRule({
      name: 'opted-in',
      eventPattern: pattern,
      state: 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS',
      target: { functionName: 'opted' },
    });
    const call = (readOnly: boolean): BusEntry => ({
      source: 'aws.sts',
      detailType: 'AWS API Call via CloudTrail',
      detail: { eventName: 'AssumeRoleWithWebIdentity', readOnly, managementEvent: true },
    });

    // Act
    await bus.putEvents([call(true)]);
    await bus.drain();
    const readOnlyReached = invocations.map((i) => i.functionName);
    await bus.putEvents([call(false)]);
    await bus.drain();

    // Assess
    expect(readOnlyReached).toEqual(['opted']);
    expect(
      invocations
        .slice(1)
        .map((i) => i.functionName)
        .sort(),
    ).toEqual(['opted', 'plain']);
    expect(bus.describeRule('opted-in').state).toBe('ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS');
  });

  it('withholds only read-only management events delivered by CloudTrail', async () => {
    // Prepare
    const { bus, invocations } = makeBus();
    bus.addLocalRule({
      name: 'all',
      eventPattern: { detail: { readOnly: [true] } },
      target: { functionName: 'f' },
    });
    const entries: BusEntry[] = [
      // A read-only data event (S3 GetObject) is not a management event.
      {
        source: 'aws.s3',
        detailType: 'AWS API Call via CloudTrail',
        detail: { eventName: 'GetObject', readOnly: true, managementEvent: false },
      },
      // An application's own event, whatever its detail says, is not CloudTrail's.
      { source: 'app', detailType: 'AWS API Call via CloudTrail', detail: { readOnly: true } },
      { source: 'aws.sts', detailType: 'Other', detail: { readOnly: true } },
      // Withheld.
      { source: 'aws.appmesh', detailType: 'AWS API Call via CloudTrail', detail: { readOnly: true } },
    ];

    // Act
    for (const entry of entries) {
      await bus.putEvents([entry]);
      await bus.drain();
    }

    // Assess
    expect(invocations.map((i) => i.event.source)).toEqual(['aws.s3', 'app', 'aws.sts']);
  });

  it('refuses entries without source or detail type, each on its own', () => {
    const { bus } = makeBus();

    const results = bus.putEntries([
      { ...meshCall, source: '' },
      meshCall,
      { ...meshCall, detailType: '' },
      { ...meshCall, eventBusName: 'nope' },
    ]);

    expect(results[0]).toEqual({
      errorCode: 'InvalidArgument',
      errorMessage: 'Parameter Source is not valid. Reason: Source is a required argument.',
    });
    expect(results[1]).toHaveProperty('eventId');
    expect(results[2]).toMatchObject({
      errorCode: 'InvalidArgument',
      errorMessage: expect.stringContaining('DetailType'),
    });
    expect(results[3]).toEqual({
      errorCode: 'ResourceNotFoundException',
      errorMessage: 'Event bus nope does not exist.',
    });
  });

  it('throws from putEvents (the runtime API) when an entry is refused', async () => {
    const { bus } = makeBus();

    await expect(bus.putEvents([{ ...meshCall, eventBusName: 'missing' }])).rejects.toThrow(BadRequestError);
  });

  it('routes to a custom bus by name or ARN, and forwards bus to bus', async () => {
    // Prepare
    const { bus, invocations } = makeBus();
    bus.addLocalRule({
      name: 'decisions',
      busName: 'meshwarden',
      eventPattern: { source: ['meshwarden'] },
      target: { functionName: 'audit' },
    });
    bus.addLocalRule({
      name: 'forward',
      eventPattern: { source: ['meshwarden'] },
      target: { busName: 'meshwarden' },
    });

    // Act
    await bus.putEvents([
      {
        source: 'meshwarden',
        detailType: 'Decision',
        detail: { n: 1 },
        eventBusName: 'arn:aws:events:us-east-1:000000000000:event-bus/meshwarden',
      },
      { source: 'meshwarden', detailType: 'Decision', detail: { n: 2 } },
    ]);
    await bus.drain();

    // Assess
    expect(invocations.map((i) => i.event.detail.n).sort()).toEqual([1, 2]);
  });

  it('stops an event that loops between buses and dead-letters it', async () => {
    const { bus } = makeBus();
    const once = { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 };
    bus.addLocalRule({
      name: 'a-to-b',
      busName: 'a',
      eventPattern: { source: ['loop'] },
      target: { busName: 'b', retryPolicy: once },
    });
    bus.addLocalRule({
      name: 'b-to-a',
      busName: 'b',
      eventPattern: { source: ['loop'] },
      target: { busName: 'a', retryPolicy: once },
    });

    await bus.putEvents([{ source: 'loop', detailType: 'x', detail: {}, eventBusName: 'a' }]);
    await bus.drain();

    expect(bus.deadLetters()).toHaveLength(1);
    expect(bus.deadLetters()[0]?.errorMessage).toMatch(/went through more than 5 buses/);
  });
});

describe('local event bus: retries and dead letters', () => {
  it('retries a failing target and delivers at least once', async () => {
    const { bus, invocations } = makeBus({ failures: new Map([['flaky', 2]]) });
    bus.addLocalRule({
      name: 'r',
      eventPattern: { source: ['app'] },
      target: {
        functionName: 'flaky',
        retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 60 },
      },
    });
    const activity: BusActivity[] = [];
    bus.onActivity((a) => activity.push(a));

    await bus.putEvents([{ source: 'app', detailType: 'x', detail: {} }]);
    await bus.drain();

    expect(invocations).toHaveLength(3);
    expect(new Set(invocations.map((i) => i.event.id)).size).toBe(1);
    expect(activity.map((a) => a.kind)).toEqual(['event', 'retrying', 'retrying', 'delivered']);
    expect(bus.deadLetters()).toEqual([]);
  });

  it('dead-letters after MaximumRetryAttempts with the last error', async () => {
    // Prepare
    const now = new Date('2026-04-01T00:00:00Z');
    const { bus, invocations } = makeBus({ now: () => now, failures: new Map([['broken', 100]]) });
    bus.addLocalRule({
      name: 'r',
      eventPattern: { source: ['app'] },
      target: {
        id: 't1',
        functionName: 'broken',
        retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 3600 },
      },
    });

    // Act
    const [id] = await bus.putEvents([{ source: 'app', detailType: 'x', detail: { k: 'v' } }]);
    await bus.drain();

    // Assess
    expect(invocations).toHaveLength(3);
    expect(bus.deadLetters()).toEqual([
      {
        busName: 'default',
        ruleName: 'r',
        targetId: 't1',
        targetArn: 'arn:aws:lambda:us-east-1:000000000000:function:broken',
        event: expect.objectContaining({ id, detail: { k: 'v' } }),
        errorMessage: 'broken failed',
        attempts: 3,
        time: '2026-04-01T00:00:00.000Z',
      },
    ]);
  });

  it('dead-letters without retrying when the event is older than MaximumEventAgeInSeconds', async () => {
    const { bus, invocations } = makeBus({ failures: new Map([['broken', 100]]) });
    bus.addLocalRule({
      name: 'r',
      eventPattern: { source: ['app'] },
      target: {
        functionName: 'broken',
        retryPolicy: { maximumRetryAttempts: 10, maximumEventAgeInSeconds: 60 },
      },
    });

    await bus.putEvents([
      { source: 'app', detailType: 'x', detail: {}, time: new Date(Date.now() - 120_000) },
    ]);
    await bus.drain();

    expect(invocations).toHaveLength(1);
    expect(bus.deadLetters()[0]?.attempts).toBe(1);
  });

  it('dead-letters a target when no function runtime is set', async () => {
    const bus = new LocalEventBus({ region: 'us-east-1', accountId: ACCOUNT, backoff: FAST });
    bus.addLocalRule({
      name: 'r',
      eventPattern: { source: ['app'] },
      target: { functionName: 'f', retryPolicy: { maximumRetryAttempts: 0, maximumEventAgeInSeconds: 60 } },
    });

    await bus.putEvents([{ source: 'app', detailType: 'x', detail: {} }]);
    await bus.drain();

    expect(bus.deadLetters()[0]?.errorMessage).toMatch(/No local function runtime/);
  });

  it('drain waits for deliveries that put further events', async () => {
    // Prepare
    const seen: string[] = [];
    const bus: LocalEventBus = new LocalEventBus({
      region: 'us-east-1',
      accountId: ACCOUNT,
      backoff: FAST,
      invoke: async (fn, event) => {
        seen.push(fn);
        await new Promise((resolve) => setTimeout(resolve, 5));
        if (fn === 'first')
          await bus.putEvents([
            { source: 'second', detailType: 'x', detail: { from: (event as BusEvent).id } },
          ]);
      },
    });
    bus.addLocalRule({ name: 'one', eventPattern: { source: ['first'] }, target: { functionName: 'first' } });
    bus.addLocalRule({
      name: 'two',
      eventPattern: { source: ['second'] },
      target: { functionName: 'second' },
    });

    // Act
    await bus.putEvents([{ source: 'first', detailType: 'x', detail: {} }]);
    await bus.drain();

    // Assess
    expect(seen).toEqual(['first', 'second']);
  });

  it('computes exponential backoff with a cap and bounded jitter', () => {
    const options = { baseDelayMs: 100, maxDelayMs: 1000 };

    const delays = [1, 2, 3, 4, 5].map((retry) => backoffDelay(retry, options, () => 0));
    const jittered = backoffDelay(1, options, () => 1);

    expect(delays).toEqual([100, 200, 400, 800, 1000]);
    expect(jittered).toBe(120);
  });
});

describe('local event bus: rules, targets and buses', () => {
  it('sends Input or the InputPath selection instead of the event', async () => {
    const { bus, invocations } = makeBus();
    bus.putRule({ name: 'r', eventPattern: '{"source":["app"]}' });
    bus.putTargets('r', undefined, [
      { id: 'const', arn: 'arn:aws:lambda:us-east-1:000000000000:function:a', input: '{"fixed":true}' },
      { id: 'path', arn: 'arn:aws:lambda:us-east-1:000000000000:function:b', inputPath: '$.detail.inner' },
    ]);

    await bus.putEvents([{ source: 'app', detailType: 'x', detail: { inner: { v: 1 } } }]);
    await bus.drain();

    const byFunction = Object.fromEntries(invocations.map((i) => [i.functionName, i.event]));
    expect(byFunction).toEqual({ a: { fixed: true }, b: { v: 1 } });
  });

  it('refuses targets it cannot deliver to, and more than five per rule', () => {
    const { bus } = makeBus();
    bus.putRule({ name: 'r', eventPattern: '{"source":["app"]}' });
    const fn = (n: number) => ({ id: `f${n}`, arn: `arn:aws:lambda:us-east-1:000000000000:function:f${n}` });

    const failed = bus.putTargets('r', undefined, [
      fn(1),
      { id: 'queue', arn: 'arn:aws:sqs:us-east-1:000000000000:q' },
      { id: 'bad id!', arn: fn(2).arn },
      fn(2),
      fn(3),
      fn(4),
      fn(5),
      fn(6),
    ]);

    expect(failed.map((f) => [f.targetId, f.errorCode])).toEqual([
      ['queue', 'ValidationException'],
      ['bad id!', 'ValidationException'],
      ['f6', 'LimitExceededException'],
    ]);
    expect(bus.listTargets('r').map((t) => t.id)).toEqual(['f1', 'f2', 'f3', 'f4', 'f5']);
  });

  it('refuses to delete a rule that has targets, then deletes it once they are removed', () => {
    const { bus } = makeBus();
    bus.putRule({ name: 'r', eventPattern: '{"source":["app"]}' });
    bus.putTargets('r', undefined, [{ id: 't', arn: 'arn:aws:lambda:us-east-1:000000000000:function:f' }]);

    expect(() => bus.deleteRule('r')).toThrow(BadRequestError);
    bus.removeTargets('r', undefined, ['t']);
    bus.deleteRule('r');

    expect(() => bus.describeRule('r')).toThrow(NotFoundError);
  });

  it('keeps targets when a rule is updated', () => {
    const { bus } = makeBus();
    bus.putRule({ name: 'r', eventPattern: '{"source":["a"]}' });
    bus.putTargets('r', undefined, [{ id: 't', arn: 'arn:aws:lambda:us-east-1:000000000000:function:f' }]);

    bus.putRule({ name: 'r', eventPattern: '{"source":["b"]}', description: 'changed' });

    expect(bus.describeRule('r')).toMatchObject({ eventPattern: '{"source":["b"]}', description: 'changed' });
    expect(bus.listTargets('r')).toHaveLength(1);
  });

  it('refuses bad rules: pattern, schedule, both missing, schedule on a custom bus, bad name', () => {
    const { bus } = makeBus();
    bus.createBus('custom');

    expect(() => bus.putRule({ name: 'r', eventPattern: '{"source":"x"}' })).toThrow(
      InvalidEventPatternError,
    );
    expect(() => bus.putRule({ name: 'r', scheduleExpression: 'rate(5 minute)' })).toThrow(
      InvalidScheduleError,
    );
    expect(() => bus.putRule({ name: 'r' })).toThrow(/EventPattern or ScheduleExpression must be specified/);
    expect(() =>
      bus.putRule({ name: 'r', busName: 'custom', scheduleExpression: 'rate(5 minutes)' }),
    ).toThrow(/only on the default event bus/);
    expect(() => bus.putRule({ name: 'no spaces', eventPattern: '{"source":["x"]}' })).toThrow(
      BadRequestError,
    );
    expect(() => bus.putRule({ name: 'r', busName: 'missing', eventPattern: '{"source":["x"]}' })).toThrow(
      NotFoundError,
    );
  });

  it('creates, lists and deletes buses; refuses duplicates and the default bus', () => {
    const { bus } = makeBus();

    const arn = bus.createBus('orders', 'order events');

    expect(arn).toBe('arn:aws:events:us-east-1:000000000000:event-bus/orders');
    expect(() => bus.createBus('orders')).toThrow(ConflictError);
    expect(() => bus.createBus('default')).toThrow(BadRequestError);
    expect(bus.listBuses().map((b) => b.name)).toEqual(['default', 'orders']);
    expect(() => bus.deleteBus('default')).toThrow(BadRequestError);
    bus.deleteBus('orders');
    expect(() => bus.describeBus('orders')).toThrow(NotFoundError);
  });

  it('lists rules sorted by name with a prefix filter', () => {
    const { bus } = makeBus();
    for (const name of ['b-rule', 'a-rule', 'a-other'])
      bus.putRule({ name, eventPattern: '{"source":["x"]}' });

    expect(bus.listRules(undefined, 'a-').map((r) => r.name)).toEqual(['a-other', 'a-rule']);
  });

  it('snapshots API rules (not local ones) and restores them with their targets', async () => {
    // Prepare
    const { bus } = makeBus();
    bus.createBus('custom');
    bus.putRule({ name: 'api', busName: 'custom', eventPattern: '{"source":["app"]}' });
    bus.putTargets('api', 'custom', [{ id: 't', arn: 'arn:aws:lambda:us-east-1:000000000000:function:f' }]);
    bus.addLocalRule({ name: 'local', eventPattern: { source: ['x'] }, target: { functionName: 'g' } });

    // Act
    const state = JSON.parse(JSON.stringify(bus.snapshot()));
    const { bus: restored, invocations } = makeBus();
    const skipped = restored.restore(state);
    await restored.putEvents([{ source: 'app', detailType: 'x', detail: {}, eventBusName: 'custom' }]);
    await restored.drain();

    // Assess
    expect(skipped).toEqual([]);
    expect(state.rules.map((r: { name: string }) => r.name)).toEqual(['api']);
    expect(invocations.map((i) => i.functionName)).toEqual(['f']);
  });
});

describe('local event bus: schedules', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires a cron rule on time with a Scheduled Event naming the rule', async () => {
    // Prepare
    vi.useFakeTimers({ now: new Date('2026-03-10T02:58:30Z') });
    const { bus, invocations } = makeBus();
    bus.addLocalRule({
      name: 'nightly',
      scheduleExpression: 'cron(0 3 * * ? *)',
      target: { functionName: 'rotate' },
    });

    // Act
    await vi.advanceTimersByTimeAsync(60_000);
    const beforeThree = invocations.length;
    await vi.advanceTimersByTimeAsync(31_000);
    await bus.drain();

    // Assess
    expect(beforeThree).toBe(0);
    expect(invocations).toHaveLength(1);
    expect(invocations[0]?.event).toMatchObject({
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      time: '2026-03-10T03:00:00Z',
      resources: ['arn:aws:events:us-east-1:000000000000:rule/nightly'],
      detail: {},
    });
    await bus.close();
  });

  it('fires a rate rule every interval and stops when disabled', async () => {
    vi.useFakeTimers({ now: new Date('2026-03-10T00:00:00Z') });
    const { bus, invocations } = makeBus();
    bus.addLocalRule({
      name: 'tick',
      scheduleExpression: 'rate(5 minutes)',
      target: { functionName: 'tick' },
    });

    await vi.advanceTimersByTimeAsync(15 * 60_000);
    bus.setRuleState('tick', undefined, 'DISABLED');
    await vi.advanceTimersByTimeAsync(15 * 60_000);
    await bus.drain();

    expect(invocations.map((i) => i.event.time)).toEqual([
      '2026-03-10T00:05:00Z',
      '2026-03-10T00:10:00Z',
      '2026-03-10T00:15:00Z',
    ]);
    await bus.close();
  });
});
