import { createHash } from 'node:crypto';

/**
 * Identifiers derived from a CloudTrail event id, so a redelivered or retried event produces
 * the same write (App Mesh deduplicates on clientToken) and the same approval request.
 */
function digest(purpose: string, eventId: string): string {
  return createHash('sha256').update(`${purpose}\u0000${eventId}`).digest('base64url');
}

/** A clientToken for the write that reverts the change of `eventId` (App Mesh: 1..36 of [A-Za-z0-9_-]). */
export function revertClientToken(eventId: string): string {
  return `mw-${digest('revert', eventId).slice(0, 32)}`;
}

/** The approval id of the hold of `eventId` (the approvals contract: 1..64 of [A-Za-z0-9_-]). */
export function holdApprovalId(eventId: string): string {
  return `change-${digest('hold', eventId).slice(0, 40)}`;
}
