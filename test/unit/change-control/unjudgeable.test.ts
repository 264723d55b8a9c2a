import { describe, expect, it } from 'vitest';
import { judgeChange } from '../../../shared/change-control/judge-change';
import type { ChatNotifier, Notification } from '../../../shared/ports';
import { appMeshEvent, routeSpec, WEB_ROUTE, world } from './scenario';

class RecordingNotifier implements ChatNotifier {
  readonly sent: Notification[] = [];
  async notify(notification: Notification) {
    this.sent.push(notification);
  }
}

describe('judgeChange: nothing escapes judgment', () => {
  it('reports a call whose resource cannot be read from requestParameters, audit first, never dead-letters it', async () => {
    const w = await world();
    const notifier = new RecordingNotifier();
    const event = appMeshEvent({
      who: 'bob',
      eventName: 'UpdateRoute',
      requestParameters: { meshName: 'prod', virtualRouterName: 'web-router' },
    });

    const result = await judgeChange({ ...w.deps, notifier }, event);

    expect(result).toMatchObject({ status: 'unjudgeable', action: 'report', outcome: 'no-effect' });
    expect(result.reason).toContain('detail.requestParameters.routeName');
    expect(w.audit.puts[0]).toMatchObject({
      meshName: 'prod',
      published: false,
      decision: { action: 'report', changeControl: 'unjudgeable' },
    });
    const [decision] = w.publisher.ofType('GovernanceDecision');
    expect(decision?.detail).toMatchObject({
      action: 'report',
      operation: 'UpdateRoute',
      changeControl: 'unjudgeable',
      reasons: [expect.stringContaining('could not be judged')],
    });
    expect(notifier.sent).toHaveLength(1);
    expect(notifier.sent[0]?.title).toContain('Reported: UpdateRoute');
    expect(w.meshes.writes()).toEqual([]);
  });

  it('reports an App Mesh write it does not know (a new operation) rather than refusing it', async () => {
    const w = await world();
    const event = appMeshEvent({
      who: 'bob',
      eventName: 'UpdateMeshPolicy',
      requestParameters: { meshName: 'prod' },
    });

    const result = await judgeChange(w.deps, event);

    expect(result).toMatchObject({ status: 'unjudgeable', action: 'report' });
    expect(w.publisher.ofType('GovernanceDecision')).toHaveLength(1);
  });

  it('reports a change whose judging fails for good (DynamoDB refuses the item), instead of dead-lettering it', async () => {
    const w = await world();
    w.meshes.put({
      kind: 'route',
      meshName: 'prod',
      parentName: 'web-router',
      name: 'web-route',
      spec: routeSpec([80, 20]),
    });
    w.lkg.put = async () => {
      throw Object.assign(new Error('Item size has exceeded the maximum allowed size'), {
        name: 'ValidationException',
      });
    };

    const result = await judgeChange(
      w.deps,
      appMeshEvent({ who: 'admin', eventName: 'UpdateRoute', requestParameters: WEB_ROUTE }),
    );

    expect(result).toMatchObject({ status: 'unjudgeable', action: 'report' });
    expect(result.reason).toContain('Item size has exceeded');
    expect(w.publisher.ofType('GovernanceDecision').at(-1)?.detail).toMatchObject({
      action: 'report',
      changeControl: 'unjudgeable',
    });
  });

  it('still rethrows a transient failure so EventBridge retries it', async () => {
    const w = await world();
    w.meshes.put({
      kind: 'route',
      meshName: 'prod',
      parentName: 'web-router',
      name: 'web-route',
      spec: routeSpec([80, 20]),
    });
    w.lkg.put = async () => {
      throw Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' });
    };

    await expect(
      judgeChange(
        w.deps,
        appMeshEvent({ who: 'admin', eventName: 'UpdateRoute', requestParameters: WEB_ROUTE }),
      ),
    ).rejects.toThrow('slow down');
  });

  it("skips an unparseable record of meshwarden's own role (the loop guard holds)", async () => {
    const w = await world();

    const result = await judgeChange(
      w.deps,
      appMeshEvent({ who: 'meshwarden', eventName: 'UpdateRoute', requestParameters: { meshName: 'prod' } }),
    );

    expect(result.status).toBe('skipped');
    expect(w.publisher.published).toEqual([]);
  });
});
