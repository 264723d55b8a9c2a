import * as z from '../schema';
import { parseOrThrow } from '../validation';
import { awsAccountId, eventBridgeEvent, nonEmpty } from './envelope';
import { MESHWARDEN_DETAIL_TYPES, MESHWARDEN_EVENT_SOURCE } from './patterns';

/**
 * The approval contract between the capabilities that hold risky actions (change control,
 * deployments, certificate rollovers) and the Slack approvals capability. A holder publishes
 * `ApprovalRequested`; the approvals capability asks people in Slack and publishes
 * `ApprovalDecided` once (first decision wins, or expiry); the capability that owns the
 * action carries it out on `ApprovalDecided`, matched by `detail.action.type`.
 */

/** An approval id: deterministic from what caused it, at most 64 characters. */
const approvalId = z
  .string()
  .check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected 1-64 letters, digits, - or _'));
/*
 * Bounds on the strings of this contract. The events are untrusted; their ids become DynamoDB
 * keys (at most 1,024 bytes for a sort key) and their texts one stored item (400 KB), so an
 * oversized value is refused here with its path, not deep in a write.
 */
/** App Mesh names are 1..255 characters. */
const meshName = nonEmpty.check(z.maxLength(255));
/** `mesh/route/router/route`: three App Mesh names and a kind. */
const resourceKey = nonEmpty.check(z.maxLength(1000));
/** Ids meshwarden mints (deployment, rollover): as the deployment step schema bounds them. */
const minted = nonEmpty.check(z.maxLength(128));
/** IAM and ACM PCA ARNs are at most 2,048 characters. */
const arn = z.string().check(z.maxLength(2048));

/** Re-apply a change that change control reverted and held (issue: mesh change control). */
const reapplyChange = z.object({
  type: z.literal('reapply-change'),
  /** Stable key of the resource, e.g. `prod/route/web-router/web-route`. */
  resourceKey,
  /** The CloudTrail operation that was held, e.g. `UpdateRoute`, `DeleteVirtualService`. */
  operation: nonEmpty,
  /** The full proposed resource (kind, names, spec, tags) to write back; absent for a held delete. */
  proposed: z.optional(z.record(z.string(), z.unknown())),
  /**
   * The resource as the held change found it, i.e. what the revert restored (kind, names,
   * spec, tags). The re-apply writes only what changed from `base` to `proposed`, onto the
   * resource as it is then. Absent when the change created the resource, and in requests made
   * before meshwarden stored it (those are asked again with a diff against the current state).
   */
  base: z.optional(z.record(z.string(), z.unknown())),
  /**
   * The resource version the revert left behind. The re-apply writes only while the resource
   * is still at it; otherwise it asks again with a fresh diff.
   */
  baseVersion: z.optional(z.number().check(z.int(), z.nonnegative())),
  /** Set when this request asks again for an approved change whose resource had moved on. */
  reaskOf: z.optional(approvalId),
});

/** A VPC Lattice id (`svc-…`, `listener-…`, `rule-…`, `sn-…`), never an ARN. */
const latticeId = z
  .string()
  .check(z.regex(/^[a-z]+-[0-9a-z]{1,40}$/, 'expected a VPC Lattice id such as svc-0123'));
/** A rule's or listener's name (Lattice: 3..63 characters). */
const latticeName = nonEmpty.check(z.maxLength(63));
/** A rule action, match or listener default action: the SDK's shape, checked by Lattice on write. */
const latticeShape = z.record(z.string(), z.unknown());

/**
 * A VPC Lattice resource as change control keeps it and writes it back whole: a rule (match,
 * priority, action), a listener's default action, or an auth policy (`null`: none).
 */
const latticeState = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('rule'),
    name: latticeName,
    match: z.optional(latticeShape),
    priority: z.optional(z.number().check(z.int(), z.gte(1), z.lte(100))),
    action: latticeShape,
  }),
  z.object({ type: z.literal('listener'), name: latticeName, defaultAction: latticeShape }),
  /** Lattice takes auth policies of at most 10 KB. */
  z.object({ type: z.literal('auth-policy'), policy: z.nullable(z.string().check(z.maxLength(10_240))) }),
]);

/**
 * Re-apply a VPC Lattice change that change control reverted and held. Lattice has no resource
 * versions and its writes replace the whole rule, default action or auth policy: the re-apply
 * writes `proposed` only while the resource is still as the revert left it (`base`), and asks
 * again otherwise.
 */
const reapplyLatticeChange = z.object({
  type: z.literal('reapply-lattice-change'),
  /** Stable key of the resource, e.g. `prod-net/rule/web/http/web-canary`. */
  resourceKey,
  /** The CloudTrail operation that was held, e.g. `UpdateRule`, `PutAuthPolicy`. */
  operation: nonEmpty.check(z.maxLength(64)),
  /** Where it is: its kind and the ids Lattice knows it by (the auth policy's owner: `ownerId`). */
  target: z.object({
    kind: z.enum(['rule', 'listener', 'auth-policy']),
    serviceId: z.optional(latticeId),
    listenerId: z.optional(latticeId),
    ruleId: z.optional(latticeId),
    ownerId: z.optional(latticeId),
  }),
  /** What the held call left, as meshwarden read it from Lattice when it judged the call. */
  proposed: latticeState,
  /** What the revert restored: the re-apply writes only while the resource still holds it. */
  base: latticeState,
  /** Set when this request asks again for an approved change whose resource had moved on. */
  reaskOf: z.optional(approvalId),
});

/** Promote a deployment past its approval gate (issue: deployment guard). */
const promoteDeployment = z.object({
  type: z.literal('promote-deployment'),
  routeKey: resourceKey,
  deploymentId: minted,
  /** The step the deployment moves to when approved, e.g. 100. */
  toWeight: z.number().check(z.int(), z.gte(0), z.lte(100)),
});

/** Finish a CA rollover by removing the old CA from every trust (issue: certificate rotation). */
const finishCaRollover = z.object({
  type: z.literal('finish-ca-rollover'),
  rolloverId: minted,
  oldCaArn: arn.check(z.minLength(1)),
  newCaArn: arn.check(z.minLength(1)),
});

export const approvalActionSchema = z.discriminatedUnion('type', [
  reapplyChange,
  reapplyLatticeChange,
  promoteDeployment,
  finishCaRollover,
]);
export type ApprovalAction = z.infer<typeof approvalActionSchema>;
export type ApprovalActionType = ApprovalAction['type'];

export const approvalRequestedDetail = z.object({
  /** Deterministic from the triggering event (so a redelivery asks once), at most 64 characters. */
  approvalId,
  meshName,
  /**
   * The account of the mesh; meshwarden's own (central) account when absent. The approval keeps
   * it, and an approved action is carried out in that account and nowhere else.
   */
  account: z.optional(awsAccountId),
  action: approvalActionSchema,
  /** One line: what is asked. */
  title: nonEmpty.check(z.maxLength(1000)),
  /** Why it was held: rule ids, policy sentence, deployment gate. */
  reason: nonEmpty.check(z.maxLength(4000)),
  /** Who caused the request (CloudTrail principal ARN and a readable label). */
  requestedBy: z.object({ arn, label: z.string().check(z.maxLength(512)) }),
  /** A compact before/after, already rendered for people. */
  diff: z._default(z.string().check(z.maxLength(3000)), ''),
  expiresAt: z.iso.datetime(),
});
export type ApprovalRequestedDetail = z.output<typeof approvalRequestedDetail>;

export const approvalDecidedDetail = z.object({
  approvalId: approvalRequestedDetail.shape.approvalId,
  meshName,
  action: approvalActionSchema,
  decision: z.enum(['approved', 'rejected', 'expired']),
  /** Who decided (absent on expiry): the Slack user and the identity the approvers policy mapped them to. */
  decidedBy: z.optional(z.object({ slackUserId: nonEmpty, identity: nonEmpty })),
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
