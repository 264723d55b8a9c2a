/**
 * meshwarden's own verified writes become last known good. A rollback, an approved re-apply,
 * a progressive step or a certificate delivery is the state meshwarden produced on purpose;
 * if change control then reverted someone's later change to anything older, it would undo
 * that write (a revert could send weight back to a canary whose alarm is firing).
 *
 * The record is made by the writer, right after the provider confirmed the write, rather
 * than from the CloudTrail event of the write: that event may arrive after a person's next
 * change, which would then be judged against a stale last known good.
 */
import type { MeshResource, MeshResourceOf } from '../domain/mesh';
import { formatResourceKey, type ResourceKind } from '../domain/resource-key';
import type { LastKnownGoodStore, MeshProvider, MeshWriteOptions, OwnWrite } from '../ports';

async function record(
  store: LastKnownGoodStore,
  written: MeshResource,
  tags: MeshResource['tags'] | 'unknown',
  ownWrite: OwnWrite,
  now: () => Date,
): Promise<void> {
  const resourceKey = formatResourceKey(written);
  // An update leaves tags alone and returns none: keep the tags last known good had.
  const kept = tags === 'unknown' ? (await store.get(resourceKey))?.resource.tags : tags;
  await store.put({
    resourceKey,
    resource: { ...written, ...(kept === undefined ? {} : { tags: kept }) } as MeshResource,
    version: written.metadata?.version ?? 0,
    eventId: ownWrite.cause,
    recordedAt: now().toISOString(),
    source: 'own-write',
    ownWrite,
  });
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
    tagResource: (arn, tags) => meshes.tagResource(arn, tags),
    untagResource: (arn, keys) => meshes.untagResource(arn, keys),
    async update<K extends ResourceKind>(resource: MeshResourceOf<K>, options: MeshWriteOptions) {
      const written = await meshes.update(resource, options);
      // Update never writes tags, whatever the resource passed in carries: record the tags
      // last known good had, not the ones a caller's resource claims.
      if (options.ownWrite !== undefined)
        await record(store, written as MeshResource, 'unknown', options.ownWrite, now);
      return written;
    },
    async create<K extends ResourceKind>(resource: MeshResourceOf<K>, options: MeshWriteOptions) {
      const written = await meshes.create(resource, options);
      if (options.ownWrite !== undefined)
        await record(store, written as MeshResource, resource.tags, options.ownWrite, now);
      return written;
    },
  };
}
