import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  ListTagsForResourceCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  GetRuleCommand,
  ListServiceNetworkServiceAssociationsCommand,
  ListServiceNetworksCommand,
  VPCLatticeClient,
} from '@aws-sdk/client-vpc-lattice';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tryItLines } from '../../../infra/local/banner';
import { findLatticeDemoRule, LATTICE_DEMO, seedLatticeDemo } from '../../../infra/local/demo/lattice-seed';
import { CloudWatchService } from '../../../infra/local/services/cloudwatch/cloudwatch-service';
import { VpcLatticeService } from '../../../infra/local/services/vpc-lattice/vpc-lattice-service';
import { startTestEdge, type TestEdge } from '../../support/local-edge';

/** The Lattice demo `npm start` seeds beside the App Mesh one. */

let edge: TestEdge;

beforeAll(async () => {
  edge = await startTestEdge((context) => [new VpcLatticeService(context), new CloudWatchService(context)]);
});

afterAll(async () => {
  await edge.close();
});

describe('the Lattice demo seed', () => {
  it('seeds prod-net with a 90/10 web rule and alarms tagged with the rule by names, once', async () => {
    expect(await seedLatticeDemo(edge.clientConfig)).toEqual({ created: true });
    expect(await seedLatticeDemo(edge.clientConfig)).toEqual({ created: false });

    const lattice = new VPCLatticeClient(edge.clientConfig);
    const cloudwatch = new CloudWatchClient(edge.clientConfig);
    try {
      const { items: networks } = await lattice.send(new ListServiceNetworksCommand({}));
      expect(networks?.map((n) => n.name)).toEqual([LATTICE_DEMO.serviceNetwork]);
      const { items: associations } = await lattice.send(
        new ListServiceNetworkServiceAssociationsCommand({ serviceNetworkIdentifier: networks?.[0]?.id }),
      );
      expect(associations?.map((a) => a.serviceName).sort()).toEqual(['frontend', 'payments', 'web']);

      const where = await findLatticeDemoRule(edge.clientConfig);
      expect(where).toBeDefined();
      const rule = await lattice.send(
        new GetRuleCommand({
          serviceIdentifier: where?.serviceId,
          listenerIdentifier: where?.listenerId,
          ruleIdentifier: where?.ruleId,
        }),
      );
      expect(rule.name).toBe(LATTICE_DEMO.rule);
      expect(rule.action?.forward?.targetGroups?.map((t) => t.weight)).toEqual([90, 10]);

      const { MetricAlarms } = await cloudwatch.send(
        new DescribeAlarmsCommand({ AlarmNames: [...LATTICE_DEMO.alarms] }),
      );
      expect(MetricAlarms?.map((a) => a.AlarmName).sort()).toEqual([...LATTICE_DEMO.alarms].sort());
      for (const alarm of MetricAlarms ?? []) {
        const { Tags } = await cloudwatch.send(
          new ListTagsForResourceCommand({ ResourceARN: alarm.AlarmArn }),
        );
        expect(Tags).toEqual([{ Key: 'meshwarden:route', Value: 'prod-net/web/http/web-canary' }]);
      }

      const banner = tryItLines({
        ...edge.clientConfig.credentials,
        endpoint: edge.endpoint,
        region: 'us-east-1',
        routeSpec: undefined,
        latticeRule: where,
      });
      expect(banner).toContain(
        `  aws --endpoint-url ${edge.endpoint} vpc-lattice get-rule --service-identifier ${where?.serviceId} --listener-identifier ${where?.listenerId} --rule-identifier ${where?.ruleId}`,
      );
    } finally {
      lattice.destroy();
      cloudwatch.destroy();
    }
  });
});
