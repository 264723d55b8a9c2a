/**
 * Asking for the approval that finishes a CA rollover. Whoever brings a rollover to its
 * approval step (the function, or the CLI with a person's credentials, which the bus does not
 * let publish `source: meshwarden`) only claims so with `CaRolloverAwaitingApproval`. The
 * certificate rotation function then checks the claim against the stored rollover and the mesh
 * itself, and publishes the `ApprovalRequested` it builds from stored state.
 */
import { approvalExpiresAt } from '../approvals/expiry';
import type { ApprovalRequestedDetail } from '../events/approvals';
import type { CaRolloverAwaitingApprovalDetail } from '../events/ca-rollover';
import { MESHWARDEN_DETAIL_TYPES } from '../events/patterns';
import type { CompiledPolicy } from '../policy/compile';
import type { CertificatesSection } from '../policy/sections/certificates';
import type { ApprovalStore, EventPublisher } from '../ports';
import type { RolloverRecord } from './ca-rollover';
import { takeCertificateInventory } from './inventory';
import { rolloverKey } from './rollover-keys';
import { unconfirmed } from './rollover-restarts';
import type { SweepDeps } from './sweep';
import { notYetTrusting } from './trusts';

/** Claim that `record` waits for its approval; the function checks and asks. */
export async function askRolloverApproval(
  deps: { readonly publisher: EventPublisher },
  record: Pick<RolloverRecord, 'rolloverId' | 'meshName' | 'oldCaArn' | 'newCaArn'>,
): Promise<void> {
  const detail: CaRolloverAwaitingApprovalDetail = {
    rolloverId: record.rolloverId,
    meshName: record.meshName,
  };
  await deps.publisher.publish([
    {
      detailType: MESHWARDEN_DETAIL_TYPES.caRolloverAwaitingApproval,
      detail: { ...detail },
      resources: [record.oldCaArn, record.newCaArn],
    },
  ]);
}

/** True when `approvalId` is one this rollover asked for before its current one (a resume replaced it). */
export function isEarlierApprovalOf(
  record: Pick<RolloverRecord, 'rolloverId' | 'attempt'>,
  approvalId: string,
) {
  const base = `ca-rollover-${record.rolloverId}`;
  if (approvalId === base) return (record.attempt ?? 1) > 1;
  const match = /^-(\d+)$/.exec(approvalId.slice(base.length));
  return approvalId.startsWith(base) && match !== null && Number(match[1]) < (record.attempt ?? 1);
}

/** What checking a claim did. */
export interface AskReport {
  readonly rolloverId: string;
  /** `asked`: ApprovalRequested published; `already-asked`: the approval exists; `refused`: the claim did not hold. */
  readonly outcome: 'asked' | 'already-asked' | 'refused';
  readonly note: string;
  readonly approvalId?: string;
  readonly expiresAt?: string;
}

/**
 * On `CaRolloverAwaitingApproval`: ask for the approval only when the stored rollover waits for
 * it and the mesh shows phases 1 and 2 done (every trust holding the old CA holds the new one,
 * no leaf from the old CA) with every restart confirmed. A claim that does not hold is
 * reported, not thrown: retrying it would not make it true.
 */
export async function postRolloverApproval(
  deps: SweepDeps & { readonly approvals: Pick<ApprovalStore, 'get'> },
  policy: CompiledPolicy,
  claim: CaRolloverAwaitingApprovalDetail,
): Promise<AskReport> {
  const { rolloverId } = claim;
  const refuse = (note: string): AskReport => ({ rolloverId, outcome: 'refused', note });
  const record = await deps.rotations.get<RolloverRecord>(rolloverKey(rolloverId));
  if (record === undefined) return refuse(`no CA rollover ${rolloverId} is on record`);
  if (record.meshName !== claim.meshName)
    return refuse(`rollover ${rolloverId} is in mesh ${record.meshName}, not ${claim.meshName}`);
  if (record.phase !== 'awaiting-approval')
    return refuse(`rollover ${rolloverId} is in phase ${record.phase}, not awaiting approval`);
  const pending = unconfirmed(record);
  if (pending.length > 0)
    return refuse(
      `${pending.map((w) => w.proxy).join(', ')} not confirmed restarted with the new certificate`,
    );
  const section = policy.forMesh(record.meshName)?.document.certificates as CertificatesSection | undefined;
  const inventory = await takeCertificateInventory(deps, record.meshName, section);
  const untrusting = notYetTrusting(inventory.snapshot, record.oldCaArn, record.newCaArn);
  if (untrusting.length > 0) return refuse(`${untrusting.join(', ')} do not trust the new CA`);
  const old = inventory.entries.filter((e) => e.type === 'leaf' && e.issuingCaArn === record.oldCaArn);
  if (old.length > 0) return refuse(`${old.map((e) => e.id).join(', ')} still from the old CA`);
  const existing = await deps.approvals.get(record.approvalId);
  if (existing !== undefined)
    return {
      rolloverId,
      outcome: 'already-asked',
      note: `approval ${existing.approvalId} is ${existing.status}`,
      approvalId: existing.approvalId,
      expiresAt: existing.expiresAt,
    };
  const expiresAt = approvalExpiresAt(policy, record.meshName, deps.now());
  const detail: ApprovalRequestedDetail = {
    approvalId: record.approvalId,
    meshName: record.meshName,
    action: {
      type: 'finish-ca-rollover',
      rolloverId,
      oldCaArn: record.oldCaArn,
      newCaArn: record.newCaArn,
    },
    title: `Finish the CA rollover of mesh ${record.meshName}: stop trusting the old CA`,
    reason: `Every certificate of ${record.meshName} is now issued by ${record.newCaArn}${(record.restarts ?? []).length > 0 ? ' and every proxy served through a secret was confirmed restarted' : ''}; removing ${record.oldCaArn} from every trust makes its certificates unusable. Unanswered by the expiry, the rollover halts with both CAs trusted (resume or abort it with meshwarden certs rollover).`,
    requestedBy: { arn: 'meshwarden', label: 'meshwarden certificate rotation' },
    diff: `- trust ${record.oldCaArn}\n  trust ${record.newCaArn}`,
    expiresAt,
  };
  await deps.publisher.publish([
    { detailType: MESHWARDEN_DETAIL_TYPES.approvalRequested, detail: { ...detail } },
  ]);
  return {
    rolloverId,
    outcome: 'asked',
    note: `approval ${record.approvalId} requested`,
    approvalId: record.approvalId,
    expiresAt,
  };
}
