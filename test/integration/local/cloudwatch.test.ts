import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  ListTagsForResourceCommand,
  PutCompositeAlarmCommand,
  PutMetricAlarmCommand,
  type PutMetricAlarmCommandInput,
  SetAlarmStateCommand,
  TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-cloudwatch';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CloudWatchService } from '../../../infra/local/services/cloudwatch/cloudwatch-service';
import { alarmStateChangeDetail } from '../../../shared/events/cloudwatch-alarm';
import { startTestEdge, type TestEdge } from '../../support/local-edge';

const ARN = (name: string) => `arn:aws:cloudwatch:us-east-1:000000000000:alarm:${name}`;

const cpuAlarm = (
  name: string,
  extra: Partial<PutMetricAlarmCommandInput> = {},
): PutMetricAlarmCommandInput => ({
  AlarmName: name,
  AlarmDescription: 'p99 latency of the canary route',
  MetricName: 'TargetResponseTime',
  Namespace: 'AWS/ApplicationELB',
  Statistic: 'Average',
  Dimensions: [{ Name: 'TargetGroup', Value: 'targetgroup/canary/123' }],
  Period: 60,
  EvaluationPeriods: 3,
  Threshold: 0.5,
  ComparisonOperator: 'GreaterThanThreshold',
  ...extra,
});

describe('local CloudWatch alarms through @aws-sdk/client-cloudwatch (JSON 1.0)', () => {
  let edge: TestEdge;
  let cw: CloudWatchClient;
  beforeAll(async () => {
    edge = await startTestEdge((context) => [new CloudWatchService(context)]);
    cw = new CloudWatchClient({ ...edge.clientConfig, maxAttempts: 1 });
  });
  afterAll(() => edge.close());
  beforeEach(() => {
    edge.events.length = 0;
  });

  it('creates a metric alarm with tags and describes it', async () => {
    // Act
    await cw.send(
      new PutMetricAlarmCommand({
        ...cpuAlarm('latency-canary'),
        Tags: [{ Key: 'deployment', Value: 'd-1' }],
      }),
    );
    const out = await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['latency-canary'] }));
    const tags = await cw.send(new ListTagsForResourceCommand({ ResourceARN: ARN('latency-canary') }));

    // Assess
    expect(out.MetricAlarms).toHaveLength(1);
    expect(out.MetricAlarms?.[0]).toMatchObject({
      AlarmName: 'latency-canary',
      AlarmArn: ARN('latency-canary'),
      AlarmDescription: 'p99 latency of the canary route',
      MetricName: 'TargetResponseTime',
      Namespace: 'AWS/ApplicationELB',
      Statistic: 'Average',
      Dimensions: [{ Name: 'TargetGroup', Value: 'targetgroup/canary/123' }],
      Period: 60,
      EvaluationPeriods: 3,
      Threshold: 0.5,
      ComparisonOperator: 'GreaterThanThreshold',
      ActionsEnabled: true,
      StateValue: 'INSUFFICIENT_DATA',
      StateReason: 'Unchecked: Initial alarm creation',
      StateUpdatedTimestamp: expect.any(Date),
    });
    expect(out.CompositeAlarms).toEqual([]);
    expect(tags.Tags).toEqual([{ Key: 'deployment', Value: 'd-1' }]);
    expect(edge.events).toEqual([]);
  });

  it('emits a CloudWatch Alarm State Change on SetAlarmState, shaped as AWS documents it', async () => {
    // Prepare
    await cw.send(new PutMetricAlarmCommand(cpuAlarm('latency-stable')));

    // Act
    await cw.send(
      new SetAlarmStateCommand({
        AlarmName: 'latency-stable',
        StateValue: 'ALARM',
        StateReason: 'Threshold Crossed: 3 datapoints were greater than the threshold (0.5).',
        StateReasonData: JSON.stringify({
          version: '1.0',
          threshold: 0.5,
          recentDatapoints: [0.9, 0.8, 0.7],
        }),
      }),
    );

    // Assess
    expect(edge.events).toHaveLength(1);
    const [entry] = edge.events;
    expect(entry).toMatchObject({
      source: 'aws.cloudwatch',
      detailType: 'CloudWatch Alarm State Change',
      resources: [ARN('latency-stable')],
    });
    expect(() => alarmStateChangeDetail.parse(entry?.detail)).not.toThrow();
    expect(entry?.detail).toMatchObject({
      alarmName: 'latency-stable',
      state: {
        value: 'ALARM',
        reason: expect.stringContaining('Threshold Crossed'),
        timestamp: expect.stringMatching(/\+0000$/),
      },
      previousState: { value: 'INSUFFICIENT_DATA', reason: 'Unchecked: Initial alarm creation' },
      configuration: {
        description: 'p99 latency of the canary route',
        metrics: [
          {
            id: expect.stringMatching(/^[0-9a-f-]{36}$/),
            metricStat: {
              metric: {
                namespace: 'AWS/ApplicationELB',
                name: 'TargetResponseTime',
                dimensions: { TargetGroup: 'targetgroup/canary/123' },
              },
              period: 60,
              stat: 'Average',
            },
            returnData: true,
          },
        ],
      },
    });
  });

  it('emits nothing when the state is set to the value it already has', async () => {
    await cw.send(new PutMetricAlarmCommand(cpuAlarm('steady')));
    await cw.send(new SetAlarmStateCommand({ AlarmName: 'steady', StateValue: 'OK', StateReason: 'first' }));
    edge.events.length = 0;

    await cw.send(new SetAlarmStateCommand({ AlarmName: 'steady', StateValue: 'OK', StateReason: 'again' }));
    const out = await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['steady'] }));

    expect(edge.events).toEqual([]);
    expect(out.MetricAlarms?.[0]?.StateReason).toBe('again');
  });

  it('keeps metric math alarms and describes their Metrics', async () => {
    await cw.send(
      new PutMetricAlarmCommand({
        AlarmName: 'error-rate',
        EvaluationPeriods: 2,
        Threshold: 5,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Metrics: [
          { Id: 'e1', Expression: '100 * errors / requests', Label: 'Error rate', ReturnData: true },
          {
            Id: 'errors',
            MetricStat: {
              Metric: { Namespace: 'AWS/AppMesh', MetricName: 'Errors' },
              Period: 60,
              Stat: 'Sum',
            },
            ReturnData: false,
          },
          {
            Id: 'requests',
            MetricStat: {
              Metric: { Namespace: 'AWS/AppMesh', MetricName: 'Requests' },
              Period: 60,
              Stat: 'Sum',
            },
            ReturnData: false,
          },
        ],
      }),
    );

    await cw.send(
      new SetAlarmStateCommand({ AlarmName: 'error-rate', StateValue: 'ALARM', StateReason: 'test' }),
    );
    const out = await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['error-rate'] }));

    expect(out.MetricAlarms?.[0]?.Metrics?.map((m) => m.Id)).toEqual(['e1', 'errors', 'requests']);
    expect(out.MetricAlarms?.[0]?.MetricName).toBeUndefined();
    const detail = alarmStateChangeDetail.parse(edge.events[0]?.detail);
    expect(detail.configuration.metrics?.map((m) => [m.id, m.expression, m.returnData])).toEqual([
      ['e1', '100 * errors / requests', true],
      ['errors', undefined, false],
      ['requests', undefined, false],
    ]);
  });

  it('evaluates composite alarms when a child changes, emitting for the child and the composite', async () => {
    // Prepare
    await cw.send(new PutMetricAlarmCommand(cpuAlarm('child-a')));
    await cw.send(new PutMetricAlarmCommand(cpuAlarm('child-b')));
    await cw.send(
      new PutCompositeAlarmCommand({
        AlarmName: 'any-child',
        AlarmRule: `ALARM(child-a) OR ALARM("${ARN('child-b')}")`,
      }),
    );
    const initial = edge.events.splice(0);

    // Act
    await cw.send(
      new SetAlarmStateCommand({ AlarmName: 'child-b', StateValue: 'ALARM', StateReason: 'test' }),
    );
    const described = await cw.send(
      new DescribeAlarmsCommand({ AlarmNames: ['any-child'], AlarmTypes: ['CompositeAlarm'] }),
    );

    // Assess
    expect(initial.map((e) => [e.detail.alarmName, (e.detail.state as { value: string }).value])).toEqual([
      ['any-child', 'OK'],
    ]);
    expect(edge.events.map((e) => e.detail.alarmName)).toEqual(['child-b', 'any-child']);
    const composite = alarmStateChangeDetail.parse(edge.events[1]?.detail);
    expect(composite.state.value).toBe('ALARM');
    expect(composite.previousState.value).toBe('OK');
    expect(composite.configuration.alarmRule).toBe(`ALARM(child-a) OR ALARM("${ARN('child-b')}")`);
    expect(composite.state.reason).toMatch(
      /^arn:aws:cloudwatch:us-east-1:000000000000:alarm:child-b transitioned to ALARM at \w+day /,
    );
    expect(JSON.parse(composite.state.reasonData ?? '{}')).toEqual({
      triggeringAlarms: [
        { arn: ARN('child-b'), state: { value: 'ALARM', timestamp: expect.stringMatching(/\+0000$/) } },
      ],
    });
    expect(described.CompositeAlarms?.[0]).toMatchObject({ AlarmName: 'any-child', StateValue: 'ALARM' });
    expect(described.MetricAlarms).toEqual([]);
  });

  it('evaluates AND, NOT, OK() and nested composites', async () => {
    await cw.send(new PutMetricAlarmCommand(cpuAlarm('x')));
    await cw.send(new PutMetricAlarmCommand(cpuAlarm('y')));
    await cw.send(new SetAlarmStateCommand({ AlarmName: 'x', StateValue: 'OK', StateReason: 't' }));
    await cw.send(new PutCompositeAlarmCommand({ AlarmName: 'inner', AlarmRule: 'OK(x) AND NOT ALARM(y)' }));
    await cw.send(new PutCompositeAlarmCommand({ AlarmName: 'outer', AlarmRule: 'ALARM(inner) AND TRUE' }));
    edge.events.length = 0;

    await cw.send(new SetAlarmStateCommand({ AlarmName: 'y', StateValue: 'ALARM', StateReason: 't' }));

    expect(edge.events.map((e) => [e.detail.alarmName, (e.detail.state as { value: string }).value])).toEqual(
      [
        ['y', 'ALARM'],
        ['inner', 'OK'],
        ['outer', 'OK'],
      ],
    );
  });

  it('refuses composite rules that are malformed, name missing alarms, or depend on themselves', async () => {
    await expect(
      cw.send(new PutCompositeAlarmCommand({ AlarmName: 'bad', AlarmRule: 'ALARM(x) AND' })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
    });
    await expect(
      cw.send(new PutCompositeAlarmCommand({ AlarmName: 'bad', AlarmRule: 'ALARM(ghost)' })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('[ghost]'),
    });
    await cw.send(new PutCompositeAlarmCommand({ AlarmName: 'loop-a', AlarmRule: 'TRUE' }));
    await cw.send(new PutCompositeAlarmCommand({ AlarmName: 'loop-b', AlarmRule: 'ALARM(loop-a)' }));
    await expect(
      cw.send(new PutCompositeAlarmCommand({ AlarmName: 'loop-a', AlarmRule: 'ALARM(loop-b)' })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('depend on itself'),
    });
  });

  it('answers ResourceNotFound for SetAlarmState on an unknown alarm, with the query error code', async () => {
    const error = await cw
      .send(new SetAlarmStateCommand({ AlarmName: 'ghost', StateValue: 'ALARM', StateReason: 'x' }))
      .catch((e: unknown) => e);

    expect(error).toMatchObject({
      name: 'ResourceNotFound',
      message: 'Alarm ghost not found',
      $metadata: { httpStatusCode: 404 },
      Error: { Code: 'ResourceNotFound', Type: 'Sender' },
    });
  });

  it('answers typed errors for bad PutMetricAlarm and SetAlarmState input', async () => {
    const { Threshold: _t, ...noThreshold } = cpuAlarm('bad');
    await expect(cw.send(new PutMetricAlarmCommand(noThreshold))).rejects.toMatchObject({
      name: 'MissingRequiredParameterException',
    });
    await expect(
      cw.send(new PutMetricAlarmCommand(cpuAlarm('bad', { ExtendedStatistic: 'p99' }))),
    ).rejects.toMatchObject({
      name: 'InvalidParameterCombinationException',
    });
    await expect(cw.send(new PutMetricAlarmCommand(cpuAlarm('bad', { Period: 45 })))).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
    });
    await cw.send(new PutMetricAlarmCommand(cpuAlarm('fmt')));
    await expect(
      cw.send(
        new SetAlarmStateCommand({
          AlarmName: 'fmt',
          StateValue: 'ALARM',
          StateReason: 'x',
          StateReasonData: '{nope',
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidFormatFault' });
  });

  it('pages DescribeAlarms with MaxRecords and NextToken, and filters by prefix and state', async () => {
    for (const n of [1, 2, 3, 4, 5]) await cw.send(new PutMetricAlarmCommand(cpuAlarm(`page-${n}`)));
    await cw.send(new SetAlarmStateCommand({ AlarmName: 'page-3', StateValue: 'ALARM', StateReason: 't' }));

    const names: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const out = await cw.send(
        new DescribeAlarmsCommand({ AlarmNamePrefix: 'page-', MaxRecords: 2, NextToken: token }),
      );
      names.push(...(out.MetricAlarms ?? []).map((a) => a.AlarmName ?? ''));
      token = out.NextToken;
      pages++;
    } while (token !== undefined);
    const alarming = await cw.send(
      new DescribeAlarmsCommand({ AlarmNamePrefix: 'page-', StateValue: 'ALARM' }),
    );

    expect(names).toEqual(['page-1', 'page-2', 'page-3', 'page-4', 'page-5']);
    expect(pages).toBe(3);
    expect(alarming.MetricAlarms?.map((a) => a.AlarmName)).toEqual(['page-3']);
    await expect(cw.send(new DescribeAlarmsCommand({ NextToken: 'garbage' }))).rejects.toMatchObject({
      name: 'InvalidNextToken',
    });
    await expect(
      cw.send(new DescribeAlarmsCommand({ AlarmNames: ['a'], AlarmNamePrefix: 'a' })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterCombinationException',
    });
  });

  it('tags and untags an alarm; refuses an unknown ARN', async () => {
    await cw.send(new PutMetricAlarmCommand(cpuAlarm('tagged')));

    await cw.send(
      new TagResourceCommand({
        ResourceARN: ARN('tagged'),
        Tags: [
          { Key: 'a', Value: '1' },
          { Key: 'b', Value: '2' },
        ],
      }),
    );
    await cw.send(new UntagResourceCommand({ ResourceARN: ARN('tagged'), TagKeys: ['a'] }));
    const out = await cw.send(new ListTagsForResourceCommand({ ResourceARN: ARN('tagged') }));

    expect(out.Tags).toEqual([{ Key: 'b', Value: '2' }]);
    await expect(
      cw.send(new ListTagsForResourceCommand({ ResourceARN: ARN('nothing') })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      ResourceType: 'alarm',
    });
    await expect(
      cw.send(new ListTagsForResourceCommand({ ResourceARN: 'not-an-arn' })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterValueException',
    });
  });

  it('deletes alarms all or nothing', async () => {
    await cw.send(new PutMetricAlarmCommand(cpuAlarm('del-1')));

    await expect(cw.send(new DeleteAlarmsCommand({ AlarmNames: ['del-1', 'ghost'] }))).rejects.toMatchObject({
      name: 'ResourceNotFound',
    });
    const still = await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['del-1'] }));
    await cw.send(new DeleteAlarmsCommand({ AlarmNames: ['del-1'] }));
    const gone = await cw.send(new DescribeAlarmsCommand({ AlarmNames: ['del-1'] }));

    expect(still.MetricAlarms).toHaveLength(1);
    expect(gone.MetricAlarms).toEqual([]);
  });
});

/** Send a form-encoded query-protocol request signed with SigV4, as the AWS CLI does. */
async function queryCall(
  endpoint: string,
  params: Record<string, string>,
): Promise<{ status: number; body: string }> {
  const url = new URL(endpoint);
  const body = new URLSearchParams({ Version: '2010-08-01', ...params }).toString();
  const request = new HttpRequest({
    method: 'POST',
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: '/',
    headers: { host: url.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body,
  });
  const signer = new SignatureV4({
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    region: 'us-east-1',
    service: 'monitoring',
    sha256: Hash.bind(null, 'sha256'),
  });
  const signed = await signer.sign(request);
  const res = await fetch(`${endpoint}/`, { method: 'POST', headers: signed.headers, body });
  return { status: res.status, body: await res.text() };
}

/** The text of every `<tag>` element, in document order (enough for these flat assertions). */
function texts(xml: string, tag: string): string[] {
  return [...xml.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, 'g'))].map((m) => m[1] ?? '');
}

describe('local CloudWatch through the query protocol (as the AWS CLI speaks it)', () => {
  let edge: TestEdge;
  beforeAll(async () => {
    edge = await startTestEdge((context) => [new CloudWatchService(context)]);
  });
  afterAll(() => edge.close());

  it('puts a metric alarm from member lists and describes it in XML with the CloudWatch namespace', async () => {
    // Act
    const put = await queryCall(edge.endpoint, {
      Action: 'PutMetricAlarm',
      AlarmName: 'cli-alarm',
      MetricName: 'CPUUtilization',
      Namespace: 'AWS/EC2',
      Statistic: 'Average',
      Period: '300',
      EvaluationPeriods: '2',
      Threshold: '80',
      ComparisonOperator: 'GreaterThanThreshold',
      'Dimensions.member.1.Name': 'InstanceId',
      'Dimensions.member.1.Value': 'i-123',
      'Dimensions.member.2.Name': 'AutoScalingGroupName',
      'Dimensions.member.2.Value': 'web',
      'AlarmActions.member.1': 'arn:aws:sns:us-east-1:000000000000:ops',
      'Tags.member.1.Key': 'team',
      'Tags.member.1.Value': 'mesh',
    });
    const described = await queryCall(edge.endpoint, {
      Action: 'DescribeAlarms',
      'AlarmNames.member.1': 'cli-alarm',
    });

    // Assess
    expect(put.status).toBe(200);
    expect(put.body).toMatch(
      /^<PutMetricAlarmResponse xmlns="http:\/\/monitoring\.amazonaws\.com\/doc\/2010-08-01\/"><ResponseMetadata><RequestId>[0-9a-f-]+<\/RequestId><\/ResponseMetadata><\/PutMetricAlarmResponse>$/,
    );
    expect(described.status).toBe(200);
    expect(described.body).toMatch(
      /^<DescribeAlarmsResponse xmlns="http:\/\/monitoring\.amazonaws\.com\/doc\/2010-08-01\/"><DescribeAlarmsResult>/,
    );
    expect(described.body).toContain('<MetricAlarms><member><AlarmName>cli-alarm</AlarmName>');
    expect(texts(described.body, 'Name')).toEqual(['InstanceId', 'AutoScalingGroupName']);
    expect(texts(described.body, 'Threshold')).toEqual(['80']);
    expect(texts(described.body, 'Period')).toEqual(['300']);
    expect(texts(described.body, 'StateValue')).toEqual(['INSUFFICIENT_DATA']);
    expect(texts(described.body, 'StateUpdatedTimestamp')[0]).toMatch(
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/,
    );
    expect(described.body).toContain(
      '<AlarmActions><member>arn:aws:sns:us-east-1:000000000000:ops</member></AlarmActions>',
    );
  });

  it('sets the alarm state and emits the state change event', async () => {
    await queryCall(edge.endpoint, {
      Action: 'PutMetricAlarm',
      AlarmName: 'cli-state',
      MetricName: 'm',
      Namespace: 'n',
      Statistic: 'Sum',
      Period: '60',
      EvaluationPeriods: '1',
      Threshold: '1',
      ComparisonOperator: 'GreaterThanThreshold',
    });

    const res = await queryCall(edge.endpoint, {
      Action: 'SetAlarmState',
      AlarmName: 'cli-state',
      StateValue: 'ALARM',
      StateReason: 'cli',
    });

    expect(res.status).toBe(200);
    expect(edge.events.at(-1)?.detail).toMatchObject({
      alarmName: 'cli-state',
      state: { value: 'ALARM', reason: 'cli' },
    });
  });

  it('answers errors as query XML: ResourceNotFound for an unknown alarm, MissingParameter, InvalidAction', async () => {
    const notFound = await queryCall(edge.endpoint, {
      Action: 'SetAlarmState',
      AlarmName: 'ghost',
      StateValue: 'OK',
      StateReason: 'x',
    });
    const missing = await queryCall(edge.endpoint, { Action: 'PutMetricAlarm', AlarmName: 'no-metric' });
    const unknown = await queryCall(edge.endpoint, { Action: 'PutMetricData' });
    const malformed = await queryCall(edge.endpoint, {
      Action: 'DescribeAlarms',
      'AlarmNames.member.x': 'a',
    });

    expect(notFound.status).toBe(404);
    expect(notFound.body).toMatch(
      /^<ErrorResponse xmlns="http:\/\/monitoring\.amazonaws\.com\/doc\/2010-08-01\/"><Error><Type>Sender<\/Type><Code>ResourceNotFound<\/Code><Message>Alarm ghost not found<\/Message><\/Error><RequestId>/,
    );
    expect(texts(missing.body, 'Code')).toEqual(['MissingParameter']);
    expect(texts(unknown.body, 'Code')).toEqual(['InvalidAction']);
    expect(texts(malformed.body, 'Code')).toEqual(['MalformedQueryString']);
  });
});

describe('local CloudWatch persistence', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps alarms, states and tags across a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cloudwatch-state-'));
    dirs.push(dataDir);
    const first = await startTestEdge((context) => [new CloudWatchService(context)], { dataDir });
    const client1 = new CloudWatchClient({ ...first.clientConfig, maxAttempts: 1 });
    await client1.send(new PutMetricAlarmCommand({ ...cpuAlarm('kept'), Tags: [{ Key: 'k', Value: 'v' }] }));
    await client1.send(
      new SetAlarmStateCommand({ AlarmName: 'kept', StateValue: 'ALARM', StateReason: 'r' }),
    );
    await first.close();

    const second = await startTestEdge((context) => [new CloudWatchService(context)], { dataDir });
    const client2 = new CloudWatchClient({ ...second.clientConfig, maxAttempts: 1 });
    const out = await client2.send(new DescribeAlarmsCommand({ AlarmNames: ['kept'] }));
    const tags = await client2.send(new ListTagsForResourceCommand({ ResourceARN: ARN('kept') }));
    await second.close();

    expect(out.MetricAlarms?.[0]).toMatchObject({ AlarmName: 'kept', StateValue: 'ALARM', StateReason: 'r' });
    expect(tags.Tags).toEqual([{ Key: 'k', Value: 'v' }]);
  });
});
