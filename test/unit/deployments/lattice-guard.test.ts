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
      { targetGroupIdentifier: CANARY, weight: canary },
      { targetGroupIdentifier: STABLE, weight: stable },
    ],
  },
});

/** The rule as Lattice holds it; GetRule answers it, UpdateRule replaces what it is given. */
let rule: { priority: number; match: unknown; action: RuleAction };

function latticeGuard(deploymentsYaml = '') {
  const h = harness();
  const policy = parsePolicy(
    `version: 1\nmeshes:\n  - mesh: prod-net\n    provider: vpc-lattice\n    serviceNetwork: prod-net\n    changeControl: { default: allow, onViolation: report }\n${deploymentsYaml}`,
    'test.yaml',
  );
  const routes = createLatticeRoutes(new LatticeAdapter(createLatticeClient({ region: 'us-east-1' })), {
    serviceNetworks: ['prod-net'],
  });
  return { h, deps: { ...h.deps, policy, providers: { 'vpc-lattice': routes } } };
}

/** A person's (or meshwarden's) UpdateRule, as CloudTrail delivers it; Lattice then holds `action`. */
function ruleWrite(action: RuleAction, options: { self?: boolean; eventName?: string } = {}) {
  rule = { ...rule, action };
  const event = loadEvent('vpc-lattice/update-rule');
  event.id = crypto.randomUUID();
  event.detail.eventTime = '2026-03-10T10:15:09Z';
  event.detail.eventName = options.eventName ?? 'UpdateRule';
  // The record carries what the call wrote, as Lattice answered it.
  (event.detail.requestParameters as Record<string, unknown>).action = action;
  (event.detail.responseElements as Record<string, unknown>).action = action;
  if (options.self === true) {
    const identity = event.detail.userIdentity as {
      arn: string;
      sessionContext: { sessionIssuer: { arn: string } };
    };
    identity.arn = 'arn:aws:sts::123456789012:assumed-role/meshwarden-functions/meshwarden';
    identity.sessionContext.sessionIssuer.arn = SELF_ROLE;
  }
  return parseGuardInput(event);
}

beforeEach(() => {
  lattice.reset();
  rule = { priority: 10, match, action: forward(100, 0) };
  lattice.on(GetRuleCommand).callsFake(() => ({
    arn: RULE_ARN,
    id: RULE,
    name: 'web-canary',
    isDefault: false,
    ...structuredClone(rule),
    lastUpdatedAt: new Date('2026-03-10T10:15:09.000Z'),
  }));
  lattice
    .on(UpdateRuleCommand)
    .callsFake((input: { priority: number; match: unknown; action: RuleAction }) => {
      rule = { priority: input.priority, match: input.match, action: input.action };
      return { arn: RULE_ARN, id: RULE, name: 'web-canary', isDefault: false, ...structuredClone(rule) };
    });
  lattice.on(GetServiceCommand).resolves({ name: 'web' });
  lattice.on(GetListenerCommand).resolves({ name: 'http' });
  lattice
    .on(ListServiceNetworkServiceAssociationsCommand)
    .resolves({ items: [{ serviceNetworkName: 'prod-net' }] });
  lattice.on(ListTagsForResourceCommand).resolves({ tags: {} });
});

describe('the deployment guard on VPC Lattice', () => {
  it('opens a deployment when a person moves weight onto a second target group, keyed by names', async () => {
    // Prepare
    const { h, deps } = latticeGuard();
    await handleGuardInput(deps, ruleWrite(forward(100, 0), { eventName: 'CreateRule' }));

    // Act
    await handleGuardInput(deps, ruleWrite(forward(10, 90)));

    // Assess
    const record = h.store.records.get(KEY);
    expect(record).toMatchObject({
      routeKey: KEY,
      meshName: 'prod-net',
      routeArn: RULE_ARN,
      lastWeights: { [CANARY]: 90, [STABLE]: 10 },
    });
    expect(record?.deployment).toMatchObject({
      status: 'in-progress',
      stableTarget: STABLE,
      canaryTargets: [CANARY],
      startedBy: { label: 'alice' },
    });
    expect(h.published.map((e) => e.detailType)).toEqual([MESHWARDEN_DETAIL_TYPES.deploymentOpened]);
  });

  it('on ALARM of a tag-bound alarm sends all weight back to the stable target group with one GetRule and one UpdateRule', async () => {
    // Prepare
    const { h, deps } = latticeGuard();
    await handleGuardInput(deps, ruleWrite(forward(100, 0), { eventName: 'CreateRule' }));
    await handleGuardInput(deps, ruleWrite(forward(10, 90)));
    h.tags.set(ALARM_ARN, KEY);
    lattice.resetHistory();

    // Act
    const outcomes = (await handleGuardInput(deps, parseGuardInput(alarmEvent()))) as {
      result: RollbackResult;
    }[];

    // Assess
    expect(outcomes.map((o) => o.result.kind)).toEqual(['rolled-back']);
    expect(lattice.calls().map((c) => c.args[0].constructor.name)).toEqual([
      'GetRuleCommand',
      'UpdateRuleCommand',
    ]);
    expect(lattice.commandCalls(UpdateRuleCommand)[0]?.args[0].input).toEqual({
      serviceIdentifier: SVC,
      listenerIdentifier: LISTENER,
      ruleIdentifier: RULE,
      match,
      priority: 10,
      action: forward(100, 0),
    });
    expect(h.store.records.get(KEY)?.deployment?.status).toBe('rolled-back');
    const rolledBack = h.published.find((e) => e.detailType === MESHWARDEN_DETAIL_TYPES.deploymentRolledBack);
    expect(rolledBack?.detail).toMatchObject({
      routeKey: KEY,
      weightsBefore: { [CANARY]: 90, [STABLE]: 10 },
      weightsAfter: { [CANARY]: 0, [STABLE]: 100 },
      reason: { kind: 'alarm', alarmName: 'web-v2-5xx-rate' },
    });
    expect(h.notified.at(-1)).toMatchObject({
      meshName: 'prod-net',
      kind: 'rollback',
      title: `Rolled back ${KEY}`,
    });
  });

  it('binds alarms by a policy glob over Lattice keys, and takes the stable target group from the policy', async () => {
    // Prepare
    const { h, deps } = latticeGuard(
      `    deployments:\n      routes:\n        - route: prod-net/web/*\n          alarms: [web-v2-5xx-rate]\n          stableTarget: ${STABLE}\n`,
    );
    await handleGuardInput(deps, ruleWrite(forward(100, 0), { eventName: 'CreateRule' }));
    await handleGuardInput(deps, ruleWrite(forward(10, 90)));

    // Act
    await handleGuardInput(deps, parseGuardInput(alarmEvent()));

    // Assess
    expect(h.store.records.get(KEY)?.deployment).toMatchObject({
      stableSource: 'policy',
      status: 'rolled-back',
    });
    expect(rule.action).toEqual(forward(100, 0));
  });

  it('takes the stable target group from the rule tag meshwarden:stable when the policy names none', async () => {
    // Prepare: the canary held the most weight before, so only the tag makes STABLE the stable one.
    const { h, deps } = latticeGuard();
    lattice
      .on(ListTagsForResourceCommand, { resourceArn: RULE_ARN })
      .resolves({ tags: { 'meshwarden:stable': STABLE } });
    await handleGuardInput(deps, ruleWrite(forward(10, 90), { eventName: 'CreateRule' }));

    // Act
    await handleGuardInput(deps, ruleWrite(forward(5, 95)));

    // Assess
    expect(h.store.records.get(KEY)?.deployment).toMatchObject({ stableTarget: STABLE, stableSource: 'tag' });
  });

  it("does not act again on its own rollback's UpdateRule coming back through CloudTrail", async () => {
    // Prepare
    const { h, deps } = latticeGuard();
    await handleGuardInput(deps, ruleWrite(forward(100, 0), { eventName: 'CreateRule' }));
    await handleGuardInput(deps, ruleWrite(forward(10, 90)));
    h.tags.set(ALARM_ARN, KEY);
    await handleGuardInput(deps, parseGuardInput(alarmEvent()));
    const published = h.published.length;
    lattice.resetHistory();

    // Act
    const [result] = (await handleGuardInput(deps, ruleWrite(forward(100, 0), { self: true }))) as {
      outcome: string;
    }[];

    // Assess
    expect(result?.outcome).toBe('unchanged');
    expect(lattice.commandCalls(UpdateRuleCommand)).toHaveLength(0);
    expect(h.published).toHaveLength(published);
    expect(h.store.records.get(KEY)?.deployment?.status).toBe('rolled-back');
  });

  it('ends the deployment when its listener is deleted, finding the rule by its recorded ARN', async () => {
    // Prepare
    const { h, deps } = latticeGuard();
    await handleGuardInput(deps, ruleWrite(forward(100, 0), { eventName: 'CreateRule' }));
    await handleGuardInput(deps, ruleWrite(forward(10, 90)));
    lattice
      .on(GetRuleCommand)
      .rejects(Object.assign(new Error('gone'), { name: 'ResourceNotFoundException' }));
    const event = loadEvent('vpc-lattice/update-rule');
    event.id = crypto.randomUUID();
    event.detail.eventName = 'DeleteListener';
    event.detail.requestParameters = { serviceIdentifier: SVC, listenerIdentifier: LISTENER };
    event.detail.responseElements = null;

    // Act
    await handleGuardInput(deps, parseGuardInput(event));

    // Assess
    expect(h.store.records.get(KEY)).toMatchObject({
      lastWeights: undefined,
      deployment: { status: 'ended', ended: { reason: 'route deleted by alice' } },
    });
  });

  it('ends rather than writes when the rule no longer forwards to weighted target groups, and says so', async () => {
    // Prepare
    const { h, deps } = latticeGuard();
    await handleGuardInput(deps, ruleWrite(forward(100, 0), { eventName: 'CreateRule' }));
    await handleGuardInput(deps, ruleWrite(forward(10, 90)));
    rule = { ...rule, action: { fixedResponse: { statusCode: 503 } } };
    h.tags.set(ALARM_ARN, KEY);
    lattice.resetHistory();

    // Act
    await handleGuardInput(deps, parseGuardInput(alarmEvent()));

    // Assess
    expect(lattice.commandCalls(UpdateRuleCommand)).toHaveLength(0);
    expect(h.store.records.get(KEY)?.deployment).toMatchObject({
      status: 'ended',
      ended: { reason: expect.stringContaining('no weighted forward') },
    });
    expect(h.notified.at(-1)?.text).toContain(`Could not roll back ${KEY}`);
  });

  it('refuses a Lattice event when no service network is governed, naming what to configure', async () => {
    // Prepare
    const { h } = latticeGuard();

    // Act + Assess
    await expect(handleGuardInput(h.deps, ruleWrite(forward(10, 90)))).rejects.toThrow(
      'governs no vpc-lattice service network',
    );
  });
});
