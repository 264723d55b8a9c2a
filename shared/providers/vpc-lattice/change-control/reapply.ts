/**
 * Re-apply an approved held VPC Lattice change: the state the person's call left, written back
 * whole (UpdateRule with match, priority and action; UpdateListener with the default action;
 * PutAuthPolicy, or DeleteAuthPolicy for a held delete), and only while the resource still holds
 * what the revert restored. Lattice has no versions: anything else means someone wrote it since,
 * and writing now would drop their change, so a person is asked again.
 */

import type { Approval } from '../../../approvals/approval';
import { diffValues, renderDiff } from '../../../change-control/diff';
import { BadRequestError } from '../../../errors';
import type { ApprovalRequestedDetail } from '../../../events/approvals';
import {
  type HeldLatticeState,
  heldLatticeState,
  type LatticeReapplyAction,
  latticeStateOf,
} from './lattice-hold';
import {
  type LatticeChangeTargets,
  type LatticeResourceState,
  type LatticeTarget,
  sameLatticeState,
} from './lattice-state';

/** The Lattice reads and writes a re-apply makes. */
export type LatticeReapplyTargets = Pick<LatticeChangeTargets, 'read' | 'write' | 'remove'>;

/** What a re-apply did, or why it did not write. */
export type LatticeReapplyOutcome =
  | { readonly kind: 'applied'; readonly detail: string }
  /** Nothing to write: the resource holds the change already. */
  | { readonly kind: 'nothing'; readonly detail: string }
  /** The rule or listener is gone: nothing can be re-applied. */
  | { readonly kind: 'gone'; readonly detail: string }
  /** Someone wrote the resource since the revert: a person must look at it as it is now. */
  | { readonly kind: 'moved-on'; readonly detail: string; readonly current: LatticeResourceState };

const IDS_OF_KIND = {
  rule: ['serviceId', 'listenerId', 'ruleId'],
  listener: ['serviceId', 'listenerId'],
  'auth-policy': ['ownerId'],
} as const;

/**
 * Where the held change is, from the stored action. The ids its kind needs must be there, and
 * both states must be of that kind: the approval names one resource, and nothing else is written.
 */
export function latticeTargetOf(meshName: string, action: LatticeReapplyAction): LatticeTarget {
  const { kind, ...ids } = action.target;
  const missing = IDS_OF_KIND[kind].filter((id) => ids[id] === undefined);
  if (missing.length > 0) {
    throw new BadRequestError(`the held ${kind} ${action.resourceKey} names no ${missing.join(', ')}`);
  }
  const stateType = kind;
  for (const [member, state] of [
    ['proposed', action.proposed],
    ['base', action.base],
  ] as const) {
    if (state.type !== stateType) {
      throw new BadRequestError(`${member} is a ${state.type} state, but ${action.resourceKey} is a ${kind}`);
    }
  }
  return {
    ref: {
      provider: 'vpc-lattice',
      kind,
      meshName,
      name: action.resourceKey.slice(action.resourceKey.lastIndexOf('/') + 1),
    },
    ids,
  };
}

/**
 * Re-apply an approved held Lattice change: read the resource; when it holds the change already
 * there is nothing to do; when it still holds what the revert restored, write the change back
 * whole; otherwise it moved on (or is gone) and nothing is written. Returns what was done.
 */
export async function reapplyLatticeChange(
  lattice: LatticeReapplyTargets,
  meshName: string,
  action: LatticeReapplyAction,
): Promise<LatticeReapplyOutcome> {
  const key = action.resourceKey;
  const target = latticeTargetOf(meshName, action);
  const proposed = latticeStateOf(action.proposed);
  const base = latticeStateOf(action.base);
  const current = await lattice.read(target);
  if (current === undefined) return { kind: 'gone', detail: `Not re-applied: ${key} no longer exists.` };
  if (sameLatticeState(current, proposed)) {
    return { kind: 'nothing', detail: `${key} already holds the change; nothing to re-apply.` };
  }
  if (!sameLatticeState(current, base)) {
    return {
      kind: 'moved-on',
      detail: `Not re-applied: ${key} changed since the change was held; writing it now would drop the later change.`,
      current,
    };
  }
  if (proposed.type === 'auth-policy' && proposed.policy === null) {
    await lattice.remove(target);
    return { kind: 'applied', detail: `Deleted the auth policy ${key} (${action.operation} re-applied).` };
  }
  await lattice.write(target, proposed);
  return {
    kind: 'applied',
    detail: `Re-applied ${action.operation} on ${key}: ${renderDiff(diffValues(action.base, action.proposed), 500).replaceAll('\n', '; ')}.`,
  };
}

/**
 * The request that asks again for an approved Lattice change whose resource moved on: the same
 * change, against the resource as it is now (its new base), shown as a fresh diff.
 */
export function latticeReaskRequest(
  approval: Approval,
  action: LatticeReapplyAction,
  current: LatticeResourceState,
  why: string,
  now: Date,
  approvalId: string,
): ApprovalRequestedDetail {
  const base: HeldLatticeState = heldLatticeState(current);
  const key = action.resourceKey;
  const ttlMs = Math.max(Date.parse(approval.expiresAt) - Date.parse(approval.requestedAt), 60_000);
  return {
    approvalId,
    meshName: approval.meshName,
    ...(approval.account === undefined ? {} : { account: approval.account }),
    action: { ...action, base, reaskOf: approval.approvalId },
    title: `${action.operation} on ${key} asked again: ${key} changed since it was held`,
    reason:
      `${why} The diff shows the held change against ${key} as it is now. First asked because: ${approval.reason}`.slice(
        0,
        2000,
      ),
    requestedBy: approval.requestedBy,
    diff: renderDiff(diffValues(base, action.proposed), 3000),
    expiresAt: new Date(now.getTime() + ttlMs).toISOString(),
  };
}
