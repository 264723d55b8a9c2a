/**
 * What a hold of a VPC Lattice change stores for its approval, pure: the state the caller's call
 * left (read from Lattice when the call was judged, never taken from the record), the state the
 * revert restores, and where the resource is. Approving writes `proposed` back whole, and only
 * while the resource still holds `base` (see reapply.ts): Lattice has no
 * versions, so "nobody wrote it since the revert" is "it still holds what the revert wrote".
 */

import { diffValues, renderDiff } from '../../../change-control/diff';
import { type ApprovalRequestedDetail, approvalRequestedDetail } from '../../../events/approvals';
import type { LatticeCall } from './lattice-call';
import {
  type LatticeResourceState,
  type LatticeRevertPlan,
  type LatticeTarget,
  leftAsWritten,
} from './lattice-state';

/** The approval action of a held Lattice change. */
export type LatticeReapplyAction = Extract<
  ApprovalRequestedDetail['action'],
  { type: 'reapply-lattice-change' }
>;
/** A Lattice state as the approvals contract carries it. */
export type HeldLatticeState = LatticeReapplyAction['proposed'];

/** The state as the approvals contract carries it: absent members left out. */
export function heldLatticeState(state: LatticeResourceState): HeldLatticeState {
  switch (state.type) {
    case 'rule':
      return {
        type: 'rule',
        name: state.name,
        ...(state.match === undefined ? {} : { match: state.match as Record<string, unknown> }),
        ...(state.priority === undefined ? {} : { priority: state.priority }),
        action: state.action as Record<string, unknown>,
      };
    case 'listener':
      return {
        type: 'listener',
        name: state.name,
        defaultAction: state.defaultAction as Record<string, unknown>,
      };
    case 'auth-policy':
      return { type: 'auth-policy', policy: state.policy };
  }
}

/** The held state as change control's ports take it. */
export function latticeStateOf(held: HeldLatticeState): LatticeResourceState {
  switch (held.type) {
    case 'rule':
      return {
        type: 'rule',
        name: held.name,
        match: held.match,
        priority: held.priority,
        action: held.action,
      };
    case 'listener':
      return { type: 'listener', name: held.name, defaultAction: held.defaultAction };
    case 'auth-policy':
      return { type: 'auth-policy', policy: held.policy };
  }
}

/** What the hold of one judged call needs, all of it read or decided before the revert. */
export interface LatticeHoldInput {
  readonly call: Pick<LatticeCall, 'operation' | 'verb' | 'response'>;
  readonly target: LatticeTarget;
  readonly resourceKey: string;
  /** The state read from Lattice when the call was judged. */
  readonly current: LatticeResourceState | undefined;
  readonly plan: LatticeRevertPlan;
  readonly approvalId: string;
  readonly reasons: readonly string[];
  readonly requestedBy: { readonly arn: string; readonly label: string };
  readonly expiresAt: string;
}

/** The approval request of a hold, or why the change cannot be offered for approval. */
export type LatticeHold =
  | { readonly ok: true; readonly request: ApprovalRequestedDetail }
  | { readonly ok: false; readonly reason: string };

/** The state the revert of `plan` leaves, or undefined when it leaves none to re-apply onto. */
function baseOf(plan: LatticeRevertPlan, target: LatticeTarget): LatticeResourceState | undefined {
  if (plan.type === 'write') return plan.state;
  if (plan.type === 'remove' && target.ref.kind === 'auth-policy')
    return { type: 'auth-policy', policy: null };
  return undefined;
}

/**
 * The approval request that offers the held change for re-applying, or why it is not offered
 * (the change is then reverted as for `revert`, and re-applying it is for a person). Not
 * offered: a created rule (re-creating it on approval is not supported yet), a resource gone or
 * written again since the call (what the call left can no longer be read), and a request the
 * approvals contract would refuse.
 */
export function latticeHold(input: LatticeHoldInput): LatticeHold {
  const { call, target, resourceKey: key, current, plan } = input;
  const kind = target.ref.kind;
  if (kind !== 'rule' && kind !== 'listener' && kind !== 'auth-policy') {
    return { ok: false, reason: `a held ${kind} cannot be re-applied on VPC Lattice` };
  }
  const base = baseOf(plan, target);
  if (base === undefined) {
    return {
      ok: false,
      reason: `re-applying ${call.operation} on approval is not supported for VPC Lattice yet (the revert deletes what it created)`,
    };
  }
  if (current === undefined) return { ok: false, reason: `${key} no longer exists` };
  const movedOn =
    call.verb === 'delete'
      ? current.type !== 'auth-policy' || current.policy !== null
      : call.response !== undefined && !leftAsWritten(current, call.response);
  if (movedOn) {
    return {
      ok: false,
      reason: `${key} was written again after ${call.operation}, so what that call left can no longer be read`,
    };
  }
  const proposed = heldLatticeState(current);
  const restored = heldLatticeState(base);
  const { serviceId, listenerId, ruleId, ownerId } = target.ids;
  const request: ApprovalRequestedDetail = {
    approvalId: input.approvalId,
    meshName: target.ref.meshName,
    action: {
      type: 'reapply-lattice-change',
      resourceKey: key,
      operation: call.operation,
      target: {
        kind,
        ...(serviceId === undefined ? {} : { serviceId }),
        ...(listenerId === undefined ? {} : { listenerId }),
        ...(ruleId === undefined ? {} : { ruleId }),
        ...(ownerId === undefined ? {} : { ownerId }),
      },
      proposed,
      base: restored,
    },
    title: `${call.operation} on ${key} was reverted and waits for approval`,
    reason: input.reasons.join(' ').slice(0, 2000),
    requestedBy: input.requestedBy,
    diff: renderDiff(diffValues(restored, proposed), 3000),
    expiresAt: input.expiresAt,
  };
  // Checked here with the contract's own schema: a request the approvals capability would refuse
  // is never published, and the change is reverted with the reason instead.
  const checked = approvalRequestedDetail.safeParse(request);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    return {
      ok: false,
      reason:
        `the held change cannot be offered for approval: ${issue?.path.join('.') ?? ''} ${issue?.message ?? ''}`.trim(),
    };
  }
  return { ok: true, request };
}
