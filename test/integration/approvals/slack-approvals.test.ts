import { DescribeRouteCommand } from '@aws-sdk/client-app-mesh';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../../infra/function-catalog';
import { DEMO } from '../../../infra/local/demo/seed';
import { pressButton } from '../../../infra/local/slack/block-actions';
import type { StoredMessage } from '../../../infra/local/slack/slack-store';
import { DynamoDbApprovalStore } from '../../../shared/adapters/dynamodb/approval-store';
import { createDocumentClient } from '../../../shared/adapters/dynamodb/client';
import type { ApprovalRequestedDetail } from '../../../shared/events/approvals';
import { computeSlackSignature } from '../../../shared/events/slack-signature';
import { createAppMeshClient, createAppMeshProvider } from '../../../shared/providers/appmesh';
import { startSeededLocalAws, type TestLocalAws } from '../../support/local-aws';

const ROUTE_KEY = `${DEMO.mesh}/route/${DEMO.router}/${DEMO.route}`;
const ROUTE_REF = { kind: 'route', meshName: DEMO.mesh, parentName: DEMO.router, name: DEMO.route } as const;

/**
 * Slack approvals end to end in local AWS and local Slack: ApprovalRequested on the bus ->
 * the request appears in #mesh-approvals -> a signed click -> the held change is applied and
 * the message updated. The held change is published here directly (change control is
 * another function); only the approval functions run, so what is observed is theirs.
 */
describe('Slack approvals in local AWS', () => {
  let local: TestLocalAws;
  let store: DynamoDbApprovalStore;

  beforeAll(async () => {
    local = await startSeededLocalAws({
      functions: FUNCTIONS.filter((f) => f.name === 'slack-callback' || f.name === 'approval-executor'),
    });
    store = new DynamoDbApprovalStore(
      createDocumentClient(local.clientConfig()),
      local.aws.functionEnv.MESHWARDEN_TABLE ?? '',
    );
  });
  afterAll(() => local.aws.close());

  async function weights(): Promise<number[]> {
    const mesh = createAppMeshClient(local.clientConfig());
    const { route } = await mesh.send(
      new DescribeRouteCommand({
        meshName: DEMO.mesh,
        virtualRouterName: DEMO.router,
        routeName: DEMO.route,
      }),
    );
    return (route?.spec?.httpRoute?.action?.weightedTargets ?? []).map((t) => t.weight ?? -1);
  }

  /** Publish an ApprovalRequested for the demo route at 50/50, as change control would for a held change. */
  async function requestHeldChange(approvalId: string, expiresInMs = 3600_000): Promise<void> {
    const current = await createAppMeshProvider(createAppMeshClient(local.clientConfig())).describe(
      ROUTE_REF,
    );
    if (current === undefined) throw new Error('demo route missing');
    const httpRoute = current.spec.httpRoute;
    if (httpRoute === undefined) throw new Error('demo route is not http');
    const proposed = {
      kind: 'route',
      meshName: DEMO.mesh,
      parentName: DEMO.router,
      name: DEMO.route,
      spec: {
        ...current.spec,
        httpRoute: {
          ...httpRoute,
          action: { weightedTargets: httpRoute.action.weightedTargets.map((t) => ({ ...t, weight: 50 })) },
        },
      },
    };
    const detail: ApprovalRequestedDetail = {
      approvalId,
      meshName: DEMO.mesh,
      action: {
        type: 'reapply-change',
        resourceKey: ROUTE_KEY,
        operation: 'UpdateRoute',
        proposed,
        // The route as it is is what the revert restored: the re-apply writes only the weights.
        base: { ...ROUTE_REF, spec: current.spec, tags: current.tags ?? {} },
        ...(current.metadata === undefined ? {} : { baseVersion: current.metadata.version }),
      },
      title: `UpdateRoute ${DEMO.routeKey} (web-v1 50, web-v2 50)`,
      reason: 'bob may change nothing; his changes are held for approval (bob-needs-approval)',
      requestedBy: { arn: 'arn:aws:iam::000000000000:user/bob', label: 'bob' },
      diff: '  weightedTargets:\n-   web-v1 90, web-v2 10\n+   web-v1 50, web-v2 50',
      expiresAt: new Date(Date.now() + expiresInMs).toISOString(),
    };
    // Only meshwarden's roles may put `source: meshwarden` on its bus.
    const events = new EventBridgeClient(local.clientConfig('meshwarden'));
    const out = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'meshwarden',
            Source: 'meshwarden',
            DetailType: 'ApprovalRequested',
            Detail: JSON.stringify(detail),
          },
        ],
      }),
    );
    expect(out.FailedEntryCount).toBe(0);
    await local.aws.drain();
  }

  function requestMessage(approvalId: string): StoredMessage | undefined {
    return local.aws.slack.store
      .messagesIn('C0APPROVALS')
      .messages.find(
        (m) =>
          JSON.stringify(m.blocks ?? []).includes(`"value":"${approvalId}"`) ||
          JSON.stringify(m.blocks ?? []).includes(approvalId),
      );
  }

  it('held change -> message in #mesh-approvals -> forged click 401 -> signed Approve -> applied, message updated', async () => {
    // Prepare
    expect(await weights()).toEqual([90, 10]);
    await requestHeldChange('e2e-approve-1');
    const message = requestMessage('e2e-approve-1');
    expect(message?.text).toMatch(/^Approval needed: UpdateRoute prod\/web-router\/web-route/);
    const buttons = JSON.stringify(message?.blocks);
    expect(buttons).toContain('"action_id":"meshwarden.approve"');

    // Act 1: a forged click (signed with a guessed secret) straight at the callback URL
    const body = new URLSearchParams({
      payload: JSON.stringify({
        type: 'block_actions',
        user: { id: 'U0PLATFORM1' },
        api_app_id: 'A0MESHWARDEN',
        token: 'x',
        container: { type: 'message', channel_id: 'C0APPROVALS', message_ts: message?.ts },
        trigger_id: '1.2.3',
        team: { id: 'T0LOCAL001' },
        response_url: 'http://127.0.0.1:1/x',
        actions: [
          {
            action_id: 'meshwarden.approve',
            block_id: 'b',
            type: 'button',
            action_ts: '1.2',
            value: 'e2e-approve-1',
          },
        ],
      }),
    }).toString();
    const ts = String(Math.floor(Date.now() / 1000));
    const forged = await fetch(local.aws.slackCallbackUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': ts,
        'x-slack-signature': computeSlackSignature('guessed-signing-secret', ts, body),
      },
      body,
    });
    await local.aws.drain();

    // Assess 1: refused, nothing recorded or applied
    expect(forged.status).toBe(401);
    expect((await store.get('e2e-approve-1'))?.status).toBe('pending');
    expect(await weights()).toEqual([90, 10]);

    // Act 2: priya presses Approve in local Slack (signed with the local signing secret)
    const answer = await pressButton(local.aws.slackUrl, {
      channel: 'C0APPROVALS',
      ts: message?.ts ?? '',
      action_id: 'meshwarden.approve',
      user: 'U0PLATFORM1',
    });
    await local.aws.drain();

    // Assess 2
    expect(answer.status).toBe(200);
    expect(await weights()).toEqual([50, 50]);
    expect(await store.get('e2e-approve-1')).toMatchObject({
      status: 'approved',
      decidedBy: { slackUserId: 'U0PLATFORM1', identity: 'priya' },
      published: true,
      execution: { outcome: 'applied' },
    });
    const updated = requestMessage('e2e-approve-1');
    expect(updated?.text).toBe(
      'Approval approved: UpdateRoute prod/web-router/web-route (web-v1 50, web-v2 50)',
    );
    expect(updated?.edited).toBeDefined();
    const shown = JSON.stringify(updated?.blocks);
    expect(shown).toContain('*Approved* by <@U0PLATFORM1> (priya)');
    expect(shown).toContain(
      'Re-applied UpdateRoute on prod/route/web-router/web-route (only what it changed)',
    );
    expect(shown).not.toContain('meshwarden.approve');
  });

  it('a second click after the decision gets an ephemeral "already approved by" and changes nothing', async () => {
    // Prepare: a fresh held change, approved by priya
    await requestHeldChange('e2e-approve-2');
    const ts = requestMessage('e2e-approve-2')?.ts ?? '';
    await pressButton(local.aws.slackUrl, {
      channel: 'C0APPROVALS',
      ts,
      action_id: 'meshwarden.approve',
      user: 'U0PLATFORM1',
    });
    await local.aws.drain();
    // The message lost its buttons; press what Slack would still have shown to a slow client.
    local.aws.slack.store.update(
      local.aws.slack.store.message('C0APPROVALS', ts) as StoredMessage,
      {
        blocks: [
          {
            type: 'actions',
            block_id: 'a',
            elements: [
              {
                type: 'button',
                action_id: 'meshwarden.reject',
                value: 'e2e-approve-2',
                text: { type: 'plain_text', text: 'Reject' },
              },
            ],
          },
        ],
      },
      'U0MESHBOT1',
    );
    // Act
    const answer = await pressButton(local.aws.slackUrl, {
      channel: 'C0APPROVALS',
      ts,
      action_id: 'meshwarden.reject',
      user: 'U0PLATFORM1',
    });
    await local.aws.drain();
    // Assess
    expect(answer.status).toBe(200);
    expect((await store.get('e2e-approve-2'))?.status).toBe('approved');
    const ephemeral = local.aws.slack.store
      .messagesIn('C0APPROVALS')
      .ephemeral.filter((m) => m.user === 'U0PLATFORM1');
    expect(ephemeral.at(-1)?.text).toMatch(/^Already approved by <@U0PLATFORM1> \(priya\) at /);
  });

  it('an unauthorized approver (omar, on-call) is told so and nothing is recorded', async () => {
    await requestHeldChange('e2e-unauthorized');
    const ts = requestMessage('e2e-unauthorized')?.ts ?? '';
    const answer = await pressButton(local.aws.slackUrl, {
      channel: 'C0APPROVALS',
      ts,
      action_id: 'meshwarden.approve',
      user: 'U0ONCALL01',
    });
    await local.aws.drain();
    expect(answer.status).toBe(200);
    expect((await store.get('e2e-unauthorized'))?.status).toBe('pending');
    const ephemeral = local.aws.slack.store
      .messagesIn('C0APPROVALS')
      .ephemeral.filter((m) => m.user === 'U0ONCALL01');
    expect(ephemeral.at(-1)?.text).toMatch(/may not decide reapply-change requests/);
  });

  it('a redelivered ApprovalRequested posts no second message', async () => {
    await requestHeldChange('e2e-dup');
    await requestHeldChange('e2e-dup');
    const count = local.aws.slack.store
      .messagesIn('C0APPROVALS')
      .messages.filter((m) => JSON.stringify(m.blocks ?? []).includes('e2e-dup')).length;
    expect(count).toBe(1);
  });

  it('the sweep closes an expired request and says so in the channel', async () => {
    // Prepare
    await requestHeldChange('e2e-expire', 1500);
    const ts = requestMessage('e2e-expire')?.ts ?? '';
    await new Promise((resolve) => setTimeout(resolve, 1600));
    // Act
    await local.aws.functions.invoke('approval-executor', {
      version: '0',
      id: crypto.randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: local.aws.accountId,
      time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: local.aws.region,
      resources: [
        `arn:aws:events:${local.aws.region}:${local.aws.accountId}:rule/approval-executor-approval-sweep`,
      ],
      detail: {},
    });
    await local.aws.drain();
    // Assess
    expect(await store.get('e2e-expire')).toMatchObject({ status: 'expired', published: true });
    const message = local.aws.slack.store.message('C0APPROVALS', ts);
    expect(message?.text).toMatch(/^Approval expired/);
    const replies = local.aws.slack.store
      .messagesIn('C0APPROVALS')
      .messages.filter((m) => m.thread_ts === ts);
    expect(replies.map((r) => r.text)).toEqual([
      expect.stringMatching(/expired at .* without a decision; nothing was applied/),
    ]);
  });

  it('the store lets exactly one of many concurrent decisions win', async () => {
    const now = new Date();
    await store.create({
      approvalId: 'race',
      meshName: 'prod',
      action: { type: 'reapply-change', resourceKey: ROUTE_KEY, operation: 'DeleteRoute' },
      title: 't',
      reason: 'r',
      requestedBy: { arn: 'a', label: 'l' },
      diff: '',
      requestedAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + 60_000).toISOString(),
      status: 'pending',
    });
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        store.recordDecision(
          'race',
          {
            status: i % 2 ? 'approved' : 'rejected',
            decidedAt: now.toISOString(),
            decidedBy: { slackUserId: `U${i}`, identity: `p${i}` },
            click: `c${i}`,
          },
          now,
        ),
      ),
    );
    expect(results.filter((r) => r.outcome === 'recorded')).toHaveLength(1);
    expect(results.filter((r) => r.outcome === 'already-decided')).toHaveLength(7);
    expect((await store.listOpen()).map((a) => a.approvalId)).toContain('race');
    await store.markPublished('race');
    expect((await store.listOpen()).map((a) => a.approvalId)).not.toContain('race');
  });
});
