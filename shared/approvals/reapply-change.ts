import { createHash } from 'node:crypto';
import {
  formatResourceKey,
  parseResourceKey,
  type ResourceKind,
  type ResourceRef,
  refOf,
} from '../domain/resource-key';
import { BadRequestError, NotFoundError } from '../errors';
import type { ApprovalAction } from '../events/approvals';
import type { MeshProvider } from '../ports';
import type { MeshResource, MeshResourceOf, SpecByKind, Tags } from '../providers/appmesh/model';
import {
  applyPatch,
  describePatch,
  isEmptyTagChange,
  patchBetween,
  tagChangeBetween,
  tagConflicts,
} from './change-patch';

export type ReapplyAction = Extract<ApprovalAction, { type: 'reapply-change' }>;

/**
 * The provider's idempotency token for the re-apply of one approval: App Mesh takes at most
 * 36 characters and an approval id may have 64, so it is a digest of the id. A retried
 * execution sends the same token and has one effect.
 */
export function clientTokenFor(approvalId: string): string {
  return `approval-${createHash('sha256').update(approvalId).digest('hex').slice(0, 27)}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function checkName(
  proposed: Record<string, unknown>,
  member: 'kind' | 'meshName' | 'name' | 'parentName',
  expected: string | undefined,
): void {
  const value = proposed[member];
  if (value !== undefined && value !== expected) {
    throw new BadRequestError(
      `proposed.${member} is ${JSON.stringify(value)} but the resource key says ${JSON.stringify(expected)}`,
    );
  }
}

/**
 * The resource to write back, from the held change's `proposed` (kind, names, spec, tags).
 * Names in `proposed`, when given, must agree with the resource key: the key is what people
 * approved. The spec itself is checked by the provider on write.
 */
export function proposedResource<K extends ResourceKind>(
  ref: ResourceRef<K>,
  proposed: Record<string, unknown>,
): MeshResourceOf<K> {
  checkName(proposed, 'kind', ref.kind);
  checkName(proposed, 'meshName', ref.meshName);
  checkName(proposed, 'name', ref.name);
  checkName(proposed, 'parentName', ref.parentName);
  const { spec, tags } = proposed;
  if (!isObject(spec)) throw new BadRequestError('proposed.spec is missing or not an object');
  if (tags !== undefined && (!isObject(tags) || Object.values(tags).some((v) => typeof v !== 'string'))) {
    throw new BadRequestError('proposed.tags must map tag keys to string values');
  }
  return {
    kind: ref.kind,
    meshName: ref.meshName,
    name: ref.name,
    ...(ref.parentName === undefined ? {} : { parentName: ref.parentName }),
    spec: spec as unknown as SpecByKind[K],
    ...(tags === undefined ? {} : { tags: tags as Tags }),
  } as MeshResourceOf<K>;
}

/** What a re-apply did, or why it did not write. */
export type ReapplyOutcome =
  | { readonly kind: 'applied'; readonly detail: string }
  /** Nothing to write: the change is in place already, or the resource it deleted is gone. */
  | { readonly kind: 'nothing'; readonly detail: string }
  /** The resource the change was made on is gone: nothing can be re-applied. */
  | { readonly kind: 'gone'; readonly detail: string }
  /**
   * The resource moved on since the change was held (another version, or a tag the change
   * touches was changed by someone else), or the request holds no base to diff against: a
   * person must look at the change against the resource as it is now.
   */
  | { readonly kind: 'moved-on'; readonly detail: string; readonly current: MeshResource | undefined };

/** Who the re-apply acts for: the person whose held change was approved. */
export interface ReapplyContext {
  readonly approvalId: string;
  readonly requestedBy: { readonly arn: string; readonly label: string };
}

/** The resource without provider metadata: ref, spec and tags. */
export function resourceBody(resource: MeshResource): Record<string, unknown> {
  const { metadata: _metadata, ...rest } = resource;
  return { ...rest, ...refOf(resource) };
}

function versionOf(resource: MeshResource): number | undefined {
  return resource.metadata?.version;
}

/**
 * Re-apply an approved held change: only what the person changed (from `base` to
 * `proposed`), onto the resource as it is now, and only while the resource is at the version
 * the revert left (read just before writing). A held delete deletes again; a held create
 * whose revert deleted the resource creates it again. Anything else is `moved-on`, and the
 * caller asks again. Returns what was done, in one sentence.
 */
export async function reapplyChange(
  meshes: MeshProvider,
  action: ReapplyAction,
  context: ReapplyContext,
): Promise<ReapplyOutcome> {
  const ref = parseResourceKey(action.resourceKey);
  const key = formatResourceKey(ref);
  const clientToken = clientTokenFor(context.approvalId);
  const ownWrite = {
    purpose: 'reapply',
    approvalId: context.approvalId,
    cause: context.approvalId,
    onBehalfOf: { arn: context.requestedBy.arn, label: context.requestedBy.label },
  } as const;
  const current = (await meshes.describe(ref)) as MeshResource | undefined;
  const movedOn = (why: string): ReapplyOutcome => ({
    kind: 'moved-on',
    detail: `Not re-applied: ${why}.`,
    current,
  });
  const atBase = (resource: MeshResource): boolean =>
    action.baseVersion !== undefined && versionOf(resource) === action.baseVersion;

  if (action.proposed === undefined) {
    if (current === undefined)
      return { kind: 'nothing', detail: `${key} is already deleted; nothing to re-apply.` };
    if (!atBase(current))
      return movedOn(
        `${key} is at version ${versionOf(current) ?? '?'}, not ${action.baseVersion ?? 'the version it was held at'}; deleting it now would drop later changes`,
      );
    try {
      await meshes.delete(ref);
    } catch (error) {
      if (error instanceof NotFoundError) return { kind: 'nothing', detail: `${key} is already deleted.` };
      throw error;
    }
    return { kind: 'applied', detail: `Deleted ${key} (${action.operation} re-applied).` };
  }

  const proposed = proposedResource(ref, action.proposed);
  if (action.base === undefined) {
    if (current === undefined && action.operation.startsWith('Create')) {
      await meshes.create(proposed, { clientToken, ownWrite });
      return { kind: 'applied', detail: `Created ${key} as proposed (${action.operation} re-applied).` };
    }
    if (current === undefined) return { kind: 'gone', detail: `Not re-applied: ${key} no longer exists.` };
    return movedOn(
      action.operation.startsWith('Create')
        ? `${key} exists again since the create was held`
        : `the request does not say what ${key} looked like before the change, so the change cannot be told apart from later ones`,
    );
  }
  const base = proposedResource(ref, action.base);
  if (current === undefined) return { kind: 'gone', detail: `Not re-applied: ${key} no longer exists.` };
  const specPatch = patchBetween(base.spec, proposed.spec);
  // A spec change is laid only onto the version it was held at; a tag-only change touches no
  // spec, so only the tags it changes must be as they were (checked below).
  if (specPatch.length > 0 && !atBase(current)) {
    return movedOn(
      `${key} changed since the change was held (version ${versionOf(current) ?? '?'}, held at ${action.baseVersion ?? '?'})`,
    );
  }
  const tagChange = tagChangeBetween(base.tags, proposed.tags);
  const conflicts = tagConflicts(base.tags, current.tags, tagChange);
  if (conflicts.length > 0)
    return movedOn(`the tags ${conflicts.join(', ')} of ${key} changed since the change was held`);
  if (specPatch.length === 0 && isEmptyTagChange(tagChange))
    return { kind: 'nothing', detail: `${key} already holds the change; nothing to re-apply.` };

  const done: string[] = [];
  if (specPatch.length > 0) {
    const spec = applyPatch(current.spec, specPatch);
    const { tags: _tags, metadata: _metadata, ...untagged } = current;
    await meshes.update({ ...untagged, spec } as MeshResource, {
      clientToken,
      ownWrite,
      basedOn: current.spec,
    });
    done.push(describePatch(specPatch));
  }
  const arn = current.metadata?.arn;
  if (!isEmptyTagChange(tagChange)) {
    if (arn === undefined) throw new BadRequestError(`${key} has no ARN to tag`);
    if (Object.keys(tagChange.add).length > 0) await meshes.tagResource(arn, tagChange.add, { ownWrite });
    if (tagChange.remove.length > 0) await meshes.untagResource(arn, tagChange.remove, { ownWrite });
    done.push(
      [
        ...Object.entries(tagChange.add).map(([k, v]) => `tag ${k}=${v}`),
        ...tagChange.remove.map((k) => `untag ${k}`),
      ].join(', '),
    );
  }
  return {
    kind: 'applied',
    detail: `Re-applied ${action.operation} on ${key} (only what it changed): ${done.join('; ')}.`,
  };
}
