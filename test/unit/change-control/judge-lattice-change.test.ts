import { describe, expect, it } from 'vitest';
import { parseMeshChangeInbound } from '../../../shared/change-control/inbound';
import { ValidationError } from '../../../shared/errors';
import { parsePolicy } from '../../../shared/policy/load';
import {
  type JudgeLatticeChangeDeps,
  judgeLatticeChange,
} from '../../../shared/providers/vpc-lattice/change-control/judge-lattice-change';
import type { LatticeCall } from '../../../shared/providers/vpc-lattice/change-control/lattice-call';
import type {
  LatticeChangeTargets,
  LatticeLastKnownGood,
  LatticeLastKnownGoodStore,
  LatticeResourceState,
  LatticeTarget,
  Located,
} from '../../../shared/providers/vpc-lattice/change-control/lattice-state';
import { parseLatticeApiCall } from '../../../shared/providers/vpc-lattice/cloudtrail';
import { loadEvent } from '../../support/sample-events';
import { MemoryAudit, MemorySessions, RecordingNotifier, RecordingPublisher } from './fakes';

const ACCOUNT = '123456789012';
const KEY = 'prod-net/rule/web/http/web-canary';
const SELF = `arn:aws:iam::${ACCOUNT}:role/meshwarden-fn-mesh-change`;

const policy = parsePolicy(
  `version: 1
meshes:
  - mesh: prod-net
    provider: vpc-lattice
    serviceNetwork: prod-net
    changeControl:
      default: deny
      onViolation: revert
      allow:
        - id: web-deployers
          principals: [{ roleArn: "arn:aws:iam::${ACCOUNT}:role/web-deployer" }]
          actions: [UpdateRule]
          resources: [{ kind: rule, parent: "web/*" }]
      violationOverrides:
        - id: deployers-held
          principals: [{ roleArn: "arn:aws:iam::${ACCOUNT}:role/held-deployer" }]
          onViolation: hold
`,
  'p.yaml',
);

const forward = (weights: number[]) => ({
  forward: { targetGroups: weights.map((weight, i) => ({ targetGroupIdentifier: `tg-${i}`, weight })) },
});
const ruleState = (weights: number[]): LatticeResourceState => ({
  type: 'rule',
  name: 'web-canary',
  match: { httpMatch: {} },
  priority: 10,
  action: forward(weights),
});
const TARGET: LatticeTarget = {
  ref: {
    provider: 'vpc-lattice',
    kind: 'rule',
    meshName: 'prod-net',
    name: 'web-canary',
    parentName: 'web/http',
  },
  ids: { serviceId: 'svc-1', listenerId: 'listener-1', ruleId: 'rule-1' },
};

/** Lattice as a map: what is there now, and every write made to it. */
class MemoryLattice implements LatticeChangeTargets {
  located: Located = { status: 'located', target: TARGET };
  state: LatticeResourceState | undefined = ruleState([10, 90]);
  readonly writes: LatticeResourceState[] = [];
  readonly locates: LatticeCall[] = [];
  async locate(call: LatticeCall): Promise<Located> {
    this.locates.push(call);
    return this.located;
  }
  async read(_target: LatticeTarget): Promise<LatticeResourceState | undefined> {
    return this.state;
  }
  async write(_target: LatticeTarget, state: LatticeResourceState) {
    this.writes.push(state);
    this.state = state;
  }
  async remove() {
    this.state = undefined;
  }
  async baseline() {
    return [];
  }
}

class MemoryLatticeGood implements LatticeLastKnownGoodStore {
  readonly records = new Map<string, LatticeLastKnownGood>();
  async get(key: string) {
    return this.records.get(key);
  }
  async put(record: LatticeLastKnownGood) {
    this.records.set(record.resourceKey, record);
  }
  async putIfAbsent(record: LatticeLastKnownGood) {
    if (this.records.has(record.resourceKey)) return false;
    this.records.set(record.resourceKey, record);
    return true;
  }
  async delete(key: string) {
    this.records.delete(key);
  }
}

function scenario() {
  const lattice = new MemoryLattice();
  const lastKnownGood = new MemoryLatticeGood();
  const audit = new MemoryAudit();
  const publisher = new RecordingPublisher();
  const notifier = new RecordingNotifier();
  void lastKnownGood.put({
    resourceKey: KEY,
    state: ruleState([90, 10]),
    eventId: 'baseline:t0',
    recordedAt: '2026-12-06T00:00:00.000Z',
    source: 'baseline',
  });
  const deps: JudgeLatticeChangeDeps = {
    lattice,
    policy,
    selfRoleArns: [SELF],
    governedNetworks: ['prod-net'],
    lastKnownGood,
    sessions: new MemorySessions(),
    audit,
    publisher,
    notifier,
    now: () => new Date('2026-12-06T06:11:00Z'),
  };
  return { deps, lattice, lastKnownGood, audit, publisher, notifier };
}

/** The sample UpdateRule as made by another identity, parsed as the handler parses it. */
function updateRuleBy(identity?: unknown) {
  const event = loadEvent('vpc-lattice/update-rule') as { detail: Record<string, unknown> };
  const detail = identity === undefined ? event.detail : { ...event.detail, userIdentity: identity };
  return parseLatticeApiCall({ ...event, detail }).detail;
}

function assumedRole(roleName: string) {
  return {
    type: 'AssumedRole',
    principalId: `AROAEXAMPLE:${roleName}`,
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${roleName}/s`,
    accountId: ACCOUNT,
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: 'AROAEXAMPLE',
        arn: `arn:aws:iam::${ACCOUNT}:role/${roleName}`,
        accountId: ACCOUNT,
        userName: roleName,
      },
    },
  };
}

describe('judging a VPC Lattice write', () => {
  it('reverts a denied UpdateRule to the last known good state, audit first, then publishes and tells', async () => {
    const { deps, lattice, audit, publisher, notifier } = scenario();

    const result = await judgeLatticeChange(deps, updateRuleBy());

    expect(result).toMatchObject({ status: 'decided', action: 'revert', outcome: 'applied' });
    expect(lattice.writes).toEqual([ruleState([90, 10])]);
    expect(audit.puts.map((r) => r.outcome)).toEqual(['pending', 'applied', 'applied']);
    expect(publisher.published[0]?.detail).toMatchObject({
      resourceKey: KEY,
      changeControl: 'deny',
      action: 'revert',
      ruleIds: ['change-control'],
    });
    expect(notifier.notifications[0]?.title).toMatch(
      /^Reverted: UpdateRule on prod-net\/rule\/web\/http\/web-canary/,
    );
  });

  it("does not judge meshwarden's own write, and makes what it left the last known good", async () => {
    const { deps, lattice, lastKnownGood, audit, publisher } = scenario();
    const event = updateRuleBy(assumedRole('meshwarden-fn-mesh-change'));
    // Lattice holds what the write's response says it left.
    const left: LatticeResourceState = {
      type: 'rule',
      name: 'web-canary',
      match: { httpMatch: {} },
      priority: 10,
      action: event.responseElements?.action,
    };
    lattice.state = left;

    const result = await judgeLatticeChange(deps, event);

    expect(result).toMatchObject({
      status: 'skipped',
      reason: expect.stringContaining("meshwarden's own write"),
    });
    expect(audit.puts).toHaveLength(0);
    expect(publisher.published).toHaveLength(0);
    expect(lattice.writes).toHaveLength(0);
    expect(await lastKnownGood.get(KEY)).toMatchObject({ state: left, source: 'own-write' });
  });

  it('keeps an allowed change as last known good while Lattice holds what it left, and not once it moved on', async () => {
    const kept = scenario();
    const event = updateRuleBy(assumedRole('web-deployer'));
    const left: LatticeResourceState = {
      type: 'rule',
      name: 'web-canary',
      match: { httpMatch: {} },
      priority: 10,
      action: event.responseElements?.action,
    };
    kept.lattice.state = left;
    const movedOn = scenario();
    movedOn.lattice.state = ruleState([50, 50]);

    const keptResult = await judgeLatticeChange(kept.deps, event);
    const movedOnResult = await judgeLatticeChange(movedOn.deps, event);

    expect(keptResult).toMatchObject({ status: 'decided', action: 'keep' });
    expect(await kept.lastKnownGood.get(KEY)).toMatchObject({ state: left, source: 'event' });
    expect(movedOnResult).toMatchObject({ status: 'decided', action: 'keep' });
    expect(await movedOn.lastKnownGood.get(KEY)).toMatchObject({ source: 'baseline' });
    expect(movedOn.publisher.published[0]?.detail).toMatchObject({
      allowRule: 'web-deployers',
      plan: expect.stringContaining('moved on since'),
    });
  });

  it('does not record an own write someone else has overwritten since', async () => {
    const { deps, lattice, lastKnownGood } = scenario();
    lattice.state = ruleState([50, 50]);

    await judgeLatticeChange(deps, updateRuleBy(assumedRole('meshwarden-fn-mesh-change')));

    expect(await lastKnownGood.get(KEY)).toMatchObject({ state: ruleState([90, 10]), source: 'baseline' });
  });

  /** A held caller's UpdateRule, and Lattice holding what its response says it left. */
  function heldCall() {
    const event = updateRuleBy(assumedRole('held-deployer'));
    const left: LatticeResourceState = {
      type: 'rule',
      name: 'web-canary',
      match: { httpMatch: {} },
      priority: 10,
      action: event.responseElements?.action,
    };
    const held = scenario();
    held.lattice.state = left;
    return { ...held, event, left };
  }

  it("holds a held caller's UpdateRule: reverts it, audits, then asks to re-apply what Lattice held", async () => {
    const { deps, lattice, audit, publisher, event, left } = heldCall();

    const result = await judgeLatticeChange(deps, event);

    expect(result).toMatchObject({ status: 'decided', action: 'hold', outcome: 'applied' });
    expect(lattice.writes).toEqual([ruleState([90, 10])]);
    expect(audit.puts.map((r) => r.outcome)).toEqual(['pending', 'applied', 'applied']);
    // The request is in the record before the revert, so a retry asks with the same one.
    expect(audit.puts[0]?.approval).toMatchObject({ action: { type: 'reapply-lattice-change' } });
    const [decision, request] = publisher.published;
    expect(publisher.published.map((e) => e.detailType)).toEqual(['GovernanceDecision', 'ApprovalRequested']);
    expect(decision?.detail).toMatchObject({
      action: 'hold',
      outcome: 'applied',
      approvalId: request?.detail.approvalId,
      plan: expect.stringMatching(/UpdateRule with its match, priority and action.*then ask for approval/),
    });
    expect(request?.detail).toMatchObject({
      meshName: 'prod-net',
      title: `UpdateRule on ${KEY} was reverted and waits for approval`,
      requestedBy: { arn: `arn:aws:sts::${ACCOUNT}:assumed-role/held-deployer/s` },
      action: {
        type: 'reapply-lattice-change',
        resourceKey: KEY,
        operation: 'UpdateRule',
        target: { kind: 'rule', serviceId: 'svc-1', listenerId: 'listener-1', ruleId: 'rule-1' },
        // What Lattice held when the call was judged, and what the revert restored.
        proposed: left,
        base: ruleState([90, 10]),
      },
      expiresAt: '2026-12-06T07:11:00.000Z',
    });
    expect(String(request?.detail.diff)).toContain('action.forward.targetGroups[0].weight: 90 -> 10');
    expect(String(request?.detail.diff)).toContain(
      'action.forward.targetGroups[0].targetGroupIdentifier: "tg-0" -> "tg-00000000000000001"',
    );
  });

  it('does not offer a change for approval when the rule was written again since; it reverts and says why', async () => {
    const { deps, lattice, publisher, event } = heldCall();
    // Not what the call's response says it left: someone wrote the rule after it.
    lattice.state = ruleState([30, 70]);

    const result = await judgeLatticeChange(deps, event);

    expect(result).toMatchObject({ action: 'revert', outcome: 'applied' });
    expect(lattice.writes).toEqual([ruleState([90, 10])]);
    expect(publisher.ofType('ApprovalRequested')).toEqual([]);
    expect(publisher.published[0]?.detail).toMatchObject({
      reasons: expect.arrayContaining([
        expect.stringMatching(/^not held for approval: .* was written again after UpdateRule/),
      ]),
    });
  });

  it('reports a held call it cannot revert as unrevertable, asking nobody', async () => {
    const { deps, lattice, lastKnownGood, publisher, event } = heldCall();
    await lastKnownGood.delete(KEY);

    const result = await judgeLatticeChange(deps, event);

    expect(result).toMatchObject({ action: 'report', outcome: 'no-effect' });
    expect(lattice.writes).toEqual([]);
    expect(publisher.ofType('ApprovalRequested')).toEqual([]);
    expect(publisher.published[0]?.detail).toMatchObject({
      unrevertable: `${KEY} has no last known good state to restore`,
    });
  });

  it('asks once when the publish failed after the revert: the retry publishes the recorded request', async () => {
    const { deps, lattice, publisher, event, left } = heldCall();
    publisher.failNext = new Error('PutEvents throttled');

    await expect(judgeLatticeChange(deps, event)).rejects.toThrow('PutEvents throttled');
    const retried = await judgeLatticeChange(deps, event);
    await judgeLatticeChange(deps, event);

    expect(retried).toMatchObject({ status: 'already-decided', outcome: 'applied' });
    expect(lattice.writes).toHaveLength(1);
    expect(publisher.ofType('ApprovalRequested')).toHaveLength(1);
    expect(publisher.ofType('ApprovalRequested')[0]?.detail).toMatchObject({
      action: { proposed: left },
    });
  });

  it.each([
    ['an undocumented identity type', { type: 'Wizard', arn: `arn:aws:iam::${ACCOUNT}:role/PlatformAdmin` }],
    ["CloudTrail's Unknown", { type: 'Unknown', principalId: ACCOUNT, arn: '', accountId: ACCOUNT }],
  ])('fails closed for %s: reported as unjudgeable, nothing written', async (_label, identity) => {
    const { deps, lattice, publisher } = scenario();

    const result = await judgeLatticeChange(deps, updateRuleBy(identity));

    expect(result).toMatchObject({ status: 'unjudgeable', action: 'report' });
    expect(lattice.writes).toHaveLength(0);
    expect(publisher.published[0]?.detail).toMatchObject({
      changeControl: 'unjudgeable',
      resourceKey: KEY,
      unjudgeable: expect.stringContaining('the caller cannot be identified'),
    });
  });

  it('reports a write it cannot place in a network as unjudgeable, with the reason, never drops it', async () => {
    const { deps, lattice, audit } = scenario();
    lattice.located = { status: 'unlocatable', reason: 'BatchUpdateRule changed 3 rules in one call' };

    const result = await judgeLatticeChange(deps, updateRuleBy());

    expect(result).toMatchObject({
      status: 'unjudgeable',
      reason: 'BatchUpdateRule changed 3 rules in one call',
    });
    expect([...audit.records.values()][0]).toMatchObject({ meshName: '(unknown)', published: true });
  });

  it('has one effect for an event delivered twice', async () => {
    const { deps, lattice } = scenario();

    await judgeLatticeChange(deps, updateRuleBy());
    lattice.state = ruleState([10, 90]);
    const again = await judgeLatticeChange(deps, updateRuleBy());

    expect(again.status).toBe('already-decided');
    expect(lattice.writes).toHaveLength(1);
  });

  it('judges a BatchUpdateRule rule by rule, reverting each successful rule to its own last known good', async () => {
    const { deps, lattice, lastKnownGood, publisher } = scenario();
    const targetOf = (ruleId: string): LatticeTarget => ({
      ref: { ...TARGET.ref, name: ruleId },
      ids: { ...TARGET.ids, ruleId },
    });
    const states = new Map<string, LatticeResourceState>([
      ['rule-a', ruleState([0, 100])],
      ['rule-b', ruleState([0, 100])],
    ]);
    const written: [string, LatticeResourceState][] = [];
    lattice.locate = async (call: LatticeCall) => ({
      status: 'located',
      target: targetOf(call.ids.ruleIdentifier ?? '?'),
    });
    lattice.read = async (target: LatticeTarget) => states.get(target.ids.ruleId ?? '');
    lattice.write = async (target: LatticeTarget, state: LatticeResourceState) => {
      written.push([target.ids.ruleId ?? '', state]);
    };
    for (const id of ['rule-a', 'rule-b']) {
      await lastKnownGood.put({
        resourceKey: `prod-net/rule/web/http/${id}`,
        state: ruleState([100, 0]),
        eventId: 'e0',
        recordedAt: '2026-12-06T00:00:00.000Z',
        source: 'baseline',
      });
    }
    const sample = loadEvent('vpc-lattice/update-rule') as { detail: Record<string, unknown> };
    const detail = parseLatticeApiCall({
      ...sample,
      detail: {
        ...sample.detail,
        eventName: 'BatchUpdateRule',
        requestParameters: {
          serviceIdentifier: 'svc-1',
          listenerIdentifier: 'listener-1',
          rules: [{ ruleIdentifier: 'rule-a' }, { ruleIdentifier: 'rule-b' }, { ruleIdentifier: 'rule-c' }],
        },
        responseElements: {
          successful: [
            { id: 'rule-a', action: forward([0, 100]), priority: 10 },
            { id: 'rule-b', action: forward([0, 100]), priority: 10 },
          ],
          unsuccessful: [{ ruleIdentifier: 'rule-c', failureCode: 'ConflictException' }],
        },
        userIdentity: assumedRole('someone'),
      },
    }).detail;

    const result = await judgeLatticeChange(deps, detail);

    expect(result).toMatchObject({ status: 'decided', action: 'revert' });
    expect(result.rules?.map((r) => r.eventId)).toEqual([
      `${detail.eventID}#rule-a`,
      `${detail.eventID}#rule-b`,
    ]);
    expect(written).toEqual([
      ['rule-a', ruleState([100, 0])],
      ['rule-b', ruleState([100, 0])],
    ]);
    expect(publisher.published.map((e) => (e.detail as { resourceKey: string }).resourceKey)).toEqual([
      'prod-net/rule/web/http/rule-a',
      'prod-net/rule/web/http/rule-b',
    ]);
  });

  it('refuses a malformed Lattice event clearly, naming the field', () => {
    const event = loadEvent('vpc-lattice/update-rule') as { detail: Record<string, unknown> };
    const broken = { ...event, detail: { ...event.detail, eventID: undefined } };

    expect(() => parseMeshChangeInbound(broken)).toThrow(ValidationError);
    expect(() => parseMeshChangeInbound(broken)).toThrow(/eventID/);
  });
});
