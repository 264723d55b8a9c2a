/**
 * What a hold stores for its approval: the change as a person made it, on the resource it was
 * made on. `proposed` is the resource after the person's call; `base` is the resource the
 * revert restores (the state before the call); `baseVersion` the version the revert leaves.
 * Approving re-applies only the difference from base to proposed, and only while the resource
 * is still at `baseVersion` (see approvals/reapply-change.ts).
 */

import { refOf } from '../domain/resource-key';
import type { ApprovalRequestedDetail } from '../events/approvals';
import type { MeshResource, Tags } from '../providers/appmesh/model';
import type { RevertResult } from './apply-revert';
import type { RevertPlan, TagRestore } from './revert-plan';

type ReapplyAction = Extract<ApprovalRequestedDetail['action'], { type: 'reapply-change' }>;

/** The resource without provider metadata: what a hold stores and a re-apply writes back. */
export function heldResource(resource: MeshResource): Record<string, unknown> {
  const { metadata: _metadata, ...rest } = resource;
  return { ...rest, ...refOf(resource) };
}

function tagsAfter(tags: Tags | undefined, restore: TagRestore | undefined): Tags {
  const out: Record<string, string> = { ...(tags ?? {}) };
  for (const key of restore?.remove ?? []) delete out[key];
  return { ...out, ...(restore?.add ?? {}) };
}

/** The resource as the revert of `plan` leaves it (ref, spec, tags), or undefined when it leaves none. */
export function revertedResource(
  plan: RevertPlan,
  current: MeshResource | undefined,
): Record<string, unknown> | undefined {
  switch (plan.type) {
    case 'update':
      return {
        ...refOf(plan.resource),
        spec: plan.resource.spec,
        tags: tagsAfter(current?.tags, plan.tags),
      };
    case 'retag':
      return current === undefined
        ? undefined
        : { ...refOf(current), spec: current.spec, tags: tagsAfter(current.tags, plan.tags) };
    case 'create':
      return heldResource(plan.resource);
    default:
      return undefined;
  }
}

/**
 * The request's action once the revert is done: the version the revert left (a spec write
 * reports it; a tag-only revert leaves the version as it was read).
 */
export function settleHold(
  request: ApprovalRequestedDetail,
  plan: RevertPlan,
  result: RevertResult,
  current: MeshResource | undefined,
): ApprovalRequestedDetail {
  const action = request.action;
  if (action.type !== 'reapply-change' || action.base === undefined) return request;
  const version = plan.type === 'retag' ? current?.metadata?.version : result.written?.version;
  if (version === undefined) return request;
  const settled: ReapplyAction = { ...action, baseVersion: version };
  return { ...request, action: settled };
}
