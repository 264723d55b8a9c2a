import { CloudWatchClient, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { GetRuleCommand, UpdateRuleCommand, VPCLatticeClient } from '@aws-sdk/client-vpc-lattice';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findLatticeDemoRule, LATTICE_DEMO, seedLatticeDemo } from '../../../infra/local/demo/lattice-seed';
import type { BusEvent } from '../../../infra/local/types';
import { createDocumentClient } from '../../../shared/adapters/dynamodb/client';
import { DynamoDbDeploymentStore } from '../../../shared/adapters/dynamodb/deployment-store';
import { startSeededLocalAws, type TestLocalAws } from '../../support/local-aws';
import { GUARD_ENV } from './guard-env';

/** The guard's rule for Lattice rule writes on the default bus, as the local runtime names it. */
const GUARD_RULE = 'deployment-guard-vpc-lattice-route-changes';

/**
 * CloudTrail delivers a rule's UpdateRule events whenever, in whatever order: here both writes
 * land on local VPC Lattice before the guard sees either, then their real CloudTrail events
 * are handed to the guard (running as its stack role) first-write-first and again swapped.
 * Only the write the rule still holds may open the deployment, and an ALARM rolls back to
 * the stable target group.
 */
describe('deployment guard on local VPC Lattice: UpdateRule events delivered late and out of order', () => {
  let local: TestLocalAws;
  let lattice: VPCLatticeClient;
  let cloudwatch: CloudWatchClient;
  let store: DynamoDbDeploymentStore;
  let rule: { serviceId: string; listenerId: string; ruleId: string };
  let stable: string;
  let canary: string;
  const latticeWrites: BusEvent[] = [];

  const ruleInput = () => ({
    serviceIdentifier: rule.serviceId,
    listenerIdentifier: rule.listenerId,
    ruleIdentifier: rule.ruleId,
  });
  const write = async (stableWeight: number, canaryWeight: number) => {
    const before = await lattice.send(new GetRuleCommand(ruleInput()));
    await lattice.send(
      new UpdateRuleCommand({
        ...ruleInput(),
        match: before.match,
        priority: before.priority,
        action: {
          forward: {
            targetGroups: [
              { targetGroupIdentifier: stable, weight: stableWeight },
              { targetGroupIdentifier: canary, weight: canaryWeight },
            ],
          },
        },
      }),
    );
  };
  const deliver = (event: BusEvent) => local.aws.functions.invoke('deployment-guard', event);

  beforeAll(async () => {
    local = await startSeededLocalAws({ functionEnv: GUARD_ENV });
    local.aws.bus.onActivity((activity) => {
      if (activity.kind === 'event' && activity.event.source === 'aws.vpc-lattice')
        latticeWrites.push(activity.event);
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

  it('opens the deployment with the write the rule holds, whichever UpdateRule comes first, and rolls back on ALARM', async () => {
    // Prepare: the guard sees no Lattice write while both land (stable 80/20, then 50/50).
    const seeded = await store.get(LATTICE_DEMO.routeKey);
    expect(seeded?.lastWeights).toEqual({ [stable]: 90, [canary]: 10 });
    local.aws.bus.setRuleState(GUARD_RULE, 'default', 'DISABLED');
    latticeWrites.length = 0;
    await write(80, 20);
    await write(50, 50);
    await local.aws.drain();
    local.aws.bus.setRuleState(GUARD_RULE, 'default', 'ENABLED');
    const [first, second] = latticeWrites.filter(
      (e) => (e.detail as { eventName?: string }).eventName === 'UpdateRule',
    );
    if (first === undefined || second === undefined)
      throw new Error('the two UpdateRule events were not seen');

    // Act: the first write's event, late (the rule holds the second's weights by now).
    await deliver(first);
    const afterFirst = await store.get(LATTICE_DEMO.routeKey);
    // Act: the second write's event, then the first's again, as if swapped.
    await deliver(second);
    const afterSecond = await store.get(LATTICE_DEMO.routeKey);
    await deliver(first);
    const afterSwapped = await store.get(LATTICE_DEMO.routeKey);

    // Assess: the late first write neither recorded weights nor opened a deployment.
    expect(afterFirst).toEqual(seeded);
    expect(afterSecond?.lastWeights).toEqual({ [stable]: 50, [canary]: 50 });
    expect(afterSecond?.deployment).toMatchObject({
      status: 'in-progress',
      stableTarget: stable,
      canaryTargets: [canary],
      openedByEventId: second.id,
      weightsBefore: { [stable]: 90, [canary]: 10 },
      baseline: { [stable]: 50, [canary]: 50 },
    });
    expect(afterSwapped).toEqual(afterSecond);

    // Act: the tagged alarm fires.
    await cloudwatch.send(
      new SetAlarmStateCommand({
        AlarmName: LATTICE_DEMO.alarms[0],
        StateValue: 'ALARM',
        StateReason: '5xx above threshold',
      }),
    );
    await local.aws.drain();

    // Assess: all weight on the stable target group, as the rule's history says.
    const now = await lattice.send(new GetRuleCommand(ruleInput()));
    expect(now.action?.forward?.targetGroups).toEqual([
      { targetGroupIdentifier: stable, weight: 100 },
      { targetGroupIdentifier: canary, weight: 0 },
    ]);
    expect((await store.get(LATTICE_DEMO.routeKey))?.deployment).toMatchObject({
      status: 'rolled-back',
      openedByEventId: second.id,
    });
  });
});
