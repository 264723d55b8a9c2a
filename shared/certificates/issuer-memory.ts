/**
 * Which CA issues a certificate when the policy names none: the CA the mesh's completed
 * rollovers moved its current issuer to, not simply whichever CA issued the current leaf. A
 * leaf that still (or again, e.g. a listener pointed back at an old certificate) comes from a
 * CA a completed rollover retired is re-issued from that rollover's new CA.
 *
 * The facts are the rollover records themselves (`ROTATION#ROLLOVER#<id>`); a per-mesh index
 * (`ROTATION#ROLLOVER-HISTORY#<mesh>`) only names them, since the store reads by key.
 */
import { ConflictError } from '../errors';
import type { RotationStore, VersionedRecord } from '../ports';
import { rolloverHistoryKey } from './rollover-keys';

/** The rollover ids a mesh has had, oldest first. */
interface RolloverIndex extends VersionedRecord {
  readonly meshName: string;
  readonly rolloverIds: readonly string[];
}

/** What a rollover record says that matters here (see RolloverRecord). */
interface RolloverFacts extends VersionedRecord {
  readonly meshName: string;
  readonly oldCaArn: string;
  readonly newCaArn: string;
  readonly phase: string;
  readonly updatedAt: string;
}

const indexKey = rolloverHistoryKey;

/** Add a rollover to its mesh's index (idempotent; retried when another write came first). */
export async function rememberRollover(
  rotations: RotationStore,
  meshName: string,
  rolloverId: string,
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const index = await rotations.get<RolloverIndex>(indexKey(meshName));
    if (index?.rolloverIds.includes(rolloverId)) return;
    const next: RolloverIndex = {
      version: (index?.version ?? 0) + 1,
      meshName,
      rolloverIds: [...(index?.rolloverIds ?? []), rolloverId],
    };
    try {
      await rotations.put(indexKey(meshName), next);
      return;
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= 4) throw error;
    }
  }
}

/** The completed rollovers of a mesh, in the order they completed. */
export type CaSuccession = readonly { readonly oldCaArn: string; readonly newCaArn: string }[];

/** The completed rollovers of a mesh, read fresh from their records. */
export async function loadCaSuccession(rotations: RotationStore, meshName: string): Promise<CaSuccession> {
  const index = await rotations.get<RolloverIndex>(indexKey(meshName));
  const records: RolloverFacts[] = [];
  for (const id of index?.rolloverIds ?? []) {
    const record = await rotations.get<RolloverFacts>(`ROTATION#ROLLOVER#${id}`);
    // Only a completed rollover retired its old CA: a halted or unfinished one still trusts both.
    if (record?.phase === 'completed' && record.meshName === meshName) records.push(record);
  }
  records.sort((a, b) => a.updatedAt.localeCompare(b.updatedAt));
  return records.map(({ oldCaArn, newCaArn }) => ({ oldCaArn, newCaArn }));
}

/**
 * The CA a leaf from `issuer` must now come from, following the completed rollovers in order
 * (A -> B, then B -> C: a leaf from A moves to C), or undefined when none retired its issuer.
 */
export function successorOf(succession: CaSuccession, issuer: string | undefined): string | undefined {
  if (issuer === undefined) return undefined;
  let current = issuer;
  for (const rollover of succession) if (rollover.oldCaArn === current) current = rollover.newCaArn;
  return current === issuer ? undefined : current;
}
