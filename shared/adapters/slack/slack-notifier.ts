import type { WebClient } from '@slack/web-api';
import type { CompiledPolicy } from '../../policy/compile';
import type { ChatNotifier, Notification } from '../../ports';
import { notificationMessage } from './approval-blocks';

/**
 * Plain notifications in Slack, to the mesh's channel from the policy (`approvals.slack`:
 * `notificationsChannel`, else `channel`). A mesh with no channel goes to `fallback`
 * (the logging notifier), so nothing meshwarden would have said is lost.
 */
export class SlackNotifier implements ChatNotifier {
  constructor(
    private readonly policy: Pick<CompiledPolicy, 'forMesh'>,
    private readonly client: () => Promise<WebClient>,
    private readonly fallback: ChatNotifier,
  ) {}

  /** The channel notifications of this mesh go to, or undefined when the policy names none. */
  channelFor(meshName: string): string | undefined {
    const slack = this.policy.forMesh(meshName)?.document.approvals?.slack;
    return slack?.notificationsChannel ?? slack?.channel;
  }

  async notify(notification: Notification): Promise<void> {
    const channel = this.channelFor(notification.meshName);
    if (channel === undefined) return this.fallback.notify(notification);
    const { text, blocks } = notificationMessage(notification);
    const web = await this.client();
    await web.chat.postMessage({ channel, text, blocks, unfurl_links: false });
  }
}
