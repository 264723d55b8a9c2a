import { describe, expect, it } from 'vitest';
import { onAlarmStateChange } from '../../../shared/deployments/on-alarm';
import { onRouteChange } from '../../../shared/deployments/on-route-change';
import { MESHWARDEN_DETAIL_TYPES } from '../../../shared/events/patterns';
import type { AppMeshApiCallEvent } from '../../../shared/providers/appmesh/cloudtrail';
import { WriteNotReadYetError } from '../../../shared/providers/appmesh/weighted-routes';
import { ALARM_ARN, alarmEvent, type Harness, harness, routeEvent } from './fakes';

/**
 * CloudTrail does not promise order: a route's UpdateRoute can be delivered before the
 * CreateRoute that made it, two UpdateRoutes can swap, and any event can arrive after later
 * writes landed. Each record carries App Mesh's answer (the route version the call wrote);
 * whatever the order, only the write the route still holds decides, in its writer's name.
 */

const WEB = 'prod/web-router/web-route';

/** A person's call: App Mesh holds these weights from now on; its record is made now, delivered later. */
function write(h: Harness, weights: Record<string, number>, who: 'alice' | 'bob', eventName = 'UpdateRoute') {
  h.mesh.put(WEB, weights);
  return by(routeEvent(h.mesh, WEB, { eventName }), who);
}

/** The same record, made by another person of the same role. */
function by(event: AppMeshApiCallEvent, who: 'alice' | 'bob'): AppMeshApiCallEvent {
  const identity = structuredClone(event.detail.userIdentity) as { arn: string; principalId: string };
  identity.arn = identity.arn.replace(/\/alice$/, `/${who}`);
  identity.principalId = identity.principalId.replace(/:alice$/, `:${who}`);
  return { ...event, detail: { ...event.detail, userIdentity: identity as never } };
}

describe('the guard on App Mesh, with CloudTrail events out of order', () => {
  it('opens one deployment, by the updater, when an UpdateRoute arrives before the CreateRoute that made the route', async () => {
    // Prepare: alice creates the route all on web-v1, bob starts a canary.
    const h = harness();
    const create = write(h, { 'web-v1': 100, 'web-v2': 0 }, 'alice', 'CreateRoute');
    const update = write(h, { 'web-v1': 90, 'web-v2': 10 }, 'bob');

    // Act
    const opened = await onRouteChange(h.deps, update);
    const created = await onRouteChange(h.deps, create);

    // Assess
    expect(opened.outcome).toBe('opened');
    expect(created.outcome).toBe('stale');
    expect(h.store.records.get(WEB)?.lastWeights).toEqual({ 'web-v1': 90, 'web-v2': 10 });
    expect(h.store.records.get(WEB)?.deployment).toMatchObject({
      status: 'in-progress',
      stableTarget: 'web-v1',
      canaryTargets: ['web-v2'],
      startedBy: { label: 'bob' },
      openedByEventId: update.id,
    });
    expect(h.published.map((e) => e.detailType)).toEqual([MESHWARDEN_DETAIL_TYPES.deploymentOpened]);
  });

  it('does not take a late CreateRoute for the canary a later UpdateRoute started, and guards it when that arrives', async () => {
    // Prepare: by the time the CreateRoute is delivered, bob's 90/10 canary is on the route.
    const h = harness();
    const create = write(h, { 'web-v1': 100, 'web-v2': 0 }, 'alice', 'CreateRoute');
    const update = write(h, { 'web-v1': 90, 'web-v2': 10 }, 'bob');

    // Act
    const created = await onRouteChange(h.deps, create);
    const afterCreate = structuredClone(h.store.records.get(WEB));
    const updated = await onRouteChange(h.deps, update);

    // Assess: the create decided nothing (its 100/0 at version 1 is gone); bob's update opened it.
    expect(created.outcome).toBe('stale');
    expect(afterCreate).toBeUndefined();
    expect(updated.outcome).toBe('opened');
    expect(h.store.records.get(WEB)?.deployment).toMatchObject({
      status: 'in-progress',
      stableTarget: 'web-v1',
      startedBy: { label: 'bob' },
      openedByEventId: update.id,
    });
  });

  it('rolls the canary back to its stable target on ALARM though its CreateRoute was handled after its UpdateRoute landed', async () => {
    // Prepare
    const h = harness();
    const create = write(h, { 'web-v1': 100, 'web-v2': 0 }, 'alice', 'CreateRoute');
    const update = write(h, { 'web-v1': 90, 'web-v2': 10 }, 'bob');
    await onRouteChange(h.deps, create);
    await onRouteChange(h.deps, update);
    h.tags.set(ALARM_ARN, WEB);

    // Act
    const outcomes = await onAlarmStateChange(h.deps, alarmEvent());

    // Assess
    expect(outcomes.map((o) => o.result.kind)).toEqual(['rolled-back']);
    expect(h.mesh.weights(WEB)).toEqual({ 'web-v1': 100, 'web-v2': 0 });
    expect(h.store.records.get(WEB)?.deployment?.status).toBe('rolled-back');
  });

  it('lets the later of two swapped UpdateRoutes open the deployment, and the earlier change nothing', async () => {
    // Prepare: alice moves 10% to the canary, then bob 50%; CloudTrail delivers bob's first.
    const h = harness();
    await onRouteChange(h.deps, write(h, { 'web-v1': 100, 'web-v2': 0 }, 'alice', 'CreateRoute'));
    const first = write(h, { 'web-v1': 90, 'web-v2': 10 }, 'alice');
    const second = write(h, { 'web-v1': 50, 'web-v2': 50 }, 'bob');

    // Act
    await onRouteChange(h.deps, second);
    const opened = structuredClone(h.store.records.get(WEB));
    const late = await onRouteChange(h.deps, first);

    // Assess
    expect(opened?.deployment).toMatchObject({
      startedBy: { label: 'bob' },
      weightsBefore: { 'web-v1': 100, 'web-v2': 0 },
      baseline: { 'web-v1': 50, 'web-v2': 50 },
    });
    expect(late.outcome).toBe('stale');
    expect(h.store.records.get(WEB)).toEqual(opened);
    expect(h.published.map((e) => e.detailType)).toEqual([MESHWARDEN_DETAIL_TYPES.deploymentOpened]);
  });

  it('does not let an UpdateRoute delivered after a later one landed open the deployment in its name', async () => {
    // Prepare: both writes are on App Mesh before either event is delivered, in order.
    const h = harness();
    await onRouteChange(h.deps, write(h, { 'web-v1': 100, 'web-v2': 0 }, 'alice', 'CreateRoute'));
    const first = write(h, { 'web-v1': 90, 'web-v2': 10 }, 'alice');
    const second = write(h, { 'web-v1': 90, 'web-v2': 10 }, 'bob');

    // Act
    const stale = await onRouteChange(h.deps, first);
    const afterStale = structuredClone(h.store.records.get(WEB));
    await onRouteChange(h.deps, second);

    // Assess: the same weights, but the route holds bob's write (version 3): bob's event opens it.
    expect(stale.outcome).toBe('stale');
    expect(afterStale?.lastWeights).toEqual({ 'web-v1': 100, 'web-v2': 0 });
    expect(afterStale?.deployment).toBeUndefined();
    expect(h.store.records.get(WEB)?.deployment).toMatchObject({
      startedBy: { label: 'bob' },
      openedByEventId: second.id,
      weightsBefore: { 'web-v1': 100, 'web-v2': 0 },
    });
  });

  it("does not take a person's canary for a restore of its own when meshwarden's earlier write is delivered late", async () => {
    // Prepare: meshwarden writes 100/0 (change control restoring it), then bob starts a canary;
    // meshwarden's event is delivered after bob's write landed.
    const h = harness();
    await onRouteChange(h.deps, write(h, { 'web-v1': 100, 'web-v2': 0 }, 'alice', 'CreateRoute'));
    h.mesh.put(WEB, { 'web-v1': 100, 'web-v2': 0 });
    const own = routeEvent(h.mesh, WEB, { self: true });
    const person = write(h, { 'web-v1': 80, 'web-v2': 20 }, 'bob');

    // Act
    const late = await onRouteChange(h.deps, own);
    await onRouteChange(h.deps, person);

    // Assess
    expect(late.outcome).toBe('stale');
    expect(h.store.records.get(WEB)?.deployment).toMatchObject({
      status: 'in-progress',
      startedBy: { label: 'bob' },
      openedByEventId: person.id,
    });
  });

  it('does not take the write of a deleted route for the same version of the route created again under its name', async () => {
    // Prepare: alice's route is deleted and bob creates it again; both reach version 2 at 90/10.
    const h = harness();
    await onRouteChange(h.deps, write(h, { 'web-v1': 100, 'web-v2': 0 }, 'alice', 'CreateRoute'));
    const earlier = write(h, { 'web-v1': 90, 'web-v2': 10 }, 'alice');
    h.mesh.routes.delete(WEB);
    await onRouteChange(h.deps, write(h, { 'web-v1': 100, 'web-v2': 0 }, 'bob', 'CreateRoute'));
    const later = write(h, { 'web-v1': 90, 'web-v2': 10 }, 'bob');

    // Act
    const stale = await onRouteChange(h.deps, earlier);
    const opened = await onRouteChange(h.deps, later);

    // Assess
    expect(stale.outcome).toBe('stale');
    expect(opened.outcome).toBe('opened');
    expect(h.store.records.get(WEB)?.deployment?.startedBy.label).toBe('bob');
  });

  it('hands an event back for a retry, recording nothing, while the route does not show its write yet', async () => {
    // Prepare: the record answers version 3; the route as read is still at version 2.
    const h = harness();
    await onRouteChange(h.deps, write(h, { 'web-v1': 100, 'web-v2': 0 }, 'alice', 'CreateRoute'));
    h.mesh.put(WEB, { 'web-v1': 90, 'web-v2': 10 });
    const ahead = write(h, { 'web-v1': 80, 'web-v2': 20 }, 'bob');
    const answered = ahead.detail.responseElements as { route: { metadata: { version: number } } };
    answered.route.metadata.version += 1;
    const before = structuredClone(h.store.records.get(WEB));

    // Act
    const result = await onRouteChange(h.deps, ahead).catch((e: unknown) => e);

    // Assess
    expect(result).toBeInstanceOf(WriteNotReadYetError);
    expect(String(result)).toMatch(/reads at version 3, before the version 4 its call wrote/);
    expect(h.store.records.get(WEB)).toEqual(before);
  });

  it('judges a record without App Mesh’s answer on the route as read, as before', async () => {
    // Prepare: a record whose answer is missing (older or trimmed records).
    const h = harness();
    await onRouteChange(h.deps, write(h, { 'web-v1': 100, 'web-v2': 0 }, 'alice', 'CreateRoute'));
    const update = write(h, { 'web-v1': 90, 'web-v2': 10 }, 'bob');
    h.mesh.put(WEB, { 'web-v1': 80, 'web-v2': 20 });

    // Act
    const result = await onRouteChange(h.deps, {
      ...update,
      detail: { ...update.detail, responseElements: null },
    });

    // Assess
    expect(result.outcome).toBe('opened');
    expect(h.store.records.get(WEB)?.lastWeights).toEqual({ 'web-v1': 80, 'web-v2': 20 });
  });
});
