import { CloudWatchClient, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { GetRuleCommand, UpdateRuleCommand, VPCLatticeClient } from '@aws-sdk/client-vpc-lattice';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findLatticeDemoRule, LATTICE_DEMO, seedLatticeDemo } from '../../../infra/local/demo/lattice-seed';
import type { BusEvent } from '../../../infra/local/types';
import { createDocumentClient } from '../../../shared/adapters/dynamodb/client';
import { DynamoDbDeploymentStore } from '../../../shared/adapters/dynamodb/deployment-store';
import { startSeededLocalAws, type TestLocalAws } from '../../support/local-aws';
import { GUARD_ENV } from './guard-env';

/**
 * The deployment guard on local VPC Lattice, end to end: the demo policy governs service
 * network prod-net, the Lattice demo's `web-canary` rule and its tagged alarms. The guard runs
 * as its stack role, so its Lattice grants are proven here too.
 */
describe('deployment guard on local VPC Lattice: the demo web-canary rule and its tagged alarm', () => {
  let local: TestLocalAws;
  let lattice: VPCLatticeClient;
  let cloudwatch: CloudWatchClient;
  let store: DynamoDbDeploymentStore;
  let rule: { serviceId: string; listenerId: string; ruleId: string };
  let stable: string;
  let canary: string;
  const seen: BusEvent[] = [];
  /** Lattice calls made by the deployment guard's role, as the edge answered them. */
  const guardCalls: string[] = [];

  const ruleInput = () => ({
    serviceIdentifier: rule.serviceId,
    listenerIdentifier: rule.listenerId,
    ruleIdentifier: rule.ruleId,
  });
  const weightsNow = async () => {
    const now = await lattice.send(new GetRuleCommand(ruleInput()));
    return (now.action?.forward?.targetGroups ?? []).map((t) => [t.targetGroupIdentifier, t.weight]);
  };

  beforeAll(async () => {
    local = await startSeededLocalAws({ functionEnv: GUARD_ENV });
    local.aws.bus.onActivity((activity) => {
      if (activity.kind === 'event') seen.push(activity.event);
    });
    local.aws.onApiCall((call) => {
      if (call.request.service === 'vpc-lattice' && call.request.caller.label.includes('deployment-guard'))
        guardCalls.push(call.operation ?? '?');
    });
    await seedLatticeDemo(local.clientConfig());
    await local.aws.drain();
    const found = await findLatticeDemoRule(local.clientConfig());
    if (found === undefined) throw new Error('the Lattice demo rule was not seeded');
    rule = found;
    lattice = new VPCLatticeClient(local.clientConfig());
    cloudwatch = new CloudWatchClient(local.clientConfig());
    store = new DynamoDbDeploymentStore(
      createDocumentClient(local.clientConfig()),
      local.aws.functionEnv.MESHWARDEN_TABLE as string,
      local.aws.accountId,
    );
    const seeded = await lattice.send(new GetRuleCommand(ruleInput()));
    const targets = seeded.action?.forward?.targetGroups ?? [];
    stable = targets[0]?.targetGroupIdentifier as string;
    canary = targets[1]?.targetGroupIdentifier as string;
  });
  afterAll(async () => {
    lattice?.destroy();
    cloudwatch?.destroy();
    await local?.aws.close();
  });

  it('records the seeded 90/10 rule (CreateRule) by names, without opening a deployment', async () => {
    const record = await store.get(LATTICE_DEMO.routeKey);

    expect(record).toMatchObject({
      routeKey: LATTICE_DEMO.routeKey,
      meshName: LATTICE_DEMO.serviceNetwork,
      lastWeights: { [stable]: 90, [canary]: 10 },
    });
    expect(record?.routeArn).toMatch(/:service\/svc-[0-9a-z]+\/listener\/listener-[0-9a-z]+\/rule\/rule-/);
    expect(record?.deployment).toBeUndefined();
  });

  it('opens a deployment when a person moves the rule to 90/10 for the canary, keeping match and priority', async () => {
    const before = await lattice.send(new GetRuleCommand(ruleInput()));

    await lattice.send(
      new UpdateRuleCommand({
        ...ruleInput(),
        match: before.match,
        priority: before.priority,
        action: {
          forward: {
            targetGroups: [
              { targetGroupIdentifier: canary, weight: 90 },
              { targetGroupIdentifier: stable, weight: 10 },
            ],
          },
        },
      }),
    );
    await local.aws.drain();

    expect((await store.get(LATTICE_DEMO.routeKey))?.deployment).toMatchObject({
      status: 'in-progress',
      stableTarget: stable,
      canaryTargets: [canary],
      startedBy: { label: 'admin' },
    });
    expect(seen.some((e) => e['detail-type'] === 'DeploymentOpened')).toBe(true);
  });

  it('goes 90/10 -> 0/100 on ALARM of the tagged alarm with exactly one GetRule and one UpdateRule, and says why', async () => {
    const before = seen.length;
    const { match, priority } = await lattice.send(new GetRuleCommand(ruleInput()));
    guardCalls.length = 0;

    await cloudwatch.send(
      new SetAlarmStateCommand({
        AlarmName: LATTICE_DEMO.alarms[0],
        StateValue: 'ALARM',
        StateReason: '5xx above threshold',
      }),
    );
    await local.aws.drain();

    expect(await weightsNow()).toEqual([
      [canary, 0],
      [stable, 100],
    ]);
    const after = await lattice.send(new GetRuleCommand(ruleInput()));
    expect({ match: after.match, priority: after.priority }).toEqual({ match, priority });
    // The rollback itself; the UpdateRule's own CloudTrail event then comes back and is read
    // once more (GetRule, names) to be recognised as meshwarden's own.
    expect(guardCalls.slice(0, 2)).toEqual(['GetRule', 'UpdateRule']);
    expect(guardCalls.filter((c) => c === 'UpdateRule')).toHaveLength(1);
    const record = await store.get(LATTICE_DEMO.routeKey);
    expect(record?.deployment).toMatchObject({
      status: 'rolled-back',
      rollback: { kind: 'alarm', alarmName: LATTICE_DEMO.alarms[0], stateReason: '5xx above threshold' },
    });
    const published = seen.slice(before).filter((e) => e['detail-type'] === 'DeploymentRolledBack');
    expect(published).toHaveLength(1);
    expect(published[0]?.detail).toMatchObject({
      routeKey: LATTICE_DEMO.routeKey,
      weightsBefore: { [canary]: 90, [stable]: 10 },
      weightsAfter: { [canary]: 0, [stable]: 100 },
    });
    const told = local.aws.slack.store.messagesIn('C0MESHOPS01').messages.map((m) => JSON.stringify(m));
    expect(told.some((m) => m.includes(LATTICE_DEMO.routeKey) && m.includes(LATTICE_DEMO.alarms[0]))).toBe(
      true,
    );
  });
});
