/**
 * A CA rollover after its start: resume a halted one with a fresh approval, abort one back to
 * trusting the old CA only, confirm the restarts its secret deliveries need, remind people of
 * overdue restarts, and say where each stands.
 */
import { BadRequestError } from '../errors';
import type { CompiledPolicy } from '../policy/compile';
import type { CertificatesSection } from '../policy/sections/certificates';
import type { ApprovalStore } from '../ports';
import {
  afterReissue,
  continueCaRollover,
  editAll,
  type RolloverDecisionDeps,
  type RolloverRecord,
  type RolloverReport,
  save,
  sectionOf,
} from './ca-rollover';
import { takeCertificateInventory } from './inventory';
import { closeRollover, openRollovers } from './rollover-index';
import { rolloverApprovalId, rolloverKey } from './rollover-keys';
import {
  confirmRestarts,
  restartsOverdue,
  restartWaitsAfter,
  unconfirmed,
  withRestartWaits,
} from './rollover-restarts';
import { type SweepDeps, type SweepItem, sweepCertificates } from './sweep';
import { acmTrusts, editTrusts, removeCaEdit } from './trusts';

/** The stored rollover, or a BadRequestError naming it. */
export async function loadRollover(
  deps: Pick<SweepDeps, 'rotations'>,
  rolloverId: string,
): Promise<RolloverRecord> {
  const record = await deps.rotations.get<RolloverRecord>(rolloverKey(rolloverId));
  if (record === undefined) throw new BadRequestError(`no CA rollover ${rolloverId} is on record`);
  return record;
}

/**
 * Resume a halted rollover (its approval was rejected or expired): every phase is verified
 * again from the start against the mesh as it is now (a trust someone narrowed meanwhile is
 * widened again, a leaf re-issued again), and a fresh approval, with a new id, is asked for.
 */
export async function resumeCaRollover(
  deps: SweepDeps,
  policy: CompiledPolicy,
  rolloverId: string,
  by: string,
): Promise<RolloverReport> {
  const record = await loadRollover(deps, rolloverId);
  if (record.phase !== 'halted')
    throw new BadRequestError(
      `rollover ${rolloverId} is ${record.phase}: only a halted rollover resumes${record.phase === 'aborted' ? ' (start an aborted one again with certs rollover --from --to)' : ''}`,
    );
  const attempt = (record.attempt ?? 1) + 1;
  const resumed = await save(deps, record, {
    phase: 'trust-new',
    attempt,
    approvalId: rolloverApprovalId(rolloverId, attempt),
    note: `resumed by ${by}: phases 1 and 2 verified again, then a fresh approval`,
  });
  return continueCaRollover(deps, policy, resumed);
}

/** An abort needs a sweep's adapters, and the approvals store to close a request left open. */
export type AbortDeps = SweepDeps & {
  readonly approvals?: Pick<ApprovalStore, 'get' | 'recordDecision' | 'recordExecution'>;
};

/**
 * Close the rollover's request if nobody decided it: nobody should approve an aborted
 * rollover. The expiry sweep then publishes the closed decision and updates the Slack message.
 */
async function closeApproval(deps: AbortDeps, approvalId: string, by: string): Promise<void> {
  const approval = await deps.approvals?.get(approvalId);
  if (deps.approvals === undefined || approval === undefined || approval.status !== 'pending') return;
  const at = deps.now().toISOString();
  await deps.approvals.recordDecision(approvalId, { status: 'expired', decidedAt: at }, deps.now());
  await deps.approvals.recordExecution(approvalId, {
    outcome: 'not-applied',
    at,
    detail: `Closed: ${by} aborted the rollover; the old CA stays trusted and nothing was applied.`,
  });
}

function report(record: RolloverRecord, note: string, reissued: SweepItem[] = []): RolloverReport {
  return { rolloverId: record.rolloverId, phase: record.phase, note, reissued };
}

/**
 * Abort a rollover back to trusting the old CA only, safely: first every leaf issued by the
 * new CA is re-issued from the old one (and, for secrets, its proxies confirmed restarted),
 * and only once no leaf needs the new CA is it removed from the trusts that hold both. Each
 * step is recorded; running abort again continues where it stopped. A rollover whose phase 3
 * began cannot be aborted (some trusts already hold only the new CA).
 */
export async function abortCaRollover(
  deps: AbortDeps,
  policy: CompiledPolicy,
  rolloverId: string,
  by: string,
): Promise<RolloverReport> {
  let record = await loadRollover(deps, rolloverId);
  if (record.phase === 'aborted') return report(record, 'already aborted: the mesh trusts the old CA only');
  if (record.phase === 'completed' || record.phase === 'remove-old')
    throw new BadRequestError(
      `rollover ${rolloverId} is ${record.phase}: phase 3 removes the old CA, so it cannot go back; roll over again with --from ${record.newCaArn} --to ${record.oldCaArn}`,
    );
  if (record.phase !== 'aborting')
    record = await save(deps, record, {
      phase: 'aborting',
      abortedFrom: record.phase,
      restarts: [],
      note: `aborted by ${by} in phase ${record.phase}: leaves go back to the old CA, then the new CA leaves every trust`,
    });
  await closeApproval(deps, record.approvalId, by);
  const { meshName, oldCaArn, newCaArn } = record;
  const section = policy.forMesh(meshName)?.document.certificates as CertificatesSection | undefined;
  let inventory = await takeCertificateInventory(deps, meshName, section);
  let reissued: SweepItem[] = [];
  if (inventory.entries.some((e) => e.type === 'leaf' && e.issuingCaArn === newCaArn)) {
    const ca = await deps.cas.get(oldCaArn);
    if (ca?.status !== 'ACTIVE')
      throw new BadRequestError(
        `the old CA ${oldCaArn} is ${ca?.status ?? 'missing'}, not ACTIVE: leaves cannot go back to it, so the new CA stays trusted`,
      );
    reissued = await sweepCertificates(deps, policy, [meshName], {
      force: true,
      caArn: oldCaArn,
      issuedBy: newCaArn,
      rolloverId,
    });
    inventory = await takeCertificateInventory(deps, meshName, section);
  }
  const left = inventory.entries.filter((e) => e.type === 'leaf' && e.issuingCaArn === newCaArn);
  if (left.length > 0)
    return report(
      record,
      `abort not finished: ${left.map((e) => e.id).join(', ')} still from the new CA, which stays trusted; run abort again`,
      reissued,
    );
  const waits = await restartWaitsAfter(deps, inventory.entries, record, oldCaArn);
  const waited = withRestartWaits(record, waits, deps.now());
  const pending = unconfirmed(waited);
  if (pending.length > 0) {
    record = await save(deps, waited, {
      note: `abort waits until ${pending.map((w) => w.proxy).join(', ')} restarted with the old CA's certificate (certs rollover confirm-restart), by ${waited.restartDeadline}; the new CA stays trusted until then`,
    });
    return report(record, record.note ?? '', reissued);
  }
  record = waited;
  // Never leave a trust without the old CA, and take the new one only from trusts holding both.
  const after = await editAll(
    deps,
    record,
    'abort',
    (h) => editTrusts(h, removeCaEdit(newCaArn, oldCaArn)),
    sectionOf(policy, record.meshName),
  );
  const still = acmTrusts(after).filter((t) => t.arns.includes(newCaArn) && t.arns.includes(oldCaArn));
  if (still.length > 0)
    throw new BadRequestError(
      `abort not verified: ${still.map((t) => t.resourceKey).join(', ')} still trust the new CA`,
    );
  record = await save(deps, record, {
    phase: 'aborted',
    note: `aborted by ${by}: every leaf is from the old CA ${oldCaArn}, and no trust that holds it holds ${newCaArn}`,
  });
  await closeRollover(deps.rotations, meshName, rolloverId);
  await deps.notifier.notify({
    meshName,
    kind: 'rotation',
    title: `CA rollover ${rolloverId} aborted`,
    text: record.note ?? '',
    fields: { oldCa: oldCaArn, newCa: newCaArn, abortedBy: by },
  });
  return report(record, record.note ?? '', reissued);
}

/**
 * An operator confirms that `proxies` restarted and serve the certificate meshwarden delivered.
 * Once none is left, the rollover asks for its approval (or an abort goes on).
 */
export async function confirmRolloverRestarts(
  deps: AbortDeps,
  policy: CompiledPolicy,
  rolloverId: string,
  proxies: readonly string[],
  by: string,
): Promise<RolloverReport> {
  let record = await loadRollover(deps, rolloverId);
  if (record.phase !== 'awaiting-restart' && record.phase !== 'aborting')
    throw new BadRequestError(`rollover ${rolloverId} is ${record.phase}: it waits for no restart`);
  const restarts = confirmRestarts(record, proxies, by, deps.now());
  record = await save(deps, record, { restarts });
  const pending = unconfirmed(record);
  if (record.phase === 'aborting') {
    if (pending.length > 0)
      return report(record, `abort still waits for ${pending.map((w) => w.proxy).join(', ')}`);
    return abortCaRollover(deps, policy, rolloverId, by);
  }
  if (pending.length > 0)
    return report(
      record,
      `still waiting for ${pending.map((w) => w.proxy).join(', ')} by ${record.restartDeadline}`,
    );
  record = await afterReissue(deps, record);
  return report(record, record.note ?? '');
}

/** Tell people once about every open rollover of `meshNames` whose restarts are overdue. */
export async function remindOverdueRestarts(
  deps: SweepDeps,
  meshNames: readonly string[],
): Promise<RolloverReport[]> {
  const reminded: RolloverReport[] = [];
  for (const meshName of meshNames) {
    for (const rolloverId of await openRollovers(deps.rotations, meshName)) {
      let record = await deps.rotations.get<RolloverRecord>(rolloverKey(rolloverId));
      if (record === undefined || !restartsOverdue(record, deps.now())) continue;
      const pending = unconfirmed(record).map(
        (w) => `${w.proxy} (secret ${w.secretName}${w.versionId ? ` version ${w.versionId}` : ''})`,
      );
      await deps.notifier.notify({
        meshName,
        kind: 'rotation',
        title: `CA rollover ${rolloverId}: restarts overdue since ${record.restartDeadline}`,
        text: `These proxies were not confirmed restarted with the certificate meshwarden delivered: ${pending.join(', ')}. ${record.phase === 'aborting' ? 'The abort' : 'Phase 3'} waits for them. Restart them, then run \`meshwarden certs rollover confirm-restart --id ${rolloverId} --proxy KEY\`.`,
        fields: { phase: record.phase, deadline: record.restartDeadline ?? '' },
      });
      record = await save(deps, record, { restartDeadlineNotifiedAt: deps.now().toISOString() });
      reminded.push(report(record, `restarts overdue: told people (${pending.join(', ')})`));
    }
  }
  return reminded;
}

/** Where a rollover stands: its record, its current approval (if asked), and what blocks it. */
export interface RolloverStatus {
  readonly record: RolloverRecord;
  readonly approval?: { readonly approvalId: string; readonly status: string; readonly expiresAt: string };
  readonly blockers: readonly string[];
}

/** The status of a rollover, from stored state. */
export async function rolloverStatus(
  deps: RolloverDecisionDeps,
  rolloverId: string,
): Promise<RolloverStatus> {
  const record = await loadRollover(deps, rolloverId);
  const approval = await deps.approvals.get(record.approvalId);
  const blockers: string[] = [];
  const now = deps.now();
  for (const w of unconfirmed(record))
    blockers.push(
      `${w.proxy} not confirmed restarted with secret ${w.secretName}${w.versionId ? ` version ${w.versionId}` : ''} (deadline ${record.restartDeadline}${record.restartDeadline && Date.parse(record.restartDeadline) <= now.getTime() ? ', overdue' : ''})`,
    );
  if (record.phase === 'awaiting-approval') {
    if (approval === undefined)
      blockers.push(
        `approval ${record.approvalId} not asked yet (certificate rotation posts it; certs rollover --from --to asks again)`,
      );
    else if (approval.status === 'pending')
      blockers.push(`approval ${approval.approvalId} pending in Slack until ${approval.expiresAt}`);
  }
  if (record.phase === 'halted')
    blockers.push(
      `approval ${record.approvalId} ${approval?.status ?? 'closed'}: resume (fresh approval) or abort (back to the old CA)`,
    );
  if (record.phase === 'reissue' || (record.phase === 'aborting' && unconfirmed(record).length === 0))
    blockers.push(record.note ?? '');
  return {
    record,
    ...(approval
      ? {
          approval: {
            approvalId: approval.approvalId,
            status: approval.status,
            expiresAt: approval.expiresAt,
          },
        }
      : {}),
    blockers,
  };
}
