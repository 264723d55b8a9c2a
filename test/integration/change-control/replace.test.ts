import {
  AppMeshClient,
  CreateRouteCommand,
  DeleteRouteCommand,
  DescribeRouteCommand,
  type RouteSpec,
} from '@aws-sdk/client-app-mesh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../../infra/local/demo/seed';
import type { BusEvent } from '../../../infra/local/types';
import { startSeededLocalAws, type TestLocalAws } from '../../support/local-aws';

const ref = { meshName: DEMO.mesh, virtualRouterName: DEMO.router, routeName: DEMO.route };
const ROUTE_KEY = 'prod/route/web-router/web-route';

/** One held delivery: opened by the test, finished when the function returned. */
class Gate {
  open!: () => void;
  finish!: () => void;
  readonly opened = new Promise<void>((resolve) => {
    this.open = resolve;
  });
  readonly finished = new Promise<void>((resolve) => {
    this.finish = resolve;
  });
}

/**
 * Terraform's "replace" of a route (DeleteRoute then CreateRoute) by someone not allowed to,
 * with CloudTrail delivering both events only after both calls happened.
 */
describe('a denied delete-and-recreate with delayed CloudTrail delivery, in local AWS', () => {
  let local: TestLocalAws;
  let admin: AppMeshClient;
  let alice: AppMeshClient;
  const seen: BusEvent[] = [];
  const gates = new Map<string, Gate>();

  beforeAll(async () => {
    local = await startSeededLocalAws();
    local.aws.bus.onActivity((activity) => {
      if (activity.kind === 'event') seen.push(activity.event);
    });
    // Hold mesh-change's deliveries of the gated operations until the test opens them.
    local.aws.bus.setInvoker(async (name, event) => {
      const eventName = (event as { detail?: { eventName?: string } }).detail?.eventName ?? '';
      const gate = name === 'mesh-change' ? gates.get(eventName) : undefined;
      if (gate === undefined) {
        await local.aws.functions.invoke(name, event);
        return;
      }
      await gate.opened;
      try {
        await local.aws.functions.invoke(name, event);
      } finally {
        gates.delete(eventName);
        gate.finish();
      }
    });
    admin = new AppMeshClient(local.clientConfig('admin'));
    alice = new AppMeshClient(local.clientConfig('oidcDeveloper'));
  }, 60_000);
  afterAll(() => local.aws.close());

  async function replaceAsAlice(spec: RouteSpec) {
    await alice.send(new DeleteRouteCommand(ref));
    await alice.send(new CreateRouteCommand({ ...ref, spec }));
  }

  function canarySpec(before: RouteSpec | undefined): RouteSpec {
    const http = before?.httpRoute;
    if (http === undefined) throw new Error('the demo route is an HTTP route');
    return {
      ...before,
      httpRoute: {
        ...http,
        action: {
          weightedTargets: (http.action?.weightedTargets ?? []).map((t) => ({
            ...t,
            weight: t.virtualNode === DEMO.stableNode ? 0 : 100,
          })),
        },
      },
    };
  }

  for (const order of [
    ['DeleteRoute', 'CreateRoute'],
    ['CreateRoute', 'DeleteRoute'],
  ] as const) {
    it(`keeps the route with its last known good spec when ${order.join(' then ')} are judged late`, async () => {
      // Prepare
      const { route: before } = await admin.send(new DescribeRouteCommand(ref));
      const first = new Gate();
      const second = new Gate();
      gates.set(order[0], first);
      gates.set(order[1], second);
      await replaceAsAlice(canarySpec(before?.spec));
      const { route: recreated } = await admin.send(new DescribeRouteCommand(ref));

      // Act: CloudTrail delivers both, late, one after the other.
      first.open();
      await first.finished;
      second.open();
      await second.finished;
      await local.aws.drain();

      // Assess: App Mesh gave the recreated route a new uid and version 1, and the route is back.
      expect(recreated?.metadata?.version).toBe(1);
      expect(recreated?.metadata?.uid).not.toBe(before?.metadata?.uid);
      const { route: after } = await admin.send(new DescribeRouteCommand(ref));
      expect(after?.spec).toEqual(before?.spec);
      const decisions = seen
        .filter((e) => e['detail-type'] === 'GovernanceDecision')
        .map((e) => e.detail as { resourceKey: string; action: string; plan: string; outcome: string })
        .filter((d) => d.resourceKey === ROUTE_KEY && d.action === 'revert');
      expect(decisions.at(-1)).toMatchObject({
        outcome: 'applied',
        plan: expect.stringContaining('recreated'),
      });
      expect(local.aws.bus.deadLetters()).toEqual([]);
    });
  }
});
