import { CloudWatchClient, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import {
  BatchUpdateRuleCommand,
  CreateRuleCommand,
  DeleteAuthPolicyCommand,
  DeleteRuleCommand,
  GetAuthPolicyCommand,
  GetRuleCommand,
  ListServicesCommand,
  PutAuthPolicyCommand,
  type RuleAction,
  UpdateRuleCommand,
  VPCLatticeClient,
} from '@aws-sdk/client-vpc-lattice';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  findLatticeDemoRule,
  LATTICE_DEMO,
  type LatticeDemoRule,
  seedLatticeDemo,
} from '../../../infra/local/demo/lattice-seed';
import type { BusEvent } from '../../../infra/local/types';
import { DynamoAuditLog } from '../../../shared/adapters/dynamodb/audit-log';
import { createDocumentClient } from '../../../shared/adapters/dynamodb/client';
import { DynamoLatticeLastKnownGoodStore } from '../../../shared/adapters/dynamodb/lattice-last-known-good-store';
import { startSeededLocalAws, type TestLocalAws } from '../../support/local-aws';
import { loadEvent } from '../../support/sample-events';

const WEB_RULE_KEY = `${LATTICE_DEMO.serviceNetwork}/rule/${LATTICE_DEMO.service}/${LATTICE_DEMO.listener}/${LATTICE_DEMO.rule}`;
const WEB_AUTH_KEY = `${LATTICE_DEMO.serviceNetwork}/auth-policy/service/${LATTICE_DEMO.service}`;

function authPolicy(principal: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { AWS: principal }, Action: 'vpc-lattice-svcs:Invoke', Resource: '*' },
    ],
  });
}

/** Change control on VPC Lattice end to end: CloudTrail -> bus -> mesh-change -> Lattice, table, bus. */
describe('VPC Lattice change control in local AWS', () => {
  let local: TestLocalAws;
  let where: LatticeDemoRule;
  const seen: BusEvent[] = [];
  let admin: VPCLatticeClient;
  let alice: VPCLatticeClient;
  let bob: VPCLatticeClient;
  let audit: DynamoAuditLog;
  let lkg: DynamoLatticeLastKnownGoodStore;

  const decisionsFor = (resourceKey: string) =>
    seen.filter(
      (e) =>
        e['detail-type'] === 'GovernanceDecision' &&
        (e.detail as { resourceKey?: string }).resourceKey === resourceKey,
    );
  const latticeTrail = (eventName: string) =>
    seen.filter(
      (e) => e.source === 'aws.vpc-lattice' && (e.detail as { eventName?: string }).eventName === eventName,
    );

  async function weights(): Promise<number[]> {
    const rule = await admin.send(
      new GetRuleCommand({
        serviceIdentifier: where.serviceId,
        listenerIdentifier: where.listenerId,
        ruleIdentifier: where.ruleId,
      }),
    );
    return (rule.action?.forward?.targetGroups ?? []).map((t) => t.weight ?? -1);
  }

  async function setWeights(client: VPCLatticeClient, next: readonly number[]): Promise<void> {
    const ids = {
      serviceIdentifier: where.serviceId,
      listenerIdentifier: where.listenerId,
      ruleIdentifier: where.ruleId,
    };
    const rule = await admin.send(new GetRuleCommand(ids));
    const action: RuleAction = {
      forward: {
        targetGroups: (rule.action?.forward?.targetGroups ?? []).map((t, i) => ({
          ...t,
          weight: next[i] ?? 0,
        })),
      },
    };
    // Only the action: UpdateRule leaves match and priority as they are when not given.
    await client.send(new UpdateRuleCommand({ ...ids, action }));
  }

  beforeAll(async () => {
    // The demo policy governs prod-net: platform admins may do anything, the web team's OIDC
    // workflow may update the web service's rules, nobody else anything (default deny, revert).
    local = await startSeededLocalAws();
    local.aws.bus.onActivity((activity) => {
      if (activity.kind === 'event') seen.push(activity.event);
    });
    // The admin seeds the network: each create is judged, allowed, and kept as last known good.
    await seedLatticeDemo(local.clientConfig('admin'));
    await local.aws.drain();
    const found = await findLatticeDemoRule(local.clientConfig('admin'));
    if (found === undefined) throw new Error('the Lattice demo rule was not seeded');
    where = found;
    admin = new VPCLatticeClient(local.clientConfig('admin'));
    alice = new VPCLatticeClient(local.clientConfig('oidcDeveloper'));
    bob = new VPCLatticeClient(local.clientConfig('iamUser'));
    const documents = createDocumentClient(local.clientConfig('admin'));
    const table = local.aws.functionEnv.MESHWARDEN_TABLE ?? '';
    audit = new DynamoAuditLog(documents, table, local.aws.accountId);
    lkg = new DynamoLatticeLastKnownGoodStore(documents, table, local.aws.accountId);
  }, 90_000);
  afterAll(() => local?.aws.close());

  it('keeps the seed of the governed network as last known good (allowed creates)', async () => {
    const good = await lkg.get(WEB_RULE_KEY);

    expect(good?.state).toMatchObject({ type: 'rule', name: LATTICE_DEMO.rule });
    expect(good?.source).toBe('event');
    expect(decisionsFor(WEB_RULE_KEY).at(-1)?.detail).toMatchObject({
      operation: 'CreateRule',
      changeControl: 'allow',
      action: 'keep',
      allowRule: 'lattice-platform-admins',
    });
  });

  it('keeps an allowed UpdateRule (alice, web team rule) and makes it last known good', async () => {
    await setWeights(alice, [80, 20]);
    await local.aws.drain();

    expect(await weights()).toEqual([80, 20]);
    const decision = decisionsFor(WEB_RULE_KEY).at(-1);
    expect(decision?.detail).toMatchObject({
      provider: 'vpc-lattice',
      operation: 'UpdateRule',
      changeControl: 'allow',
      action: 'keep',
      allowRule: 'lattice-web-team-deploys',
      outcome: 'no-effect',
      principal: { arn: 'arn:aws:sts::000000000000:assumed-role/MeshDeveloper/alice' },
    });
    const good = await lkg.get(WEB_RULE_KEY);
    expect(good?.state).toMatchObject({
      type: 'rule',
      action: { forward: { targetGroups: [{ weight: 80 }, { weight: 20 }] } },
    });
    expect(good?.eventId).toBe((decision?.detail as { eventId?: string } | undefined)?.eventId);
  });

  it('reverts a disallowed UpdateRule by bob to the last known good weights, and audits it', async () => {
    await setWeights(bob, [0, 100]);
    await local.aws.drain();

    expect(await weights()).toEqual([80, 20]);
    const decision = decisionsFor(WEB_RULE_KEY).at(-1);
    expect(decision?.detail).toMatchObject({
      operation: 'UpdateRule',
      changeControl: 'deny',
      action: 'revert',
      outcome: 'applied',
      ruleIds: ['change-control'],
      principal: { arn: 'arn:aws:iam::000000000000:user/bob' },
    });
    const detail = decision?.detail as {
      eventId: string;
      eventTime: string;
      reasons: string[];
      plan: string;
    };
    expect(detail.reasons[0]).toMatch(
      /IAM user bob may not make UpdateRule on prod-net\/rule\/web\/http\/web-canary: no allow rule matches/,
    );
    expect(detail.plan).toMatch(/UpdateRule with its match, priority and action/);
    const record = await audit.get(LATTICE_DEMO.serviceNetwork, detail.eventTime, detail.eventId);
    expect(record).toMatchObject({ outcome: 'applied', published: true });
  });

  it("does not judge meshwarden's own revert again", async () => {
    const own = latticeTrail('UpdateRule').filter((e) =>
      String((e.detail as { userIdentity?: { arn?: string } }).userIdentity?.arn).includes(
        'meshwarden-fn-mesh-change',
      ),
    );
    const judged = new Set(
      seen
        .filter((e) => e['detail-type'] === 'GovernanceDecision')
        .map((e) => (e.detail as { eventId: string }).eventId),
    );

    expect(own.length).toBeGreaterThan(0);
    for (const event of own) expect(judged.has((event.detail as { eventID: string }).eventID)).toBe(false);
    // The revert left the last known good as it was (now confirmed by meshwarden's own write).
    expect(await lkg.get(WEB_RULE_KEY)).toMatchObject({ source: 'own-write' });
    expect((await lkg.get(WEB_RULE_KEY))?.state).toMatchObject({
      action: { forward: { targetGroups: [{ weight: 80 }, { weight: 20 }] } },
    });
  });

  it('reverts a disallowed PutAuthPolicy to the last known good document', async () => {
    const good = authPolicy('arn:aws:iam::000000000000:role/frontend');
    await admin.send(new PutAuthPolicyCommand({ resourceIdentifier: where.serviceId, policy: good }));
    await local.aws.drain();
    expect(decisionsFor(WEB_AUTH_KEY).at(-1)?.detail).toMatchObject({
      changeControl: 'allow',
      action: 'keep',
    });

    await bob.send(
      new PutAuthPolicyCommand({ resourceIdentifier: where.serviceId, policy: authPolicy('*') }),
    );
    await local.aws.drain();

    const now = await admin.send(new GetAuthPolicyCommand({ resourceIdentifier: where.serviceId }));
    expect(JSON.parse(now.policy ?? '{}')).toEqual(JSON.parse(good));
    expect(decisionsFor(WEB_AUTH_KEY).at(-1)?.detail).toMatchObject({
      operation: 'PutAuthPolicy',
      changeControl: 'deny',
      action: 'revert',
      outcome: 'applied',
      plan: expect.stringContaining('PutAuthPolicy'),
    });
  });

  it('records the first sight of the network in the daily audit, and reverts a PutAuthPolicy where there was none', async () => {
    const { items } = await admin.send(new ListServicesCommand({}));
    const payments = items?.find((s) => s.name === 'payments')?.id ?? '';
    const paymentsAuthKey = `${LATTICE_DEMO.serviceNetwork}/auth-policy/service/payments`;
    expect(await lkg.get(paymentsAuthKey)).toBeUndefined();

    await local.aws.functions.invoke('mesh-audit', loadEvent('scheduler/daily-audit'));

    expect(await lkg.get(paymentsAuthKey)).toMatchObject({
      state: { type: 'auth-policy', policy: null },
      source: 'baseline',
    });
    // What an allowed change recorded stays: the first sight never overwrites.
    expect((await lkg.get(WEB_RULE_KEY))?.source).not.toBe('baseline');

    await bob.send(new PutAuthPolicyCommand({ resourceIdentifier: payments, policy: authPolicy('*') }));
    await local.aws.drain();

    await expect(
      admin.send(new GetAuthPolicyCommand({ resourceIdentifier: payments })),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expect(decisionsFor(paymentsAuthKey).at(-1)?.detail).toMatchObject({
      changeControl: 'deny',
      action: 'revert',
      outcome: 'applied',
      plan: expect.stringContaining('DeleteAuthPolicy'),
    });
  });

  it('restores the auth policy a disallowed DeleteAuthPolicy removed', async () => {
    const { items } = await admin.send(new ListServicesCommand({}));
    const frontend = items?.find((s) => s.name === 'frontend')?.id ?? '';
    const key = `${LATTICE_DEMO.serviceNetwork}/auth-policy/service/frontend`;
    await admin.send(new PutAuthPolicyCommand({ resourceIdentifier: frontend, policy: authPolicy('*') }));
    await local.aws.drain();

    await bob.send(new DeleteAuthPolicyCommand({ resourceIdentifier: frontend }));
    await local.aws.drain();

    // DeleteAuthPolicy is undone by putting the last known good document back.
    const now = await admin.send(new GetAuthPolicyCommand({ resourceIdentifier: frontend }));
    expect(JSON.parse(now.policy ?? '{}')).toEqual(JSON.parse(authPolicy('*')));
    expect(decisionsFor(key).at(-1)?.detail).toMatchObject({ action: 'revert', outcome: 'applied' });
  });

  it('reports a disallowed DeleteRule as unrevertable, with the reason, and leaves it', async () => {
    const ids = { serviceIdentifier: where.serviceId, listenerIdentifier: where.listenerId };
    const created = await admin.send(
      new CreateRuleCommand({
        ...ids,
        name: 'maintenance',
        priority: 50,
        match: { httpMatch: { pathMatch: { match: { prefix: '/maintenance' } } } },
        action: { fixedResponse: { statusCode: 503 } },
      }),
    );
    await local.aws.drain();
    const key = `${LATTICE_DEMO.serviceNetwork}/rule/web/http/maintenance`;
    expect(decisionsFor(key).at(-1)?.detail).toMatchObject({ operation: 'CreateRule', action: 'keep' });

    await bob.send(new DeleteRuleCommand({ ...ids, ruleIdentifier: created.id }));
    await local.aws.drain();

    const decision = decisionsFor(`${LATTICE_DEMO.serviceNetwork}/rule/web/http/${created.id}`).at(-1);
    expect(decision?.detail).toMatchObject({
      operation: 'DeleteRule',
      changeControl: 'deny',
      action: 'report',
      outcome: 'no-effect',
      unrevertable: expect.stringMatching(/recreating deleted VPC Lattice resources is not supported/),
    });
  });

  it('reverts a disallowed BatchUpdateRule rule by rule', async () => {
    const ids = { serviceIdentifier: where.serviceId, listenerIdentifier: where.listenerId };
    const created = await admin.send(
      new CreateRuleCommand({
        ...ids,
        name: 'static',
        priority: 60,
        match: { httpMatch: { pathMatch: { match: { prefix: '/static' } } } },
        action: { fixedResponse: { statusCode: 404 } },
      }),
    );
    await local.aws.drain();
    const canary = await admin.send(new GetRuleCommand({ ...ids, ruleIdentifier: where.ruleId }));

    await bob.send(
      new BatchUpdateRuleCommand({
        ...ids,
        rules: [
          {
            ruleIdentifier: where.ruleId,
            action: {
              forward: {
                targetGroups: (canary.action?.forward?.targetGroups ?? []).map((t, i) => ({
                  ...t,
                  weight: i === 0 ? 10 : 90,
                })),
              },
            },
          },
          { ruleIdentifier: created.id, action: { fixedResponse: { statusCode: 503 } } },
        ],
      }),
    );
    await local.aws.drain();

    expect(await weights()).toEqual([80, 20]);
    const staticRule = await admin.send(new GetRuleCommand({ ...ids, ruleIdentifier: created.id }));
    expect(staticRule.action).toEqual({ fixedResponse: { statusCode: 404 } });
    expect(decisionsFor(`${LATTICE_DEMO.serviceNetwork}/rule/web/http/static`).at(-1)?.detail).toMatchObject({
      operation: 'BatchUpdateRule',
      changeControl: 'deny',
      action: 'revert',
      outcome: 'applied',
    });
  });

  it("makes the guard's rollback last known good, so a later violation is reverted to it, not to the canary", async () => {
    const cloudwatch = new CloudWatchClient(local.clientConfig('admin'));
    const before = await weights();
    expect(before[1]).toBeGreaterThan(0);

    await cloudwatch.send(
      new SetAlarmStateCommand({
        AlarmName: LATTICE_DEMO.alarms[0],
        StateValue: 'ALARM',
        StateReason: '5xx above threshold',
      }),
    );
    await local.aws.drain();

    expect(await weights()).toEqual([100, 0]);
    expect(await lkg.get(WEB_RULE_KEY)).toMatchObject({
      source: 'own-write',
      state: { action: { forward: { targetGroups: [{ weight: 100 }, { weight: 0 }] } } },
    });

    await setWeights(bob, [50, 50]);
    await local.aws.drain();

    expect(await weights()).toEqual([100, 0]);
    cloudwatch.destroy();
  });
});
