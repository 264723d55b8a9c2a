/**
 * meshwarden's own verified writes become last known good. A rollback, an approved re-apply,
 * a progressive step or a certificate delivery is the state meshwarden produced on purpose;
 * if change control then reverted someone's later change to anything older, it would undo
 * that write (a revert could send weight back to a canary whose alarm is firing).
 *
 * The record is made by the writer, right after the provider confirmed the write, rather
 * than from the CloudTrail event of the write: that event may arrive after a person's next
 * change, which would then be judged against a stale last known good.
 *
 * Only what meshwarden changed is taken (the leaves where the written spec differs from the
 * spec it read, `basedOn`): a rollback rewrites the weights of whatever the route holds, and
 * the rest of it may be a person's change whose judgment is still on its way. Blessing it
 * whole would let a late revert find nothing to undo.
 */

import { formatResourceKey, type ResourceKind } from '../domain/resource-key';
import type { LastKnownGood, LastKnownGoodStore, MeshProvider, MeshWriteOptions, OwnWrite } from '../ports';
import type { MeshResource, MeshResourceOf, Tags } from '../providers/appmesh/model';
import { refFromAppMeshArn } from './change';
import { restoreChangedLeaves } from './revert-plan';

/** The last known good after an own update, or undefined when there is nothing to build on. */
function afterUpdate(
  prev: LastKnownGood | undefined,
  written: MeshResource,
  options: MeshWriteOptions & { ownWrite: OwnWrite },
): { resource: MeshResource; version: number } | undefined {
  const version = written.metadata?.version ?? 0;
  // An update never writes tags, whatever the resource passed in carries: keep the known good ones.
  const tags = prev?.resource.tags;
  const withTags = (r: MeshResource) => ({ ...r, ...(tags === undefined ? {} : { tags }) }) as MeshResource;
  if (options.basedOn === undefined) return { resource: withTags(written), version };
  // Nothing of this resource was ever judged good: the part meshwarden did not write is unjudged.
  if (prev === undefined) return undefined;
  const spec = restoreChangedLeaves(written.spec, options.basedOn, prev.resource.spec);
  const sameIncarnation = prev.resource.metadata?.uid === written.metadata?.uid;
  if (sameIncarnation || options.ownWrite.purpose === 'revert') {
    return { resource: withTags({ ...written, spec } as MeshResource), version };
  }
  // A write onto a recreated resource whose replacement is not judged yet: keep the earlier
  // incarnation's identity, so change control still sees the create as a replace.
  return { resource: { ...prev.resource, spec } as MeshResource, version: prev.version };
}

function recordOf(
  resourceKey: string,
  after: { resource: MeshResource; version: number },
  ownWrite: OwnWrite,
  now: () => Date,
): LastKnownGood {
  return {
    resourceKey,
    resource: after.resource,
    version: after.version,
    eventId: ownWrite.cause,
    recordedAt: now().toISOString(),
    source: 'own-write',
    ownWrite,
  };
}

/**
 * After an own tag write, last known good holds the tags it wrote (an approved tag change, a
 * restored tag); the spec and version stay, since a tag call changes neither.
 */
async function recordTags(
  store: LastKnownGoodStore,
  arn: string,
  change: (known: Tags) => Tags,
  ownWrite: OwnWrite,
  now: () => Date,
): Promise<void> {
  const ref = refFromAppMeshArn(arn);
  if (ref === undefined) return;
  const key = formatResourceKey(ref);
  const prev = await store.get(key);
  // Without a judged spec there is nothing to attach the tags to.
  if (prev === undefined) return;
  const resource = { ...prev.resource, tags: change(prev.resource.tags ?? {}) } as MeshResource;
  await store.put(recordOf(key, { resource, version: prev.version }, ownWrite, now));
}

/**
 * The provider, with every write that carries `ownWrite` recorded as the resource's last
 * known good once the provider returned it. Writes without `ownWrite` pass through unrecorded.
 */
export function recordingOwnWrites(
  meshes: MeshProvider,
  store: LastKnownGoodStore,
  now: () => Date = () => new Date(),
): MeshProvider {
  return {
    readMesh: (meshName) => meshes.readMesh(meshName),
    describe: (ref) => meshes.describe(ref),
    delete: (ref) => meshes.delete(ref),
    listTags: (arn) => meshes.listTags(arn),
    async tagResource(arn, tags, options) {
      await meshes.tagResource(arn, tags);
      if (options?.ownWrite !== undefined)
        await recordTags(store, arn, (known) => ({ ...known, ...tags }), options.ownWrite, now);
    },
    async untagResource(arn, keys, options) {
      await meshes.untagResource(arn, keys);
      const drop = (known: Tags) =>
        Object.fromEntries(Object.entries(known).filter(([k]) => !keys.includes(k)));
      if (options?.ownWrite !== undefined) await recordTags(store, arn, drop, options.ownWrite, now);
    },
    async update<K extends ResourceKind>(resource: MeshResourceOf<K>, options: MeshWriteOptions) {
      const written = await meshes.update(resource, options);
      const ownWrite = options.ownWrite;
      if (ownWrite !== undefined) {
        const key = formatResourceKey(written);
        const after = afterUpdate(await store.get(key), written as MeshResource, { ...options, ownWrite });
        if (after !== undefined) await store.put(recordOf(key, after, ownWrite, now));
      }
      return written;
    },
    async create<K extends ResourceKind>(resource: MeshResourceOf<K>, options: MeshWriteOptions) {
      const written = await meshes.create(resource, options);
      const ownWrite = options.ownWrite;
      if (ownWrite !== undefined) {
        const created = {
          ...written,
          ...(resource.tags === undefined ? {} : { tags: resource.tags }),
        } as MeshResource;
        const version = written.metadata?.version ?? 0;
        await store.put(recordOf(formatResourceKey(written), { resource: created, version }, ownWrite, now));
      }
      return written;
    },
  };
}
