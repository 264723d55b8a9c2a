import {
  AppMeshClient,
  DeleteVirtualServiceCommand,
  DescribeRouteCommand,
  DescribeVirtualNodeCommand,
  UpdateRouteCommand,
  UpdateVirtualNodeCommand,
} from '@aws-sdk/client-app-mesh';
import type { LocalAws } from '../runtime';
import type { Scenario } from './scenarios';
import { DEMO } from './seed';

/** An App Mesh client signing as one of the demo identities (by access key id). */
function appMeshAs(aws: LocalAws, accessKeyId: string): AppMeshClient {
  const identity = aws.identities.get(accessKeyId);
  if (identity === undefined) throw new Error(`no local identity ${accessKeyId}`);
  return new AppMeshClient({
    endpoint: aws.endpoint,
    region: aws.region,
    credentials: { accessKeyId, secretAccessKey: identity.secretAccessKey },
  });
}

const ROUTE = { meshName: DEMO.mesh, virtualRouterName: DEMO.router, routeName: DEMO.route };

/** Shift the demo route's weights as `accessKeyId`, keeping the rest of the spec (read, change, write). */
async function shiftWeights(aws: LocalAws, accessKeyId: string, stable: number): Promise<void> {
  const mesh = appMeshAs(aws, accessKeyId);
  const { route } = await mesh.send(new DescribeRouteCommand(ROUTE));
  const http = route?.spec?.httpRoute;
  if (http?.action === undefined || http.match === undefined)
    throw new Error('the demo route has no httpRoute');
  const targets = http.action.weightedTargets ?? [];
  await mesh.send(
    new UpdateRouteCommand({
      ...ROUTE,
      spec: {
        ...route?.spec,
        httpRoute: {
          ...http,
          action: {
            weightedTargets: targets.map((t, i) => ({ ...t, weight: i === 0 ? stable : 100 - stable })),
          },
        },
      },
    }),
  );
}

/**
 * Run a step and add meshwarden's decisions to the timeline in plain words, so the demo
 * reads as a story: who changed what, what change control decided, and what it did.
 */
export async function narrated(aws: LocalAws, step: () => Promise<void>): Promise<void> {
  const decisions: Record<string, unknown>[] = [];
  const stop = aws.bus.onActivity((activity) => {
    if (activity.kind === 'event' && activity.event['detail-type'] === 'GovernanceDecision') {
      decisions.push(activity.event.detail as Record<string, unknown>);
    }
  });
  try {
    await step();
    await aws.drain();
  } finally {
    stop();
  }
  for (const d of decisions) {
    const principal = d.principal as { label?: string } | undefined;
    const rules = Array.isArray(d.ruleIds) && d.ruleIds.length > 0 ? ` [${d.ruleIds.join(', ')}]` : '';
    aws.timeline.note(
      `change control: ${String(d.operation)} on ${String(d.resourceKey)} by ${principal?.label ?? '?'} -> ${String(d.action).toUpperCase()}${rules}: ${String(d.plan)} (${String(d.outcome)})`,
    );
  }
}

/** Change control, end to end: who changed what, what meshwarden decided, and what it wrote back. */
export const CHANGE_CONTROL_SCENARIOS: readonly Scenario[] = [
  {
    name: 'change-keep',
    title:
      'alice (OIDC, acme/web) shifts web-route to 80/20: allowed by web-team-deploys and compliant, so it is kept as last known good',
    run: (aws) => narrated(aws, () => shiftWeights(aws, 'dev-oidc', 80)),
  },
  {
    name: 'change-revert',
    title:
      'alice (OIDC) opens web-v1 listener TLS to PERMISSIVE: no allow rule covers virtual nodes, so meshwarden restores the last known good spec',
    run: (aws) =>
      narrated(aws, async () => {
        // The audit records last known good specs for resources no event has shown yet.
        await aws.functions.invoke('mesh-audit', {
          version: '0',
          id: crypto.randomUUID(),
          'detail-type': 'Scheduled Event',
          source: 'aws.events',
          account: aws.accountId,
          time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
          region: aws.region,
          resources: [`arn:aws:events:${aws.region}:${aws.accountId}:rule/mesh-audit-daily-audit`],
          detail: {},
        });
        const mesh = appMeshAs(aws, 'dev-oidc');
        const ref = { meshName: DEMO.mesh, virtualNodeName: DEMO.stableNode };
        const { virtualNode } = await mesh.send(new DescribeVirtualNodeCommand(ref));
        const spec = virtualNode?.spec;
        const listeners = (spec?.listeners ?? []).map((l) =>
          l.tls === undefined ? l : { ...l, tls: { ...l.tls, mode: 'PERMISSIVE' as const } },
        );
        await mesh.send(new UpdateVirtualNodeCommand({ ...ref, spec: { ...spec, listeners } }));
      }),
  },
  {
    name: 'change-hold',
    title:
      'bob (IAM user) shifts web-route to 50/50: not allowed, and bob-needs-approval says hold: reverted, then an approval is requested',
    run: (aws) => narrated(aws, () => shiftWeights(aws, 'ops-bob', 50)),
  },
  {
    name: 'change-recreate',
    title:
      'alice (OIDC) deletes virtual service payments.prod.local: not allowed, so meshwarden recreates it from its last known good',
    run: (aws) =>
      narrated(aws, async () => {
        await appMeshAs(aws, 'dev-oidc').send(
          new DeleteVirtualServiceCommand({ meshName: DEMO.mesh, virtualServiceName: 'payments.prod.local' }),
        );
      }),
  },
];
