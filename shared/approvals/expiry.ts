import type { CompiledPolicy } from '../policy/compile';

/** Expiry when a mesh has no approvals section: the section's own default. */
export const DEFAULT_EXPIRY_MINUTES = 60;

/**
 * When a request made now for `meshName` expires: the policy's `approvals.expiresAfterMinutes`.
 * The one rule both the requester and the approvals capability use, so the expiry a requester
 * records, the one stored and the one the Slack message states are the same instant.
 */
export function approvalExpiresAt(
  policy: Pick<CompiledPolicy, 'forMesh'>,
  meshName: string,
  now: Date,
): string {
  const minutes = policy.forMesh(meshName)?.document.approvals?.expiresAfterMinutes ?? DEFAULT_EXPIRY_MINUTES;
  return new Date(now.getTime() + minutes * 60_000).toISOString();
}
