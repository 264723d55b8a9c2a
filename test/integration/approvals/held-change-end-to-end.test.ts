import { AppMeshClient, DescribeRouteCommand, UpdateRouteCommand } from '@aws-sdk/client-app-mesh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../../infra/local/demo/seed';
import { pressButton } from '../../../infra/local/slack/block-actions';
import type { BusEvent } from '../../../infra/local/types';
import { startSeededLocalAws, type TestLocalAws } from '../../support/local-aws';

/**
 * The whole story with every function running: bob (an IAM user the demo policy holds for
 * approval) shifts the canary to 50/50 -> change control reverts it and asks -> the request
 * appears in #mesh-approvals -> priya approves in Slack with a signed click -> the change is
 * applied again and the message says so.
 */
describe('a held change approved in Slack, end to end', () => {
  let local: TestLocalAws;
  const seen: BusEvent[] = [];
  const ref = { meshName: DEMO.mesh, virtualRouterName: DEMO.router, routeName: DEMO.route };

  beforeAll(async () => {
    local = await startSeededLocalAws();
    local.aws.bus.onActivity((a) => {
      if (a.kind === 'event') seen.push(a.event);
    });
  });
  afterAll(() => local.aws.close());

  async function weights(): Promise<number[]> {
    const { route } = await new AppMeshClient(local.clientConfig()).send(new DescribeRouteCommand(ref));
    return (route?.spec?.httpRoute?.action?.weightedTargets ?? []).map((t) => t.weight ?? -1);
  }

  it('reverts and holds bob’s change, then re-applies it when priya approves', async () => {
    // Prepare: bob shifts the route to 50/50
    const bob = new AppMeshClient(local.clientConfig('iamUser'));
    const { route } = await bob.send(new DescribeRouteCommand(ref));
    const httpRoute = route?.spec?.httpRoute;
    if (httpRoute === undefined) throw new Error('demo route is not http');
    await bob.send(
      new UpdateRouteCommand({
        ...ref,
        spec: {
          ...route?.spec,
          httpRoute: {
            ...httpRoute,
            action: {
              weightedTargets: (httpRoute.action?.weightedTargets ?? []).map((t) => ({ ...t, weight: 50 })),
            },
          },
        },
      }),
    );
    await local.aws.drain();

    // Assess: reverted, held, and asked in Slack
    expect(await weights()).toEqual([90, 10]);
    const requested = seen.filter((e) => e['detail-type'] === 'ApprovalRequested');
    expect(requested).toHaveLength(1);
    const approvalId = String(requested[0]?.detail.approvalId);
    const message = local.aws.slack.store
      .messagesIn('C0APPROVALS')
      .messages.find((m) => JSON.stringify(m.blocks ?? []).includes(approvalId));
    expect(message?.text).toContain('UpdateRoute');

    // Act: priya approves
    const answer = await pressButton(local.aws.slackUrl, {
      channel: 'C0APPROVALS',
      ts: message?.ts ?? '',
      action_id: 'meshwarden.approve',
      user: 'U0PLATFORM1',
    });
    await local.aws.drain();

    // Assess: bob's change is in place, and the message says who approved it
    expect(answer.status).toBe(200);
    expect(await weights()).toEqual([50, 50]);
    const decided = seen.filter((e) => e['detail-type'] === 'ApprovalDecided');
    expect(decided.map((e) => e.detail.decision)).toEqual(['approved']);
    const updated = local.aws.slack.store.message('C0APPROVALS', message?.ts ?? '');
    expect(JSON.stringify(updated?.blocks)).toContain('*Approved* by <@U0PLATFORM1> (priya)');
    // meshwarden's own re-apply is not judged again.
    const decisionsAfter = seen
      .slice(seen.indexOf(decided[0] as BusEvent))
      .filter((e) => e['detail-type'] === 'GovernanceDecision');
    expect(decisionsAfter).toEqual([]);
  });
});
