import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyRevert } from '../../../shared/change-control/apply-revert';
import type { ChangeVerb, MeshChange } from '../../../shared/change-control/change';
import { planRevert } from '../../../shared/change-control/revert-plan';
import { formatResourceKey, RESOURCE_KINDS, refOf } from '../../../shared/domain/resource-key';
import { NotFoundError } from '../../../shared/errors';
import { buildMeshIndex } from '../../../shared/policy/mesh-index';
import type { MeshResource } from '../../../shared/providers/appmesh/model';
import { sampleResources } from '../../support/mesh-samples';
import { MemoryMesh } from './fakes';

const json = fc.jsonValue({ maxDepth: 3 });
const tags = fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.string({ maxLength: 8 }), {
  maxKeys: 4,
});

/**
 * Any change someone could make to one resource: a new spec (an Update call cannot change
 * tags), tags set, tag keys removed (a subset of those it has, by index), or a delete.
 */
const change = fc.oneof(
  fc.record({
    verb: fc.constant<ChangeVerb>('update'),
    spec: fc.dictionary(fc.string({ maxLength: 6 }), json, { maxKeys: 4 }),
  }),
  fc.record({ verb: fc.constant<ChangeVerb>('tag'), tags }),
  fc.record({ verb: fc.constant<ChangeVerb>('untag'), drop: fc.array(fc.nat(), { maxLength: 3 }) }),
  fc.record({ verb: fc.constant<ChangeVerb>('delete') }),
);

function meshChange(resource: MeshResource, verb: ChangeVerb, tagKeys?: readonly string[]): MeshChange {
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
    ...(tagKeys === undefined ? {} : { tagKeys }),
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
          let tagKeys: string[] | undefined;
          if (made.verb === 'delete') {
            meshes.remove(good);
          } else if ('spec' in made) {
            meshes.put({ ...refOf(stored), spec: made.spec, tags: stored.tags } as MeshResource);
          } else if ('tags' in made) {
            tagKeys = Object.keys(made.tags);
            const changedTags = { ...(stored.tags ?? {}), ...made.tags };
            meshes.resources.set(key, { ...stored, tags: changedTags } as MeshResource);
          } else if ('drop' in made) {
            const present = Object.keys(stored.tags ?? {});
            const dropped: string[] = made.drop.flatMap((i: number) => {
              const k = present[i % Math.max(present.length, 1)];
              return k === undefined ? [] : [k];
            });
            tagKeys = [...new Set(dropped)];
            const kept = Object.fromEntries(
              Object.entries(stored.tags ?? {}).filter(([k]) => !tagKeys?.includes(k)),
            );
            meshes.resources.set(key, { ...stored, tags: kept } as MeshResource);
          }
          const current = meshes.resources.get(key);
          const index = await readIndex(meshes, good.meshName);

          // Act
          const plan = planRevert(meshChange(good, made.verb, tagKeys), current, lastKnownGood, index);
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
