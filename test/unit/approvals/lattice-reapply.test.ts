import { describe, expect, it } from 'vitest';
import type { Approval } from '../../../shared/approvals/approval';
import { executeDecision, reaskApprovalId } from '../../../shared/approvals/execute';
import { BadRequestError } from '../../../shared/errors';
import {
  type ApprovalDecidedDetail,
  approvalRequestedDetail,
  parseApprovalRequested,
} from '../../../shared/events/approvals';
import { groupsAllowedFor } from '../../../shared/policy/sections/approvals';
import type { LatticeReapplyAction } from '../../../shared/providers/vpc-lattice/change-control/lattice-hold';
import type {
  LatticeResourceState,
  LatticeTarget,
} from '../../../shared/providers/vpc-lattice/change-control/lattice-state';
import { reapplyLatticeChange } from '../../../shared/providers/vpc-lattice/change-control/reapply';
import {
  APPROVAL_ID,
  approvalsPolicy,
  MemoryApprovalStore,
  NOW,
  pendingApproval,
  RecordingChat,
  RecordingPublisher,
  recordingLog,
} from './support';

const KEY = 'prod-net/rule/web/http/web-canary';
const forward = (weights: number[]) => ({
  forward: {
    targetGroups: weights.map((weight, i) => ({ targetGroupIdentifier: `tg-${i}`, weight })),
  },
});
const rule = (weights: number[]) =>
  ({
    type: 'rule',
    name: 'web-canary',
    match: { httpMatch: { pathMatch: { match: { prefix: '/' } } } },
    priority: 10,
    action: forward(weights),
  }) as const;

const ACTION: LatticeReapplyAction = {
  type: 'reapply-lattice-change',
  resourceKey: KEY,
  operation: 'UpdateRule',
  target: { kind: 'rule', serviceId: 'svc-1', listenerId: 'listener-1', ruleId: 'rule-1' },
  proposed: rule([0, 100]),
  base: rule([80, 20]),
};

/** VPC Lattice as one resource: what it holds now, and every write and removal made. */
class OneResource {
  readonly writes: { target: LatticeTarget; state: LatticeResourceState }[] = [];
  removed = 0;
  constructor(public state: LatticeResourceState | undefined) {}
  async read() {
    return this.state;
  }
  async write(target: LatticeTarget, state: LatticeResourceState) {
    this.writes.push({ target, state });
    this.state = state;
  }
  async remove() {
    this.removed += 1;
    this.state = { type: 'auth-policy', policy: null };
  }
}

describe('re-applying an approved held VPC Lattice change', () => {
  it('writes the held state back whole while the rule holds what the revert restored', async () => {
    const lattice = new OneResource(rule([80, 20]));

    const outcome = await reapplyLatticeChange(lattice, 'prod-net', ACTION);

    expect(outcome).toMatchObject({ kind: 'applied', detail: expect.stringContaining('UpdateRule') });
    expect(lattice.writes).toEqual([
      {
        target: {
          ref: { provider: 'vpc-lattice', kind: 'rule', meshName: 'prod-net', name: 'web-canary' },
          ids: { serviceId: 'svc-1', listenerId: 'listener-1', ruleId: 'rule-1' },
        },
        state: rule([0, 100]),
      },
    ]);
  });

  it('writes nothing when the rule holds the change already (a retried execution)', async () => {
    const lattice = new OneResource(rule([0, 100]));

    const outcome = await reapplyLatticeChange(lattice, 'prod-net', ACTION);

    expect(outcome.kind).toBe('nothing');
    expect(lattice.writes).toEqual([]);
  });

  it('writes nothing when someone wrote the rule since the revert: it moved on', async () => {
    const lattice = new OneResource(rule([100, 0]));

    const outcome = await reapplyLatticeChange(lattice, 'prod-net', ACTION);

    expect(outcome).toMatchObject({ kind: 'moved-on', current: rule([100, 0]) });
    expect(lattice.writes).toEqual([]);
  });

  it('writes nothing when the rule is gone', async () => {
    const lattice = new OneResource(undefined);

    expect(await reapplyLatticeChange(lattice, 'prod-net', ACTION)).toMatchObject({ kind: 'gone' });
  });

  it('deletes the auth policy again for a held DeleteAuthPolicy, and puts the document for a held PutAuthPolicy', async () => {
    const doc = '{"Version":"2012-10-17","Statement":[]}';
    const auth = (policy: string | null) => ({ type: 'auth-policy', policy }) as const;
    const target = { kind: 'auth-policy', ownerId: 'svc-1' } as const;
    const deleted = new OneResource(auth(doc));
    const put = new OneResource(auth(null));

    const deleting = await reapplyLatticeChange(deleted, 'prod-net', {
      ...ACTION,
      operation: 'DeleteAuthPolicy',
      target,
      proposed: auth(null),
      base: auth(doc),
    });
    const putting = await reapplyLatticeChange(put, 'prod-net', {
      ...ACTION,
      operation: 'PutAuthPolicy',
      target,
      proposed: auth(doc),
      base: auth(null),
    });

    expect(deleting.kind).toBe('applied');
    expect(deleted.removed).toBe(1);
    expect(putting.kind).toBe('applied');
    expect(put.writes.map((w) => w.state)).toEqual([auth(doc)]);
  });

  it('refuses a stored action whose ids or states do not fit its kind, writing nothing', async () => {
    const lattice = new OneResource(rule([80, 20]));

    await expect(
      reapplyLatticeChange(lattice, 'prod-net', { ...ACTION, target: { kind: 'rule', serviceId: 'svc-1' } }),
    ).rejects.toThrow(new BadRequestError(`the held rule ${KEY} names no listenerId, ruleId`));
    await expect(
      reapplyLatticeChange(lattice, 'prod-net', {
        ...ACTION,
        proposed: { type: 'auth-policy', policy: null },
      }),
    ).rejects.toThrow(/proposed is a auth-policy state, but .* is a rule/);
    expect(lattice.writes).toEqual([]);
  });
});

describe('the approvals contract for a held VPC Lattice change', () => {
  const request = {
    approvalId: APPROVAL_ID,
    meshName: 'prod-net',
    action: ACTION,
    title: `UpdateRule on ${KEY} was reverted and waits for approval`,
    reason: 'bob may change nothing',
    requestedBy: { arn: 'arn:aws:iam::000000000000:user/bob', label: 'IAM user bob' },
    diff: '',
    expiresAt: '2026-03-10T11:00:00.000Z',
  };

  it('takes a request with the held state and the restored one', () => {
    expect(approvalRequestedDetail.safeParse(request).success).toBe(true);
  });

  it('refuses an ARN where a Lattice id belongs, and a rule without its action, naming the field', () => {
    const envelope = (detail: unknown) => ({
      version: '0',
      id: 'e',
      'detail-type': 'ApprovalRequested',
      source: 'meshwarden',
      account: '000000000000',
      time: '2026-03-10T10:00:00Z',
      region: 'us-east-1',
      resources: [],
      detail,
    });
    const { action: _action, ...ruleWithoutAction } = ACTION.proposed as Record<string, unknown>;

    expect(() =>
      parseApprovalRequested(
        envelope({
          ...request,
          action: {
            ...ACTION,
            target: { ...ACTION.target, serviceId: 'arn:aws:vpc-lattice:us-east-1:0:service/svc-1' },
          },
        }),
      ),
    ).toThrow(/detail\.action\.target\.serviceId/);
    expect(() =>
      parseApprovalRequested(envelope({ ...request, action: { ...ACTION, proposed: ruleWithoutAction } })),
    ).toThrow(/detail\.action\.proposed\.action/);
  });

  it('is decided by the groups the policy lists for reapply-change', () => {
    const section = approvalsPolicy().forMesh('prod')?.document.approvals;
    if (section === undefined) throw new Error('the test policy has no approvals section');

    expect(groupsAllowedFor(section, 'reapply-lattice-change')).toEqual(
      groupsAllowedFor(section, 'reapply-change'),
    );
    expect(groupsAllowedFor(section, 'reapply-lattice-change').length).toBeGreaterThan(0);
  });
});

describe('executeDecision for a held VPC Lattice change', () => {
  function world(status: 'approved' | 'rejected' | 'expired', state: LatticeResourceState | undefined) {
    const store = new MemoryApprovalStore();
    const approval: Approval = pendingApproval({
      meshName: 'prod-net',
      action: ACTION,
      status,
      decidedAt: NOW.toISOString(),
      message: { channel: 'C0APPROVALS', ts: '1.2' },
      ...(status === 'expired' ? {} : { decidedBy: { slackUserId: 'U0PLATFORM1', identity: 'priya' } }),
    });
    void store.create(approval);
    const chat = new RecordingChat();
    const publisher = new RecordingPublisher();
    const lattice = new OneResource(state);
    const deps = {
      store,
      chat,
      publisher,
      meshes: undefined as never,
      lattice,
      now: () => NOW,
      log: recordingLog(),
    };
    const decided: ApprovalDecidedDetail = {
      approvalId: APPROVAL_ID,
      meshName: 'prod-net',
      action: ACTION,
      decision: status,
      ...(status === 'expired' ? {} : { decidedBy: { slackUserId: 'U0PLATFORM1', identity: 'priya' } }),
      decidedAt: NOW.toISOString(),
    };
    return { store, chat, publisher, lattice, deps, decided };
  }

  it('approved: re-applies through Lattice once, records the execution and updates the message', async () => {
    const w = world('approved', rule([80, 20]));

    const first = await executeDecision(w.deps, w.decided);
    await executeDecision(w.deps, w.decided);

    expect(first).toMatchObject({ kind: 'handled', execution: { outcome: 'applied' } });
    expect(w.lattice.writes.map((x) => x.state)).toEqual([rule([0, 100])]);
    expect(w.store.items.get(APPROVAL_ID)?.execution?.outcome).toBe('applied');
    expect(w.chat.updated[0]).toMatchObject({ status: 'approved', execution: { outcome: 'applied' } });
  });

  it.each(['rejected', 'expired'] as const)('%s: nothing is written', async (status) => {
    const w = world(status, rule([80, 20]));

    await executeDecision(w.deps, w.decided);

    expect(w.lattice.writes).toEqual([]);
    expect(w.lattice.state).toEqual(rule([80, 20]));
    expect(w.store.items.get(APPROVAL_ID)?.execution).toBeUndefined();
  });

  it('refuses a decision event the store does not hold: nothing is written', async () => {
    const w = world('approved', rule([80, 20]));

    const result = await executeDecision(w.deps, {
      ...w.decided,
      action: { ...ACTION, proposed: rule([50, 50]) },
    });

    expect(result).toMatchObject({ kind: 'refused', refusal: { reason: 'action-mismatch' } });
    expect(w.lattice.writes).toEqual([]);
  });

  it('approved after the rule moved on: writes nothing and asks again against the rule as it is now', async () => {
    const w = world('approved', rule([100, 0]));

    const result = await executeDecision(w.deps, w.decided);

    expect(result).toMatchObject({ execution: { outcome: 'reasked' } });
    expect(w.lattice.writes).toEqual([]);
    const [reask] = w.publisher.events;
    expect(reask?.detail).toMatchObject({
      approvalId: reaskApprovalId(APPROVAL_ID),
      action: { ...ACTION, base: rule([100, 0]), reaskOf: APPROVAL_ID },
    });
    expect(approvalRequestedDetail.safeParse(reask?.detail).success).toBe(true);
  });

  it('fails clearly when the function cannot reach VPC Lattice in the approval account', async () => {
    const w = world('approved', rule([80, 20]));
    w.store.items.set(APPROVAL_ID, {
      ...(w.store.items.get(APPROVAL_ID) as Approval),
      account: '222222222222',
    });

    await expect(executeDecision(w.deps, w.decided)).rejects.toThrow(
      /is a VPC Lattice change in account 222222222222, which this function cannot reach/,
    );
    expect(w.store.items.get(APPROVAL_ID)?.execution?.outcome).toBe('failed');
    expect(w.lattice.writes).toEqual([]);
  });
});
