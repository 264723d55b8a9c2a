import { describe, expect, it } from 'vitest';
import { LoggingNotifier } from '../../../shared/adapters/notify/logging-notifier';
import { approvalMessage, notificationMessage } from '../../../shared/adapters/slack/approval-blocks';
import { SlackNotifier } from '../../../shared/adapters/slack/slack-notifier';
import type { Notification } from '../../../shared/ports';
import { approvalsPolicy, pendingApproval } from './support';

describe('approval message (Block Kit)', () => {
  it('while pending: what, where, who, why, diff, expiry, and Approve/Reject buttons carrying the approval id', () => {
    const { text, blocks } = approvalMessage(pendingApproval());
    const json = JSON.stringify(blocks);
    expect(text).toBe('Approval needed: UpdateRoute prod/web-router/web-route');
    expect(json).toContain('`prod/route/web-router/web-route` (UpdateRoute)');
    expect(json).toContain('bob');
    expect(json).toContain('- web-v1 90\\n+ web-v1 50');
    expect(json).toMatch(/Expires <!date\^\d+\^/);
    const actions = blocks.find((b) => b.type === 'actions') as {
      elements: { action_id: string; value: string }[];
    };
    expect(actions.elements.map((e) => [e.action_id, e.value])).toEqual([
      ['meshwarden.approve', 'hold-3f9c1a2b'],
      ['meshwarden.reject', 'hold-3f9c1a2b'],
    ]);
  });

  it('after the decision: the outcome and who decided, no buttons', () => {
    const { text, blocks } = approvalMessage(
      pendingApproval({
        status: 'rejected',
        decidedAt: '2026-03-10T10:20:00.000Z',
        decidedBy: { slackUserId: 'U0PLATFORM1', identity: 'priya' },
      }),
    );
    expect(text).toMatch(/^Approval rejected/);
    expect(blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(JSON.stringify(blocks)).toContain('*Rejected* by <@U0PLATFORM1> (priya)');
  });

  it('escapes what requesters wrote, so a reason cannot ping @channel or forge a link', () => {
    const { blocks } = approvalMessage(
      pendingApproval({ reason: '<!channel> see <https://evil.example|docs>' }),
    );
    const json = JSON.stringify(blocks);
    expect(json).not.toContain('<!channel>');
    expect(json).toContain('&lt;!channel&gt;');
  });

  it('keeps within Block Kit limits for a huge diff and title', () => {
    const { blocks } = approvalMessage(pendingApproval({ diff: 'x'.repeat(10_000), title: 't'.repeat(500) }));
    const header = blocks[0] as { text: { text: string } };
    expect(header.text.text.length).toBeLessThanOrEqual(150);
    const diff = blocks.find((b) => b.block_id === 'approval-diff') as { text: { text: string } };
    expect(diff.text.text.length).toBeLessThanOrEqual(3000);
  });
});

describe('SlackNotifier', () => {
  const notification: Notification = {
    meshName: 'prod',
    kind: 'rollback',
    title: 'Rolled back prod/web-router/web-route',
    text: 'web-5xx-rate went to ALARM',
    fields: { alarm: 'web-5xx-rate' },
  };

  function harness() {
    const calls: Record<string, unknown>[] = [];
    const client = {
      chat: {
        postMessage: async (args: Record<string, unknown>) => {
          calls.push(args);
          return { ok: true };
        },
      },
    };
    const logged: unknown[] = [];
    const fallback = new LoggingNotifier({ warn: (...args: unknown[]) => logged.push(args) } as never);
    const notifier = new SlackNotifier(approvalsPolicy(), async () => client as never, fallback);
    return { calls, logged, notifier };
  }

  it("posts to the mesh's notifications channel from the policy", async () => {
    const { calls, logged, notifier } = harness();
    await notifier.notify(notification);
    expect(calls).toEqual([
      expect.objectContaining({ channel: 'C0MESHOPS01', text: expect.stringMatching(/^Rolled back/) }),
    ]);
    expect(logged).toEqual([]);
  });

  it('falls back to the logging notifier for a mesh without a channel', async () => {
    const { calls, logged, notifier } = harness();
    await notifier.notify({ ...notification, meshName: 'staging' });
    expect(calls).toEqual([]);
    expect(logged).toHaveLength(1);
  });

  it('renders facts as fields', () => {
    expect(JSON.stringify(notificationMessage(notification).blocks)).toContain('*alarm*\\nweb-5xx-rate');
  });
});
