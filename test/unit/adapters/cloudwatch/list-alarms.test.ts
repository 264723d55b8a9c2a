import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CloudWatchAlarmSource } from '../../../../shared/adapters/cloudwatch/alarm-source';

const cloudWatch = mockClient(CloudWatchClient);
const ARN = (name: string) => `arn:aws:cloudwatch:us-east-1:000000000000:alarm:${name}`;

describe('CloudWatchAlarmSource.listAlarms', () => {
  beforeEach(() => cloudWatch.reset());

  it('lists metric and composite alarms over every page, each with its meshwarden:route tag read fresh', async () => {
    // Prepare
    cloudWatch
      .on(DescribeAlarmsCommand)
      .resolvesOnce({
        MetricAlarms: [{ AlarmName: 'web-5xx-rate', AlarmArn: ARN('web-5xx-rate'), StateValue: 'OK' }],
        NextToken: 'page-2',
      })
      .resolvesOnce({
        CompositeAlarms: [{ AlarmName: 'web-any', AlarmArn: ARN('web-any'), StateValue: 'ALARM' }],
      });
    cloudWatch
      .on(ListTagsForResourceCommand, { ResourceARN: ARN('web-5xx-rate') })
      .resolves({ Tags: [{ Key: 'meshwarden:route', Value: 'prod/web-router/web-route' }] })
      .on(ListTagsForResourceCommand, { ResourceARN: ARN('web-any') })
      .rejects(Object.assign(new Error('gone'), { name: 'ResourceNotFoundException' }));
    const source = new CloudWatchAlarmSource(new CloudWatchClient({ region: 'us-east-1' }));
    // Act
    const alarms = await source.listAlarms();
    // Assess
    expect(alarms).toEqual([
      { name: 'web-5xx-rate', arn: ARN('web-5xx-rate'), routeTag: 'prod/web-router/web-route' },
      { name: 'web-any', arn: ARN('web-any'), routeTag: undefined },
    ]);
    expect(cloudWatch.commandCalls(DescribeAlarmsCommand)[1]?.args[0].input.NextToken).toBe('page-2');
  });

  it('fails when CloudWatch throttles, so the caller is retried instead of seeing no alarms', async () => {
    // Prepare
    cloudWatch
      .on(DescribeAlarmsCommand)
      .rejects(Object.assign(new Error('slow down'), { name: 'Throttling' }));
    const source = new CloudWatchAlarmSource(new CloudWatchClient({ region: 'us-east-1', maxAttempts: 1 }));
    // Act / Assess
    await expect(source.listAlarms()).rejects.toMatchObject({ name: 'ThrottledError' });
  });
});
