import {
  GetListenerCommand,
  GetRuleCommand,
  GetServiceCommand,
  ListServiceNetworkServiceAssociationsCommand,
  ListTagsForResourceCommand,
  type RuleAction,
  UpdateRuleCommand,
  VPCLatticeClient,
} from '@aws-sdk/client-vpc-lattice';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { handleGuardInput } from '../../../shared/deployments/handle';
import { parseGuardInput } from '../../../shared/deployments/inbound';
import type { RollbackResult } from '../../../shared/deployments/rollback';
import { MESHWARDEN_DETAIL_TYPES } from '../../../shared/events/patterns';
import { parsePolicy } from '../../../shared/policy/load';
import { LatticeAdapter } from '../../../shared/providers/vpc-lattice/adapter';
import { createLatticeClient } from '../../../shared/providers/vpc-lattice/client';
import { createLatticeRoutes } from '../../../shared/providers/vpc-lattice/weighted-routes';
import { loadEvent } from '../../support/sample-events';
import { ALARM_ARN, alarmEvent, harness, SELF_ROLE } from './fakes';

/**
 * CloudTrail does not promise order: a rule's UpdateRule can be delivered before the CreateRule
 * that made it, two UpdateRules can swap, and any event can arrive after later writes landed.
 * Whatever the order, the guard acts on the rule as Lattice holds it and on what it stored:
 * no deployment opened by a write that is no longer there, no weights recorded that the rule
 * does not hold, and a rollback to the stable target group as the rule's history says.
 */

const lattice = mockClient(VPCLatticeClient);
const ARN = 'arn:aws:vpc-lattice:us-east-1:123456789012';
const SVC = 'svc-0123456789abcdef0';
const LISTENER = 'listener-0123456789abcdef0';
const RULE = 'rule-0123456789abcdef0';
const RULE_ARN = `${ARN}:service/${SVC}/listener/${LISTENER}/rule/${RULE}`;
const STABLE = 'tg-00000000000000001';
const CANARY = 'tg-00000000000000002';
const KEY = 'prod-net/web/http/web-canary';
const match = { httpMatch: { pathMatch: { match: { prefix: '/' }, caseSensitive: false } } };
const forward = (stable: number, canary: number): RuleAction => ({
  forward: {
    targetGroups: [
      { targetGroupIdentifier: STABLE, weight: stable },
      { targetGroupIdentifier: CANARY, weight: canary },
    ],
  },
});

/** The rule as Lattice holds it now; GetRule answers it, UpdateRule (a rollback) replaces it. */
let held: RuleAction;

/** Lattice applies a write: from now on the rule holds `action`. Its CloudTrail event comes later. */
function latticeApplies(action: RuleAction): void {
  held = action;
}

/**
 * The CloudTrail record of one rule write, as CloudTrail delivers it whenever it does: the
 * request and Lattice's answer both carry the action written then, whatever the rule holds now.
 */
function recordOf(
  eventName: 'CreateRule' | 'UpdateRule',
  action: RuleAction,
  who: 'alice' | 'bob' | 'meshwarden',
) {
  const event = loadEvent('vpc-lattice/update-rule');
  event.id = crypto.randomUUID();
  event.detail.eventName = eventName;
  // Before the alarm sample's state change, so that ALARM is news to a deployment opened now.
  event.detail.eventTime = '2026-03-10T10:15:09Z';
  const params = event.detail.requestParameters as Record<string, unknown>;
  params.action = action;
  if (eventName === 'CreateRule') {
    delete params.ruleIdentifier;
    Object.assign(params, { name: 'web-canary', priority: 10, match });
  }
  (event.detail.responseElements as Record<string, unknown>).action = action;
  const identity = event.detail.userIdentity as {
    arn: string;
    principalId: string;
    sessionContext: { sessionIssuer: { arn: string } };
  };
  if (who === 'bob') {
    identity.arn = 'arn:aws:sts::123456789012:assumed-role/platform-deployer/bob';
    identity.principalId = 'AROAJ52OTH4H7LEXAMPLE:bob';
  }
  if (who === 'meshwarden') {
    identity.arn = 'arn:aws:sts::123456789012:assumed-role/meshwarden-functions/meshwarden';
    identity.sessionContext.sessionIssuer.arn = SELF_ROLE;
  }
  return event;
}

function latticeGuard(deploymentsYaml = '') {
  const h = harness();
  const policy = parsePolicy(
    `version: 1\nmeshes:\n  - mesh: prod-net\n    provider: vpc-lattice\n    serviceNetwork: prod-net\n    changeControl: { default: allow, onViolation: report }\n${deploymentsYaml}`,
    'test.yaml',
  );
  const routes = createLatticeRoutes(new LatticeAdapter(createLatticeClient({ region: 'us-east-1' })), {
    serviceNetworks: ['prod-net'],
  });
  const deps = { ...h.deps, policy, providers: { 'vpc-lattice': routes } };
  const deliver = (event: ReturnType<typeof recordOf>) => handleGuardInput(deps, parseGuardInput(event));
  return { h, deps, deliver };
}

beforeEach(() => {
  lattice.reset();
  held = forward(100, 0);
  lattice.on(GetRuleCommand).callsFake(() => ({
    arn: RULE_ARN,
    id: RULE,
    name: 'web-canary',
    isDefault: false,
    priority: 10,
    match,
    action: structuredClone(held),
    lastUpdatedAt: new Date('2026-03-10T10:15:09.000Z'),
  }));
  lattice
    .on(UpdateRuleCommand)
    .callsFake((input: { priority: number; match: unknown; action: RuleAction }) => {
      held = input.action;
      return { arn: RULE_ARN, id: RULE, name: 'web-canary', isDefault: false, ...structuredClone(input) };
    });
  lattice.on(GetServiceCommand).resolves({ name: 'web' });
  lattice.on(GetListenerCommand).resolves({ name: 'http' });
  lattice
    .on(ListServiceNetworkServiceAssociationsCommand)
    .resolves({ items: [{ serviceNetworkName: 'prod-net' }] });
  lattice.on(ListTagsForResourceCommand).resolves({ tags: {} });
});

describe('the guard on VPC Lattice, with CloudTrail events out of order', () => {
  it('opens one deployment, by the updater, when an UpdateRule arrives before the CreateRule that made the rule', async () => {
    // Prepare: alice creates the rule all on the stable target group, bob starts a canary.
    const { h, deliver } = latticeGuard();
    latticeApplies(forward(100, 0));
    const create = recordOf('CreateRule', forward(100, 0), 'alice');
    latticeApplies(forward(90, 10));
    const update = recordOf('UpdateRule', forward(90, 10), 'bob');

    // Act
    await deliver(update);
    await deliver(create);

    // Assess
    const record = h.store.records.get(KEY);
    expect(record?.lastWeights).toEqual({ [STABLE]: 90, [CANARY]: 10 });
    expect(record?.deployment).toMatchObject({
      status: 'in-progress',
      stableTarget: STABLE,
      canaryTargets: [CANARY],
      startedBy: { label: 'bob' },
      openedByEventId: update.id,
    });
    expect(h.published.map((e) => e.detailType)).toEqual([MESHWARDEN_DETAIL_TYPES.deploymentOpened]);
  });

  it('does not take a late CreateRule for the canary that a later UpdateRule started, and guards it when that arrives', async () => {
    // Prepare: by the time the CreateRule is delivered, bob's canary is already on the rule.
    const { h, deliver } = latticeGuard();
    latticeApplies(forward(100, 0));
    const create = recordOf('CreateRule', forward(100, 0), 'alice');
    latticeApplies(forward(90, 10));
    const update = recordOf('UpdateRule', forward(90, 10), 'bob');

    // Act
    const [created] = (await deliver(create)) as { outcome: string }[];
    await deliver(update);

    // Assess: the create decided nothing (its 100/0 is no longer there), bob's update opened it.
    expect(created?.outcome).toBe('stale');
    expect(h.store.records.get(KEY)?.deployment).toMatchObject({
      status: 'in-progress',
      stableTarget: STABLE,
      startedBy: { label: 'bob' },
      openedByEventId: update.id,
    });
  });

  it('rolls a canary back to its stable target group on ALARM though its CreateRule came after its UpdateRule', async () => {
    // Prepare
    const { h, deliver, deps } = latticeGuard();
    latticeApplies(forward(100, 0));
    const create = recordOf('CreateRule', forward(100, 0), 'alice');
    latticeApplies(forward(90, 10));
    const update = recordOf('UpdateRule', forward(90, 10), 'bob');
    await deliver(create);
    await deliver(update);
    h.tags.set(ALARM_ARN, KEY);

    // Act
    const outcomes = (await handleGuardInput(deps, parseGuardInput(alarmEvent()))) as {
      result: RollbackResult;
    }[];

    // Assess
    expect(outcomes.map((o) => o.result.kind)).toEqual(['rolled-back']);
    expect(held).toEqual(forward(100, 0));
    expect(h.store.records.get(KEY)?.deployment?.status).toBe('rolled-back');
  });

  it('lets the later of two swapped UpdateRules open the deployment, and the earlier change nothing', async () => {
    // Prepare: alice moves 10% to the canary, then bob 50%; CloudTrail delivers bob's first.
    const { h, deliver } = latticeGuard();
    latticeApplies(forward(100, 0));
    await deliver(recordOf('CreateRule', forward(100, 0), 'alice'));
    latticeApplies(forward(90, 10));
    const first = recordOf('UpdateRule', forward(90, 10), 'alice');
    latticeApplies(forward(50, 50));
    const second = recordOf('UpdateRule', forward(50, 50), 'bob');

    // Act
    await deliver(second);
    const opened = structuredClone(h.store.records.get(KEY));
    const [late] = (await deliver(first)) as { outcome: string }[];

    // Assess
    expect(opened?.deployment).toMatchObject({
      startedBy: { label: 'bob' },
      weightsBefore: { [STABLE]: 100, [CANARY]: 0 },
      baseline: { [STABLE]: 50, [CANARY]: 50 },
    });
    expect(late?.outcome).toBe('stale');
    expect(h.store.records.get(KEY)).toEqual(opened);
    expect(h.published.map((e) => e.detailType)).toEqual([MESHWARDEN_DETAIL_TYPES.deploymentOpened]);
  });

  it('does not let an UpdateRule delivered after a later one landed open the deployment in its name', async () => {
    // Prepare: both writes are on Lattice before either event is delivered, in order.
    const { h, deliver } = latticeGuard();
    latticeApplies(forward(100, 0));
    await deliver(recordOf('CreateRule', forward(100, 0), 'alice'));
    latticeApplies(forward(90, 10));
    const first = recordOf('UpdateRule', forward(90, 10), 'alice');
    latticeApplies(forward(50, 50));
    const second = recordOf('UpdateRule', forward(50, 50), 'bob');

    // Act
    const [stale] = (await deliver(first)) as { outcome: string }[];
    const afterStale = structuredClone(h.store.records.get(KEY));
    await deliver(second);

    // Assess: the record held what it held until bob's write, the one the rule holds, is judged.
    expect(stale?.outcome).toBe('stale');
    expect(afterStale?.lastWeights).toEqual({ [STABLE]: 100, [CANARY]: 0 });
    expect(afterStale?.deployment).toBeUndefined();
    expect(h.store.records.get(KEY)?.deployment).toMatchObject({
      startedBy: { label: 'bob' },
      openedByEventId: second.id,
      weightsBefore: { [STABLE]: 100, [CANARY]: 0 },
    });
  });

  it("does not take a person's canary for a restore of its own when meshwarden's earlier write is delivered late", async () => {
    // Prepare: meshwarden writes 100/0 (say, change control restoring it), then bob starts a
    // canary; meshwarden's event is delivered after bob's write landed.
    const { h, deliver } = latticeGuard();
    latticeApplies(forward(100, 0));
    await deliver(recordOf('CreateRule', forward(100, 0), 'alice'));
    const own = recordOf('UpdateRule', forward(100, 0), 'meshwarden');
    latticeApplies(forward(80, 20));
    const person = recordOf('UpdateRule', forward(80, 20), 'bob');

    // Act
    await deliver(own);
    await deliver(person);

    // Assess
    expect(h.store.records.get(KEY)?.deployment).toMatchObject({
      status: 'in-progress',
      startedBy: { label: 'bob' },
      openedByEventId: person.id,
    });
  });
});
