import type { MeshResource, ResourceMetadata } from '../domain/mesh';
import type { MeshProvider } from '../ports';
import { describeResource } from './mesh-state';
import { type RevertPlan, restoreChangedLeaves, type TagRestore } from './revert-plan';

/**
 * How a read-modify-write went. App Mesh has no conditional update: the version is read again
 * just before writing, and the version the write returned tells whether another write landed
 * in between.
 */
export interface WriteRace {
  /** The version the revert was planned against. */
  readonly plannedVersion: number;
  /** The version read just before writing. */
  readonly readVersion: number;
  /** The version the write produced (readVersion + 1 unless someone wrote in between). */
  readonly writtenVersion: number;
  /** True when the resource had moved on since planning: only the violating call's leaves were restored onto it. */
  readonly merged: boolean;
  /** True when another write landed between the read and the write: it was overwritten and must be judged again. */
  readonly raced: boolean;
}

/** What a revert wrote: the incarnation and version it left behind, when there is one. */
export interface RevertResult {
  readonly written: { readonly uid: string; readonly version: number } | undefined;
  readonly calls: number;
  /** Set for spec writes planned against a version (see {@link WriteRace}). */
  readonly race?: WriteRace;
}

async function restoreTags(meshes: MeshProvider, tags: TagRestore): Promise<number> {
  let calls = 0;
  if (Object.keys(tags.add).length > 0) {
    await meshes.tagResource(tags.arn, tags.add);
    calls += 1;
  }
  if (tags.remove.length > 0) {
    await meshes.untagResource(tags.arn, tags.remove);
    calls += 1;
  }
  return calls;
}

function writtenOf(resource: { readonly metadata?: ResourceMetadata }): RevertResult['written'] {
  const metadata = resource.metadata;
  return metadata === undefined ? undefined : { uid: metadata.uid, version: metadata.version };
}

/**
 * Carry out a revert plan: one whole-spec write with the event's clientToken (so a retried
 * event writes once), plus tag calls only when the tags changed too. Failures propagate.
 */
export async function applyRevert(
  meshes: MeshProvider,
  plan: RevertPlan,
  clientToken: string,
  cause: string,
): Promise<RevertResult> {
  const ownWrite = { purpose: 'revert', cause } as const;
  switch (plan.type) {
    case 'update': {
      const basedOn = plan.basedOn;
      let resource: MeshResource = plan.resource;
      let readVersion: number | undefined;
      if (basedOn !== undefined) {
        // Read just before writing: a write made since the plan was read is kept, and only the
        // leaves the violating call changed are set back (three-way, see restoreChangedLeaves).
        const fresh = await describeResource(meshes, plan.resource);
        if (fresh === undefined) return { written: undefined, calls: 0 };
        readVersion = fresh.metadata?.version ?? 0;
        if (readVersion !== basedOn.version) {
          resource = {
            ...resource,
            spec: restoreChangedLeaves(basedOn.lastKnownGood, basedOn.spec, fresh.spec),
          } as MeshResource;
        }
      }
      const written = await meshes.update(resource, { clientToken, ownWrite });
      const tagCalls = plan.tags === undefined ? 0 : await restoreTags(meshes, plan.tags);
      const writtenVersion = written.metadata?.version;
      const race =
        basedOn === undefined || readVersion === undefined || writtenVersion === undefined
          ? undefined
          : {
              plannedVersion: basedOn.version,
              readVersion,
              writtenVersion,
              merged: readVersion !== basedOn.version,
              raced: writtenVersion !== readVersion + 1,
            };
      return { written: writtenOf(written), calls: 1 + tagCalls, ...(race === undefined ? {} : { race }) };
    }
    case 'retag':
      return { written: undefined, calls: await restoreTags(meshes, plan.tags) };
    case 'delete':
      await meshes.delete(plan.ref);
      return { written: undefined, calls: 1 };
    case 'create': {
      const written = await meshes.create(plan.resource, { clientToken, ownWrite });
      return { written: writtenOf(written), calls: 1 };
    }
    default:
      return { written: undefined, calls: 0 };
  }
}
