import type { MeshProvider } from '../ports';
import type { ResourceMetadata } from '../providers/appmesh/model';
import type { RevertPlan, TagRestore } from './revert-plan';

/**
 * How a read-modify-write went. App Mesh has no conditional update: the version the write
 * returned tells whether another write landed between the read the plan was made from (just
 * before, in the same invocation) and the write.
 */
export interface WriteRace {
  /** The version the revert was planned against (read just before writing). */
  readonly plannedVersion: number;
  /** The version the write produced (plannedVersion + 1 unless someone wrote in between). */
  readonly writtenVersion: number;
  /** True when the resource had moved on since the violating call: only that call's leaves were restored. */
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
  /** The spec the plan was made from (the resource as read): see MeshWriteOptions.basedOn. */
  readSpec?: unknown,
): Promise<RevertResult> {
  const ownWrite = { purpose: 'revert', cause } as const;
  switch (plan.type) {
    case 'update': {
      const written = await meshes.update(plan.resource, { clientToken, ownWrite, basedOn: readSpec });
      const tagCalls = plan.tags === undefined ? 0 : await restoreTags(meshes, plan.tags);
      const basedOn = plan.basedOn;
      const writtenVersion = written.metadata?.version;
      // App Mesh has no conditional update: the version the write returned says whether another
      // write landed after the version the plan read (it was overwritten and must be judged again).
      const race =
        basedOn === undefined || writtenVersion === undefined
          ? undefined
          : {
              plannedVersion: basedOn.version,
              writtenVersion,
              merged: basedOn.merged,
              raced: writtenVersion !== basedOn.version + 1,
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
