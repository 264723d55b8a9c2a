import {
  AppMeshClient,
  DescribeRouteCommand,
  ListTagsForResourceCommand,
  type RouteSpec,
  TagResourceCommand,
  UpdateRouteCommand,
} from '@aws-sdk/client-app-mesh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../../infra/local/demo/seed';
import { pressButton } from '../../../infra/local/slack/block-actions';
import type { BusEvent } from '../../../infra/local/types';
import { startSeededLocalAws, type TestLocalAws } from '../../support/local-aws';

/**
 * No lost change: an approved held change re-applies only what it changed, onto the route as
 * it is; when the route moved on since, it asks again with a fresh diff; a held tag change is
 * applied as a tag change.
 */
describe('approved held changes re-apply only the held change', () => {
  let local: TestLocalAws;
  let seen: BusEvent[];
  let failures: string[];
  const ref = { meshName: DEMO.mesh, virtualRouterName: DEMO.router, routeName: DEMO.route };

  // One runtime per file: the handlers read their endpoint once, at import, as in Lambda.
  beforeAll(async () => {
    seen = [];
    failures = [];
    local = await startSeededLocalAws();
    local.aws.bus.onActivity((a) => {
      if (a.kind === 'event') seen.push(a.event);
    });
    local.aws.functions.onInvocation((r) => {
      if (r.error !== undefined) failures.push(`${r.functionName}: ${r.error}`);
    });
  });
  afterAll(() => local.aws.close());

  const mesh = (who: Parameters<TestLocalAws['clientConfig']>[0] = 'admin') =>
    new AppMeshClient(local.clientConfig(who));

  async function route() {
    const { route } = await mesh().send(new DescribeRouteCommand(ref));
    if (route?.spec?.httpRoute === undefined) throw new Error('demo route is not http');
    return {
      spec: route.spec,
      httpRoute: route.spec.httpRoute,
      version: route.metadata?.version,
      arn: route.metadata?.arn ?? '',
    };
  }
  const weights = async () => (await route()).httpRoute.action?.weightedTargets?.map((t) => t.weight);

  async function approveIn(channel: string, approvalId: string) {
    const message = local.aws.slack.store
      .messagesIn(channel)
      .messages.find((m) => JSON.stringify(m.blocks ?? []).includes(`"value":"${approvalId}"`));
    if (message === undefined) throw new Error(`no request ${approvalId} in ${channel}`);
    const answer = await pressButton(local.aws.slackUrl, {
      channel,
      ts: message.ts,
      action_id: 'meshwarden.approve',
      user: 'U0PLATFORM1',
    });
    await local.aws.drain();
    expect(answer.status).toBe(200);
    return message.ts;
  }

  const requested = (from = 0) => seen.slice(from).filter((e) => e['detail-type'] === 'ApprovalRequested');

  it('bob’s held timeout change, approved after the admin moved the route on, is asked again and then applies only the timeout', async () => {
    // Prepare: bob sets the request timeout to 30 s -> reverted and held
    const mark = seen.length;
    const before = await route();
    const bob = mesh('iamUser');
    await bob.send(
      new UpdateRouteCommand({
        ...ref,
        spec: {
          ...before.spec,
          httpRoute: { ...before.httpRoute, timeout: { perRequest: { value: 30, unit: 's' } } },
        } as RouteSpec,
      }),
    );
    await local.aws.drain();
    expect((await route()).httpRoute.timeout?.perRequest?.value).toBe(15);
    const held = String(requested(mark)[0]?.detail.approvalId);
    // The admin sets maxRetries 5 and all weight to web-v1
    const now = await route();
    await mesh('admin').send(
      new UpdateRouteCommand({
        ...ref,
        spec: {
          ...now.spec,
          httpRoute: {
            ...now.httpRoute,
            retryPolicy: { ...now.httpRoute.retryPolicy, maxRetries: 5 } as never,
            action: {
              weightedTargets: (now.httpRoute.action?.weightedTargets ?? []).map((t) => ({
                ...t,
                weight: t.virtualNode === DEMO.stableNode ? 100 : 0,
              })),
            },
          },
        } as RouteSpec,
      }),
    );
    await local.aws.drain();
    const moved = await route();

    // Act: priya approves bob's request
    const ts = await approveIn('C0APPROVALS', held);

    // Assess: nothing written; asked again with only bob's change against the route as it is
    expect((await route()).version).toBe(moved.version);
    expect(await weights()).toEqual([100, 0]);
    const again = requested(mark).find((e) => (e.detail.action as { reaskOf?: string }).reaskOf === held);
    expect(again?.detail.diff).toBe('spec.httpRoute.timeout.perRequest.value: 15 -> 30');
    const thread = local.aws.slack.store.messagesIn('C0APPROVALS').messages.filter((m) => m.thread_ts === ts);
    expect(thread.map((m) => m.text).join('\n')).toMatch(/changed since the change was held/);

    // Act: priya approves the fresh request
    await approveIn('C0APPROVALS', String(again?.detail.approvalId));

    // Assess: bob's timeout, the admin's retries and weights
    const after = await route();
    expect(after.httpRoute.timeout?.perRequest?.value).toBe(30);
    expect(after.httpRoute.retryPolicy?.maxRetries).toBe(5);
    expect(await weights()).toEqual([100, 0]);
    expect(failures).toEqual([]);
  });

  it('bob’s held TagResource, approved, is applied as a tag: the spec and its version stay', async () => {
    // Prepare: bob tags the route -> the tag is removed and the change held
    const mark = seen.length;
    const before = await route();
    await mesh('iamUser').send(
      new TagResourceCommand({ resourceArn: before.arn, tags: [{ key: 'owner', value: 'bob' }] }),
    );
    await local.aws.drain();
    const tags = async () =>
      (await mesh().send(new ListTagsForResourceCommand({ resourceArn: before.arn }))).tags ?? [];
    expect((await tags()).map((t) => t.key)).not.toContain('owner');
    const held = String(requested(mark)[0]?.detail.approvalId);

    // Act
    const ts = await approveIn('C0APPROVALS', held);

    // Assess
    expect(await tags()).toContainEqual({ key: 'owner', value: 'bob' });
    const after = await route();
    expect(after.version).toBe(before.version);
    expect(after.spec).toEqual(before.spec);
    const message = local.aws.slack.store.message('C0APPROVALS', ts);
    expect(JSON.stringify(message?.blocks)).toMatch(/tag owner=bob/);
    expect(failures).toEqual([]);
  });
});
