import { RESOURCE_KINDS, type ResourceKind } from '../domain/resource-key';
import { snapshotResources } from '../domain/snapshot';
import { NotFoundError } from '../errors';
import type { EventPublisher, MeshProvider } from '../ports';

/** What one mesh holds at one moment: counts per kind, and each resource's version. */
export interface MeshInventory {
  readonly meshName: string;
  readonly takenAt: string;
  /** `found` unless the governed mesh does not exist in this account and region. */
  readonly status: 'found' | 'not-found';
  readonly counts: Readonly<Record<ResourceKind, number>>;
}

export interface InventoryDeps {
  readonly meshes: MeshProvider;
  readonly publisher: EventPublisher;
}

/** `detail-type` of the event published for each mesh. */
export const MESH_INVENTORY_TAKEN = 'MeshInventoryTaken';

function emptyCounts(): Record<ResourceKind, number> {
  return Object.fromEntries(RESOURCE_KINDS.map((kind) => [kind, 0])) as Record<ResourceKind, number>;
}

/**
 * Read every governed mesh whole and publish what it holds. A governed mesh that does not
 * exist is reported, not an error: it is a configuration a person must fix, and the other
 * meshes are still inventoried. Any other failure propagates, so the run is retried.
 */
export async function takeInventory(
  deps: InventoryDeps,
  meshNames: readonly string[],
): Promise<MeshInventory[]> {
  const inventories: MeshInventory[] = [];
  for (const meshName of meshNames) {
    const counts = emptyCounts();
    try {
      const snapshot = await deps.meshes.readMesh(meshName);
      for (const resource of snapshotResources(snapshot)) counts[resource.kind] += 1;
      inventories.push({ meshName, takenAt: snapshot.takenAt, status: 'found', counts });
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      inventories.push({ meshName, takenAt: new Date().toISOString(), status: 'not-found', counts });
    }
  }
  await deps.publisher.publish(
    inventories.map((inventory) => ({ detailType: MESH_INVENTORY_TAKEN, detail: { ...inventory } })),
  );
  return inventories;
}
