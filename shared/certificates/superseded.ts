/**
 * ACM private certificates a rotation replaced with a new one (new CA or new names): kept for a
 * grace period, then deleted, so old certificates do not pile up in ACM. Never one that a
 * listener or client policy of a governed mesh names (read fresh, just before), nor one ACM
 * reports in use. Only certificates meshwarden itself replaced are ever listed here.
 */
import { ConflictError } from '../errors';
import type { CompiledPolicy } from '../policy/compile';
import { type CertificatesSection, DEFAULT_SUPERSEDED_GRACE_HOURS } from '../policy/sections/certificates';
import type { AcmPrivateCertificates, MeshProvider, RotationStore, VersionedRecord } from '../ports';
import { collectReferences } from './references';
import { retryThrottled } from './retry';

/** One replaced certificate. */
export interface SupersededCertificate {
  readonly arn: string;
  readonly replacedBy: string;
  readonly rotationId: string;
  readonly supersededAt: string;
}

interface SupersededList extends VersionedRecord {
  readonly meshName: string;
  readonly certificates: readonly SupersededCertificate[];
}

export interface CleanupItem {
  readonly meshName: string;
  readonly arn: string;
  readonly action: 'deleted' | 'kept' | 'waiting' | 'gone';
  readonly reason: string;
}

export interface CleanupDeps {
  readonly acmPrivate: AcmPrivateCertificates;
  readonly meshes: Pick<MeshProvider, 'readMesh'>;
  readonly rotations: RotationStore;
  readonly now: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
}

function listKey(meshName: string): string {
  return `ROTATION#SUPERSEDED#${meshName}`;
}

/** Change a mesh's list, retrying when another write came first. */
async function editList(
  rotations: RotationStore,
  meshName: string,
  edit: (certificates: readonly SupersededCertificate[]) => readonly SupersededCertificate[],
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const list = await rotations.get<SupersededList>(listKey(meshName));
    const before = list?.certificates ?? [];
    const after = edit(before);
    if (after === before) return;
    try {
      await rotations.put(listKey(meshName), {
        version: (list?.version ?? 0) + 1,
        meshName,
        certificates: after,
      } satisfies SupersededList);
      return;
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= 4) throw error;
    }
  }
}

/** Note that a rotation replaced `certificate.arn` (idempotent). */
export function rememberSuperseded(
  rotations: RotationStore,
  meshName: string,
  certificate: SupersededCertificate,
): Promise<void> {
  return editList(rotations, meshName, (list) =>
    list.some((c) => c.arn === certificate.arn) ? list : [...list, certificate],
  );
}

/** Where the governed meshes name `arn` now, from fresh reads. */
function referencesTo(snapshots: Awaited<ReturnType<MeshProvider['readMesh']>>[], arn: string): string[] {
  return snapshots.flatMap((snapshot) => {
    const { leaves } = collectReferences(snapshot, undefined);
    return leaves.filter((l) => l.id === `acm:${arn}`).map((l) => l.use.resourceKey);
  });
}

/**
 * Delete the superseded certificates of `meshNames` whose grace period has passed. Each mesh's
 * `certificates.supersededGraceHours` applies (default {@link DEFAULT_SUPERSEDED_GRACE_HOURS}).
 */
export async function cleanUpSuperseded(
  deps: CleanupDeps,
  policy: CompiledPolicy,
  meshNames: readonly string[],
): Promise<CleanupItem[]> {
  const items: CleanupItem[] = [];
  const lists = new Map<string, readonly SupersededCertificate[]>();
  for (const meshName of meshNames) {
    const list = await deps.rotations.get<SupersededList>(listKey(meshName));
    if (list !== undefined && list.certificates.length > 0) lists.set(meshName, list.certificates);
  }
  if (lists.size === 0) return items;
  // Fresh reads of every governed mesh: a certificate one mesh let go may serve another.
  const snapshots = await Promise.all(meshNames.map((m) => deps.meshes.readMesh(m)));
  const now = deps.now().getTime();
  for (const [meshName, certificates] of lists) {
    const section = policy.forMesh(meshName)?.document.certificates as CertificatesSection | undefined;
    const graceMs = (section?.supersededGraceHours ?? DEFAULT_SUPERSEDED_GRACE_HOURS) * 3_600_000;
    const done = new Set<string>();
    for (const certificate of certificates) {
      const { arn } = certificate;
      const due = Date.parse(certificate.supersededAt) + graceMs;
      if (now < due) {
        items.push({ meshName, arn, action: 'waiting', reason: `kept until ${new Date(due).toISOString()}` });
        continue;
      }
      const users = referencesTo(snapshots, arn);
      if (users.length > 0) {
        items.push({ meshName, arn, action: 'kept', reason: `named by ${users.join(', ')}` });
        continue;
      }
      const state = await retryThrottled(() => deps.acmPrivate.state(arn), deps.sleep);
      if (state === undefined) {
        done.add(arn);
        items.push({ meshName, arn, action: 'gone', reason: 'no longer in ACM' });
        continue;
      }
      if (state.inUseBy.length > 0) {
        items.push({
          meshName,
          arn,
          action: 'kept',
          reason: `ACM reports it in use by ${state.inUseBy.join(', ')}`,
        });
        continue;
      }
      const outcome = await retryThrottled(() => deps.acmPrivate.remove(arn), deps.sleep);
      if (outcome === 'in-use') {
        items.push({ meshName, arn, action: 'kept', reason: 'ACM refused: in use' });
        continue;
      }
      done.add(arn);
      items.push({
        meshName,
        arn,
        action: outcome === 'deleted' ? 'deleted' : 'gone',
        reason: `replaced by ${certificate.replacedBy}`,
      });
    }
    if (done.size > 0)
      await editList(deps.rotations, meshName, (list) => list.filter((c) => !done.has(c.arn)));
  }
  return items;
}
