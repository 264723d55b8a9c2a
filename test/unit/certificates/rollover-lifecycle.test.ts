import { describe, expect, it } from 'vitest';
import { requestApproval } from '../../../shared/approvals/request';
import {
  decideCaRollover,
  type RolloverRecord,
  runCaRollover,
} from '../../../shared/certificates/ca-rollover';
import { takeCertificateInventory } from '../../../shared/certificates/inventory';
import { postRolloverApproval } from '../../../shared/certificates/rollover-approval';
import {
  abortCaRollover,
  confirmRolloverRestarts,
  remindOverdueRestarts,
  resumeCaRollover,
  rolloverStatus,
} from '../../../shared/certificates/rollover-lifecycle';
import { rolloverStatusLines } from '../../../shared/certificates/rollover-status';
import { acmTrusts } from '../../../shared/certificates/trusts';
import type { ApprovalDecidedDetail, ApprovalRequestedDetail } from '../../../shared/events/approvals';
import { parsePolicy } from '../../../shared/policy/load';
import { MemoryApprovalStore, RecordingChat, recordingLog } from '../approvals/support';
import { CA_ARN, DAY_MS, fakeWorld, NEXT_CA_ARN, PAYMENTS_SECRET } from './fakes';

const NOW = new Date();
const young = {
  notBefore: new Date(NOW.getTime() - DAY_MS),
  notAfter: new Date(NOW.getTime() + 300 * DAY_MS),
  now: NOW,
};
const PAYMENTS_PROXY = 'prod/virtual-node/payments';

/** Mesh prod with the payments secret mapping and an approvals section whose requests last 45 minutes. */
const policy = parsePolicy(
  `version: 1
meshes:
  - mesh: prod
    changeControl: { default: allow, onViolation: report }
    certificates:
      secrets:
        - file: /certs/payments/*
          secret: ${PAYMENTS_SECRET}
    approvals:
      slack: { channel: C0APPROVALS }
      expiresAfterMinutes: 45
      approvers:
        U0PLATFORM1: { identity: priya, groups: [platform-leads] }
      approve:
        finish-ca-rollover: [platform-leads]
`,
  'rollover-test.policy.yaml',
);

type World = Awaited<ReturnType<typeof fakeWorld>>;

function lifecycle(world: World, approvals = new MemoryApprovalStore()) {
  return { ...world.fresh(), approvals };
}

function record(world: World, rolloverId: string): RolloverRecord {
  return world.rotations.items.get(`ROTATION#ROLLOVER#${rolloverId}`) as RolloverRecord;
}

/** The approvals store once a person decided the rollover's current approval. */
async function decide(
  world: World,
  approvals: MemoryApprovalStore,
  rolloverId: string,
  verdict: 'approved' | 'rejected',
): Promise<ApprovalDecidedDetail> {
  const approvalId = record(world, rolloverId).approvalId;
  const detail: ApprovalDecidedDetail = {
    approvalId,
    meshName: 'prod',
    action: { type: 'finish-ca-rollover', rolloverId, oldCaArn: CA_ARN, newCaArn: NEXT_CA_ARN },
    decision: verdict,
    decidedBy: { slackUserId: 'U0PLATFORM1', identity: 'priya' },
    decidedAt: NOW.toISOString(),
  };
  const existing = await approvals.get(approvalId);
  approvals.items.set(approvalId, {
    ...(existing ?? {
      approvalId,
      meshName: 'prod',
      action: detail.action,
      title: 't',
      reason: 'r',
      requestedBy: { arn: 'meshwarden', label: 'm' },
      diff: '',
      requestedAt: NOW.toISOString(),
      expiresAt: new Date(NOW.getTime() + 3_600_000).toISOString(),
    }),
    status: verdict,
    decidedAt: detail.decidedAt,
    decidedBy: { slackUserId: 'U0PLATFORM1', identity: 'priya' },
  });
  return detail;
}

async function awaitingApproval(world: World) {
  const { rolloverId } = await runCaRollover(world.deps, policy, 'prod', CA_ARN, NEXT_CA_ARN);
  await confirmRolloverRestarts(world.fresh(), policy, rolloverId, [PAYMENTS_PROXY], 'ops');
  return rolloverId;
}

describe('restart-aware delivery', () => {
  it('phase 3 waits until the proxy served through a secret is confirmed restarted with the version delivered', async () => {
    // Prepare
    const world = await fakeWorld(young);

    // Act
    const started = await runCaRollover(world.deps, policy, 'prod', CA_ARN, NEXT_CA_ARN);

    // Assess: waiting, no approval claimed, and an approval decision cannot finish it
    expect(started.phase).toBe('awaiting-restart');
    const waits = record(world, started.rolloverId).restarts;
    expect(waits).toEqual([
      { proxy: PAYMENTS_PROXY, secretName: PAYMENTS_SECRET, versionId: 'v2', caArn: NEXT_CA_ARN },
    ]);
    expect(world.publisher.events.some((e) => e.detailType === 'CaRolloverAwaitingApproval')).toBe(false);
    const approvals = new MemoryApprovalStore();
    const early = await decide(world, approvals, started.rolloverId, 'approved');
    await expect(decideCaRollover(lifecycle(world, approvals), early)).rejects.toThrow(
      /not awaiting approval/,
    );
    expect(acmTrusts(world.meshes.snapshot).every((t) => t.arns.includes(CA_ARN))).toBe(true);
  });

  it('a confirmation naming a proxy it does not wait for confirms nothing', async () => {
    const world = await fakeWorld(young);
    const { rolloverId } = await runCaRollover(world.deps, policy, 'prod', CA_ARN, NEXT_CA_ARN);
    const before = record(world, rolloverId).version;

    const wrong = confirmRolloverRestarts(
      world.fresh(),
      policy,
      rolloverId,
      [PAYMENTS_PROXY, 'prod/virtual-node/web-v1'],
      'ops',
    );

    await expect(wrong).rejects.toThrow(/not waiting for prod\/virtual-node\/web-v1.*nothing was confirmed/);
    expect(record(world, rolloverId).version).toBe(before);
  });

  it('once confirmed, claims the approval step; the claim is checked and the request expires when the policy says', async () => {
    // Prepare
    const world = await fakeWorld(young);
    const { rolloverId } = await runCaRollover(world.deps, policy, 'prod', CA_ARN, NEXT_CA_ARN);
    const approvals = new MemoryApprovalStore();
    const early = await postRolloverApproval(lifecycle(world, approvals), policy, {
      rolloverId,
      meshName: 'prod',
    });

    // Act
    const confirmed = await confirmRolloverRestarts(
      world.fresh(),
      policy,
      rolloverId,
      [PAYMENTS_PROXY],
      'ops',
    );
    const asked = await postRolloverApproval(lifecycle(world, approvals), policy, {
      rolloverId,
      meshName: 'prod',
    });

    // Assess
    expect(early).toMatchObject({ outcome: 'refused', note: expect.stringMatching(/awaiting-restart/) });
    expect(confirmed.phase).toBe('awaiting-approval');
    expect(record(world, rolloverId).restarts?.[0]).toMatchObject({ confirmedBy: 'ops' });
    expect(asked.outcome).toBe('asked');
    const request = world.publisher.events.find((e) => e.detailType === 'ApprovalRequested')
      ?.detail as ApprovalRequestedDetail;
    expect(Date.parse(request.expiresAt) - NOW.getTime()).toBe(45 * 60_000);
    // The approvals capability stores and posts exactly that expiry.
    const chat = new RecordingChat();
    await requestApproval({ store: approvals, chat, policy, now: () => NOW, log: recordingLog() }, request);
    expect((await approvals.get(request.approvalId))?.expiresAt).toBe(request.expiresAt);
    expect(chat.posted[0]?.approval.expiresAt).toBe(request.expiresAt);
    const again = await postRolloverApproval(lifecycle(world, approvals), policy, {
      rolloverId,
      meshName: 'prod',
    });
    expect(again.outcome).toBe('already-asked');
  });

  it('running it again claims the approval step again, so a lost claim is no dead end', async () => {
    const world = await fakeWorld(young);
    await awaitingApproval(world);
    const claims = () => world.publisher.events.filter((e) => e.detailType === 'CaRolloverAwaitingApproval');
    const before = claims().length;

    const again = await runCaRollover(world.fresh(), policy, 'prod', CA_ARN, NEXT_CA_ARN);

    expect(again.phase).toBe('awaiting-approval');
    expect(claims().length).toBe(before + 1);
  });

  it('refuses a claim the mesh does not bear out', async () => {
    const world = await fakeWorld(young);
    const rolloverId = await awaitingApproval(world);
    // Someone took the new CA out of a trust since.
    world.meshes.snapshot = (await import('./fakes')).sampleMesh([CA_ARN]);

    const asked = await postRolloverApproval(lifecycle(world), policy, { rolloverId, meshName: 'prod' });

    expect(asked).toMatchObject({
      outcome: 'refused',
      note: expect.stringMatching(/do not trust the new CA/),
    });
    expect(world.publisher.events.some((e) => e.detailType === 'ApprovalRequested')).toBe(false);
  });

  it('tells people once when the restarts are overdue', async () => {
    const world = await fakeWorld(young);
    const { rolloverId } = await runCaRollover(world.deps, policy, 'prod', CA_ARN, NEXT_CA_ARN);
    const early = await remindOverdueRestarts(world.fresh(), ['prod']);
    world.clock.now = new Date(NOW.getTime() + 25 * 3_600_000);

    const first = await remindOverdueRestarts(world.fresh(), ['prod']);
    const second = await remindOverdueRestarts(world.fresh(), ['prod']);

    expect(early).toEqual([]);
    expect(first.map((r) => r.rolloverId)).toEqual([rolloverId]);
    expect(second).toEqual([]);
    const told = world.notifier.notifications.filter((n) => /restarts overdue/.test(n.title));
    expect(told).toHaveLength(1);
    expect(told[0]?.text).toContain(PAYMENTS_PROXY);
  });
});

describe('a halted rollover', () => {
  it('stays halted when started again, and resumes with a fresh approval that finishes it', async () => {
    // Prepare: rejected
    const world = await fakeWorld(young);
    const rolloverId = await awaitingApproval(world);
    const approvals = new MemoryApprovalStore();
    const rejected = await decide(world, approvals, rolloverId, 'rejected');
    await decideCaRollover(lifecycle(world, approvals), rejected);
    const rerun = await runCaRollover(world.fresh(), policy, 'prod', CA_ARN, NEXT_CA_ARN);

    // Act
    const resumed = await resumeCaRollover(world.fresh(), policy, rolloverId, 'priya');
    const late = await decideCaRollover(lifecycle(world, approvals), { ...rejected, decision: 'rejected' });
    const approved = await decide(world, approvals, rolloverId, 'approved');
    const finished = await decideCaRollover(lifecycle(world, approvals), approved);

    // Assess
    expect(rerun.phase).toBe('halted');
    expect(rerun.note).toMatch(/resume.*abort/);
    expect(resumed.phase).toBe('awaiting-approval'); // the restart confirmed for that version still holds
    expect(record(world, rolloverId).approvalId).toBe(`ca-rollover-${rolloverId}-2`);
    expect(late).toMatchObject({ note: expect.stringMatching(/superseded/) });
    expect(late.refused).toBeUndefined();
    expect(finished.phase).toBe('completed');
    expect(acmTrusts(world.meshes.snapshot).map((t) => t.arns)).toEqual([
      [NEXT_CA_ARN],
      [NEXT_CA_ARN],
      [NEXT_CA_ARN],
    ]);
    expect(world.publisher.events.filter((e) => e.detailType === 'CaRolloverAwaitingApproval')).toHaveLength(
      2,
    );
  });

  it('refuses to resume one that is not halted', async () => {
    const world = await fakeWorld(young);
    const rolloverId = await awaitingApproval(world);
    await expect(resumeCaRollover(world.fresh(), policy, rolloverId, 'priya')).rejects.toThrow(
      /is awaiting-approval: only a halted rollover resumes/,
    );
  });

  it('aborts back to the old CA only: leaves first, restarts confirmed, then the new CA leaves every trust', async () => {
    // Prepare
    const world = await fakeWorld(young);
    const rolloverId = await awaitingApproval(world);
    const approvals = new MemoryApprovalStore();
    await decideCaRollover(
      lifecycle(world, approvals),
      await decide(world, approvals, rolloverId, 'rejected'),
    );

    // Act
    const waiting = await abortCaRollover(world.fresh(), policy, rolloverId, 'priya');
    const trustsWhileWaiting = acmTrusts(world.meshes.snapshot).map((t) => t.arns);
    const done = await confirmRolloverRestarts(world.fresh(), policy, rolloverId, [PAYMENTS_PROXY], 'ops');

    // Assess: every leaf is back from the old CA before the new CA goes
    expect(waiting.phase).toBe('aborting');
    expect(trustsWhileWaiting.every((arns) => arns.includes(NEXT_CA_ARN))).toBe(true);
    expect(done.phase).toBe('aborted');
    expect(acmTrusts(world.meshes.snapshot).map((t) => t.arns)).toEqual([[CA_ARN], [CA_ARN], [CA_ARN]]);
    const inventory = await takeCertificateInventory(
      world.fresh(),
      'prod',
      policy.forMesh('prod')?.document.certificates,
    );
    expect(inventory.entries.filter((e) => e.type === 'leaf').map((e) => e.issuingCaArn)).toEqual([
      CA_ARN,
      CA_ARN,
      CA_ARN,
    ]);
    expect(world.notifier.notifications.at(-1)?.title).toMatch(/aborted/);
    // Decisions and runs after it change nothing; only a person starting it again does.
    const rerun = await runCaRollover(world.fresh(), policy, 'prod', CA_ARN, NEXT_CA_ARN);
    expect(rerun.phase).toBe('aborted');
    const restarted = await runCaRollover(world.fresh(), policy, 'prod', CA_ARN, NEXT_CA_ARN, {
      restart: true,
    });
    expect(restarted.phase).toBe('awaiting-restart');
    expect(record(world, rolloverId).approvalId).toBe(`ca-rollover-${rolloverId}-2`);
  });

  it('never removes the new CA while a leaf still needs it (the old CA cannot issue)', async () => {
    const world = await fakeWorld(young);
    const rolloverId = await awaitingApproval(world);
    world.ca.faults = { status: 'DISABLED' };

    await expect(abortCaRollover(world.fresh(), policy, rolloverId, 'priya')).rejects.toThrow(
      /not ACTIVE: leaves cannot go back to it, so the new CA stays trusted/,
    );
    expect(acmTrusts(world.meshes.snapshot).every((t) => t.arns.includes(NEXT_CA_ARN))).toBe(true);
  });

  it('an abort closes the request nobody decided yet, so nobody approves an aborted rollover', async () => {
    const world = await fakeWorld(young);
    const rolloverId = await awaitingApproval(world);
    const approvals = new MemoryApprovalStore();
    await postRolloverApproval(lifecycle(world, approvals), policy, { rolloverId, meshName: 'prod' });
    const request = world.publisher.events.find((e) => e.detailType === 'ApprovalRequested')
      ?.detail as ApprovalRequestedDetail;
    await requestApproval(
      { store: approvals, chat: new RecordingChat(), policy, now: () => NOW, log: recordingLog() },
      request,
    );

    await abortCaRollover(lifecycle(world, approvals), policy, rolloverId, 'priya');

    const closed = await approvals.get(request.approvalId);
    expect(closed?.status).toBe('expired');
    expect(closed?.execution).toMatchObject({
      outcome: 'not-applied',
      detail: expect.stringMatching(/priya aborted/),
    });
  });

  it('cannot abort once phase 3 removed the old CA', async () => {
    const world = await fakeWorld(young);
    const rolloverId = await awaitingApproval(world);
    const approvals = new MemoryApprovalStore();
    await decideCaRollover(
      lifecycle(world, approvals),
      await decide(world, approvals, rolloverId, 'approved'),
    );

    await expect(abortCaRollover(world.fresh(), policy, rolloverId, 'priya')).rejects.toThrow(
      /completed: phase 3 removes the old CA/,
    );
  });

  it('status says the phase, what each phase did, the approval and its expiry, and the blockers', async () => {
    const world = await fakeWorld(young);
    const { rolloverId } = await runCaRollover(world.deps, policy, 'prod', CA_ARN, NEXT_CA_ARN);

    const lines = rolloverStatusLines(await rolloverStatus(lifecycle(world), rolloverId), NOW);

    expect(lines[0]).toBe(`rollover ${rolloverId} (mesh prod)`);
    expect(lines.join('\n')).toMatch(/phase awaiting-restart/);
    expect(lines.join('\n')).toMatch(/reissue\s+every trust holding the old CA trusts the new one too/);
    expect(lines.join('\n')).toMatch(
      new RegExp(`${PAYMENTS_PROXY}  secret ${PAYMENTS_SECRET} version v2: WAITING`),
    );
    expect(lines.join('\n')).toMatch(/blockers:\n\s+- prod\/virtual-node\/payments not confirmed restarted/);
  });
});
