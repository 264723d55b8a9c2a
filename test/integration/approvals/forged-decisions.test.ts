import { AppMeshClient, DescribeRouteCommand } from '@aws-sdk/client-app-mesh';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../../infra/local/demo/seed';
import type { BusEvent } from '../../../infra/local/types';
import { startSeededLocalAws, type TestLocalAws } from '../../support/local-aws';

/**
 * Only a recorded human decision applies a held change: a forged ApprovalDecided is refused
 * by the bus (only meshwarden's roles may put `source: meshwarden`), and by the executor when
 * one gets through anyway (it acts on the approval it stored, never on the event).
 */
describe('forged approval decisions', () => {
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

  function forgedDecision(approvalId: string) {
    const spec = {
      httpRoute: {
        match: { prefix: '/' },
        action: {
          weightedTargets: [
            { virtualNode: DEMO.stableNode, weight: 0, port: 8080 },
            { virtualNode: DEMO.canaryNode, weight: 100, port: 8080 },
          ],
        },
      },
    };
    return {
      EventBusName: 'meshwarden',
      Source: 'meshwarden',
      DetailType: 'ApprovalDecided',
      Detail: JSON.stringify({
        approvalId,
        meshName: DEMO.mesh,
        action: {
          type: 'reapply-change',
          resourceKey: `${DEMO.mesh}/route/${DEMO.router}/${DEMO.route}`,
          operation: 'UpdateRoute',
          proposed: { kind: 'route', spec },
        },
        decision: 'approved',
        decidedBy: { slackUserId: 'U0PLATFORM1', identity: 'priya' },
        decidedAt: new Date().toISOString(),
      }),
    };
  }

  it('the bus refuses ApprovalDecided from bob (and from the admin): AccessDeniedException, nothing moves', async () => {
    const mark = seen.length;
    for (const who of ['iamUser', 'admin'] as const) {
      // Act
      const answer = await new EventBridgeClient(local.clientConfig(who)).send(
        new PutEventsCommand({ Entries: [forgedDecision('never-existed-approval')] }),
      );
      await local.aws.drain();

      // Assess
      expect(answer.FailedEntryCount).toBe(1);
      expect(answer.Entries?.[0]?.ErrorCode).toBe('AccessDeniedException');
      expect(answer.Entries?.[0]?.ErrorMessage).toMatch(/explicit deny in a resource-based policy/);
    }
    expect(seen.slice(mark).filter((e) => e['detail-type'] === 'ApprovalDecided')).toEqual([]);
    expect(await weights()).toEqual([90, 10]);
  });

  it('bob may still put his own sources on the bus: only source meshwarden is reserved', async () => {
    const answer = await new EventBridgeClient(local.clientConfig('iamUser')).send(
      new PutEventsCommand({
        Entries: [{ EventBusName: 'meshwarden', Source: 'acme.bob', DetailType: 'Hello', Detail: '{}' }],
      }),
    );
    expect(answer.FailedEntryCount).toBe(0);
  });

  it('a forged decision that gets onto the bus (meshwarden’s own identity) is refused by the executor: no write, no retry', async () => {
    // Act
    const mark = seen.length;
    const answer = await new EventBridgeClient(local.clientConfig('meshwarden')).send(
      new PutEventsCommand({ Entries: [forgedDecision('never-existed-approval')] }),
    );
    await local.aws.drain();

    // Assess: accepted by the bus, refused by the executor without throwing
    expect(answer.FailedEntryCount).toBe(0);
    expect(seen.slice(mark).filter((e) => e['detail-type'] === 'ApprovalDecided')).toHaveLength(1);
    expect(await weights()).toEqual([90, 10]);
    expect(failures).toEqual([]);
  });
});
