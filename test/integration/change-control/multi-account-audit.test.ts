import { AppMeshClient, DescribeRouteCommand, UpdateRouteCommand } from '@aws-sdk/client-app-mesh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../../infra/function-catalog';
import { DEMO, seedDemo } from '../../../infra/local/demo/seed';
import type { LocalApiCall } from '../../../infra/local/runtime';
import type { BusEvent } from '../../../infra/local/types';
import { createDocumentClient } from '../../../shared/adapters/dynamodb/client';
import { DynamoLastKnownGoodStore } from '../../../shared/adapters/dynamodb/last-known-good-store';
import { DynamoMeshSnapshotStore } from '../../../shared/adapters/dynamodb/mesh-snapshot-store';
import { DynamoMeshStateStore } from '../../../shared/adapters/dynamodb/mesh-state-store';
import type { MeshResource } from '../../../shared/providers/appmesh/model';
import { startSeededLocalAws, type TestLocalAws } from '../../support/local-aws';
import { loadEvent } from '../../support/sample-events';
import {
  CENTRAL,
  MEMBER,
  MEMBER_ADMIN,
  MEMBER_ROLE,
  memberStackRolePolicies,
  twoAccountPolicy,
  twoAccounts,
} from './two-accounts';

const ROUTE_KEY = `${DEMO.mesh}/route/${DEMO.router}/${DEMO.route}`;

function timeoutOf(resources: readonly MeshResource[] | undefined): unknown {
  const route = resources?.find((r) => r.kind === 'route' && r.name === DEMO.route);
  return (route?.spec as { httpRoute?: { timeout?: unknown } } | undefined)?.httpRoute?.timeout;
}

/**
 * The daily audit across accounts: the member account's `prod` is read through the member role
 * and judged by the member's policy entry; what it finds and keeps names the member account.
 * Only mesh-audit runs, so drift in the member's mesh stays as it was made for the audit to find.
 */
describe('the daily audit in a member account', () => {
  let local: TestLocalAws;
  const seen: BusEvent[] = [];
  const calls: LocalApiCall[] = [];
  const routeRef = { meshName: DEMO.mesh, virtualRouterName: DEMO.router, routeName: DEMO.route };

  beforeAll(async () => {
    local = await startSeededLocalAws({
      // The member role may do only what the member stack grants it.
      identities: twoAccounts(memberStackRolePolicies('us-east-1', [DEMO.mesh])),
      // The member's entry asks every route for a timeout; the seeded routes have one.
      policyFile: twoAccountPolicy({ compliance: { routes: { requireTimeout: true } } }),
      functions: FUNCTIONS.filter((f) => f.name === 'mesh-audit'),
    });
    local.aws.bus.onActivity((activity) => {
      if (activity.kind === 'event') seen.push(activity.event);
    });
    local.aws.onApiCall((call) => calls.push(call));
    await seedDemo({ endpoint: local.aws.endpoint, region: local.aws.region, credentials: MEMBER_ADMIN });
    await local.aws.drain();
  }, 120_000);
  afterAll(() => local.aws.close());

  it("reports a violation in the member account's prod only, naming the account, and keeps it in the member's state", async () => {
    // Prepare: the member's web route loses its timeout (drift only the audit sees).
    const member = new AppMeshClient({
      endpoint: local.aws.endpoint,
      region: local.aws.region,
      credentials: MEMBER_ADMIN,
    });
    const { route } = await member.send(new DescribeRouteCommand(routeRef));
    const http = route?.spec?.httpRoute;
    if (http === undefined) throw new Error('the seeded route has no httpRoute');
    const { timeout: _dropped, ...withoutTimeout } = http;
    await member.send(new UpdateRouteCommand({ ...routeRef, spec: { httpRoute: withoutTimeout } }));
    await local.aws.drain();
    seen.length = 0;
    calls.length = 0;

    // Act
    const result = await local.aws.functions.invoke('mesh-audit', loadEvent('scheduler/daily-audit'));
    await local.aws.drain();

    // Assess: one report per account's prod; only the member's has the drift.
    expect(result).toEqual([
      expect.objectContaining({ account: CENTRAL, meshName: DEMO.mesh, status: 'found', violations: 0 }),
      // The demo policy also governs the Lattice demo's prod-net (central account, not seeded here).
      expect.objectContaining({ account: CENTRAL, provider: 'vpc-lattice', status: 'not-found' }),
      expect.objectContaining({
        account: MEMBER,
        meshName: DEMO.mesh,
        status: 'found',
        violations: 1,
        drifted: [ROUTE_KEY],
      }),
    ]);
    // App Mesh's: the demo policy also governs the Lattice demo's prod-net (not seeded here).
    const audited = seen
      .filter(
        (e) =>
          e['detail-type'] === 'MeshAudited' && (e.detail as { provider?: string }).provider === undefined,
      )
      .map((e) => e.detail);
    expect(audited).toEqual([
      expect.objectContaining({ account: CENTRAL, violations: 0, drifted: [] }),
      expect.objectContaining({ account: MEMBER, violations: 1, drifted: [ROUTE_KEY] }),
    ]);
    // The member's mesh was read as the member role meshwarden assumed there.
    const assumed = calls.filter((c) => c.operation === 'AssumeRole');
    expect(assumed.map((c) => new URLSearchParams(c.request.body.toString('utf8')).get('RoleArn'))).toEqual([
      MEMBER_ROLE,
    ]);
    const memberReads = calls.filter(
      (c) => c.request.service === 'appmesh' && c.request.caller.accountId === MEMBER,
    );
    expect(memberReads.length).toBeGreaterThan(0);
    expect(new Set(memberReads.map((c) => c.request.caller.arn))).toEqual(
      new Set([`arn:aws:sts::${MEMBER}:assumed-role/meshwarden-member-access/meshwarden-mesh-audit`]),
    );
    // What the audit keeps names the member account: its snapshot and state cache hold the
    // drifted route, and the drifted route got no last known good there ...
    const documents = createDocumentClient(local.clientConfig('admin'));
    const table = local.aws.functionEnv.MESHWARDEN_TABLE as string;
    const memberSnapshot = await new DynamoMeshSnapshotStore(documents, table, MEMBER).load(DEMO.mesh);
    expect(memberSnapshot).toBeDefined();
    expect(timeoutOf(memberSnapshot?.resources)).toBeUndefined();
    expect(
      timeoutOf(await new DynamoMeshStateStore(documents, table, MEMBER).load(DEMO.mesh)),
    ).toBeUndefined();
    expect(await new DynamoLastKnownGoodStore(documents, table, MEMBER).get(ROUTE_KEY)).toBeUndefined();
    // ... while the central account's state holds its own, compliant prod.
    const centralSnapshot = await new DynamoMeshSnapshotStore(documents, table, CENTRAL).load(DEMO.mesh);
    expect(timeoutOf(centralSnapshot?.resources)).toEqual({ perRequest: { value: 15, unit: 's' } });
    expect(timeoutOf(await new DynamoMeshStateStore(documents, table, CENTRAL).load(DEMO.mesh))).toEqual({
      perRequest: { value: 15, unit: 's' },
    });
    const centralRoute = await new DynamoLastKnownGoodStore(documents, table, CENTRAL).get(ROUTE_KEY);
    expect(timeoutOf(centralRoute === undefined ? [] : [centralRoute.resource])).toEqual({
      perRequest: { value: 15, unit: 's' },
    });
    expect(local.aws.bus.deadLetters()).toEqual([]);
  }, 120_000);
});
