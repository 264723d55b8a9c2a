/**
 * How to undo a change: a pure function of (the change, the state read now, the last known
 * good). Restores the last known good spec (one whole-spec write), deletes a newly created
 * resource, recreates a deleted one; and says plainly when it cannot, instead of guessing.
 */

import { formatResourceKey, type ResourceRef, refOf } from '../domain/resource-key';
import type { MeshIndex } from '../policy/mesh-index';
import type { LastKnownGood } from '../ports';
import type { MeshResource, Tags } from '../providers/appmesh/model';
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
  | {
      readonly type: 'update';
      readonly resource: MeshResource;
      readonly tags?: TagRestore;
      /** The spec the revert was planned against: a write that finds another is merged again (three-way). */
      readonly basedOn?: {
        readonly version: number;
        /** True when the spec written is a three-way merge onto a resource that moved on since the call. */
        readonly merged: boolean;
      };
      /** Set when the resource was deleted and recreated: the new incarnation gets the old spec. */
      readonly replace?: true;
    }
  | { readonly type: 'retag'; readonly tags: TagRestore }
  | { readonly type: 'delete'; readonly ref: ResourceRef }
  | { readonly type: 'create'; readonly resource: MeshResource }
  /** Nothing can or needs to be done; `reason` says why, in plain words. */
  | { readonly type: 'none'; readonly reason: string };

/**
 * The tag calls that bring back the last known good value of `keys` (every key when undefined):
 * only the keys the violating call touched, so a tag someone else set meanwhile stays.
 */
function tagRestore(
  current: MeshResource,
  lkg: MeshResource,
  keys?: readonly string[],
): TagRestore | undefined {
  const arn = current.metadata?.arn;
  const now = current.tags ?? {};
  const want = lkg.tags ?? {};
  const touched = keys ?? [...new Set([...Object.keys(now), ...Object.keys(want)])];
  const add: Record<string, string> = {};
  const remove: string[] = [];
  for (const k of new Set(touched)) {
    const wanted = Object.hasOwn(want, k) ? want[k] : undefined;
    const present = Object.hasOwn(now, k) ? now[k] : undefined;
    if (wanted === present) continue;
    if (wanted === undefined) remove.push(k);
    else add[k] = wanted;
  }
  if (arn === undefined || (Object.keys(add).length === 0 && remove.length === 0)) return undefined;
  return { arn, add, remove };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Three-way merge: the leaves where `before` (last known good) and `after` (what the violating
 * call left) differ are set back to `before`; every other leaf is taken from `current`, so a
 * change someone made after the violating call is kept. Arrays of equal length merge by index
 * (weighted targets), others are restored whole.
 */
export function restoreChangedLeaves(before: unknown, after: unknown, current: unknown): unknown {
  if (sameValue(before, after)) return current;
  if (isPlainObject(before) && isPlainObject(after) && isPlainObject(current)) {
    const out: Record<string, unknown> = {};
    for (const key of new Set([...Object.keys(before), ...Object.keys(after), ...Object.keys(current)])) {
      const merged = restoreChangedLeaves(before[key], after[key], current[key]);
      if (merged !== undefined) out[key] = merged;
    }
    return out;
  }
  if (
    Array.isArray(before) &&
    Array.isArray(after) &&
    Array.isArray(current) &&
    before.length === after.length &&
    after.length === current.length
  ) {
    return before.map((b, i) => restoreChangedLeaves(b, after[i], current[i]));
  }
  return before;
}

/** The resource a revert writes: the ref with `spec` (the last known good one by default) and tags, no metadata. */
function restored(lkg: MeshResource, spec: unknown = lkg.spec): MeshResource {
  return {
    ...refOf(lkg),
    spec,
    ...(lkg.tags === undefined ? {} : { tags: lkg.tags }),
  } as MeshResource;
}

/** Give a recreated resource the spec and tags of its earlier incarnation's last known good. */
function replacePlan(current: MeshResource, lkg: LastKnownGood): RevertPlan {
  const tags = tagRestore(current, lkg.resource);
  const { tags: _tags, ...untagged } = lkg.resource;
  return {
    type: 'update',
    resource: restored(untagged as MeshResource),
    replace: true,
    basedOn: { version: current.metadata?.version ?? 0, merged: false },
    ...(tags === undefined ? {} : { tags }),
  };
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
  options: { readonly after?: unknown } = {},
): RevertPlan {
  const key = formatResourceKey(change.ref);
  const recreated =
    current !== undefined &&
    lkg !== undefined &&
    lkg.resource.metadata?.uid !== undefined &&
    lkg.resource.metadata.uid !== current.metadata?.uid;
  switch (change.verb) {
    case 'create':
      if (current === undefined) return { type: 'none', reason: `${key} no longer exists; nothing to undo` };
      // A create of a resource whose earlier incarnation has a last known good is a replace
      // (delete and recreate): undo it by giving the new incarnation the old spec, never by deleting.
      if (recreated) return replacePlan(current, lkg);
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
      if (change.verb !== 'update') {
        // A tag call changes only the keys it names; restoring others would undo someone else's tags.
        const tags = tagRestore(current, lkg.resource, change.tagKeys ?? []);
        return tags === undefined
          ? { type: 'none', reason: `the tags ${key}'s call touched already match its last known good` }
          : { type: 'retag', tags };
      }
      // Only the leaves the call changed go back (three-way): when the resource moved on since
      // the call (`after` is what the call left), later changes are kept.
      const after = options.after ?? current.spec;
      const spec = restoreChangedLeaves(lkg.resource.spec, after, current.spec);
      if (sameValue(current.spec, spec)) {
        return {
          type: 'none',
          reason: `${key} already matches its last known good (version ${lkg.version}) where the call changed it`,
        };
      }
      // An Update call cannot change tags: they are left as they are.
      return {
        type: 'update',
        resource: restored({ ...lkg.resource, tags: undefined } as MeshResource, spec),
        basedOn: { version: current.metadata?.version ?? 0, merged: !sameValue(after, current.spec) },
      };
    }
    case 'delete': {
      if (recreated) return replacePlan(current, lkg);
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
      return plan.replace === true
        ? `restore the last known good spec of ${formatResourceKey(plan.resource)} onto its recreated incarnation${plan.tags ? ', and its tags' : ''}`
        : `restore the last known good spec of ${formatResourceKey(plan.resource)}${plan.tags ? ' and its tags' : ''}`;
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
