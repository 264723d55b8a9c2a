import { createHash } from 'node:crypto';
import type { MeshResourceOf, SpecByKind, Tags } from '../domain/mesh';
import {
  formatResourceKey,
  parseResourceKey,
  type ResourceKind,
  type ResourceRef,
} from '../domain/resource-key';
import { BadRequestError, NotFoundError } from '../errors';
import type { ApprovalAction } from '../events/approvals';
import type { MeshProvider } from '../ports';

type ReapplyAction = Extract<ApprovalAction, { type: 'reapply-change' }>;

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

/**
 * Write a held change back as it was proposed: a held delete is deleted again; otherwise the
 * whole proposed spec replaces the current one (update), or the resource is created when it
 * no longer exists (a held create that was reverted by deleting it). Returns one sentence
 * saying what was done.
 */
export async function reapplyChange(
  meshes: MeshProvider,
  action: ReapplyAction,
  approvalId: string,
): Promise<string> {
  const ref = parseResourceKey(action.resourceKey);
  const key = formatResourceKey(ref);
  const clientToken = clientTokenFor(approvalId);
  const ownWrite = { purpose: 'reapply', approvalId, cause: approvalId } as const;
  if (action.proposed === undefined) {
    try {
      await meshes.delete(ref);
      return `Deleted ${key} (${action.operation} re-applied).`;
    } catch (error) {
      if (error instanceof NotFoundError) return `${key} was already deleted; nothing to re-apply.`;
      throw error;
    }
  }
  const resource = proposedResource(ref, action.proposed);
  const current = await meshes.describe(ref);
  if (current === undefined) {
    await meshes.create(resource, { clientToken, ownWrite });
    return `Created ${key} as proposed (${action.operation} re-applied).`;
  }
  // Update replaces the whole spec and leaves tags alone, which is what re-applying a spec change means.
  await meshes.update(resource, { clientToken, ownWrite });
  return `Updated ${key} to the proposed spec (${action.operation} re-applied).`;
}
