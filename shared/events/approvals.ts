import * as z from 'zod';
import { parseOrThrow } from '../validation';
import { eventBridgeEvent, nonEmpty } from './envelope';
import { MESHWARDEN_DETAIL_TYPES, MESHWARDEN_EVENT_SOURCE } from './patterns';

/**
 * The approval contract between the capabilities that hold risky actions (change control,
 * deployments, certificate rollovers) and the Slack approvals capability. A holder publishes
 * `ApprovalRequested`; the approvals capability asks people in Slack and publishes
 * `ApprovalDecided` once (first decision wins, or expiry); the capability that owns the
 * action carries it out on `ApprovalDecided`, matched by `detail.action.type`.
 */

/** An approval id: deterministic from what caused it, at most 64 characters. */
const approvalId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected 1-64 letters, digits, - or _');

/** Re-apply a change that change control reverted and held (issue: mesh change control). */
const reapplyChange = z.object({
  type: z.literal('reapply-change'),
  /** Stable key of the resource, e.g. `prod/route/web-router/web-route`. */
  resourceKey: nonEmpty,
  /** The CloudTrail operation that was held, e.g. `UpdateRoute`, `DeleteVirtualService`. */
  operation: nonEmpty,
  /** The full proposed resource (kind, names, spec, tags) to write back; absent for a held delete. */
  proposed: z.record(z.string(), z.unknown()).optional(),
  /**
   * The resource as the held change found it, i.e. what the revert restored (kind, names,
   * spec, tags). The re-apply writes only what changed from `base` to `proposed`, onto the
   * resource as it is then. Absent when the change created the resource, and in requests made
   * before meshwarden stored it (those are asked again with a diff against the current state).
   */
  base: z.record(z.string(), z.unknown()).optional(),
  /**
   * The resource version the revert left behind. The re-apply writes only while the resource
   * is still at it; otherwise it asks again with a fresh diff.
   */
  baseVersion: z.number().int().nonnegative().optional(),
  /** Set when this request asks again for an approved change whose resource had moved on. */
  reaskOf: approvalId.optional(),
});

/** Promote a deployment past its approval gate (issue: deployment guard). */
const promoteDeployment = z.object({
  type: z.literal('promote-deployment'),
  routeKey: nonEmpty,
  deploymentId: nonEmpty,
  /** The step the deployment moves to when approved, e.g. 100. */
  toWeight: z.number().int().min(0).max(100),
});

/** Finish a CA rollover by removing the old CA from every trust (issue: certificate rotation). */
const finishCaRollover = z.object({
  type: z.literal('finish-ca-rollover'),
  rolloverId: nonEmpty,
  oldCaArn: nonEmpty,
  newCaArn: nonEmpty,
});

export const approvalActionSchema = z.discriminatedUnion('type', [
  reapplyChange,
  promoteDeployment,
  finishCaRollover,
]);
export type ApprovalAction = z.infer<typeof approvalActionSchema>;
export type ApprovalActionType = ApprovalAction['type'];

export const approvalRequestedDetail = z.object({
  /** Deterministic from the triggering event (so a redelivery asks once), at most 64 characters. */
  approvalId,
  meshName: nonEmpty,
  action: approvalActionSchema,
  /** One line: what is asked. */
  title: nonEmpty,
  /** Why it was held: rule ids, policy sentence, deployment gate. */
  reason: nonEmpty,
  /** Who caused the request (CloudTrail principal ARN and a readable label). */
  requestedBy: z.object({ arn: z.string(), label: z.string() }),
  /** A compact before/after, already rendered for people. */
  diff: z.string().max(3000).default(''),
  expiresAt: z.iso.datetime(),
});
export type ApprovalRequestedDetail = z.output<typeof approvalRequestedDetail>;

export const approvalDecidedDetail = z.object({
  approvalId: approvalRequestedDetail.shape.approvalId,
  meshName: nonEmpty,
  action: approvalActionSchema,
  decision: z.enum(['approved', 'rejected', 'expired']),
  /** Who decided (absent on expiry): the Slack user and the identity the approvers policy mapped them to. */
  decidedBy: z.object({ slackUserId: nonEmpty, identity: nonEmpty }).optional(),
  decidedAt: z.iso.datetime(),
});
export type ApprovalDecidedDetail = z.output<typeof approvalDecidedDetail>;

export const approvalRequestedEvent = eventBridgeEvent(
  MESHWARDEN_EVENT_SOURCE,
  MESHWARDEN_DETAIL_TYPES.approvalRequested,
  approvalRequestedDetail,
);
export const approvalDecidedEvent = eventBridgeEvent(
  MESHWARDEN_EVENT_SOURCE,
  MESHWARDEN_DETAIL_TYPES.approvalDecided,
  approvalDecidedDetail,
);
export type ApprovalRequestedEvent = z.output<typeof approvalRequestedEvent>;
export type ApprovalDecidedEvent = z.output<typeof approvalDecidedEvent>;

export function parseApprovalRequested(input: unknown): ApprovalRequestedEvent {
  return parseOrThrow(approvalRequestedEvent, input, 'ApprovalRequested event');
}

export function parseApprovalDecided(input: unknown): ApprovalDecidedEvent {
  return parseOrThrow(approvalDecidedEvent, input, 'ApprovalDecided event');
}
