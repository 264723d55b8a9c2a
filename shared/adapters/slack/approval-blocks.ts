import type { KnownBlock } from '@slack/web-api';
import { APPROVAL_ACTION_IDS, type Approval } from '../../approvals/approval';
import type { ApprovalAction } from '../../events/approvals';
import type { Notification } from '../../ports';

/**
 * Block Kit for approvals and notifications. Pure functions of the approval, so the request
 * message and its later versions (decided, applied, expired) come from one renderer. Limits
 * from Slack's Block Kit reference: section text 3,000 characters, header 150, field 2,000.
 */

/** A Block Kit block as sent to chat.postMessage. */
export type SlackBlock = KnownBlock;

/** The rendered message: blocks plus the `text` fallback notifications and screen readers use. */
export interface SlackMessage {
  readonly text: string;
  readonly blocks: SlackBlock[];
}

const SECTION_MAX = 3000;
const FIELD_MAX = 2000;
const HEADER_MAX = 150;

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Text a person wrote or an event carried must not ping channels or break out of mrkdwn. */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** A date Slack shows in each reader's time zone, with a UTC fallback. */
function slackDate(iso: string): string {
  const seconds = Math.floor(Date.parse(iso) / 1000);
  const fallback = iso
    .replace(/\.\d{3}Z$/, 'Z')
    .replace('T', ' ')
    .replace('Z', ' UTC');
  return `<!date^${seconds}^{date_short_pretty} {time}|${fallback}>`;
}

/** Where the action lands, in one line. */
export function targetOf(action: ApprovalAction): string {
  switch (action.type) {
    case 'reapply-change':
      return `\`${action.resourceKey}\` (${action.operation}${action.proposed === undefined ? ', delete' : ''})`;
    case 'reapply-lattice-change':
      return `\`${action.resourceKey}\` (${action.operation}, VPC Lattice)`;
    case 'promote-deployment':
      return `\`${action.routeKey}\` deployment ${action.deploymentId} to ${action.toWeight}%`;
    case 'finish-ca-rollover':
      return `CA rollover ${action.rolloverId}: drop \`${action.oldCaArn}\`, keep \`${action.newCaArn}\``;
  }
}

const ACTION_LABEL: Readonly<Record<ApprovalAction['type'], string>> = {
  'reapply-change': 'Re-apply a held change',
  'reapply-lattice-change': 'Re-apply a held change',
  'promote-deployment': 'Promote a deployment',
  'finish-ca-rollover': 'Finish a CA rollover',
};

function outcomeLine(approval: Approval): string | undefined {
  const by =
    approval.decidedBy === undefined
      ? ''
      : ` by <@${approval.decidedBy.slackUserId}> (${escapeMrkdwn(approval.decidedBy.identity)})`;
  const at = approval.decidedAt === undefined ? '' : ` at ${slackDate(approval.decidedAt)}`;
  switch (approval.status) {
    case 'pending':
      return undefined;
    case 'approved':
      return `:white_check_mark: *Approved*${by}${at}`;
    case 'rejected':
      return `:no_entry: *Rejected*${by}${at}. Nothing will be applied.`;
    case 'expired':
      return `:hourglass: *Expired* at ${slackDate(approval.expiresAt)} without a decision. Nothing was applied.`;
  }
}

function executionLine(approval: Approval): string | undefined {
  const { execution } = approval;
  if (approval.status !== 'approved') return undefined;
  if (execution === undefined) {
    return approval.action.type === 'reapply-change' || approval.action.type === 'reapply-lattice-change'
      ? ':gear: Re-applying the change…'
      : ':gear: Handed to the function that owns this action.';
  }
  const icon =
    execution.outcome === 'applied'
      ? ':white_check_mark:'
      : execution.outcome === 'reasked'
        ? ':arrows_counterclockwise:'
        : ':x:';
  return `${icon} ${escapeMrkdwn(execution.detail)}`;
}

/** The approval message in its current state: buttons while pending, the outcome after. */
export function approvalMessage(approval: Approval): SlackMessage {
  const title = escapeMrkdwn(approval.title);
  const blocks: SlackBlock[] = [
    {
      type: 'header',
      block_id: 'approval-header',
      text: { type: 'plain_text', text: cut(`Approval needed: ${approval.title}`, HEADER_MAX) },
    },
    {
      type: 'section',
      block_id: 'approval-summary',
      fields: [
        { type: 'mrkdwn', text: cut(`*What*\n${ACTION_LABEL[approval.action.type]}`, FIELD_MAX) },
        {
          type: 'mrkdwn',
          text: cut(
            `*Where*\nmesh \`${escapeMrkdwn(approval.meshName)}\`${approval.account === undefined ? '' : ` in account ${approval.account}`}: ${escapeMrkdwn(targetOf(approval.action))}`,
            FIELD_MAX,
          ),
        },
        {
          type: 'mrkdwn',
          text: cut(
            `*Asked by*\n${escapeMrkdwn(approval.requestedBy.label)}\n\`${escapeMrkdwn(approval.requestedBy.arn)}\``,
            FIELD_MAX,
          ),
        },
        { type: 'mrkdwn', text: cut(`*Why*\n${escapeMrkdwn(approval.reason)}`, FIELD_MAX) },
      ],
    },
  ];
  if (approval.diff.trim() !== '') {
    blocks.push({
      type: 'section',
      block_id: 'approval-diff',
      text: { type: 'mrkdwn', text: `\`\`\`${cut(escapeMrkdwn(approval.diff), SECTION_MAX - 6)}\`\`\`` },
    });
  }
  const outcome = outcomeLine(approval);
  if (outcome === undefined) {
    blocks.push(
      {
        type: 'context',
        block_id: 'approval-expiry',
        elements: [
          {
            type: 'mrkdwn',
            text: `Expires ${slackDate(approval.expiresAt)} · id \`${approval.approvalId}\``,
          },
        ],
      },
      {
        type: 'actions',
        block_id: 'approval-actions',
        elements: [
          {
            type: 'button',
            action_id: APPROVAL_ACTION_IDS.approve,
            text: { type: 'plain_text', text: 'Approve', emoji: true },
            style: 'primary',
            value: approval.approvalId,
          },
          {
            type: 'button',
            action_id: APPROVAL_ACTION_IDS.reject,
            text: { type: 'plain_text', text: 'Reject', emoji: true },
            style: 'danger',
            value: approval.approvalId,
          },
        ],
      },
    );
  } else {
    const execution = executionLine(approval);
    blocks.push({
      type: 'section',
      block_id: 'approval-outcome',
      text: {
        type: 'mrkdwn',
        text: cut([outcome, execution].filter((l) => l !== undefined).join('\n'), SECTION_MAX),
      },
    });
    blocks.push({
      type: 'context',
      block_id: 'approval-id',
      elements: [{ type: 'mrkdwn', text: `id \`${approval.approvalId}\`` }],
    });
  }
  const state = approval.status === 'pending' ? 'Approval needed' : `Approval ${approval.status}`;
  return { text: cut(`${state}: ${title}`, SECTION_MAX), blocks };
}

/** A plain notification: a title, the text, and facts as fields. */
export function notificationMessage(notification: Notification): SlackMessage {
  const fields = Object.entries(notification.fields ?? {})
    .slice(0, 10)
    .map(([k, v]) => ({
      type: 'mrkdwn' as const,
      text: cut(`*${escapeMrkdwn(k)}*\n${escapeMrkdwn(v)}`, FIELD_MAX),
    }));
  const blocks: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: cut(notification.title, HEADER_MAX) } },
    { type: 'section', text: { type: 'mrkdwn', text: cut(escapeMrkdwn(notification.text), SECTION_MAX) } },
    ...(fields.length > 0 ? [{ type: 'section' as const, fields }] : []),
    {
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: `mesh \`${escapeMrkdwn(notification.meshName)}\` · ${notification.kind}` },
      ],
    },
  ];
  return { text: cut(`${notification.title}: ${notification.text}`, SECTION_MAX), blocks };
}
