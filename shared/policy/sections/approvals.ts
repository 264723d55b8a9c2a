/**
 * The `approvals` section of a mesh's policy: where approval requests and notifications go in
 * Slack, who may decide which kind of request, and for how long a request stays open.
 */
import * as z from 'zod';
import { type ApprovalActionType, approvalActionSchema } from '../../events/approvals';
import { compileGlob } from '../glob';
import { globSchema } from '../glob-schema';

/**
 * Who may decide an action type is asked once per kind of decision, whatever the provider: a
 * held VPC Lattice change is decided by the groups the policy lists for `reapply-change`.
 */
const DECIDED_AS: Partial<Record<ApprovalActionType, ApprovalActionType>> = {
  'reapply-lattice-change': 'reapply-change',
};

/** The action type whose `approve` entry decides requests of `type`. */
export function approvalPolicyType(type: ApprovalActionType): ApprovalActionType {
  return DECIDED_AS[type] ?? type;
}

/** Every approval action type the policy's `approve` names, from the event contract (one source of truth). */
export const APPROVAL_ACTION_TYPES = approvalActionSchema.def.options
  .flatMap((option) => option.shape.type.def.values)
  .filter((type) => approvalPolicyType(type) === type) as readonly ApprovalActionType[];

const slackChannelId = /* @__PURE__ */ z
  .string()
  .regex(/^[CG][A-Z0-9]{2,20}$/, 'expected a Slack channel id such as C0123456789 (not a #name)')
  .describe('A Slack channel id (channel names change; ids do not).');

const slackUserId = /* @__PURE__ */ z
  .string()
  .regex(/^[UW][A-Z0-9]{2,20}$/, 'expected a Slack user id such as U0123456789')
  .describe('A Slack user id, from the person’s profile: ⋮ > Copy member ID.');

const group = /* @__PURE__ */ z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'expected lowercase letters, digits and "-"')
  .describe('A group of approvers.');

const principalGlob = /* @__PURE__ */ globSchema(
  'Glob over the AWS caller ARNs that are this person (e.g. arn:aws:sts::*:assumed-role/PlatformAdmin/priya*), to recognise their own requests',
);

const approverSchema = /* @__PURE__ */ z
  .strictObject({
    identity: z
      .string()
      .trim()
      .min(1)
      .max(256)
      .describe('Who this Slack user is, as audit records name them.'),
    email: z
      .email()
      .optional()
      .describe('The email the Slack profile must show (checked through users.info when requireEmailMatch).'),
    groups: z.array(group).min(1).max(50),
    awsPrincipals: z
      .array(principalGlob)
      .max(50)
      .default([])
      .describe('The AWS identities of this person; a request they caused is their own.'),
  })
  .describe('One person who may decide approvals.');

export const approvalsSectionSchema = /* @__PURE__ */ z
  .strictObject({
    slack: z
      .strictObject({
        channel: slackChannelId.describe('Where approval requests are posted.'),
        notificationsChannel: slackChannelId
          .optional()
          .describe(
            'Where plain notifications (reverts, rollbacks, rotations) go; the approvals channel when absent.',
          ),
      })
      .describe('Slack channels of this mesh.'),
    expiresAfterMinutes: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60)
      .default(60)
      .describe('How long a request stays open at most; a later expiry asked for is cut to this.'),
    allowSelfApproval: z
      .boolean()
      .default(false)
      .describe('Whether the person who caused a request may approve it (rejecting is always allowed).'),
    requireEmailMatch: z
      .boolean()
      .default(false)
      .describe("Check the clicking user's Slack profile email against the approver's email (users.info)."),
    approvers: z
      .record(slackUserId, approverSchema)
      .describe('Slack user id -> identity and groups. Only these people may decide.'),
    approve: z
      .partialRecord(
        z.enum(APPROVAL_ACTION_TYPES as [ApprovalActionType, ...ApprovalActionType[]]),
        z.array(group).min(1),
      )
      .default({})
      .describe(
        'Which groups may decide (approve or reject) each action type; an action type not listed: nobody.',
      ),
  })
  .superRefine((section, ctx) => {
    const known = new Set(Object.values(section.approvers).flatMap((a) => a.groups));
    for (const [type, groups] of Object.entries(section.approve)) {
      for (const [i, g] of (groups ?? []).entries()) {
        if (!known.has(g)) {
          ctx.addIssue({
            code: 'custom',
            path: ['approve', type, i],
            message: `no approver is in group "${g}"`,
          });
        }
      }
    }
    if (section.requireEmailMatch) {
      for (const [id, approver] of Object.entries(section.approvers)) {
        if (approver.email === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['approvers', id, 'email'],
            message: 'requireEmailMatch is on: every approver needs an email',
          });
        }
      }
    }
  })
  .describe('Slack approvals: channels, approvers and who may approve what.');

export type ApprovalsSection = z.output<typeof approvalsSectionSchema>;
export type ApproverDocument = ApprovalsSection['approvers'][string];

/** True when the AWS caller ARN `arn` belongs to the approver (their own request). */
export function isApproversOwnPrincipal(approver: ApproverDocument, arn: string): boolean {
  return approver.awsPrincipals.some((pattern) => compileGlob(pattern).test(arn));
}

/** The groups that may decide requests of this action type. */
export function groupsAllowedFor(section: ApprovalsSection, type: ApprovalActionType): readonly string[] {
  return section.approve[approvalPolicyType(type)] ?? [];
}
