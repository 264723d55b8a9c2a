import { AppMeshClient, CreateVirtualNodeCommand } from '@aws-sdk/client-app-mesh';
import { CloudWatchClient, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../../infra/local/demo/seed';
import type { BusEvent } from '../../../infra/local/types';
import { ValidationError } from '../../../shared/errors';
import { startSeededLocalAws, type TestLocalAws } from '../../support/local-aws';
import { loadEvent } from '../../support/sample-events';

/** The local runtime end to end: seeded demo, functions on the bus, meshwarden's own bus. */
describe('local runtime', () => {
  let local: TestLocalAws;
  const seen: BusEvent[] = [];

  beforeAll(async () => {
    local = await startSeededLocalAws();
    local.aws.bus.onActivity((activity) => {
      if (activity.kind === 'event') seen.push(activity.event);
    });
  });
  afterAll(() => local.aws.close());

  it('seeds the demo mesh through the real APIs: CA, certificates, mesh, alarms', () => {
    expect(local.seed.created).toBe(true);
    expect(local.seed.caArn).toMatch(/^arn:aws:acm-pca:us-east-1:000000000000:certificate-authority\//);
    expect(Object.keys(local.seed.certificateArns).sort()).toEqual([
      'frontend',
      'ingress-gw',
      'payments',
      'web-v1',
      'web-v2',
    ]);
  });

  it('runs the audit function with the scheduled event and publishes what it found on the meshwarden bus', async () => {
    const event = loadEvent('scheduler/daily-audit');

    const result = await local.aws.functions.invoke('mesh-audit', event);
    await local.aws.drain();

    expect(result).toEqual([
      expect.objectContaining({
        meshName: DEMO.mesh,
        status: 'found',
        governed: true,
        violations: 0,
        counts: {
          mesh: 1,
          'virtual-node': 4,
          'virtual-service': 3,
          'virtual-router': 1,
          route: 1,
          'virtual-gateway': 1,
          'gateway-route': 1,
        },
      }),
      expect.objectContaining({ provider: 'vpc-lattice', meshName: 'prod-net', status: 'not-found' }),
    ]);
    const published = seen.filter((e) => e['detail-type'] === 'MeshAudited');
    // The demo policy also governs the Lattice demo's prod-net, which this test does not seed.
    expect(published.map((e) => [e.source, (e.detail as { meshName: string }).meshName])).toEqual([
      ['meshwarden', DEMO.mesh],
      ['meshwarden', 'prod-net'],
    ]);
  });

  it('refuses a malformed event with the field path, and publishes nothing', async () => {
    const before = seen.length;
    const event = { ...loadEvent('scheduler/daily-audit'), 'detail-type': 'Something Else' };

    await expect(local.aws.functions.invoke('mesh-audit', event)).rejects.toThrow(ValidationError);
    await expect(local.aws.functions.invoke('mesh-audit', event)).rejects.toThrow(/detail-type/);
    await local.aws.drain();

    expect(seen.slice(before).filter((e) => e.source === 'meshwarden')).toEqual([]);
  });

  it('puts the documented alarm state change on the default bus when an alarm fires', async () => {
    const before = seen.length;
    await new CloudWatchClient(local.clientConfig()).send(
      new SetAlarmStateCommand({
        AlarmName: DEMO.alarms[0],
        StateValue: 'ALARM',
        StateReason: '5xx above threshold',
      }),
    );
    await local.aws.drain();

    const change = seen.slice(before).find((e) => e['detail-type'] === 'CloudWatch Alarm State Change');
    expect(change).toMatchObject({
      source: 'aws.cloudwatch',
      detail: { alarmName: DEMO.alarms[0], state: { value: 'ALARM', reason: '5xx above threshold' } },
    });
  });

  it('records a mutating App Mesh call as a CloudTrail event with the calling OIDC identity', async () => {
    const before = seen.length;
    const mesh = new AppMeshClient(local.clientConfig('oidcDeveloper'));
    await mesh.send(
      new CreateVirtualNodeCommand({
        meshName: DEMO.mesh,
        virtualNodeName: 'scratch',
        spec: { serviceDiscovery: { dns: { hostname: 'scratch.prod.local' } } },
      }),
    );
    await local.aws.drain();

    // Change control deletes the node again (no allow rule covers it): look at alice's call.
    const trail = seen
      .slice(before)
      .filter(
        (e) =>
          e.source === 'aws.appmesh' &&
          (e.detail as { eventName?: string }).eventName === 'CreateVirtualNode',
      );
    expect(trail).toHaveLength(1);
    expect(trail[0]).toMatchObject({
      'detail-type': 'AWS API Call via CloudTrail',
      detail: {
        eventName: 'CreateVirtualNode',
        readOnly: false,
        userIdentity: {
          type: 'AssumedRole',
          arn: 'arn:aws:sts::000000000000:assumed-role/MeshDeveloper/alice',
          sessionContext: {
            webIdFederationData: { federatedProvider: expect.stringContaining(':oidc-provider/') },
          },
        },
        requestParameters: { meshName: DEMO.mesh, virtualNodeName: 'scratch' },
      },
    });
  });

  it('lets a person look inside: health, dead letters, timeline, and faults set at run time', async () => {
    const base = local.aws.endpoint;
    expect(await (await fetch(`${base}/_local/health`)).json()).toMatchObject({ status: 'ok' });
    expect(await (await fetch(`${base}/_local/dead-letters`)).json()).toEqual([]);
    const timeline = (await (await fetch(`${base}/_local/timeline`)).json()) as { kind: string }[];
    expect(timeline.some((e) => e.kind === 'function')).toBe(true);

    const bad = await fetch(`${base}/_local/faults`, {
      method: 'PUT',
      body: '[{"service":"appmesh","throttleRate":7}]',
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('throttleRate');
    const set = await fetch(`${base}/_local/faults`, {
      method: 'PUT',
      body: '[{"service":"sts","throttleRate":1}]',
    });
    expect(set.status).toBe(200);
    expect(local.aws.faults.list()).toEqual([
      { service: 'sts', operation: '*', throttleRate: 1, errorRate: 0, latencyMs: 0 },
    ]);
    local.aws.faults.set([]);
  });
});
