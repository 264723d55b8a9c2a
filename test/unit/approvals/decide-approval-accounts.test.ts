import { describe, expect, it } from 'vitest';
import { type DecideApprovalDeps, decideApproval } from '../../../shared/approvals/decide-approval';
import { policyForAccount } from '../../../shared/policy/account-view';
import { parsePolicy } from '../../../shared/policy/load';
import {
  APPROVAL_ID,
  MemoryApprovalStore,
  NOW,
  pendingApproval,
  RecordingPublisher,
  recordingLog,
} from './support';

/**
 * The decision entry point the Slack callback and the HTTP API share: an approval naming an
 * account is authorized by that account's policy entry for its mesh, never by another
 * account's entry for a mesh of the same name.
 */
const CENTRAL = '000000000000';
const MEMBER = '111111111111';

const POLICY = parsePolicy(
  `version: 1
meshes:
  - mesh: prod
    changeControl: { default: deny, onViolation: hold }
    approvals:
      slack: { channel: C0APPROVALS }
      approvers:
        U0CENTRAL1: { identity: carol, groups: [platform-leads] }
      approve:
        reapply-change: [platform-leads]
  - mesh: prod
    account: '${MEMBER}'
    changeControl: { default: deny, onViolation: hold }
    approvals:
      slack: { channel: C0MEMBERAPP }
      approvers:
        U0MEMBER01: { identity: mona, groups: [member-leads] }
      approve:
        reapply-change: [member-leads]
`,
  'accounts.policy.yaml',
);

function fixture(options: { account?: string; withAccountViews?: boolean } = {}) {
  const store = new MemoryApprovalStore();
  const publisher = new RecordingPublisher();
  void store.create(pendingApproval(options.account === undefined ? {} : { account: options.account }));
  const deps: DecideApprovalDeps = {
    store,
    publisher,
    policy: POLICY,
    ...(options.withAccountViews === false
      ? {}
      : { policyIn: (account: string) => policyForAccount(POLICY, account, CENTRAL) }),
    now: () => NOW,
    log: recordingLog(),
  };
  return { deps, store, publisher };
}

const decide = (deps: DecideApprovalDeps, approverId: string) =>
  decideApproval(deps, { approvalId: APPROVAL_ID, approverId, decision: 'approved', interaction: 'test:1' });

describe('decideApproval: the approval names its account', () => {
  it("a member account's approval is decided by that account's approvers", async () => {
    // Prepare
    const { deps, store, publisher } = fixture({ account: MEMBER });
    // Act
    const outcome = await decide(deps, 'U0MEMBER01');
    // Assess
    expect(outcome.kind).toBe('recorded');
    expect(store.items.get(APPROVAL_ID)).toMatchObject({
      status: 'approved',
      decidedBy: { identity: 'mona' },
    });
    expect(publisher.events).toHaveLength(1);
  });

  it("the central account's approver of a mesh of the same name is refused, nothing recorded", async () => {
    // Prepare
    const { deps, store, publisher } = fixture({ account: MEMBER });
    // Act
    const outcome = await decide(deps, 'U0CENTRAL1');
    // Assess
    expect(outcome).toMatchObject({ kind: 'refused', reason: 'not-an-approver' });
    expect(store.items.get(APPROVAL_ID)?.status).toBe('pending');
    expect(publisher.events).toEqual([]);
  });

  it("a central approval is not decided by the member account's approvers", async () => {
    // Prepare
    const { deps, store } = fixture({ account: CENTRAL });
    // Act
    const refused = await decide(deps, 'U0MEMBER01');
    const recorded = await decide(deps, 'U0CENTRAL1');
    // Assess
    expect(refused).toMatchObject({ kind: 'refused', reason: 'not-an-approver' });
    expect(recorded.kind).toBe('recorded');
    expect(store.items.get(APPROVAL_ID)?.decidedBy?.identity).toBe('carol');
  });

  it('without account views, an approval naming an account has no approvers at all', async () => {
    // Prepare
    const { deps, store } = fixture({ account: MEMBER, withAccountViews: false });
    // Act
    const member = await decide(deps, 'U0MEMBER01');
    const central = await decide(deps, 'U0CENTRAL1');
    // Assess
    expect(member).toMatchObject({ kind: 'refused', reason: 'no-approvals-policy' });
    expect(central).toMatchObject({ kind: 'refused', reason: 'no-approvals-policy' });
    expect(store.items.get(APPROVAL_ID)?.status).toBe('pending');
  });
});
