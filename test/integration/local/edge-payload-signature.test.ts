import { createHash } from 'node:crypto';
import { CloudWatchClient, DescribeAlarmsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeRuleCommand, EventBridgeClient, PutRuleCommand } from '@aws-sdk/client-eventbridge';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalEventBus } from '../../../infra/local/bus/event-bus';
import { CloudWatchService } from '../../../infra/local/services/cloudwatch/cloudwatch-service';
import { EventsService } from '../../../infra/local/services/events/events-service';
import { StsService } from '../../../infra/local/services/sts/sts-service';
import { CREDENTIALS, startTestEdge, type TestEdge } from '../../support/local-edge';

/**
 * The edge verifies a signature over the body it received, not over the hash the request
 * claims in `x-amz-content-sha256`: a body swapped after signing, or an `UNSIGNED-PAYLOAD`
 * claim (which only S3 honours), is refused with SignatureDoesNotMatch and changes nothing.
 */

const JSON_11 = 'application/x-amz-json-1.1';
const FORM = 'application/x-www-form-urlencoded; charset=utf-8';

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

interface Call {
  readonly service: string;
  readonly headers: Record<string, string>;
  /** The body the signature is computed over. */
  readonly signedBody: string;
  /** The body actually sent; the signed one when absent. */
  readonly sentBody?: string;
  /** x-amz-content-sha256 to sign and send; none when absent. */
  readonly contentSha256?: string;
}

/** Sign with the SDK's own signer, then send whatever body the case says. */
async function send(endpoint: string, call: Call): Promise<{ status: number; body: string; type: string }> {
  const url = new URL(endpoint);
  const headers: Record<string, string> = { host: url.host, ...call.headers };
  if (call.contentSha256 !== undefined) headers['x-amz-content-sha256'] = call.contentSha256;
  const signer = new SignatureV4({
    credentials: CREDENTIALS.admin,
    region: 'us-east-1',
    service: call.service,
    sha256: Hash.bind(null, 'sha256'),
    applyChecksum: false,
  });
  const signed = await signer.sign(
    new HttpRequest({
      method: 'POST',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: '/',
      headers,
      body: call.signedBody,
    }),
  );
  if (call.contentSha256 !== undefined) {
    // The header is among the signed ones: the signature vouches for the claim, not the body.
    expect(String(signed.headers.authorization)).toContain('x-amz-content-sha256');
  }
  const res = await fetch(`${endpoint}/`, {
    method: 'POST',
    headers: signed.headers,
    body: call.sentBody ?? call.signedBody,
  });
  return { status: res.status, body: await res.text(), type: res.headers.get('content-type') ?? '' };
}

const putRule = (name: string) =>
  JSON.stringify({ Name: name, EventPattern: JSON.stringify({ source: ['swap'] }) });
const eventsHeaders = { 'content-type': JSON_11, 'x-amz-target': 'AWSEvents.PutRule' };

const putAlarm = (name: string) =>
  new URLSearchParams({
    Action: 'PutMetricAlarm',
    Version: '2010-08-01',
    AlarmName: name,
    MetricName: 'CPUUtilization',
    Namespace: 'AWS/EC2',
    Statistic: 'Average',
    Period: '60',
    EvaluationPeriods: '1',
    Threshold: '80',
    ComparisonOperator: 'GreaterThanThreshold',
  }).toString();

describe('the edge verifies SigV4 over the body it received', () => {
  let edge: TestEdge;
  let bus: LocalEventBus;
  let eventBridge: EventBridgeClient;
  let cloudWatch: CloudWatchClient;

  beforeAll(async () => {
    edge = await startTestEdge((context) => {
      bus = new LocalEventBus({ region: context.region, accountId: context.accountId });
      return [new EventsService(context, bus), new CloudWatchService(context), new StsService()];
    });
    eventBridge = new EventBridgeClient({ ...edge.clientConfig, maxAttempts: 1 });
    cloudWatch = new CloudWatchClient({ ...edge.clientConfig, maxAttempts: 1 });
  });
  afterAll(async () => {
    await edge.close();
    await bus.close();
  });

  const ruleExists = async (name: string) =>
    eventBridge.send(new DescribeRuleCommand({ Name: name })).then(
      () => true,
      (error: { name?: string }) => {
        if (error.name === 'ResourceNotFoundException') return false;
        throw error;
      },
    );
  const alarmNames = async () =>
    ((await cloudWatch.send(new DescribeAlarmsCommand({}))).MetricAlarms ?? []).map((a) => a.AlarmName);

  it('refuses body B sent under a signature over body A and its claimed hash (JSON protocol), applying neither', async () => {
    // Prepare
    const signedBody = putRule('signed-rule');

    // Act
    const res = await send(edge.endpoint, {
      service: 'events',
      headers: eventsHeaders,
      signedBody,
      contentSha256: sha256(signedBody),
      sentBody: putRule('swapped-rule'),
    });

    // Assess
    expect(res.status).toBe(403);
    expect(res.type).toBe(JSON_11);
    expect(JSON.parse(res.body)).toMatchObject({
      __type: 'SignatureDoesNotMatch',
      message: expect.any(String),
    });
    expect(await ruleExists('swapped-rule')).toBe(false);
    expect(await ruleExists('signed-rule')).toBe(false);
  });

  it('refuses body B sent under a signature over body A without a claimed hash', async () => {
    const res = await send(edge.endpoint, {
      service: 'events',
      headers: eventsHeaders,
      signedBody: putRule('signed-rule-2'),
      sentBody: putRule('swapped-rule-2'),
    });

    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toMatchObject({ __type: 'SignatureDoesNotMatch' });
    expect(await ruleExists('swapped-rule-2')).toBe(false);
  });

  it('refuses UNSIGNED-PAYLOAD: only S3 accepts an unsigned body', async () => {
    const res = await send(edge.endpoint, {
      service: 'events',
      headers: eventsHeaders,
      signedBody: putRule('unsigned-rule'),
      contentSha256: 'UNSIGNED-PAYLOAD',
    });

    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toMatchObject({ __type: 'SignatureDoesNotMatch' });
    expect(await ruleExists('unsigned-rule')).toBe(false);
  });

  it('answers a swapped query-protocol body (CloudWatch) in XML, applying neither alarm', async () => {
    // Prepare
    const signedBody = putAlarm('signed-alarm');

    // Act
    const res = await send(edge.endpoint, {
      service: 'monitoring',
      headers: { 'content-type': FORM },
      signedBody,
      contentSha256: sha256(signedBody),
      sentBody: putAlarm('swapped-alarm'),
    });

    // Assess
    expect(res.status).toBe(403);
    expect(res.type).toBe('text/xml');
    expect(res.body).toMatch(/<ErrorResponse><Error><Type>Sender<\/Type><Code>SignatureDoesNotMatch<\/Code>/);
    const names = await alarmNames();
    expect(names).not.toContain('swapped-alarm');
    expect(names).not.toContain('signed-alarm');
  });

  it('refuses UNSIGNED-PAYLOAD on STS in XML', async () => {
    const res = await send(edge.endpoint, {
      service: 'sts',
      headers: { 'content-type': FORM },
      signedBody: 'Action=GetCallerIdentity&Version=2011-06-15',
      contentSha256: 'UNSIGNED-PAYLOAD',
    });

    expect(res.status).toBe(403);
    expect(res.body).toContain('<Code>SignatureDoesNotMatch</Code>');
  });

  it('accepts a request whose claimed hash is the hash of its body', async () => {
    const body = putRule('honest-rule');

    const res = await send(edge.endpoint, {
      service: 'events',
      headers: eventsHeaders,
      signedBody: body,
      contentSha256: sha256(body),
    });

    expect(res.status).toBe(200);
    expect(await ruleExists('honest-rule')).toBe(true);
  });

  it('still serves the unchanged SDK clients of a JSON and two query-style services', async () => {
    // Act
    await eventBridge.send(new PutRuleCommand({ Name: 'sdk-rule', EventPattern: '{"source":["sdk"]}' }));
    await cloudWatch.send(
      new PutMetricAlarmCommand({
        AlarmName: 'sdk-alarm',
        MetricName: 'Errors',
        Namespace: 'meshwarden',
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      }),
    );
    const identity = await new STSClient({ ...edge.clientConfig, maxAttempts: 1 }).send(
      new GetCallerIdentityCommand({}),
    );

    // Assess
    expect(await ruleExists('sdk-rule')).toBe(true);
    expect(await alarmNames()).toContain('sdk-alarm');
    expect(identity.Arn).toBe('arn:aws:sts::000000000000:assumed-role/PlatformAdmin/admin');
  });
});
