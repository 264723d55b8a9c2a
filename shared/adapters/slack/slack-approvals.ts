import type { WebClient } from '@slack/web-api';
import type { Approval, ChatMessageRef } from '../../approvals/approval';
import { MeshwardenError } from '../../errors';
import type { ChatApprovals } from '../../ports';
import { approvalMessage } from './approval-blocks';

/** A Slack Web API call that did not give what meshwarden needs. */
export class SlackApiError extends MeshwardenError {}

/** The chat side of approvals on the Slack Web API (chat.postMessage, chat.update, chat.postEphemeral, users.info). */
export class SlackApprovals implements ChatApprovals {
  constructor(private readonly client: () => Promise<WebClient>) {}

  async postApprovalRequest(channel: string, approval: Approval): Promise<ChatMessageRef> {
    const { text, blocks } = approvalMessage(approval);
    const web = await this.client();
    const answer = await web.chat.postMessage({ channel, text, blocks, unfurl_links: false });
    if (answer.ts === undefined || answer.channel === undefined) {
      throw new SlackApiError(`chat.postMessage to ${channel} returned no channel and ts`);
    }
    return { channel: answer.channel, ts: answer.ts };
  }

  async updateApprovalMessage(approval: Approval): Promise<void> {
    if (approval.message === undefined) return;
    const { text, blocks } = approvalMessage(approval);
    const web = await this.client();
    await web.chat.update({ channel: approval.message.channel, ts: approval.message.ts, text, blocks });
  }

  async postThreadReply(message: ChatMessageRef, text: string): Promise<void> {
    const web = await this.client();
    await web.chat.postMessage({
      channel: message.channel,
      thread_ts: message.ts,
      text,
      reply_broadcast: true,
    });
  }

  async postEphemeral(channel: string, userId: string, text: string): Promise<void> {
    const web = await this.client();
    await web.chat.postEphemeral({ channel, user: userId, text });
  }

  async userEmail(userId: string): Promise<string | undefined> {
    const web = await this.client();
    const answer = await web.users.info({ user: userId });
    const email = answer.user?.profile?.email;
    return typeof email === 'string' && email !== '' ? email : undefined;
  }
}
