import { createHash } from 'node:crypto';
import { diffValues, renderDiff } from '../change-control/diff';
import { formatResourceKey, parseResourceKey } from '../domain/resource-key';
import type { ApprovalDecidedDetail, ApprovalRequestedDetail } from '../events/approvals';
import { MESHWARDEN_DETAIL_TYPES } from '../events/patterns';
import type { ApprovalStore, ChatApprovals, EventPublisher, MeshProvider } from '../ports';
import type { MeshResource } from '../providers/appmesh/model';
import type { LatticeReapplyAction } from '../providers/vpc-lattice/change-control/lattice-hold';
import {
  type LatticeReapplyTargets,
  latticeReaskRequest,
  reapplyLatticeChange,
} from '../providers/vpc-lattice/change-control/reapply';
import type { Approval, ApprovalExecution } from './approval';
import { applyPatch, applyTagChange, patchBetween, tagChangeBetween } from './change-patch';
import type { ApprovalLog } from './decide';
import { proposedResource, type ReapplyAction, reapplyChange, resourceBody } from './reapply-change';
import { type DecisionRefusal, loadStoredDecision } from './verified-decision';

export interface ExecuteDeps {
  readonly store: ApprovalStore;
  readonly chat: ChatApprovals;
  readonly meshes: MeshProvider;
  /**
   * The provider of an approval's account, when it names one (a member account's mesh, reached
   * through the role meshwarden assumes there). Without it, an approval naming an account is
   * not carried out: `meshes` is the central account's, and the change belongs elsewhere.
   */
  readonly meshesIn?: (account: string) => MeshProvider;
  /** VPC Lattice of meshwarden's own account, where held Lattice changes are re-applied. */
  readonly lattice?: LatticeReapplyTargets;
  /** VPC Lattice of a member account, through the role meshwarden assumes there. */
  readonly latticeIn?: (account: string) => LatticeReapplyTargets;
  /** Where a held change whose resource moved on is asked again (ApprovalRequested). */
  readonly publisher: EventPublisher;
  readonly now: () => Date;
  readonly log: ApprovalLog;
}

/** What handling one `ApprovalDecided` did. */
export type ExecuteResult =
  | { readonly kind: 'refused'; readonly refusal: DecisionRefusal }
  /** `execution` only for actions this function carries out (the result is stored by idempotency: no undefined members). */
  | { readonly kind: 'handled'; readonly execution?: ApprovalExecution };

/** Outcomes after which the approved action is never carried out again. */
const SETTLED: ReadonlySet<ApprovalExecution['outcome']> = new Set(['applied', 'reasked', 'not-applied']);

/** The provider of the account the approval's mesh is in. */
function meshesOf(deps: ExecuteDeps, approval: Approval): MeshProvider {
  if (approval.account === undefined) return deps.meshes;
  if (deps.meshesIn === undefined) {
    throw new Error(
      `approval ${approval.approvalId} is for account ${approval.account}, which this function cannot reach`,
    );
  }
  return deps.meshesIn(approval.account);
}

/** The VPC Lattice of the account the approval's service network is in. */
function latticeOf(deps: ExecuteDeps, approval: Approval): LatticeReapplyTargets {
  const lattice = approval.account === undefined ? deps.lattice : deps.latticeIn?.(approval.account);
  if (lattice === undefined) {
    throw new Error(
      `approval ${approval.approvalId} is a VPC Lattice change${approval.account === undefined ? '' : ` in account ${approval.account}`}, which this function cannot reach`,
    );
  }
  return lattice;
}

function when(iso: string): string {
  return iso
    .replace(/\.\d{3}Z$/, 'Z')
    .replace('T', ' ')
    .replace('Z', ' UTC');
}

/** The id of the request that asks again for `approvalId`: derived, so a retry asks once. */
export function reaskApprovalId(approvalId: string): string {
  return `reask-${createHash('sha256').update(approvalId).digest('base64url').slice(0, 40)}`;
}

/**
 * The request that asks again for an approved change whose resource moved on: the person's
 * change (base -> proposed) laid onto the resource as it is now, shown as a fresh diff, with
 * the current version as its new base. Undefined when the resource already holds the change.
 */
export function reaskRequest(
  approval: Approval,
  action: ReapplyAction,
  current: MeshResource,
  why: string,
  now: Date,
): ApprovalRequestedDetail | undefined {
  const ref = parseResourceKey(action.resourceKey);
  const key = formatResourceKey(ref);
  const base = resourceBody(current);
  let proposed: Record<string, unknown> | undefined;
  if (action.proposed !== undefined) {
    const wanted = proposedResource(ref, action.proposed);
    if (action.base === undefined) {
      proposed = { ...base, spec: wanted.spec, ...(wanted.tags === undefined ? {} : { tags: wanted.tags }) };
    } else {
      const from = proposedResource(ref, action.base);
      proposed = {
        ...base,
        spec: applyPatch(current.spec, patchBetween(from.spec, wanted.spec)),
        tags: applyTagChange(current.tags, tagChangeBetween(from.tags, wanted.tags)),
      };
    }
  }
  const diff = diffValues(base, proposed);
  if (proposed !== undefined && diff.length === 0) return undefined;
  const ttlMs = Math.max(Date.parse(approval.expiresAt) - Date.parse(approval.requestedAt), 60_000);
  const version = current.metadata?.version;
  return {
    approvalId: reaskApprovalId(approval.approvalId),
    meshName: approval.meshName,
    ...(approval.account === undefined ? {} : { account: approval.account }),
    action: {
      type: 'reapply-change',
      resourceKey: action.resourceKey,
      operation: action.operation,
      ...(proposed === undefined ? {} : { proposed }),
      base,
      ...(version === undefined ? {} : { baseVersion: version }),
      reaskOf: approval.approvalId,
    },
    title: `${action.operation} on ${key} asked again: ${key} changed since it was held`,
    reason:
      `${why} The diff shows only the held change, against ${key} as it is now (version ${version ?? '?'}). First asked because: ${approval.reason}`.slice(
        0,
        2000,
      ),
    requestedBy: approval.requestedBy,
    diff: renderDiff(diff, 3000),
    expiresAt: new Date(now.getTime() + ttlMs).toISOString(),
  };
}

/**
 * On `ApprovalDecided`, which is only a wake-up call: load the approval meshwarden stored and
 * act only on a decision recorded there by a person, and on the stored action (never the
 * event's). An unknown, undecided or mismatched approval is refused, logged as an error and
 * returned (not thrown: a forged event must not be retried into the DLQ). Then carry out an
 * approved `reapply-change` or `reapply-lattice-change` (the other action types belong to the deployment guard and
 * certificate rotation), update the request message, and on expiry say so in the thread. A
 * failed re-apply is recorded and shown, then rethrown so EventBridge retries it.
 */
export async function executeDecision(
  deps: ExecuteDeps,
  detail: ApprovalDecidedDetail,
): Promise<ExecuteResult> {
  const verified = await loadStoredDecision(deps.store, detail, undefined);
  if (!verified.ok) {
    deps.log.error(verified.message, {
      approvalId: detail.approvalId,
      reason: verified.reason,
      claimed: { decision: detail.decision, actionType: detail.action.type, meshName: detail.meshName },
    });
    return { kind: 'refused', refusal: verified };
  }
  const approval = verified.approval;

  let execution: ApprovalExecution | undefined = approval.execution;
  let failure: unknown;
  let threadNote: string | undefined;
  const action = approval.action;
  const heldChange = action.type === 'reapply-change' || action.type === 'reapply-lattice-change';
  if (
    approval.status === 'approved' &&
    heldChange &&
    (execution === undefined || !SETTLED.has(execution.outcome))
  ) {
    try {
      const settled = await settle(
        deps,
        action.type === 'reapply-change'
          ? await reapplyMeshChange(deps, approval, action)
          : await reapplyHeldLatticeChange(deps, approval, action),
      );
      execution = settled.execution;
      threadNote = settled.threadNote;
    } catch (error) {
      failure = error;
      execution = {
        outcome: 'failed',
        at: deps.now().toISOString(),
        detail: `Re-applying failed: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
    await deps.store.recordExecution(approval.approvalId, execution);
    deps.log.info('held change carried out', { approvalId: approval.approvalId, execution });
  }

  if (approval.message !== undefined) {
    const shown = execution === undefined ? approval : { ...approval, execution };
    await deps.chat.updateApprovalMessage(shown);
    if (threadNote !== undefined) await deps.chat.postThreadReply(approval.message, threadNote);
    if (approval.status === 'expired') {
      await deps.chat.postThreadReply(
        approval.message,
        `This request expired at ${when(approval.expiresAt)} without a decision; nothing was applied.`,
      );
    }
  }
  if (failure !== undefined) throw failure;
  return execution === undefined ? { kind: 'handled' } : { kind: 'handled', execution };
}

/** What a re-apply found, on either provider; a moved-on resource carries how to ask again. */
type ReapplyFound =
  | { readonly kind: 'applied' | 'nothing' | 'gone'; readonly detail: string }
  | {
      readonly kind: 'moved-on';
      readonly detail: string;
      /** The request against the resource as it is now; undefined when it holds the change already. */
      readonly reask: () => ApprovalRequestedDetail | undefined;
    };

/** Turn what the re-apply found into the recorded execution; a moved-on resource is asked again. */
async function settle(
  deps: ExecuteDeps,
  found: ReapplyFound,
): Promise<{ execution: ApprovalExecution; threadNote?: string }> {
  const at = deps.now().toISOString();
  switch (found.kind) {
    case 'applied':
    case 'nothing':
      return { execution: { outcome: 'applied', at, detail: found.detail } };
    case 'gone':
      return {
        execution: { outcome: 'not-applied', at, detail: found.detail },
        threadNote: found.detail,
      };
    case 'moved-on': {
      const request = found.reask();
      if (request === undefined) {
        const detail = `${found.detail} The resource already holds the change; nothing to ask.`;
        return { execution: { outcome: 'applied', at, detail } };
      }
      // Published before the execution is recorded: a retry publishes the same request id,
      // which the approvals capability stores once.
      await deps.publisher.publish([
        { detailType: MESHWARDEN_DETAIL_TYPES.approvalRequested, detail: { ...request } },
      ]);
      const detail = `${found.detail} Asked again with the change against the current state (approval ${request.approvalId}).`;
      return { execution: { outcome: 'reasked', at, detail }, threadNote: detail };
    }
  }
}

/** A held App Mesh change, re-applied; asked again against the resource as it is now. */
async function reapplyMeshChange(
  deps: ExecuteDeps,
  approval: Approval,
  action: ReapplyAction,
): Promise<ReapplyFound> {
  const outcome = await reapplyChange(meshesOf(deps, approval), action, approval);
  if (outcome.kind !== 'moved-on') return outcome;
  const current = outcome.current;
  return {
    kind: 'moved-on',
    detail: outcome.detail,
    reask: () =>
      current === undefined ? undefined : reaskRequest(approval, action, current, outcome.detail, deps.now()),
  };
}

/** A held VPC Lattice change, re-applied; asked again against the resource as it is now. */
async function reapplyHeldLatticeChange(
  deps: ExecuteDeps,
  approval: Approval,
  action: LatticeReapplyAction,
): Promise<ReapplyFound> {
  const outcome = await reapplyLatticeChange(latticeOf(deps, approval), approval.meshName, action);
  if (outcome.kind !== 'moved-on') return outcome;
  return {
    kind: 'moved-on',
    detail: outcome.detail,
    reask: () =>
      latticeReaskRequest(
        approval,
        action,
        outcome.current,
        outcome.detail,
        deps.now(),
        reaskApprovalId(approval.approvalId),
      ),
  };
}
