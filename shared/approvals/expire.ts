import type { ApprovalStore, EventPublisher } from '../ports';
import { isPastExpiry } from './approval';
import type { ApprovalLog } from './decide';
import { publishDecision } from './publish-decision';

/** A decision younger than this may still be being published by the callback that made it. */
const PUBLISH_GRACE_MS = 60_000;

export interface ExpireDeps {
  readonly store: ApprovalStore;
  readonly publisher: EventPublisher;
  readonly now: () => Date;
  readonly log: ApprovalLog;
}

export interface SweepResult {
  readonly expired: readonly string[];
  readonly republished: readonly string[];
}

/**
 * On a schedule: close every pending approval past its expiry (a conditional write, so a
 * click at the last second and the sweep cannot both win) and publish `ApprovalDecided`
 * (expired); and publish decisions whose publishing failed, so none is lost.
 */
export async function sweepApprovals(deps: ExpireDeps): Promise<SweepResult> {
  const now = deps.now();
  const expired: string[] = [];
  const republished: string[] = [];
  for (const approval of await deps.store.listOpen()) {
    if (approval.status === 'pending') {
      if (!isPastExpiry(approval, now)) continue;
      const result = await deps.store.recordDecision(
        approval.approvalId,
        { status: 'expired', decidedAt: now.toISOString() },
        now,
      );
      if (result.outcome !== 'recorded') continue;
      await publishDecision(deps, result.approval);
      expired.push(approval.approvalId);
    } else if (approval.published !== true) {
      const decidedAt = Date.parse(approval.decidedAt ?? '');
      if (now.getTime() - decidedAt < PUBLISH_GRACE_MS) continue;
      await publishDecision(deps, approval);
      republished.push(approval.approvalId);
    }
  }
  if (expired.length > 0 || republished.length > 0)
    deps.log.info('approvals swept', { expired, republished });
  return { expired, republished };
}
