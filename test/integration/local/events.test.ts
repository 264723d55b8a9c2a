import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateEventBusCommand,
  DeleteEventBusCommand,
  DeleteRuleCommand,
  DescribeEventBusCommand,
  DescribeRuleCommand,
  EventBridgeClient,
  ListEventBusesCommand,
  ListRulesCommand,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  TestEventPatternCommand,
} from '@aws-sdk/client-eventbridge';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LocalEventBus } from '../../../infra/local/bus/event-bus';
import { EventsService } from '../../../infra/local/services/events/events-service';
import { startTestEdge, type TestEdge } from '../../support/local-edge';

const FN = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;

interface Harness {
  edge: TestEdge;
  bus: LocalEventBus;
  client: EventBridgeClient;
  invocations: { functionName: string; event: unknown }[];
}

async function startEvents(dataDir?: string): Promise<Harness> {
  const invocations: { functionName: string; event: unknown }[] = [];
  let bus: LocalEventBus | undefined;
  const edge = await startTestEdge(
    (context) => {
      bus = new LocalEventBus({
        region: context.region,
        accountId: context.accountId,
        backoff: { baseDelayMs: 1, maxDelayMs: 2 },
        invoke: async (functionName, event) => {
          invocations.push({ functionName, event });
        },
      });
      return [new EventsService(context, bus)];
    },
    dataDir === undefined ? {} : { dataDir },
  );
  if (bus === undefined) throw new Error('bus not created');
  const client = new EventBridgeClient({ ...edge.clientConfig, maxAttempts: 1 });
  return { edge, bus, client, invocations };
}

describe('local EventBridge through @aws-sdk/client-eventbridge', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startEvents();
  });
  afterAll(async () => {
    await h.edge.close();
    await h.bus.close();
  });

  it('puts a rule with a Lambda target and delivers a matching PutEvents entry', async () => {
    // Prepare
    const rule = await h.client.send(
      new PutRuleCommand({
        Name: 'mesh-changes',
        EventPattern: JSON.stringify({
          source: ['aws.appmesh'],
          'detail-type': ['AWS API Call via CloudTrail'],
        }),
      }),
    );
    await h.client.send(
      new PutTargetsCommand({ Rule: 'mesh-changes', Targets: [{ Id: 'guard', Arn: FN('mesh-guard') }] }),
    );

    // Act
    const out = await h.client.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: 'aws.appmesh',
            DetailType: 'AWS API Call via CloudTrail',
            Detail: JSON.stringify({ eventName: 'UpdateRoute' }),
            Time: new Date('2026-02-03T04:05:06Z'),
          },
          { Source: 'other', DetailType: 'x', Detail: '{}' },
        ],
      }),
    );
    await h.bus.drain();

    // Assess
    expect(rule.RuleArn).toBe('arn:aws:events:us-east-1:000000000000:rule/mesh-changes');
    expect(out.FailedEntryCount).toBe(0);
    expect(out.Entries?.every((e) => typeof e.EventId === 'string')).toBe(true);
    expect(h.invocations).toEqual([
      {
        functionName: 'mesh-guard',
        event: expect.objectContaining({
          id: out.Entries?.[0]?.EventId,
          source: 'aws.appmesh',
          time: '2026-02-03T04:05:06Z',
          account: '000000000000',
          region: 'us-east-1',
          detail: { eventName: 'UpdateRoute' },
        }),
      },
    ]);
  });

  it('answers per-entry errors for bad entries, as AWS does', async () => {
    const out = await h.client.send(
      new PutEventsCommand({
        Entries: [
          { Source: 'app', DetailType: 'x', Detail: '{not json' },
          { DetailType: 'x', Detail: '{}' },
          { Source: 'app', Detail: '{}' },
          { Source: 'app', DetailType: 'x', Detail: '{}', EventBusName: 'missing' },
          { Source: 'app', DetailType: 'x', Detail: '{}' },
        ],
      }),
    );

    expect(out.FailedEntryCount).toBe(4);
    expect(out.Entries?.map((e) => e.ErrorCode ?? 'ok')).toEqual([
      'MalformedDetail',
      'InvalidArgument',
      'InvalidArgument',
      'ResourceNotFoundException',
      'ok',
    ]);
  });

  it('refuses more than 10 entries as a whole request', async () => {
    const entries = Array.from({ length: 11 }, () => ({ Source: 'a', DetailType: 'b', Detail: '{}' }));

    await expect(h.client.send(new PutEventsCommand({ Entries: entries }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('refuses a malformed pattern with InvalidEventPatternException', async () => {
    await expect(
      h.client.send(new PutRuleCommand({ Name: 'bad', EventPattern: '{"source": "aws.ec2"}' })),
    ).rejects.toMatchObject({
      name: 'InvalidEventPatternException',
      message: expect.stringContaining('must be an object or an array'),
    });
  });

  it('refuses a bad schedule expression with ValidationException', async () => {
    await expect(
      h.client.send(new PutRuleCommand({ Name: 'bad', ScheduleExpression: 'rate(5 minute)' })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('describes a rule, and answers ResourceNotFoundException for an unknown one', async () => {
    await h.client.send(
      new PutRuleCommand({ Name: 'nightly', ScheduleExpression: 'cron(0 3 * * ? *)', Description: 'rotate' }),
    );

    const described = await h.client.send(new DescribeRuleCommand({ Name: 'nightly' }));

    expect(described).toMatchObject({
      Name: 'nightly',
      Arn: 'arn:aws:events:us-east-1:000000000000:rule/nightly',
      ScheduleExpression: 'cron(0 3 * * ? *)',
      State: 'ENABLED',
      Description: 'rotate',
      EventBusName: 'default',
    });
    await expect(h.client.send(new DescribeRuleCommand({ Name: 'nope' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: 'Rule nope does not exist on EventBus default.',
    });
  });

  it('keeps State ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS, and refuses a state outside the enum', async () => {
    // Prepare
    const opted = 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS' as const;
    await h.client.send(
      new PutRuleCommand({ Name: 'reads-too', EventPattern: '{"source":["aws.sts"]}', State: opted }),
    );

    // Act
    const described = await h.client.send(new DescribeRuleCommand({ Name: 'reads-too' }));
    const listed = await h.client.send(new ListRulesCommand({ NamePrefix: 'reads-too' }));
    const refused = h.client.send(
      new PutRuleCommand({
        Name: 'bad-state',
        EventPattern: '{"source":["x"]}',
        State: 'ENABLED_WITH_READS' as typeof opted,
      }),
    );

    // Assess
    expect(described.State).toBe(opted);
    expect(listed.Rules?.map((r) => r.State)).toEqual([opted]);
    await expect(refused).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining("Value 'ENABLED_WITH_READS' at 'state' failed to satisfy constraint"),
    });
    await expect(h.client.send(new DescribeRuleCommand({ Name: 'bad-state' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('delivers a read-only CloudTrail event only to the rule that opted in to it', async () => {
    // Prepare
    const pattern = '{"source":["aws.sts"],"detail":{"eventName":["AssumeRoleWithWebIdentity"]}}';
    await h.client.send(new PutRuleCommand({ Name: 'sts-enabled', EventPattern: pattern }));
    await h.client.send(
      new PutRuleCommand({
        Name: 'sts-all',
        EventPattern: pattern,
        State: 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS',
      }),
    );
    for (const [rule, fn] of [
      ['sts-enabled', 'enabled-fn'],
      ['sts-all', 'all-fn'],
    ] as const) {
      await h.client.send(new PutTargetsCommand({ Rule: rule, Targets: [{ Id: 't', Arn: FN(fn) }] }));
    }
    const before = h.invocations.length;

    // Act: as CloudTrail delivers it (applications may not use aws.* sources).
    await h.bus.putEvents([
      {
        source: 'aws.sts',
        detailType: 'AWS API Call via CloudTrail',
        detail: { eventName: 'AssumeRoleWithWebIdentity', readOnly: true, managementEvent: true },
      },
    ]);
    await h.bus.drain();

    // Assess
    expect(h.invocations.slice(before).map((i) => i.functionName)).toEqual(['all-fn']);
  });

  it('refuses to delete a rule with targets, then deletes it after RemoveTargets', async () => {
    await h.client.send(new PutRuleCommand({ Name: 'doomed', EventPattern: '{"source":["x"]}' }));
    await h.client.send(new PutTargetsCommand({ Rule: 'doomed', Targets: [{ Id: 't', Arn: FN('f') }] }));

    await expect(h.client.send(new DeleteRuleCommand({ Name: 'doomed' }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: "Rule can't be deleted since it has targets.",
    });
    const removed = await h.client.send(new RemoveTargetsCommand({ Rule: 'doomed', Ids: ['t'] }));
    await h.client.send(new DeleteRuleCommand({ Name: 'doomed' }));

    expect(removed.FailedEntryCount).toBe(0);
    await expect(h.client.send(new DescribeRuleCommand({ Name: 'doomed' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('reports unsupported targets in FailedEntries and lists the others with their retry policy', async () => {
    await h.client.send(new PutRuleCommand({ Name: 'targets', EventPattern: '{"source":["x"]}' }));

    const put = await h.client.send(
      new PutTargetsCommand({
        Rule: 'targets',
        Targets: [
          { Id: 'fn', Arn: FN('f'), RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 600 } },
          { Id: 'queue', Arn: 'arn:aws:sqs:us-east-1:000000000000:q' },
          { Id: 'bus', Arn: 'arn:aws:events:us-east-1:000000000000:event-bus/default' },
        ],
      }),
    );
    const listed = await h.client.send(new ListTargetsByRuleCommand({ Rule: 'targets' }));

    expect(put.FailedEntryCount).toBe(1);
    expect(put.FailedEntries?.[0]).toMatchObject({ TargetId: 'queue', ErrorCode: 'ValidationException' });
    expect(listed.Targets).toEqual([
      { Id: 'bus', Arn: 'arn:aws:events:us-east-1:000000000000:event-bus/default' },
      { Id: 'fn', Arn: FN('f'), RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 600 } },
    ]);
  });

  it('lists rules by prefix, a page at a time', async () => {
    for (const n of [1, 2, 3, 4, 5])
      await h.client.send(new PutRuleCommand({ Name: `page-${n}`, EventPattern: '{"source":["x"]}' }));

    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const out = await h.client.send(
        new ListRulesCommand({ NamePrefix: 'page-', Limit: 2, NextToken: token }),
      );
      names.push(...(out.Rules ?? []).map((r) => r.Name ?? ''));
      token = out.NextToken;
      pages++;
    } while (token !== undefined);

    expect(names).toEqual(['page-1', 'page-2', 'page-3', 'page-4', 'page-5']);
    expect(pages).toBe(3);
    await expect(h.client.send(new ListRulesCommand({ NextToken: 'garbage' }))).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('creates, describes, lists and deletes a custom bus; refuses a duplicate', async () => {
    const created = await h.client.send(
      new CreateEventBusCommand({ Name: 'meshwarden', Description: 'decisions' }),
    );

    await expect(h.client.send(new CreateEventBusCommand({ Name: 'meshwarden' }))).rejects.toMatchObject({
      name: 'ResourceAlreadyExistsException',
    });
    const described = await h.client.send(new DescribeEventBusCommand({ Name: 'meshwarden' }));
    const listed = await h.client.send(new ListEventBusesCommand({}));
    await h.client.send(new DeleteEventBusCommand({ Name: 'meshwarden' }));

    expect(created.EventBusArn).toBe('arn:aws:events:us-east-1:000000000000:event-bus/meshwarden');
    expect(described).toMatchObject({
      Name: 'meshwarden',
      Description: 'decisions',
      CreationTime: expect.any(Date),
    });
    expect(listed.EventBuses?.map((b) => b.Name)).toEqual(['default', 'meshwarden']);
    await expect(h.client.send(new DescribeEventBusCommand({ Name: 'meshwarden' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('tests an event pattern, and refuses an event missing mandatory fields', async () => {
    const event = {
      id: '1',
      account: '111122223333',
      source: 'aws.ec2',
      time: '2017-12-22T18:43:48Z',
      region: 'us-west-1',
      resources: [],
      'detail-type': 'EC2 Instance State-change Notification',
      detail: { state: 'terminated' },
    };

    const yes = await h.client.send(
      new TestEventPatternCommand({
        EventPattern: '{"detail":{"state":["terminated"]}}',
        Event: JSON.stringify(event),
      }),
    );
    const no = await h.client.send(
      new TestEventPatternCommand({
        EventPattern: '{"detail":{"state":["running"]}}',
        Event: JSON.stringify(event),
      }),
    );

    expect(yes.Result).toBe(true);
    expect(no.Result).toBe(false);
    await expect(
      h.client.send(
        new TestEventPatternCommand({ EventPattern: '{"source":["x"]}', Event: '{"source":"x"}' }),
      ),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('Missing: id, account'),
    });
    await expect(
      h.client.send(
        new TestEventPatternCommand({ EventPattern: '{"source":[]}', Event: JSON.stringify(event) }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidEventPatternException' });
  });

  it('tests patterns with the bus matcher: nested arrays, case folding, and its refusals', async () => {
    // Prepare
    const event = {
      id: '1',
      account: '111122223333',
      source: 'app',
      time: '2017-12-22T18:43:48Z',
      region: 'us-west-1',
      resources: [],
      'detail-type': 'Order',
      detail: { items: [[{ sku: 'a-1' }], [{ sku: 'b-2' }]], city: 'STRASSE' },
    };
    const test = (pattern: unknown) =>
      h.client.send(
        new TestEventPatternCommand({ EventPattern: JSON.stringify(pattern), Event: JSON.stringify(event) }),
      );
    const or = (n: number) => Array.from({ length: n }, (_, i) => ({ k: [`v${i}`] }));

    // Act
    const nested = await test({ detail: { items: { sku: ['b-2'] } } });
    const folded = await test({ detail: { city: [{ 'equals-ignore-case': 'straße' }] } });
    const emptyRange = test({ detail: { n: [{ numeric: ['>=', 5, '<', 3] }] } });
    const tooComplex = h.client.send(
      new PutRuleCommand({
        Name: 'too-complex',
        EventPattern: JSON.stringify({ $or: or(10), detail: { $or: or(10), x: { $or: or(11) } } }),
      }),
    );

    // Assess
    expect(nested.Result).toBe(true);
    expect(folded.Result).toBe(true);
    await expect(emptyRange).rejects.toMatchObject({
      name: 'InvalidEventPatternException',
      message: expect.stringContaining('Bottom must be less than top'),
    });
    await expect(tooComplex).rejects.toMatchObject({ name: 'InvalidEventPatternException' });
    await expect(h.client.send(new DescribeRuleCommand({ Name: 'too-complex' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });
});

describe('local EventBridge persistence', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps buses, rules and targets across a restart', async () => {
    // Prepare
    const dataDir = mkdtempSync(join(tmpdir(), 'events-state-'));
    dirs.push(dataDir);
    const first = await startEvents(dataDir);
    await first.client.send(new CreateEventBusCommand({ Name: 'custom' }));
    await first.client.send(
      new PutRuleCommand({ Name: 'kept', EventBusName: 'custom', EventPattern: '{"source":["app"]}' }),
    );
    await first.client.send(
      new PutTargetsCommand({ Rule: 'kept', EventBusName: 'custom', Targets: [{ Id: 't', Arn: FN('f') }] }),
    );
    await first.edge.close();
    await first.bus.close();

    // Act
    const second = await startEvents(dataDir);
    await second.client.send(
      new PutEventsCommand({
        Entries: [{ Source: 'app', DetailType: 'x', Detail: '{}', EventBusName: 'custom' }],
      }),
    );
    await second.bus.drain();
    const rules = await second.client.send(new ListRulesCommand({ EventBusName: 'custom' }));
    await second.edge.close();
    await second.bus.close();

    // Assess
    expect(rules.Rules?.map((r) => r.Name)).toEqual(['kept']);
    expect(second.invocations.map((i) => i.functionName)).toEqual(['f']);
  });
});
