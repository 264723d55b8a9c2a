import { describe, expect, it } from 'vitest';
import { MeshwardenError, NotFoundError } from '../../../shared/errors';
import { MESH_INVENTORY_TAKEN, takeInventory } from '../../../shared/inventory/take-inventory';
import type { DomainEvent, EventPublisher, MeshProvider } from '../../../shared/ports';
import { sampleSnapshot } from '../../support/mesh-samples';

class RecordingPublisher implements EventPublisher {
  readonly published: DomainEvent[] = [];
  async publish(events: readonly DomainEvent[]): Promise<void> {
    this.published.push(...events);
  }
}

/** A provider that knows one mesh, the rich sample, and fails for `broken`. */
function provider(): MeshProvider {
  const unused = () => Promise.reject(new Error('not used by the inventory'));
  return {
    readMesh: async (meshName) => {
      if (meshName === 'prod') return sampleSnapshot();
      if (meshName === 'broken') throw new MeshwardenError('App Mesh answered 500');
      throw new NotFoundError(`mesh ${meshName} not found`);
    },
    describe: unused,
    create: unused,
    update: unused,
    delete: unused,
    listTags: unused,
    tagResource: unused,
    untagResource: unused,
  };
}

describe('takeInventory', () => {
  it('counts every kind of a mesh and publishes one event per mesh', async () => {
    const publisher = new RecordingPublisher();
    const snapshot = sampleSnapshot();

    const [prod, missing] = await takeInventory({ meshes: provider(), publisher }, ['prod', 'staging']);

    expect(prod).toEqual({
      meshName: 'prod',
      takenAt: snapshot.takenAt,
      status: 'found',
      counts: {
        mesh: 1,
        'virtual-node': snapshot.virtualNodes.length,
        'virtual-service': snapshot.virtualServices.length,
        'virtual-router': snapshot.virtualRouters.length,
        route: snapshot.routes.length,
        'virtual-gateway': snapshot.virtualGateways.length,
        'gateway-route': snapshot.gatewayRoutes.length,
      },
    });
    expect(missing).toMatchObject({ meshName: 'staging', status: 'not-found', counts: { mesh: 0 } });
    expect(publisher.published.map((e) => [e.detailType, e.detail.meshName])).toEqual([
      [MESH_INVENTORY_TAKEN, 'prod'],
      [MESH_INVENTORY_TAKEN, 'staging'],
    ]);
  });

  it('propagates a provider failure and publishes nothing half-done', async () => {
    const publisher = new RecordingPublisher();
    await expect(takeInventory({ meshes: provider(), publisher }, ['prod', 'broken'])).rejects.toThrow(
      'App Mesh answered 500',
    );
    expect(publisher.published).toEqual([]);
  });
});
