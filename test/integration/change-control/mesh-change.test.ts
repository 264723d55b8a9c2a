import {
  AppMeshClient,
  CreateRouteCommand,
  CreateVirtualRouterCommand,
  DeleteVirtualServiceCommand,
  DescribeRouteCommand,
  DescribeVirtualNodeCommand,
  DescribeVirtualServiceCommand,
  type RouteSpec,
  UpdateRouteCommand,
  UpdateVirtualNodeCommand,
} from '@aws-sdk/client-app-mesh';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../../infra/local/demo/seed';
import type { BusEvent } from '../../../infra/local/types';
import { DynamoAuditLog } from '../../../shared/adapters/dynamodb/audit-log';
import { createDocumentClient } from '../../../shared/adapters/dynamodb/client';
import { DynamoLastKnownGoodStore } from '../../../shared/adapters/dynamodb/last-known-good-store';
import { DynamoWebIdentitySessionStore } from '../../../shared/adapters/dynamodb/web-identity-sessions-store';
import { holdApprovalId } from '../../../shared/change-control/tokens';
import { ValidationError } from '../../../shared/errors';
import { parseApprovalRequested } from '../../../shared/events/approvals';
import { startSeededLocalAws, type TestLocalAws } from '../../support/local-aws';
import { loadEvent } from '../../support/sample-events';

/** Change control end to end in local AWS: CloudTrail -> bus -> mesh-change -> App Mesh, table, bus. */
describe('mesh change control in local AWS', () => {
  let local: TestLocalAws;
  const seen: BusEvent[] = [];
  let admin: AppMeshClient;
  let alice: AppMeshClient;
  let bob: AppMeshClient;
  let audit: DynamoAuditLog;
  let lkg: DynamoLastKnownGoodStore;

  const decisions = () => seen.filter((e) => e['detail-type'] === 'GovernanceDecision');
  const decisionsFor = (resourceKey: string) =>
    decisions().filter((e) => (e.detail as { resourceKey?: string }).resourceKey === resourceKey);
  const trailOf = (eventName: string) =>
    seen.filter(
      (e) => e.source === 'aws.appmesh' && (e.detail as { eventName?: string }).eventName === eventName,
    );

  async function routeWeights(
    client: AppMeshClient,
    router: string = DEMO.router,
    route: string = DEMO.route,
  ): Promise<number[]> {
    const out = await client.send(
      new DescribeRouteCommand({ meshName: DEMO.mesh, virtualRouterName: router, routeName: route }),
    );
    return (out.route?.spec?.httpRoute?.action?.weightedTargets ?? []).map((t) => t.weight ?? -1);
  }

  async function setWeights(
    client: AppMeshClient,
    weights: readonly number[],
    router: string = DEMO.router,
    route: string = DEMO.route,
  ) {
    const ref = { meshName: DEMO.mesh, virtualRouterName: router, routeName: route };
    const { route: current } = await admin.send(new DescribeRouteCommand(ref));
    const http = current?.spec?.httpRoute;
    if (http?.action === undefined || http.match === undefined) throw new Error('no httpRoute');
    const spec: RouteSpec = {
      ...current?.spec,
      httpRoute: {
        ...http,
        action: {
          weightedTargets: (http.action.weightedTargets ?? []).map((t, i) => ({
            ...t,
            weight: weights[i] ?? 0,
          })),
        },
      },
    };
    await client.send(new UpdateRouteCommand({ ...ref, spec }));
  }

  /** A sample event (recorded in another account) as local AWS's own account would deliver it. */
  function inLocalAccount<E extends { account: string; detail: object }>(event: E): E {
    const account = local.aws.accountId;
    return { ...event, account, detail: { ...event.detail, recipientAccountId: account } };
  }

  beforeAll(async () => {
    local = await startSeededLocalAws();
    local.aws.bus.onActivity((activity) => {
      if (activity.kind === 'event') seen.push(activity.event);
    });
    admin = new AppMeshClient(local.clientConfig('admin'));
    alice = new AppMeshClient(local.clientConfig('oidcDeveloper'));
    bob = new AppMeshClient(local.clientConfig('iamUser'));
    const documents = createDocumentClient(local.clientConfig('admin'));
    audit = new DynamoAuditLog(documents, local.aws.functionEnv.MESHWARDEN_TABLE ?? '', local.aws.accountId);
    lkg = new DynamoLastKnownGoodStore(
      documents,
      local.aws.functionEnv.MESHWARDEN_TABLE ?? '',
      local.aws.accountId,
    );
  }, 60_000);
  afterAll(() => local.aws.close());

  it('keeps an allowed, compliant change (alice shifts web-router/web-route) as last known good', async () => {
    await setWeights(alice, [80, 20]);
    await local.aws.drain();

    expect(await routeWeights(admin)).toEqual([80, 20]);
    const decision = decisionsFor('prod/route/web-router/web-route').at(-1);
    expect(decision?.detail).toMatchObject({
      operation: 'UpdateRoute',
      changeControl: 'allow',
      action: 'keep',
      outcome: 'no-effect',
      principal: { arn: 'arn:aws:sts::000000000000:assumed-role/MeshDeveloper/alice' },
    });
    const good = await lkg.get('prod/route/web-router/web-route');
    expect(good?.resource.spec).toMatchObject({
      httpRoute: { action: { weightedTargets: [{ weight: 80 }, { weight: 20 }] } },
    });
    expect(good?.source).toBe('event');
  });

  it('reverts a change to a virtual node by the OIDC developer, which no allow rule covers', async () => {
    const ref = { meshName: DEMO.mesh, virtualNodeName: DEMO.stableNode };
    const { virtualNode: before } = await admin.send(new DescribeVirtualNodeCommand(ref));
    const listeners = (before?.spec?.listeners ?? []).map((l) => ({
      ...l,
      tls: l.tls === undefined ? undefined : { ...l.tls, mode: 'PERMISSIVE' as const },
    }));

    await alice.send(new UpdateVirtualNodeCommand({ ...ref, spec: { ...before?.spec, listeners } }));
    await local.aws.drain();

    const { virtualNode: after } = await admin.send(new DescribeVirtualNodeCommand(ref));
    expect(after?.spec?.listeners?.[0]?.tls?.mode).toBe('STRICT');
    expect(after?.spec).toEqual(before?.spec);
    const decision = decisionsFor('prod/virtual-node/web-v1').at(-1);
    expect(decision?.detail).toMatchObject({
      changeControl: 'deny',
      action: 'revert',
      outcome: 'applied',
      ruleIds: ['change-control', 'tls.strict'],
    });
    const detail = decision?.detail as { eventId: string; eventTime: string };
    const record = await audit.get(DEMO.mesh, detail.eventTime, detail.eventId);
    expect(record).toMatchObject({ outcome: 'applied', published: true });
    expect(String(record?.decision.diff)).toContain('PERMISSIVE');
    // The people on call are told in the mesh's notifications channel, with the rule broken.
    const told = local.aws.slack.store.messagesIn('C0MESHOPS01').messages.map((m) => JSON.stringify(m));
    expect(
      told.some(
        (m) =>
          m.includes('Reverted: UpdateVirtualNode on prod/virtual-node/web-v1') && m.includes('tls.strict'),
      ),
    ).toBe(true);
  });

  it('reverts an UpdateRoute by the OIDC developer on a route outside web-router', async () => {
    await admin.send(
      new CreateVirtualRouterCommand({
        meshName: DEMO.mesh,
        virtualRouterName: 'api-router',
        spec: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] },
      }),
    );
    await admin.send(
      new CreateRouteCommand({
        meshName: DEMO.mesh,
        virtualRouterName: 'api-router',
        routeName: 'api-route',
        spec: {
          httpRoute: {
            match: { prefix: '/api' },
            action: { weightedTargets: [{ virtualNode: DEMO.stableNode, weight: 100, port: 8080 }] },
            retryPolicy: {
              maxRetries: 1,
              perRetryTimeout: { value: 1, unit: 's' },
              httpRetryEvents: ['server-error'],
            },
            timeout: { perRequest: { value: 5, unit: 's' } },
          },
        },
      }),
    );
    await local.aws.drain();
    expect(decisionsFor('prod/route/api-router/api-route').at(-1)?.detail).toMatchObject({ action: 'keep' });

    await setWeights(alice, [0], 'api-router', 'api-route');
    await local.aws.drain();

    expect(await routeWeights(admin, 'api-router', 'api-route')).toEqual([100]);
    expect(decisionsFor('prod/route/api-router/api-route').at(-1)?.detail).toMatchObject({
      changeControl: 'deny',
      action: 'revert',
      outcome: 'applied',
    });
  });

  it('recreates a virtual service deleted by an unauthorized principal from its last known good', async () => {
    const ref = { meshName: DEMO.mesh, virtualServiceName: 'payments.prod.local' };
    const { virtualService: before } = await admin.send(new DescribeVirtualServiceCommand(ref));

    await alice.send(new DeleteVirtualServiceCommand(ref));
    await local.aws.drain();

    const { virtualService: after } = await admin.send(new DescribeVirtualServiceCommand(ref));
    expect(after?.spec).toEqual(before?.spec);
    expect(decisionsFor('prod/virtual-service/payments.prod.local').at(-1)?.detail).toMatchObject({
      operation: 'DeleteVirtualService',
      action: 'revert',
      outcome: 'applied',
      plan: expect.stringContaining('recreate'),
    });
  });

  it('holds a change by bob: reverts it and requests approval with the full proposed resource', async () => {
    const weightsBefore = await routeWeights(admin);

    await setWeights(bob, [50, 50]);
    await local.aws.drain();

    expect(await routeWeights(admin)).toEqual(weightsBefore);
    const decision = decisionsFor('prod/route/web-router/web-route').at(-1);
    expect(decision?.detail).toMatchObject({ action: 'hold', outcome: 'applied', changeControl: 'deny' });
    const eventId = (decision?.detail as { eventId?: string } | undefined)?.eventId ?? '';
    const requests = seen.filter((e) => e['detail-type'] === 'ApprovalRequested');
    expect(requests).toHaveLength(1);
    const request = parseApprovalRequested(requests[0]);
    expect(request.detail.approvalId).toBe(holdApprovalId(eventId));
    expect(request.detail.action).toMatchObject({
      type: 'reapply-change',
      resourceKey: 'prod/route/web-router/web-route',
      operation: 'UpdateRoute',
      proposed: {
        kind: 'route',
        meshName: DEMO.mesh,
        parentName: DEMO.router,
        name: DEMO.route,
        spec: { httpRoute: { action: { weightedTargets: [{ weight: 50 }, { weight: 50 }] } } },
      },
    });
    expect(request.detail.requestedBy.label).toContain('IAM user bob');
  });

  it("does not judge meshwarden's own revert: one decision per violating change", async () => {
    // The revert is mesh-change's write, signed as its own role.
    const reverts = trailOf('UpdateVirtualNode').filter((e) =>
      (e.detail as { userIdentity: { arn?: string } }).userIdentity.arn?.includes(
        'assumed-role/meshwarden-fn-mesh-change/',
      ),
    );
    expect(reverts.length).toBeGreaterThan(0);
    const ownIds = new Set(reverts.map((e) => (e.detail as { eventID: string }).eventID));

    const onOwn = decisions().filter((e) => ownIds.has((e.detail as { eventId: string }).eventId));

    expect(onOwn).toEqual([]);
    expect(decisionsFor('prod/virtual-node/web-v1')).toHaveLength(1);
  });

  it('has one effect for a duplicate event, in the same or in another envelope', async () => {
    await setWeights(alice, [0], 'api-router', 'api-route');
    await local.aws.drain();
    const original = trailOf('UpdateRoute').at(-1);
    if (original === undefined) throw new Error('no UpdateRoute on the trail');
    const writesBefore = trailOf('UpdateRoute').length;
    const decisionsBefore = decisions().length;

    const first = await local.aws.functions.invoke('mesh-change', original);
    const second = await local.aws.functions.invoke('mesh-change', { ...original, id: crypto.randomUUID() });
    await local.aws.drain();

    expect(second).toEqual(first);
    expect(trailOf('UpdateRoute').length).toBe(writesBefore);
    expect(decisions().length).toBe(decisionsBefore);
  });

  it('refuses a malformed event with a path-naming error and applies nothing', async () => {
    const event = loadEvent('appmesh/update-route');
    const broken = {
      ...event,
      detail: { ...event.detail, eventID: undefined, userIdentity: { type: 'AssumedRole' } },
    };
    const decisionsBefore = decisions().length;

    await expect(local.aws.functions.invoke('mesh-change', broken)).rejects.toThrow(ValidationError);
    await expect(local.aws.functions.invoke('mesh-change', broken)).rejects.toThrow(/detail\.eventID/);
    await local.aws.drain();

    expect(decisions().length).toBe(decisionsBefore);
  });

  it('audits an AccessDenied attempt without acting on it', async () => {
    const event = inLocalAccount(loadEvent('appmesh/update-route-access-denied'));
    const weightsBefore = await routeWeights(admin);

    const result = await local.aws.functions.invoke('mesh-change', event);
    await local.aws.drain();

    expect(result).toMatchObject({ status: 'decided', action: 'none', outcome: 'no-effect' });
    expect(await routeWeights(admin)).toEqual(weightsBefore);
    const record = await audit.get(DEMO.mesh, event.detail.eventTime, event.detail.eventID);
    expect(record).toMatchObject({
      outcome: 'no-effect',
      decision: { changeControl: 'failed-call', action: 'none', operation: 'UpdateRoute' },
    });
    expect(String(record?.decision.reasons)).toContain('AccessDenied');
  });

  it('learns the session tags of an OIDC federation (AssumeRoleWithWebIdentity) until the session expires', async () => {
    const event = loadEvent('sts/assume-role-with-web-identity');
    const sessions = new DynamoWebIdentitySessionStore(
      createDocumentClient(local.clientConfig('admin')),
      local.aws.functionEnv.MESHWARDEN_TABLE ?? '',
    );
    const arn = 'arn:aws:sts::123456789012:assumed-role/mesh-operator/alice@example.com';

    const result = await local.aws.functions.invoke('mesh-change', event);

    expect(result).toEqual({ recorded: arn, expiresAt: '2026-03-10T12:02:10.000Z' });
    expect((await sessions.get(arn, new Date('2026-03-10T11:30:00Z')))?.sessionTags).toEqual({
      team: 'platform',
      environment: 'prod',
    });
    expect(await sessions.get(arn, new Date('2026-03-10T12:30:00Z'))).toBeUndefined();
  });

  it('learns OIDC session tags through the bus: the web-identity rule opts in to read-only CloudTrail events', async () => {
    // Prepare: the record as CloudTrail delivers it (readOnly: true), for a session of its own.
    const sample = loadEvent('sts/assume-role-with-web-identity');
    const arn = 'arn:aws:sts::123456789012:assumed-role/mesh-operator/carol@example.com';
    const detail = {
      ...sample.detail,
      eventID: crypto.randomUUID(),
      requestParameters: { ...sample.detail.requestParameters, roleSessionName: 'carol@example.com' },
      responseElements: {
        ...sample.detail.responseElements,
        assumedRoleUser: { assumedRoleId: 'AROAQRSTUVWXYEXAMPLE:carol@example.com', arn },
      },
    };
    expect(detail.readOnly).toBe(true);
    const sessions = new DynamoWebIdentitySessionStore(
      createDocumentClient(local.clientConfig('admin')),
      local.aws.functionEnv.MESHWARDEN_TABLE ?? '',
    );
    const matched: string[][] = [];
    const stop = local.aws.bus.onActivity((activity) => {
      if (activity.kind === 'event' && activity.event.source === 'aws.sts')
        matched.push([...activity.matchedRules]);
    });

    // Act
    try {
      await local.aws.bus.putEvents([
        { source: sample.source, detailType: sample['detail-type'], detail, time: new Date(sample.time) },
      ]);
      await local.aws.drain();
    } finally {
      stop();
    }

    // Assess
    expect(matched).toEqual([['mesh-change-web-identity-sessions']]);
    expect((await sessions.get(arn, new Date('2026-03-10T11:30:00Z')))?.sessionTags).toEqual({
      team: 'platform',
      environment: 'prod',
    });
  });

  it('reports an undo it cannot do: no last known good for a route created outside any event', async () => {
    const key = 'prod/route/api-router/api-route';
    const documents = createDocumentClient(local.clientConfig('admin'));
    await new DynamoLastKnownGoodStore(
      documents,
      local.aws.functionEnv.MESHWARDEN_TABLE ?? '',
      local.aws.accountId,
    ).delete(key);

    await setWeights(alice, [0], 'api-router', 'api-route');
    await local.aws.drain();

    expect(await routeWeights(admin, 'api-router', 'api-route')).toEqual([0]);
    const decision = decisionsFor(key).at(-1)?.detail as { action: string; reasons: string[] };
    expect(decision.action).toBe('report');
    expect(decision.reasons.join(' ')).toContain('no last known good');
  });

  it('reports an App Mesh write whose resource cannot be read from the record: audited, published, told, not dead-lettered', async () => {
    const event = inLocalAccount(loadEvent('appmesh/update-route'));
    const { routeName: _dropped, ...params } = event.detail.requestParameters as Record<string, unknown>;
    const unreadable = {
      ...event,
      id: crypto.randomUUID(),
      detail: { ...event.detail, eventID: crypto.randomUUID(), requestParameters: params },
    };

    const result = await local.aws.functions.invoke('mesh-change', unreadable);
    await local.aws.drain();

    expect(result).toMatchObject({ status: 'unjudgeable', action: 'report', outcome: 'no-effect' });
    const record = await audit.get(DEMO.mesh, unreadable.detail.eventTime, unreadable.detail.eventID);
    expect(record).toMatchObject({
      published: true,
      decision: { action: 'report', changeControl: 'unjudgeable', operation: 'UpdateRoute' },
    });
    expect(String(record?.decision.unjudgeable)).toContain('requestParameters.routeName');
    const published = decisions().filter(
      (e) => (e.detail as { eventId?: string }).eventId === unreadable.detail.eventID,
    );
    expect(published).toHaveLength(1);
    const told = local.aws.slack.store.messagesIn('C0MESHOPS01').messages.map((m) => JSON.stringify(m));
    expect(told.some((m) => m.includes('Reported: UpdateRoute') && m.includes('could not be judged'))).toBe(
      true,
    );
  });
});
