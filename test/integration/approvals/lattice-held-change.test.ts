import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetRuleCommand,
  type RuleAction,
  UpdateRuleCommand,
  VPCLatticeClient,
} from '@aws-sdk/client-vpc-lattice';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify } from 'yaml';
import {
  findLatticeDemoRule,
  LATTICE_DEMO,
  type LatticeDemoRule,
  seedLatticeDemo,
} from '../../../infra/local/demo/lattice-seed';
import { DEMO_POLICY_FILE } from '../../../infra/local/runtime';
import { pressButton } from '../../../infra/local/slack/block-actions';
import type { BusEvent } from '../../../infra/local/types';
import { DynamoDbApprovalStore } from '../../../shared/adapters/dynamodb/approval-store';
import { createDocumentClient } from '../../../shared/adapters/dynamodb/client';
import { DynamoLatticeLastKnownGoodStore } from '../../../shared/adapters/dynamodb/lattice-last-known-good-store';
import { startSeededLocalAws, type TestLocalAws } from '../../support/local-aws';

const RULE_KEY = `${LATTICE_DEMO.serviceNetwork}/rule/${LATTICE_DEMO.service}/${LATTICE_DEMO.listener}/${LATTICE_DEMO.rule}`;

interface PolicyEntry {
  mesh: string;
  provider?: string;
  changeControl: Record<string, unknown>;
  approvals?: Record<string, unknown>;
}

/**
 * The demo policy, with bob's VPC Lattice changes held for approval (as his App Mesh ones are)
 * and prod-net's requests decided by the App Mesh entry's approvers.
 */
function latticeHoldPolicy(): string {
  const policy = parseYaml(readFileSync(DEMO_POLICY_FILE, 'utf8')) as { meshes: PolicyEntry[] };
  const appMesh = policy.meshes.find((m) => m.provider === undefined);
  const meshes = policy.meshes.map((m) =>
    m.provider === 'vpc-lattice'
      ? {
          ...m,
          changeControl: {
            ...m.changeControl,
            violationOverrides: [
              {
                id: 'bob-needs-approval',
                principals: [{ iamUser: 'bob', account: '000000000000' }],
                onViolation: 'hold',
              },
            ],
          },
          approvals: appMesh?.approvals,
        }
      : m,
  );
  const file = join(mkdtempSync(join(tmpdir(), 'meshwarden-lattice-hold-')), 'policy.yaml');
  writeFileSync(file, stringify({ ...policy, meshes }));
  return file;
}

/**
 * A held VPC Lattice change with every function running: bob (held for approval) moves the
 * web-canary rule's weights -> change control reverts it to last known good and asks in Slack
 * -> priya approves (or rejects) with a signed click -> the approval executor re-applies bob's
 * rule as meshwarden's own write (or applies nothing).
 */
describe('a held VPC Lattice change, approved or rejected in Slack', () => {
  let local: TestLocalAws;
  let where: LatticeDemoRule;
  let admin: VPCLatticeClient;
  let bob: VPCLatticeClient;
  let approvals: DynamoDbApprovalStore;
  let lkg: DynamoLatticeLastKnownGoodStore;
  const seen: BusEvent[] = [];

  const ofType = (detailType: string, from = 0) =>
    seen.slice(from).filter((e) => e['detail-type'] === detailType);

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

  async function bobSets(next: readonly number[]): Promise<void> {
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
    await bob.send(new UpdateRuleCommand({ ...ids, action }));
    await local.aws.drain();
  }

  /** The request message of the latest approval asked, and its id. */
  function latestRequest() {
    const requested = ofType('ApprovalRequested').at(-1);
    const approvalId = String(requested?.detail.approvalId);
    const message = local.aws.slack.store
      .messagesIn('C0APPROVALS')
      .messages.find((m) => JSON.stringify(m.blocks ?? []).includes(approvalId));
    return { requested, approvalId, message };
  }

  beforeAll(async () => {
    local = await startSeededLocalAws({ policyFile: latticeHoldPolicy() });
    local.aws.bus.onActivity((a) => {
      if (a.kind === 'event') seen.push(a.event);
    });
    await seedLatticeDemo(local.clientConfig('admin'));
    await local.aws.drain();
    const found = await findLatticeDemoRule(local.clientConfig('admin'));
    if (found === undefined) throw new Error('the Lattice demo rule was not seeded');
    where = found;
    admin = new VPCLatticeClient(local.clientConfig('admin'));
    bob = new VPCLatticeClient(local.clientConfig('iamUser'));
    const documents = createDocumentClient(local.clientConfig('admin'));
    const table = local.aws.functionEnv.MESHWARDEN_TABLE ?? '';
    approvals = new DynamoDbApprovalStore(documents, table);
    lkg = new DynamoLatticeLastKnownGoodStore(documents, table, local.aws.accountId);
  }, 90_000);
  afterAll(async () => {
    admin?.destroy();
    bob?.destroy();
    await local?.aws.close();
  });

  it("reverts bob's UpdateRule to last known good, asks in Slack, and re-applies bob's weights when priya approves", async () => {
    // Prepare: the seed's weights are last known good
    const before = await weights();
    expect(before).toEqual([90, 10]);

    // Act: bob moves all weight to the canary
    await bobSets([0, 100]);

    // Assess: reverted, held, asked
    expect(await weights()).toEqual(before);
    const decision = ofType('GovernanceDecision')
      .filter((e) => e.detail.resourceKey === RULE_KEY)
      .at(-1);
    expect(decision?.detail).toMatchObject({
      operation: 'UpdateRule',
      changeControl: 'deny',
      action: 'hold',
      outcome: 'applied',
      principal: { arn: 'arn:aws:iam::000000000000:user/bob' },
    });
    const { requested, approvalId, message } = latestRequest();
    expect(decision?.detail.approvalId).toBe(approvalId);
    expect(requested?.detail).toMatchObject({
      meshName: LATTICE_DEMO.serviceNetwork,
      action: {
        type: 'reapply-lattice-change',
        resourceKey: RULE_KEY,
        operation: 'UpdateRule',
        target: {
          kind: 'rule',
          serviceId: where.serviceId,
          listenerId: where.listenerId,
          ruleId: where.ruleId,
        },
        proposed: { type: 'rule', action: { forward: { targetGroups: [{ weight: 0 }, { weight: 100 }] } } },
        base: { type: 'rule', action: { forward: { targetGroups: [{ weight: 90 }, { weight: 10 }] } } },
      },
    });
    expect(message?.text).toContain('UpdateRule');

    // Act: priya approves
    const decidedFrom = seen.length;
    const answer = await pressButton(local.aws.slackUrl, {
      channel: 'C0APPROVALS',
      ts: message?.ts ?? '',
      action_id: 'meshwarden.approve',
      user: 'U0PLATFORM1',
    });
    await local.aws.drain();

    // Assess: bob's weights are in place, recorded, and meshwarden's write was not judged again
    expect(answer.status).toBe(200);
    expect(await weights()).toEqual([0, 100]);
    expect(ofType('ApprovalDecided', decidedFrom).map((e) => e.detail.decision)).toEqual(['approved']);
    expect((await approvals.get(approvalId))?.execution).toMatchObject({ outcome: 'applied' });
    const reapplied = seen
      .slice(decidedFrom)
      .filter(
        (e) =>
          e.source === 'aws.vpc-lattice' &&
          e.detail.eventName === 'UpdateRule' &&
          String((e.detail.userIdentity as { arn?: string }).arn).includes('meshwarden-fn-approval-executor'),
      );
    expect(reapplied).toHaveLength(1);
    expect(ofType('GovernanceDecision', decidedFrom)).toEqual([]);
    // meshwarden's own verified write is last known good now.
    expect(await lkg.get(RULE_KEY)).toMatchObject({
      source: 'own-write',
      state: { action: { forward: { targetGroups: [{ weight: 0 }, { weight: 100 }] } } },
    });
    const updated = local.aws.slack.store.message('C0APPROVALS', message?.ts ?? '');
    expect(JSON.stringify(updated?.blocks)).toContain('*Approved* by <@U0PLATFORM1> (priya)');
  });

  it("leaves last known good in place when priya rejects bob's next change", async () => {
    // Prepare: bob's change is held and reverted to last known good (his approved weights)
    const good = await weights();
    await bobSets([40, 60]);
    expect(await weights()).toEqual(good);
    const { approvalId, message } = latestRequest();

    // Act: priya rejects
    const decidedFrom = seen.length;
    await pressButton(local.aws.slackUrl, {
      channel: 'C0APPROVALS',
      ts: message?.ts ?? '',
      action_id: 'meshwarden.reject',
      user: 'U0PLATFORM1',
    });
    await local.aws.drain();

    // Assess: nothing applied
    expect(ofType('ApprovalDecided', decidedFrom).map((e) => e.detail.decision)).toEqual(['rejected']);
    expect(await weights()).toEqual(good);
    expect(seen.slice(decidedFrom).filter((e) => e.source === 'aws.vpc-lattice')).toEqual([]);
    expect((await approvals.get(approvalId))?.execution).toBeUndefined();
    expect((await lkg.get(RULE_KEY))?.state).toMatchObject({
      action: { forward: { targetGroups: [{ weight: good[0] }, { weight: good[1] }] } },
    });
  });
});
