/**
 * The mesh state one event is judged against: the cached state of the mesh with the changed
 * resource described fresh, or, when the cache is cold, a whole read of the mesh that then
 * fills the cache. Reading the whole mesh per event costs a list page per kind plus a Describe
 * and a ListTags per resource (thousands of calls on a large mesh, and App Mesh throttling);
 * the cache makes it one Query plus one Describe.
 */

import { mapBounded } from '../bounded-map';
import { formatResourceKey, parseResourceKey, type ResourceRef } from '../domain/resource-key';
import { type MeshSnapshot, type SNAPSHOT_MEMBER, sortByKey } from '../domain/snapshot';
import { NotFoundError } from '../errors';
import { buildMeshIndex, gatewayRouteTargetOf, type MeshIndex, routeShapeOf } from '../policy/mesh-index';
import type { MeshProvider, MeshSnapshotStore, MeshStateStore } from '../ports';
import { isResourceOfKind, type MeshResource, type MeshResourceOf } from '../providers/appmesh/model';

/** The state an event is judged against. */
export interface MeshStateRead {
  /** The mesh indexed for judging; undefined when the mesh does not exist. */
  readonly index: MeshIndex | undefined;
  /** The changed resource as it is now (undefined when it does not exist). */
  readonly current: MeshResource | undefined;
  /** Where the neighbours came from: the cache, the audit's verified snapshot, or a whole read. */
  readonly source: 'cache' | 'snapshot' | 'provider';
  /** The changed resource as cached before this event (its incarnation, for a conditional forget). */
  readonly cached: MeshResource | undefined;
}

/**
 * A snapshot from resources of one mesh, or undefined without the mesh resource itself (a
 * partial cache is treated as cold).
 */
export function snapshotFrom(
  meshName: string,
  resources: readonly MeshResource[],
  takenAt: string,
): MeshSnapshot | undefined {
  const mesh = resources.find((r) => r.kind === 'mesh' && r.meshName === meshName);
  if (mesh === undefined || mesh.kind !== 'mesh') return undefined;
  const ofKind = <K extends keyof typeof SNAPSHOT_MEMBER>(kind: K): MeshResourceOf<K>[] =>
    sortByKey(
      resources.filter(
        (r): r is MeshResource & MeshResourceOf<K> => isResourceOfKind(r, kind) && r.meshName === meshName,
      ),
    );
  return {
    meshName,
    takenAt,
    mesh,
    virtualNodes: ofKind('virtual-node'),
    virtualServices: ofKind('virtual-service'),
    virtualRouters: ofKind('virtual-router'),
    routes: ofKind('route'),
    virtualGateways: ofKind('virtual-gateway'),
    gatewayRoutes: ofKind('gateway-route'),
  };
}

/** Describe one resource as the union type (the provider's generic signature keeps K open). */
export async function describeResource(
  meshes: Pick<MeshProvider, 'describe'>,
  ref: ResourceRef,
): Promise<MeshResource | undefined> {
  return (await meshes.describe(ref)) as MeshResource | undefined;
}

/**
 * What the resource names and the consistency rules require to exist: a route's router and
 * target nodes, a gateway route's gateway and target service, a service's provider, a node's
 * backends.
 */
export function referencesOf(resource: MeshResource): ResourceRef[] {
  const { meshName } = resource;
  const node = (name: string): ResourceRef => ({ kind: 'virtual-node', meshName, name });
  const service = (name: string): ResourceRef => ({ kind: 'virtual-service', meshName, name });
  switch (resource.kind) {
    case 'route':
      return [
        { kind: 'virtual-router', meshName, name: resource.parentName ?? '' },
        ...(routeShapeOf(resource.spec)?.weightedTargets ?? []).map((t) => node(t.virtualNode)),
      ];
    case 'gateway-route': {
      const target = gatewayRouteTargetOf(resource);
      return [
        { kind: 'virtual-gateway', meshName, name: resource.parentName ?? '' },
        ...(target === undefined ? [] : [service(target)]),
      ];
    }
    case 'virtual-service': {
      const provider = resource.spec.provider;
      if (provider === undefined) return [];
      return 'virtualNode' in provider
        ? [node(provider.virtualNode.virtualNodeName)]
        : [{ kind: 'virtual-router', meshName, name: provider.virtualRouter.virtualRouterName }];
    }
    case 'virtual-node':
      return (resource.spec.backends ?? []).map((b) => service(b.virtualService.virtualServiceName));
    default:
      return [];
  }
}

const REFERENCE_READS = 4;

/**
 * Describe the references of `resource` the cache does not hold. A resource created just
 * before the one that names it (a router, then its route) is usually not cached yet when the
 * second event is judged; judging against the cache alone would call it missing and revert a
 * valid change. Costs nothing when every reference is cached.
 */
async function missingReferences(
  meshes: MeshProvider,
  resource: MeshResource,
  cachedKeys: ReadonlySet<string>,
): Promise<MeshResource[]> {
  const wanted = new Map<string, ResourceRef>();
  for (const ref of referencesOf(resource)) {
    if (ref.name === '') continue;
    const key = formatResourceKey(ref);
    if (!cachedKeys.has(key)) wanted.set(key, ref);
  }
  const found = await mapBounded([...wanted.values()], REFERENCE_READS, (ref) =>
    describeResource(meshes, ref),
  );
  return found.filter((r): r is MeshResource => r !== undefined);
}

async function readWhole(meshes: MeshProvider, meshName: string): Promise<MeshSnapshot | undefined> {
  try {
    return await meshes.readMesh(meshName);
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

async function coldRead(
  meshes: MeshProvider,
  store: Pick<MeshStateStore, 'fill'> | undefined,
  ref: ResourceRef,
): Promise<MeshStateRead> {
  const snapshot = await readWhole(meshes, ref.meshName);
  if (snapshot === undefined)
    return { index: undefined, current: undefined, source: 'provider', cached: undefined };
  // BatchWriteItem takes no conditions: an event judged while this read ran may have cached a
  // newer state that this fill overwrites. Rare (cold caches only) and bounded like any
  // staleness: the resource's next event or the audit rewrites it.
  await store?.fill(snapshot);
  const index = buildMeshIndex(snapshot);
  return { index, current: index.get(ref), source: 'provider', cached: undefined };
}

/**
 * How old an audit snapshot may be and still stand in for a cold cache: one audit period (the
 * audit runs daily) and an hour's slack. Older, the audit has missed a run, and the neighbours
 * it holds are staler than a warm cache's ever are; the mesh is read whole instead.
 */
export const SNAPSHOT_MAX_AGE_MS = 25 * 60 * 60 * 1000;
/**
 * A change mark this long before the snapshot was taken still counts as after it: marks and
 * snapshots are stamped by different functions' clocks.
 */
const CLOCK_SLACK_MS = 5 * 60 * 1000;
/** More neighbours than this changed since the snapshot: it is too far behind; read whole. */
const STALE_NEIGHBOUR_READS = 8;

/**
 * On a cold cache, the audit's snapshot instead of a whole read, when it is safe: verified
 * (the store checks it whole), no older than {@link SNAPSHOT_MAX_AGE_MS}, and with every
 * neighbour marked changed since it was taken described fresh, like the changed resource.
 * What remains from the snapshot is what the warm cache would hold: each resource's state as
 * of its last judged event or the last audit. Undefined when the snapshot cannot be used.
 */
async function snapshotRead(
  meshes: MeshProvider,
  store: Pick<MeshStateStore, 'fill'>,
  snapshots: Pick<MeshSnapshotStore, 'load'>,
  ref: ResourceRef,
  now: Date,
  fresh: Promise<MeshResource | undefined> = describeResource(meshes, ref),
): Promise<MeshStateRead | undefined> {
  const stored = await snapshots.load(ref.meshName);
  if (stored === undefined) return undefined;
  const takenAt = Date.parse(stored.takenAt);
  if (!(now.getTime() - takenAt <= SNAPSHOT_MAX_AGE_MS)) return undefined;
  const key = formatResourceKey(ref);
  const movedOn = new Set(
    [...stored.changes.entries()]
      .filter(([k, at]) => k !== key && Date.parse(at) >= takenAt - CLOCK_SLACK_MS)
      .map(([k]) => k),
  );
  if (movedOn.size > STALE_NEIGHBOUR_READS) return undefined;
  // Marked resources the snapshot does not hold were created since it was taken: read too.
  let stale: ResourceRef[];
  try {
    stale = [...movedOn].map((k) => parseResourceKey(k));
  } catch {
    return undefined; // a mark that names no resource: the snapshot is not trusted
  }
  const [current, refreshed] = await Promise.all([
    fresh,
    mapBounded(stale, REFERENCE_READS, (r) => describeResource(meshes, r)),
  ]);
  if (current === undefined) {
    const meshGone =
      ref.kind === 'mesh' ||
      (await meshes.describe({ kind: 'mesh', meshName: ref.meshName, name: ref.meshName })) === undefined;
    if (meshGone) return { index: undefined, current: undefined, source: 'snapshot', cached: undefined };
  }
  const others = [
    ...stored.resources.filter((r) => {
      const k = formatResourceKey(r);
      return k !== key && !movedOn.has(k);
    }),
    ...refreshed.filter((r): r is MeshResource => r !== undefined),
  ];
  const referenced =
    current === undefined
      ? []
      : await missingReferences(meshes, current, new Set(others.map((r) => formatResourceKey(r))));
  const snapshot = snapshotFrom(
    ref.meshName,
    current === undefined ? [...others, ...referenced] : [...others, ...referenced, current],
    now.toISOString(),
  );
  if (snapshot === undefined) return undefined;
  // The cache is filled as from a whole read, so the mesh's next event finds it warm.
  await store.fill(snapshot);
  return { index: buildMeshIndex(snapshot), current, source: 'snapshot', cached: undefined };
}

/**
 * Read the state to judge a change of `ref` against. Without a store (the read-only CLI) or
 * with a cold cache, the whole mesh is read from the provider; a cold cache is filled from it.
 *
 * Staleness, decided here: only the changed resource is described fresh, because it is what
 * is judged. A neighbour that changed but whose own event is not processed yet is seen as of
 * its last judged or audited state. That is safe to accept: its own event judges it against
 * the fresh state of everything it touches (including this resource, written to the cache
 * after this judgement), and the scheduled audit reads every mesh whole and refreshes the
 * cache completely, so a neighbour's staleness is bounded by its own event or the next audit.
 */
export async function readMeshState(
  meshes: MeshProvider,
  store: Pick<MeshStateStore, 'load' | 'fill'> | undefined,
  ref: ResourceRef,
  now: Date,
  snapshots?: Pick<MeshSnapshotStore, 'load'>,
): Promise<MeshStateRead> {
  if (store === undefined) return coldRead(meshes, undefined, ref);
  // With snapshots, the changed resource is read in every path but the rare whole read (where
  // it is one call among dozens), so it is read alongside the cache rather than after it.
  const fresh = snapshots === undefined ? undefined : describeResource(meshes, ref);
  fresh?.catch(() => undefined);
  const cachedResources = await store.load(ref.meshName);
  const key = formatResourceKey(ref);
  if (!cachedResources.some((r) => r.kind === 'mesh' && r.meshName === ref.meshName)) {
    const fromSnapshot =
      snapshots === undefined ? undefined : await snapshotRead(meshes, store, snapshots, ref, now, fresh);
    return fromSnapshot ?? coldRead(meshes, store, ref);
  }
  const cached = cachedResources.find((r) => formatResourceKey(r) === key);
  const current = await (fresh ?? describeResource(meshes, ref));
  if (current === undefined) {
    // Gone: either the resource or its whole mesh. Only a mesh that still exists has
    // neighbours to judge against (describing the mesh costs one call, on deletes only).
    const meshGone =
      ref.kind === 'mesh' ||
      (await meshes.describe({ kind: 'mesh', meshName: ref.meshName, name: ref.meshName })) === undefined;
    if (meshGone) return { index: undefined, current: undefined, source: 'cache', cached };
  }
  const others = cachedResources.filter((r) => formatResourceKey(r) !== key);
  const referenced =
    current === undefined
      ? []
      : await missingReferences(meshes, current, new Set(others.map((r) => formatResourceKey(r))));
  const snapshot = snapshotFrom(
    ref.meshName,
    current === undefined ? [...others, ...referenced] : [...others, ...referenced, current],
    now.toISOString(),
  );
  return {
    index: snapshot === undefined ? undefined : buildMeshIndex(snapshot),
    current,
    source: 'cache',
    cached,
  };
}

/**
 * Write the changed resource's state to the cache after judging (and after any effect): the
 * state now, or forget it when it is gone. The store's conditional writes keep a newer state
 * written meanwhile by a later event.
 */
export async function recordMeshState(
  store: Pick<MeshStateStore, 'put' | 'remove'>,
  ref: ResourceRef,
  now: MeshResource | undefined,
  formerUid: string | undefined,
): Promise<void> {
  if (now === undefined) await store.remove(ref, formerUid);
  else await store.put(now);
}
