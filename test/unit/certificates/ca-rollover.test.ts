import { describe, expect, it } from 'vitest';
import {
  decideCaRollover,
  type RolloverRecord,
  runCaRollover,
} from '../../../shared/certificates/ca-rollover';
import { takeCertificateInventory } from '../../../shared/certificates/inventory';
import { confirmRolloverRestarts } from '../../../shared/certificates/rollover-lifecycle';
import { acmTrusts } from '../../../shared/certificates/trusts';
import type { ApprovalDecidedDetail } from '../../../shared/events/approvals';
import { MemoryApprovalStore, pendingApproval } from '../approvals/support';
import {
  CA_ARN,
  DAY_MS,
  fakeWorld,
  NEXT_CA_ARN,
  policyWith,
  rolloverDecision,
  SECRETS_MAPPING,
  storeDecided,
} from './fakes';

const NOW = new Date();
/** Young certificates: nothing is due, so only the rollover moves them. */
const young = {
  notBefore: new Date(NOW.getTime() - DAY_MS),
  notAfter: new Date(NOW.getTime() + 300 * DAY_MS),
  now: NOW,
};
const policy = policyWith(SECRETS_MAPPING);
/** The node whose Envoy serves the payments certificate, delivered through a secret. */
const PAYMENTS_PROXY = 'prod/virtual-node/payments';

/** Phases 1 and 2, then the operator confirms the payments proxy restarted: the rollover waits for approval. */
async function toApproval(world: Awaited<ReturnType<typeof fakeWorld>>) {
  const started = await runCaRollover(world.deps, policy, 'prod', CA_ARN, NEXT_CA_ARN);
  expect(started.phase).toBe('awaiting-restart');
  return confirmRolloverRestarts(world.fresh(), policy, started.rolloverId, [PAYMENTS_PROXY], 'ops');
}

describe('CA rollover', () => {
  it('phase 1 trusts both, phase 2 re-issues every leaf from the new CA, waits for the restart, then asks for approval', async () => {
    // Prepare
    const world = await fakeWorld(young);

    // Act
    const report = await toApproval(world);

    // Assess
    expect(report.phase).toBe('awaiting-approval');
    expect(acmTrusts(world.meshes.snapshot).map((t) => t.arns)).toEqual([
      [CA_ARN, NEXT_CA_ARN],
      [CA_ARN, NEXT_CA_ARN],
      [CA_ARN, NEXT_CA_ARN],
    ]);
    const inventory = await takeCertificateInventory(
      world.fresh(),
      'prod',
      policy.forMesh('prod')?.document.certificates,
    );
    const leaves = inventory.entries.filter((e) => e.type === 'leaf' && e.facts);
    expect(leaves.map((e) => e.issuingCaArn)).toEqual([NEXT_CA_ARN, NEXT_CA_ARN, NEXT_CA_ARN]);
    // Asking is a claim the function checks: only the rollover id goes on the bus.
    const asked = world.publisher.events.filter((e) => e.detailType === 'CaRolloverAwaitingApproval');
    expect(asked.map((e) => e.detail)).toEqual([{ rolloverId: report.rolloverId, meshName: 'prod' }]);
    expect(
      world.publisher.events
        .filter((e) => e.detailType === 'CaRolloverProgressed')
        .map((e) => e.detail.phase),
    ).toEqual(['reissue', 'awaiting-restart', 'awaiting-restart', 'awaiting-approval']);
  });

  it('phase 3 removes the old CA only once approved', async () => {
    // Prepare
    const world = await fakeWorld(young);
    const { rolloverId } = await toApproval(world);

    // Act
    const approvals = storeDecided(rolloverDecision(rolloverId, 'approved', NOW));
    const report = await decideCaRollover(
      { ...world.fresh(), approvals },
      rolloverDecision(rolloverId, 'approved', NOW),
    );
    const again = await decideCaRollover(
      { ...world.fresh(), approvals },
      rolloverDecision(rolloverId, 'approved', NOW),
    );

    // Assess
    expect(report.phase).toBe('completed');
    expect(acmTrusts(world.meshes.snapshot).map((t) => t.arns)).toEqual([
      [NEXT_CA_ARN],
      [NEXT_CA_ARN],
      [NEXT_CA_ARN],
    ]);
    expect(again.note).toBe('already decided');
  });

  it('a rejection halts with both CAs trusted', async () => {
    const world = await fakeWorld(young);
    const { rolloverId } = await toApproval(world);
    const approvals = storeDecided(rolloverDecision(rolloverId, 'rejected', NOW));
    const report = await decideCaRollover(
      { ...world.fresh(), approvals },
      rolloverDecision(rolloverId, 'rejected', NOW),
    );
    expect(report.phase).toBe('halted');
    expect(
      acmTrusts(world.meshes.snapshot).every((t) => t.arns.includes(CA_ARN) && t.arns.includes(NEXT_CA_ARN)),
    ).toBe(true);
  });

  it('refuses a decision event that differs from the stored decision, or names an unknown approval, without a write', async () => {
    // Prepare
    const world = await fakeWorld(young);
    const { rolloverId } = await toApproval(world);
    const approvals = storeDecided(rolloverDecision(rolloverId, 'approved', NOW));
    const forged = {
      ...rolloverDecision(rolloverId, 'approved', NOW),
      action: { ...rolloverDecision(rolloverId, 'approved', NOW).action, oldCaArn: NEXT_CA_ARN },
    };
    const updatesBefore = world.meshes.updates.length;

    // Act
    const otherCas = await decideCaRollover({ ...world.fresh(), approvals }, forged as ApprovalDecidedDetail);
    const unknown = await decideCaRollover(
      { ...world.fresh(), approvals },
      rolloverDecision('nope', 'approved', NOW),
    );

    // Assess
    expect(otherCas.refused).toBe('action-mismatch');
    expect(unknown.refused).toBe('unknown-approval');
    expect(world.meshes.updates.length).toBe(updatesBefore);
    expect(acmTrusts(world.meshes.snapshot).every((t) => t.arns.includes(CA_ARN))).toBe(true);
  });

  it('a forged approval (no decision stored, only pending) never finishes a rollover', async () => {
    // Prepare: the rollover waits for approval; the stored request is still pending
    const world = await fakeWorld(young);
    const { rolloverId } = await toApproval(world);
    const approvals = new MemoryApprovalStore();
    await approvals.create(
      pendingApproval({
        approvalId: rolloverDecision(rolloverId, 'approved', NOW).approvalId,
        action: rolloverDecision(rolloverId, 'approved', NOW).action,
      }),
    );
    const updatesBefore = world.meshes.updates.length;

    // Act: bob's event claims an approval
    const report = await decideCaRollover(
      { ...world.fresh(), approvals },
      rolloverDecision(rolloverId, 'approved', NOW),
    );

    // Assess: refused, the old CA still trusted everywhere, nothing written
    expect(report).toMatchObject({ refused: 'not-decided', phase: 'awaiting-approval' });
    expect(world.meshes.updates.length).toBe(updatesBefore);
    expect(acmTrusts(world.meshes.snapshot).every((t) => t.arns.includes(CA_ARN))).toBe(true);
  });

  it('refuses phase 1 past three CAs in a trust, before any write', async () => {
    // Prepare
    const world = await fakeWorld(young);
    const third = CA_ARN.replace(
      '11111111-1111-1111-1111-111111111111',
      '33333333-3333-3333-3333-333333333333',
    );
    const fourth = CA_ARN.replace(
      '11111111-1111-1111-1111-111111111111',
      '44444444-4444-4444-4444-444444444444',
    );
    world.meshes.snapshot = (await import('./fakes')).sampleMesh([CA_ARN, third, fourth]);

    // Act
    const run = runCaRollover(world.deps, policy, 'prod', CA_ARN, NEXT_CA_ARN);

    // Assess
    await expect(run).rejects.toThrow(/already trusts 3 CAs \(App Mesh allows 3\)/);
    expect(world.meshes.updates).toEqual([]);
  });

  it('refuses to start towards a CA that is not ACTIVE', async () => {
    const world = await fakeWorld(young);
    world.ca.faults = { status: 'DISABLED' };
    await expect(runCaRollover(world.deps, policy, 'prod', CA_ARN, NEXT_CA_ARN)).rejects.toThrow(
      /not ACTIVE: nothing was changed/,
    );
    expect(world.meshes.updates).toEqual([]);
  });

  it('continues where a crashed run stopped (phase 2 after phase 1)', async () => {
    // Prepare: phase 2 fails the first time (the CA throttles past every retry).
    const world = await fakeWorld(young);
    world.ca.faults = { throttle: 0 };
    const issue = world.ca.issue.bind(world.ca);
    let broken = true;
    world.ca.issue = async (request) => {
      if (broken) throw new Error('connection reset');
      return issue(request);
    };
    const first = await runCaRollover(world.deps, policy, 'prod', CA_ARN, NEXT_CA_ARN);
    broken = false;

    // Act
    const second = await runCaRollover(world.fresh(), policy, 'prod', CA_ARN, NEXT_CA_ARN);

    // Assess
    expect(first.phase).toBe('reissue');
    expect(first.note).toMatch(/phase 2 not verified/);
    expect(second.phase).toBe('awaiting-restart');
    const record = world.rotations.items.get(`ROTATION#ROLLOVER#${second.rolloverId}`) as RolloverRecord;
    expect(record.phase).toBe('awaiting-restart');
    // Phase 1 ran once: its writes were not repeated.
    expect(world.meshes.updates.filter((u) => u.name === 'web-v1')).toHaveLength(1);
  });
});
