import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyRevert } from '../../../shared/change-control/apply-revert';
import type { ChangeVerb, MeshChange } from '../../../shared/change-control/change';
import { planRevert } from '../../../shared/change-control/revert-plan';
import type { MeshResource } from '../../../shared/domain/mesh';
import { formatResourceKey, RESOURCE_KINDS, refOf } from '../../../shared/domain/resource-key';
import { NotFoundError } from '../../../shared/errors';
import { buildMeshIndex } from '../../../shared/policy/mesh-index';
import { sampleResources } from '../../support/mesh-samples';
import { MemoryMesh } from './fakes';

const json = fc.jsonValue({ maxDepth: 3 });
const tags = fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 8 }), {
  maxKeys: 4,
});

/** Any change someone could make to one resource: a new spec, new tags, or a delete. */
const change = fc.oneof(
  fc.record({
    verb: fc.constant<ChangeVerb>('update'),
    spec: fc.dictionary(fc.string({ maxLength: 6 }), json, { maxKeys: 4 }),
    tags: fc.option(tags, { nil: undefined }),
  }),
  fc.record({ verb: fc.constant<ChangeVerb>('tag'), tags }),
  fc.record({ verb: fc.constant<ChangeVerb>('untag'), tags: fc.constant({}) }),
  fc.record({ verb: fc.constant<ChangeVerb>('delete') }),
);

function meshChange(resource: MeshResource, verb: ChangeVerb): MeshChange {
  return {
    eventId: 'e-1',
    eventTime: '2026-11-26T10:00:00Z',
    operation: verb,
    verb,
    ref: refOf(resource),
    identity: { type: 'AWSService', invokedBy: 'test' },
    errorCode: undefined,
    errorMessage: undefined,
    readOnly: false,
    resultVersion: undefined,
    requestedSpec: undefined,
  };
}

async function readIndex(meshes: MemoryMesh, meshName: string) {
  try {
    return buildMeshIndex(await meshes.readMesh(meshName));
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

describe('revert (property)', () => {
  for (const kind of RESOURCE_KINDS) {
    it(`restores the last known good spec and tags of a ${kind} after any change`, async () => {
      const candidates = sampleResources().filter((r) => r.kind === kind);
      expect(candidates.length).toBeGreaterThan(0);
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...candidates), change, async (good, made) => {
          // Prepare: the sample mesh, then the change made to one resource.
          const meshes = new MemoryMesh(sampleResources());
          const key = formatResourceKey(good);
          const stored = meshes.resources.get(key) as MeshResource;
          const lastKnownGood = {
            resourceKey: key,
            resource: stored,
            version: 1,
            eventId: 'seed',
            recordedAt: 'then',
            source: 'audit' as const,
          };
          if (made.verb === 'delete') {
            meshes.remove(good);
          } else {
            const changedTags = 'tags' in made && made.tags !== undefined ? made.tags : stored.tags;
            const spec = 'spec' in made ? made.spec : stored.spec;
            meshes.put({ ...refOf(stored), spec, tags: changedTags } as MeshResource);
          }
          const current = meshes.resources.get(key);
          const index = await readIndex(meshes, good.meshName);

          // Act
          const plan = planRevert(meshChange(good, made.verb), current, lastKnownGood, index);
          await applyRevert(meshes, plan, 'mw-token', 'event-1');

          // Assess
          const after = meshes.resources.get(key);
          expect(after?.spec).toEqual(stored.spec);
          expect(after?.tags ?? {}).toEqual(stored.tags ?? {});
          expect(
            meshes.writes().filter((c) => ['update', 'create', 'delete'].includes(c.op)).length,
          ).toBeLessThanOrEqual(1);
        }),
        { numRuns: 60 },
      );
    });
  }
});
