/**
 * The open CA rollovers of each mesh (`ROTATION#ROLLOVERS#<mesh>`), so the daily run can find
 * the ones whose restarts are overdue and `certs rollover status` can list them. A rollover is
 * added when it starts and removed when it completes or is aborted.
 */
import { ConflictError } from '../errors';
import type { RotationStore, VersionedRecord } from '../ports';
import { openRolloversKey } from './rollover-keys';

interface OpenRollovers extends VersionedRecord {
  readonly meshName: string;
  readonly open: readonly string[];
}

/** Conditional writes race only with other rollovers of the same mesh: a few tries settle it. */
const TRIES = 5;

async function change(
  store: RotationStore,
  meshName: string,
  edit: (open: readonly string[]) => readonly string[],
): Promise<void> {
  const key = openRolloversKey(meshName);
  for (let attempt = 1; ; attempt++) {
    const current = await store.get<OpenRollovers>(key);
    const open = current?.open ?? [];
    const next = edit(open);
    if (next.length === open.length && next.every((id, i) => id === open[i])) return;
    try {
      await store.put<OpenRollovers>(key, { version: (current?.version ?? 0) + 1, meshName, open: next });
      return;
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= TRIES) throw error;
    }
  }
}

/** Record that `rolloverId` is open in `meshName`. */
export function openRollover(store: RotationStore, meshName: string, rolloverId: string): Promise<void> {
  return change(store, meshName, (open) => (open.includes(rolloverId) ? open : [...open, rolloverId]));
}

/** Record that `rolloverId` ended (completed or aborted). */
export function closeRollover(store: RotationStore, meshName: string, rolloverId: string): Promise<void> {
  return change(store, meshName, (open) => open.filter((id) => id !== rolloverId));
}

/** The ids of the open rollovers of `meshName`, oldest first. */
export async function openRollovers(store: RotationStore, meshName: string): Promise<readonly string[]> {
  return (await store.get<OpenRollovers>(openRolloversKey(meshName)))?.open ?? [];
}
