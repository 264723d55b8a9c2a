import { describe, expect, it } from 'vitest';
import { weightHistoryOf } from '../../../shared/console-api/views';
import { promoteDeployment, rollbackDeployment } from '../../../shared/deployments/commands';
import type { Deployment, RouteRecord } from '../../../shared/deployments/model';
import { onRouteChange } from '../../../shared/deployments/on-route-change';
import { harness, routeEvent } from '../deployments/fakes';

const WEB = 'prod/web-router/web-route';

describe('a deployment’s weight history from the weights its notes record', () => {
  it('follows open, promote and rollback, although the promotion’s text names no weights', async () => {
    // Prepare: a route seen at 90/10, then alice moves it to 80/20
    const h = harness();
    h.mesh.put(WEB, { 'web-v1': 90, 'web-v2': 10 });
    await onRouteChange(h.deps, routeEvent(h.mesh, WEB, { eventName: 'CreateRoute' }));
    h.mesh.put(WEB, { 'web-v1': 80, 'web-v2': 20 });
    await onRouteChange(h.deps, routeEvent(h.mesh, WEB));

    // Act: omar promotes, then rolls back within the window
    await promoteDeployment(h.deps, WEB, 'omar');
    await rollbackDeployment(h.deps, WEB, 'omar', 'errors after promotion');
    const record = h.store.records.get(WEB) as RouteRecord & { deployment: Deployment };

    // Assess
    const d = record.deployment;
    expect(d.weightsInNotes).toBe(true);
    expect(d.notes.find((n) => n.text.startsWith('Promoted to 100% by omar'))?.weights).toEqual({
      'web-v1': 0,
      'web-v2': 100,
    });
    expect(d.notes.find((n) => n.text.startsWith('Rolling back'))?.weights).toBeUndefined();
    expect(weightHistoryOf(d, record).map((p) => p.weights)).toEqual([
      { 'web-v1': 90, 'web-v2': 10 },
      { 'web-v1': 80, 'web-v2': 20 },
      { 'web-v1': 0, 'web-v2': 100 },
      { 'web-v1': 100, 'web-v2': 0 },
    ]);
  });

  it('takes only the recorded weights of a deployment that records them, whatever the text says', () => {
    const history = weightHistoryOf(
      deploymentWith(true, [
        { at: '2026-12-06T10:00:00Z', text: 'Opened by admin', weights: { 'web-v1': 80, 'web-v2': 20 } },
        // Names weights the route did not take: the raced write's text, a stop at the current weights.
        { at: '2026-12-06T10:02:00Z', text: 'Automatic steps stopped at web-v1 50 / web-v2 50' },
        {
          at: '2026-12-06T10:05:00Z',
          text: 'Rolled back: web-v1 70 / web-v2 30 -> web-v1 90 / web-v2 10',
          weights: { 'web-v1': 100, 'web-v2': 0 },
        },
      ]),
      { lastWeights: undefined, observedAt: '2026-12-06T10:05:00Z' },
    );
    expect(history).toEqual([
      { at: '2026-12-06T09:59:00Z', weights: { 'web-v1': 90, 'web-v2': 10 } },
      { at: '2026-12-06T10:00:00Z', weights: { 'web-v1': 80, 'web-v2': 20 } },
      { at: '2026-12-06T10:05:00Z', weights: { 'web-v1': 100, 'web-v2': 0 } },
    ]);
  });

  it('reads a record written before notes carried weights from the notes’ text', () => {
    const history = weightHistoryOf(
      deploymentWith(undefined, [
        {
          at: '2026-12-06T10:00:00Z',
          text: 'Opened by admin: web-v1 90 / web-v2 10 -> web-v1 80 / web-v2 20',
        },
        { at: '2026-12-06T10:05:00Z', text: 'Rolled back: web-v1 80 / web-v2 20 -> web-v1 100 / web-v2 0' },
      ]),
      { lastWeights: undefined, observedAt: '2026-12-06T10:05:00Z' },
    );
    expect(history.map((p) => p.weights)).toEqual([
      { 'web-v1': 90, 'web-v2': 10 },
      { 'web-v1': 80, 'web-v2': 20 },
      { 'web-v1': 100, 'web-v2': 0 },
    ]);
  });
});

function deploymentWith(weightsInNotes: true | undefined, notes: Deployment['notes']): Deployment {
  return {
    deploymentId: 'd1',
    status: 'rolled-back',
    stableTarget: 'web-v1',
    stableSource: 'most-weight-before',
    canaryTargets: ['web-v2'],
    weightsBefore: { 'web-v1': 90, 'web-v2': 10 },
    baseline: { 'web-v1': 80, 'web-v2': 20 },
    startedBy: { arn: 'arn:aws:iam::123456789012:user/admin', label: 'admin' },
    startedAt: '2026-12-06T09:59:00Z',
    openedByEventId: 'e1',
    updatedAt: '2026-12-06T10:05:00Z',
    notes,
    ...(weightsInNotes === undefined ? {} : { weightsInNotes }),
  };
}
