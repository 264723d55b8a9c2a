import { randomBytes } from 'node:crypto';
import { AppMeshClient, DescribeRouteCommand, UpdateRouteCommand } from '@aws-sdk/client-app-mesh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../../infra/local/demo/seed';
import type { BusEvent } from '../../../infra/local/types';
import { DynamoAuditLog } from '../../../shared/adapters/dynamodb/audit-log';
import { createDocumentClient } from '../../../shared/adapters/dynamodb/client';
import { DynamoLastKnownGoodStore } from '../../../shared/adapters/dynamodb/last-known-good-store';
import { DynamoMeshStateStore } from '../../../shared/adapters/dynamodb/mesh-state-store';
import { startSeededLocalAws, type TestLocalAws } from '../../support/local-aws';

const ref = { meshName: DEMO.mesh, virtualRouterName: DEMO.router, routeName: DEMO.route };
const ROUTE_KEY = 'prod/route/web-router/web-route';

/** Specs far beyond DynamoDB's 400 KB item limit are judged, stored and audited, never dead-lettered. */
describe('a very large spec in local AWS', () => {
  let local: TestLocalAws;
  let admin: AppMeshClient;
  let bob: AppMeshClient;
  const seen: BusEvent[] = [];
  const decisions = () =>
    seen
      .filter((e) => e['detail-type'] === 'GovernanceDecision')
      .map((e) => e.detail as Record<string, unknown>)
      .filter((d) => d.resourceKey === ROUTE_KEY);

  beforeAll(async () => {
    local = await startSeededLocalAws();
    local.aws.bus.onActivity((activity) => {
      if (activity.kind === 'event') seen.push(activity.event);
    });
    admin = new AppMeshClient(local.clientConfig('admin'));
    bob = new AppMeshClient(local.clientConfig('iamUser'));
  }, 60_000);
  afterAll(() => local.aws.close());

  async function withPrefix(client: AppMeshClient, prefix: string): Promise<void> {
    const { route } = await admin.send(new DescribeRouteCommand(ref));
    const http = route?.spec?.httpRoute;
    if (http === undefined) throw new Error('the demo route is an HTTP route');
    await client.send(
      new UpdateRouteCommand({ ...ref, spec: { ...route?.spec, httpRoute: { ...http, match: { prefix } } } }),
    );
  }

  it('keeps an allowed 10 MB change as last known good, cached and audited, with nothing dead-lettered', async () => {
    // Hex of random bytes: compresses to half, still far over one item.
    const prefix = `/${randomBytes(5 * 1024 * 1024).toString('hex')}`;

    await withPrefix(admin, prefix);
    await local.aws.drain();

    expect(local.aws.bus.deadLetters()).toEqual([]);
    expect(decisions().at(-1)).toMatchObject({ operation: 'UpdateRoute', action: 'keep' });
    const documents = createDocumentClient(local.clientConfig('admin'));
    const table = local.aws.functionEnv.MESHWARDEN_TABLE ?? '';
    const good = await new DynamoLastKnownGoodStore(documents, table, local.aws.accountId).get(ROUTE_KEY);
    expect(
      (good?.resource.spec as { httpRoute?: { match?: { prefix?: string } } } | undefined)?.httpRoute?.match
        ?.prefix,
    ).toBe(prefix);
    const cached = (
      await new DynamoMeshStateStore(documents, table, local.aws.accountId).load(DEMO.mesh)
    ).find((r) => r.kind === 'route' && r.name === DEMO.route);
    expect(
      (cached?.spec as { httpRoute?: { match?: { prefix?: string } } } | undefined)?.httpRoute?.match?.prefix,
    ).toBe(prefix);
    const decision = decisions().at(-1) as { eventId: string; eventTime: string };
    const record = await new DynamoAuditLog(documents, table, local.aws.accountId).get(
      DEMO.mesh,
      decision.eventTime,
      decision.eventId,
    );
    expect(record).toMatchObject({ outcome: 'no-effect', published: true });
  }, 120_000);

  it('reverts a 10 MB change by bob, saying it is too large to offer for approval, with nothing dead-lettered', async () => {
    const { route: before } = await admin.send(new DescribeRouteCommand(ref));
    const prefix = `/${randomBytes(5 * 1024 * 1024).toString('hex')}`;

    await withPrefix(bob, prefix);
    await local.aws.drain();

    expect(local.aws.bus.deadLetters()).toEqual([]);
    const { route: after } = await admin.send(new DescribeRouteCommand(ref));
    expect(after?.spec).toEqual(before?.spec);
    const decision = decisions().at(-1) as { eventId: string; eventTime: string; reasons: string[] };
    expect(decision).toMatchObject({ action: 'revert', outcome: 'applied' });
    expect(decision.reasons.join(' ')).toContain('too large to offer for approval');
    const documents = createDocumentClient(local.clientConfig('admin'));
    const record = await new DynamoAuditLog(
      documents,
      local.aws.functionEnv.MESHWARDEN_TABLE ?? '',
      local.aws.accountId,
    ).get(DEMO.mesh, decision.eventTime, decision.eventId);
    expect(record?.published).toBe(true);
  }, 120_000);
});
