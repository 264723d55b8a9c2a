/**
 * How to undo a change: a pure function of (the change, the state read now, the last known
 * good). Restores the last known good spec (one whole-spec write), deletes a newly created
 * resource, recreates a deleted one; and says plainly when it cannot, instead of guessing.
 */
import type { MeshResource, Tags } from '../domain/mesh';
import { formatResourceKey, type ResourceRef, refOf } from '../domain/resource-key';
import type { MeshIndex } from '../policy/mesh-index';
import type { LastKnownGood } from '../ports';
import type { MeshChange } from './change';
import { sameValue } from './diff';

/** Tag changes needed to bring a resource's tags back. */
export interface TagRestore {
  readonly arn: string;
  readonly add: Tags;
  readonly remove: readonly string[];
}

/** What a revert does. */
export type RevertPlan =
  | { readonly type: 'update'; readonly resource: MeshResource; readonly tags?: TagRestore }
  | { readonly type: 'retag'; readonly tags: TagRestore }
  | { readonly type: 'delete'; readonly ref: ResourceRef }
  | { readonly type: 'create'; readonly resource: MeshResource }
  /** Nothing can or needs to be done; `reason` says why, in plain words. */
  | { readonly type: 'none'; readonly reason: string };

function tagRestore(current: MeshResource, lkg: MeshResource): TagRestore | undefined {
  const arn = current.metadata?.arn;
  const now = current.tags ?? {};
  const want = lkg.tags ?? {};
  if (arn === undefined || sameValue(now, want)) return undefined;
  const add: Record<string, string> = {};
  for (const [k, v] of Object.entries(want)) if (!Object.hasOwn(now, k) || now[k] !== v) add[k] = v;
  const remove = Object.keys(now).filter((k) => !Object.hasOwn(want, k));
  return { arn, add, remove };
}

/** The resource a revert writes: the current ref with the last known good spec and tags, no metadata. */
function restored(lkg: MeshResource): MeshResource {
  return {
    ...refOf(lkg),
    spec: lkg.spec,
    ...(lkg.tags === undefined ? {} : { tags: lkg.tags }),
  } as MeshResource;
}

function missingDependency(
  ref: ResourceRef,
  index: MeshIndex | undefined,
  lkg: MeshResource,
): string | undefined {
  if (index === undefined) return ref.kind === 'mesh' ? undefined : `mesh ${ref.meshName} no longer exists`;
  if (ref.parentName !== undefined) {
    const parentKind = ref.kind === 'route' ? 'virtual-router' : 'virtual-gateway';
    if (index.get({ kind: parentKind, meshName: ref.meshName, name: ref.parentName }) === undefined) {
      return `its ${parentKind} ${ref.parentName} no longer exists`;
    }
  }
  if (lkg.kind === 'virtual-service') {
    const provider = lkg.spec.provider;
    if (provider !== undefined && 'virtualNode' in provider) {
      const name = provider.virtualNode.virtualNodeName;
      if (index.nodes.get(name) === undefined) return `its provider virtual node ${name} no longer exists`;
    } else if (provider !== undefined && 'virtualRouter' in provider) {
      const name = provider.virtualRouter.virtualRouterName;
      const router = index.get({ kind: 'virtual-router', meshName: ref.meshName, name });
      if (router === undefined) return `its provider virtual router ${name} no longer exists`;
    }
  }
  return undefined;
}

/**
 * Plan the revert of `change`, given the resource as it is now (`current`, undefined when it
 * does not exist) and its last known good record.
 */
export function planRevert(
  change: MeshChange,
  current: MeshResource | undefined,
  lkg: LastKnownGood | undefined,
  index: MeshIndex | undefined,
): RevertPlan {
  const key = formatResourceKey(change.ref);
  switch (change.verb) {
    case 'create':
      if (current === undefined) return { type: 'none', reason: `${key} no longer exists; nothing to undo` };
      if (change.ref.kind === 'mesh') {
        return { type: 'none', reason: `meshwarden does not delete a whole mesh (${key}); reported instead` };
      }
      return { type: 'delete', ref: refOf(change.ref) };
    case 'update':
    case 'tag':
    case 'untag': {
      if (current === undefined) return { type: 'none', reason: `${key} no longer exists; nothing to undo` };
      if (lkg === undefined) {
        return {
          type: 'none',
          reason: `no last known good spec of ${key} is recorded (meshwarden has not yet seen it allowed and compliant), so it cannot be restored; reported instead of guessing`,
        };
      }
      const tags = tagRestore(current, lkg.resource);
      if (change.verb !== 'update' || sameValue(current.spec, lkg.resource.spec)) {
        return tags === undefined
          ? { type: 'none', reason: `${key} already matches its last known good (version ${lkg.version})` }
          : { type: 'retag', tags };
      }
      return { type: 'update', resource: restored(lkg.resource), ...(tags === undefined ? {} : { tags }) };
    }
    case 'delete': {
      if (current !== undefined) return { type: 'none', reason: `${key} exists again; nothing to undo` };
      if (lkg === undefined) {
        return {
          type: 'none',
          reason: `no last known good spec of ${key} is recorded, so it cannot be recreated; reported instead of guessing`,
        };
      }
      const missing = missingDependency(change.ref, index, lkg.resource);
      if (missing !== undefined) return { type: 'none', reason: `${key} cannot be recreated: ${missing}` };
      return { type: 'create', resource: restored(lkg.resource) };
    }
    default:
      return { type: 'none', reason: `nothing to undo for ${change.operation}` };
  }
}

/** One line describing a plan, for decisions and the timeline. */
export function describePlan(plan: RevertPlan): string {
  switch (plan.type) {
    case 'update':
      return `restore the last known good spec of ${formatResourceKey(plan.resource)}${plan.tags ? ' and its tags' : ''}`;
    case 'retag':
      return `restore the tags of ${plan.tags.arn}`;
    case 'delete':
      return `delete the newly created ${formatResourceKey(plan.ref)}`;
    case 'create':
      return `recreate ${formatResourceKey(plan.resource)} from its last known good spec`;
    case 'none':
      return plan.reason;
    default:
      return 'unknown plan';
  }
}
