import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ValidationError } from '../errors';
import { approvalRequestedDetail } from '../events/approvals';
import {
  decodeSlackInteraction,
  httpApiV2Event,
  parseSlackInteractionRequest,
  type SlackBlockActionsPayload,
} from '../events/slack-interaction';
import type { CompiledPolicy } from '../policy/compile';
import type { ApprovalStore, ChatApprovals, EventPublisher } from '../ports';
import * as z from '../schema';
import { APPROVAL_ACTION_IDS, type ClickDecision } from './approval';
import { approvalsSectionOf, closedExplanation, decideApproval } from './decide-approval';
import { type SigningSecrets, verifySlackRequest } from './verify-slack-request';

/**
 * The Slack callback use case: verify the request, check the clicking user against the
 * approvers policy, record the first decision with a conditional write, publish
 * `ApprovalDecided`, and answer within Slack's 3 seconds. The action itself runs elsewhere,
 * off the event. Every refusal happens before anything is recorded or published.
 */

const DECISION_OF: Readonly<Record<string, ClickDecision>> = {
  [APPROVAL_ACTION_IDS.approve]: 'approved',
  [APPROVAL_ACTION_IDS.reject]: 'rejected',
};

/**
 * Slack's form posts are a few kilobytes (the payload repeats our message, at most a 3,000
 * character diff, URL-encoded); anything much larger is refused before it is decoded.
 */
export const MAX_SLACK_BODY_BYTES = 128 * 1024;

/** What the use cases log through: the function's Powertools Logger. */
export type ApprovalLog = Pick<Logger, 'info' | 'warn' | 'error'>;

export interface DecideDeps {
  readonly store: ApprovalStore;
  readonly chat: ChatApprovals;
  readonly publisher: EventPublisher;
  readonly policy: Pick<CompiledPolicy, 'forMesh'>;
  /**
   * The policy as an account sees it (see policy/account-view.ts): an approval naming an account
   * is authorized by that account's entry for its mesh. Without it, such an approval has no
   * approvers: the whole policy's first match could be another account's mesh of that name.
   */
  readonly policyIn?: (account: string) => Pick<CompiledPolicy, 'forMesh'>;
  /** The signing secrets, from Secrets Manager through a cache. */
  readonly signingSecrets: () => Promise<SigningSecrets>;
  readonly now: () => Date;
  readonly log: ApprovalLog;
}

export type HttpResult = APIGatewayProxyStructuredResultV2 & { statusCode: number };

const respond = (statusCode: number, message?: string): HttpResult => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: message === undefined ? '' : JSON.stringify({ message }),
});

/** Size of the body after undoing base64, computed without decoding it. */
function decodedSize(body: string, base64: boolean): number {
  if (!base64) return Buffer.byteLength(body, 'utf8');
  const padding = body.endsWith('==') ? 2 : body.endsWith('=') ? 1 : 0;
  return Math.floor((body.length * 3) / 4) - padding;
}

/** Answer one Slack interaction callback (API Gateway HTTP API, payload format 2.0). */
export async function handleSlackCallback(deps: DecideDeps, event: unknown): Promise<HttpResult> {
  // Refuse an oversized body before decoding or parsing anything.
  if (event !== null && typeof event === 'object') {
    const { body, isBase64Encoded } = event as { body?: unknown; isBase64Encoded?: unknown };
    if (typeof body === 'string' && decodedSize(body, isBase64Encoded === true) > MAX_SLACK_BODY_BYTES) {
      return respond(413, `request body larger than ${MAX_SLACK_BODY_BYTES} bytes`);
    }
  }
  const envelope = z.safeParse(httpApiV2Event, event);
  if (!envelope.success) return respond(400, 'not an API Gateway HTTP API (payload 2.0) request');
  const request = envelope.data;
  const rawBody = Buffer.from(request.body ?? '', request.isBase64Encoded ? 'base64' : 'utf8');

  const verification = verifySlackRequest(request.headers, rawBody, await deps.signingSecrets(), deps.now());
  if (!verification.ok) {
    // One answer for every failure: a forger learns nothing about which check failed.
    deps.log.warn('Slack request refused', {
      failure: verification.failure,
      requestId: request.requestContext.requestId,
    });
    return respond(401, 'invalid Slack request signature');
  }
  const retry = request.headers['x-slack-retry-num'];
  if (retry !== undefined)
    deps.log.info('Slack retry', { retryNum: retry, reason: request.headers['x-slack-retry-reason'] });

  let payload: SlackBlockActionsPayload;
  try {
    payload = decodeSlackInteraction(
      parseSlackInteractionRequest({ ...request, body: request.body ?? '' }),
    ).payload;
  } catch (error) {
    if (error instanceof ValidationError) return respond(400, error.message);
    throw error;
  }
  const action = payload.actions[0];
  const decision = action === undefined ? undefined : DECISION_OF[action.action_id];
  if (action === undefined || decision === undefined) {
    return respond(
      400,
      `unknown action ${JSON.stringify(action?.action_id)}; expected ${Object.values(APPROVAL_ACTION_IDS).join(' or ')}`,
    );
  }
  const approvalId = approvalRequestedDetail.shape.approvalId.safeParse(action.value);
  if (!approvalId.success) return respond(400, 'the button carries no valid approval id');

  const userId = payload.user.id;
  const channel = payload.channel?.id ?? payload.container.channel_id;
  const tell = async (text: string): Promise<HttpResult> => {
    if (channel !== undefined) {
      try {
        await deps.chat.postEphemeral(channel, userId, text);
      } catch (error) {
        // The answer is a courtesy; the decision path does not depend on it.
        deps.log.warn('could not post the ephemeral answer', { error: String(error), userId });
      }
    }
    return respond(200);
  };
  const click = `${payload.trigger_id}:${action.action_ts}`;
  const outcome = await decideApproval(deps, {
    approvalId: approvalId.data,
    approverId: userId,
    decision,
    interaction: click,
    confirm: async (check, approval) => {
      if (approvalsSectionOf(deps, approval)?.requireEmailMatch !== true) return undefined;
      let email: string | undefined;
      try {
        email = await deps.chat.userEmail(userId);
      } catch (error) {
        deps.log.warn('users.info failed', { error: String(error), userId });
        return 'meshwarden could not check your Slack profile just now; nothing was recorded. Please try again.';
      }
      if (email === undefined || email.toLowerCase() !== check.approver.email?.toLowerCase()) {
        deps.log.warn('click refused', { approvalId: approvalId.data, userId, reason: 'email-mismatch' });
        return 'Your Slack profile email does not match the approver on record; nothing was recorded.';
      }
      return undefined;
    },
  });
  switch (outcome.kind) {
    case 'recorded':
    case 'repeated':
      return respond(200);
    case 'unknown':
      return tell(
        `meshwarden knows no approval ${approvalId.data} (it may be past its retention). Nothing was recorded.`,
      );
    case 'closed':
      return tell(closedExplanation(outcome.approval));
    case 'refused':
      return tell(outcome.message);
  }
}
