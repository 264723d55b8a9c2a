import type { ApprovalRequestedDetail } from '../../../shared/events/approvals';
import { computeSlackSignature } from '../../../shared/events/slack-signature';
import { createAppMeshClient, createAppMeshProvider } from '../../../shared/providers/appmesh';
import type { LocalAws } from '../runtime';
import { pressButton } from '../slack/block-actions';
import type { Scenario } from './scenarios';
import { DEMO } from './seed';

const CHANNEL = 'C0APPROVALS';

/** The request message of an approval in #mesh-approvals. */
function messageOf(aws: LocalAws, approvalId: string) {
  return aws.slack.store
    .messagesIn(CHANNEL)
    .messages.find((m) => JSON.stringify(m.blocks ?? []).includes(`"value":"${approvalId}"`));
}

/** Slack approvals: a held change asks in Slack, a forged click bounces, priya's click applies it. */
export const APPROVAL_SCENARIOS: readonly Scenario[] = [
  {
    name: 'slack-approval',
    title:
      'A held route change asks for approval in #mesh-approvals; a forged click gets 401, priya approves and the change is applied',
    run: async (aws) => {
      const meshes = createAppMeshProvider(
        createAppMeshClient({
          endpoint: aws.endpoint,
          region: aws.region,
          credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        }),
      );
      const ref = { kind: 'route', meshName: DEMO.mesh, parentName: DEMO.router, name: DEMO.route } as const;
      const route = await meshes.describe(ref);
      const httpRoute = route?.spec.httpRoute;
      if (route === undefined || httpRoute === undefined) throw new Error(`${DEMO.routeKey} is missing`);
      const approvalId = `demo-${Date.now()}`;
      const detail: ApprovalRequestedDetail = {
        approvalId,
        meshName: DEMO.mesh,
        action: {
          type: 'reapply-change',
          resourceKey: `${DEMO.mesh}/route/${DEMO.router}/${DEMO.route}`,
          operation: 'UpdateRoute',
          proposed: {
            ...ref,
            spec: {
              ...route.spec,
              httpRoute: {
                ...httpRoute,
                action: {
                  weightedTargets: httpRoute.action.weightedTargets.map((t) => ({ ...t, weight: 50 })),
                },
              },
            },
          },
          // What change control stores with a hold: the route the change was made on and its
          // version; approving writes only the weights, and only at that version.
          base: { ...ref, spec: route.spec, tags: route.tags ?? {} },
          ...(route.metadata === undefined ? {} : { baseVersion: route.metadata.version }),
        },
        title: `UpdateRoute ${DEMO.routeKey} (web-v1 50, web-v2 50)`,
        reason: 'bob may change nothing; his changes are held for approval (bob-needs-approval)',
        requestedBy: { arn: `arn:aws:iam::${aws.accountId}:user/bob`, label: 'bob' },
        diff: `  ${DEMO.routeKey} weightedTargets\n- web-v1 90, web-v2 10\n+ web-v1 50, web-v2 50`,
        expiresAt: new Date(Date.now() + 3600_000).toISOString(),
      };
      aws.timeline.note('change control held bob’s UpdateRoute and asks for approval (ApprovalRequested)');
      await aws.bus.putEvents([
        {
          source: 'meshwarden',
          detailType: 'ApprovalRequested',
          detail: { ...detail },
          eventBusName: 'meshwarden',
        },
      ]);
      await aws.drain();
      const ts = messageOf(aws, approvalId)?.ts;
      if (ts === undefined) throw new Error('the approval request did not appear in #mesh-approvals');
      aws.timeline.note(`the request is in #mesh-approvals (ts ${ts}); see ${aws.slackUrl}`);

      const body = new URLSearchParams({
        payload: JSON.stringify({ type: 'block_actions', actions: [] }),
      }).toString();
      const timestamp = String(Math.floor(Date.now() / 1000));
      const forged = await fetch(aws.slackCallbackUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          'x-slack-request-timestamp': timestamp,
          'x-slack-signature': computeSlackSignature('a-guessed-secret', timestamp, body),
        },
        body,
      });
      aws.timeline.note(`a forged click (wrong signing secret) got HTTP ${forged.status}; nothing recorded`);

      const omar = await pressButton(aws.slackUrl, {
        channel: CHANNEL,
        ts,
        action_id: 'meshwarden.approve',
        user: 'U0ONCALL01',
      });
      aws.timeline.note(
        `omar (on-call) clicked Approve: HTTP ${omar.status}, told privately he may not approve this`,
      );
      const priya = await pressButton(aws.slackUrl, {
        channel: CHANNEL,
        ts,
        action_id: 'meshwarden.approve',
        user: 'U0PLATFORM1',
      });
      aws.timeline.note(`priya (platform lead) clicked Approve: HTTP ${priya.status}`);
      await aws.drain();
      const after = await meshes.describe(ref);
      const weights = after?.spec.httpRoute?.action.weightedTargets
        .map((t) => `${t.virtualNode} ${t.weight}`)
        .join(', ');
      aws.timeline.note(
        `${DEMO.routeKey} now: ${weights}; message: "${aws.slack.store.message(CHANNEL, ts)?.text ?? '?'}"`,
      );
    },
  },
];
