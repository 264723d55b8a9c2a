/**
 * Restart-aware delivery for CA rollovers. Envoy reads a certificate delivered through a
 * secret (as a file or over SDS from the team's own agent) once, at start; a new secret
 * version reaches the listeners only when the proxy restarts, which the team's deploy
 * pipeline does, out of meshwarden's sight (a Lambda cannot reach Envoy's admin endpoint).
 * So phase 3 waits until an operator confirms, proxy by proxy, that it restarted with the
 * version meshwarden delivered (`meshwarden certs rollover confirm-restart`), and people are
 * told once when that takes longer than {@link RESTART_DEADLINE_HOURS}.
 */
import { BadRequestError } from '../errors';
import type { RotationStore } from '../ports';
import type { InventoryEntry } from './inventory';
import { type RotationRecord, rotationKey } from './records';

/**
 * How long the restarts may take before people are told. A deploy pipeline rolls every proxy
 * within a working day; past that, someone has most likely forgotten it, and the mesh keeps
 * trusting two CAs (or, while aborting, both) until they act.
 */
export const RESTART_DEADLINE_HOURS = 24;

/** One proxy that must restart to serve a certificate meshwarden delivered through a secret. */
export interface RestartWait {
  /** The virtual node or gateway whose Envoy serves the certificate (its resource key). */
  readonly proxy: string;
  readonly secretName: string;
  /** The secret version the rotation delivered: what the proxy must serve after its restart. */
  readonly versionId?: string;
  /** The CA the delivered certificate is from. */
  readonly caArn: string;
  readonly confirmedAt?: string;
  /** Who confirmed (the caller identity of the CLI). */
  readonly confirmedBy?: string;
}

/** What a rollover record holds about restarts. */
export interface RestartState {
  readonly restarts?: readonly RestartWait[];
  readonly restartDeadline?: string;
  readonly restartDeadlineNotifiedAt?: string;
}

/**
 * The proxies that must restart after this rollover delivered certificates from `caArn`
 * through secrets: every user of a secret leaf whose latest rotation this rollover made.
 */
export async function restartWaitsAfter(
  deps: { readonly rotations: RotationStore },
  entries: readonly InventoryEntry[],
  rollover: { readonly rolloverId: string },
  caArn: string,
): Promise<RestartWait[]> {
  const waits: RestartWait[] = [];
  for (const entry of entries) {
    if (entry.type !== 'leaf' || entry.location?.kind !== 'secret' || entry.issuingCaArn !== caArn) continue;
    const rotation = await deps.rotations.get<RotationRecord>(rotationKey(entry.id));
    if (rotation?.rolloverId !== rollover.rolloverId || rotation.caArn !== caArn) continue;
    const secretName = entry.location.name;
    for (const proxy of new Set(entry.usedBy.map((u) => u.resourceKey)))
      waits.push({
        proxy,
        secretName,
        caArn,
        ...(rotation.versionId ? { versionId: rotation.versionId } : {}),
      });
  }
  return waits;
}

function sameDelivery(a: RestartWait, b: RestartWait): boolean {
  return (
    a.proxy === b.proxy && a.secretName === b.secretName && a.versionId === b.versionId && a.caArn === b.caArn
  );
}

/** The waits not confirmed yet. */
export function unconfirmed(state: RestartState): RestartWait[] {
  return (state.restarts ?? []).filter((w) => w.confirmedAt === undefined);
}

/**
 * The record with `waits` as its restarts: a confirmation of the very same delivery is kept;
 * a new wait starts the deadline (once, from the first unconfirmed wait).
 */
export function withRestartWaits<R extends RestartState>(
  record: R,
  waits: readonly RestartWait[],
  now: Date,
): R {
  const merged = waits.map((w) => (record.restarts ?? []).find((old) => sameDelivery(old, w)) ?? w);
  const open = merged.some((w) => w.confirmedAt === undefined);
  const keepDeadline = open && record.restartDeadline !== undefined && unconfirmed(record).length > 0;
  const { restartDeadline: _d, restartDeadlineNotifiedAt: _n, ...rest } = record;
  return {
    ...rest,
    restarts: merged,
    ...(keepDeadline
      ? {
          restartDeadline: record.restartDeadline,
          ...(record.restartDeadlineNotifiedAt
            ? { restartDeadlineNotifiedAt: record.restartDeadlineNotifiedAt }
            : {}),
        }
      : open
        ? { restartDeadline: new Date(now.getTime() + RESTART_DEADLINE_HOURS * 3_600_000).toISOString() }
        : {}),
  } as unknown as R;
}

/**
 * The restarts with `proxies` confirmed by `by`. Every proxy named must be waited for: one that
 * is not refuses the whole confirmation, so a typo never half-applies.
 */
export function confirmRestarts(
  state: RestartState,
  proxies: readonly string[],
  by: string,
  now: Date,
): RestartWait[] {
  const waits = state.restarts ?? [];
  const pending = unconfirmed(state).map((w) => w.proxy);
  const unknown = proxies.filter((p) => !pending.includes(p));
  if (proxies.length === 0 || unknown.length > 0)
    throw new BadRequestError(
      `${unknown.length > 0 ? `not waiting for ${unknown.join(', ')}` : 'name a proxy'}: waiting for ${pending.length > 0 ? pending.join(', ') : 'nothing'}; nothing was confirmed`,
    );
  return waits.map((w) =>
    w.confirmedAt === undefined && proxies.includes(w.proxy)
      ? { ...w, confirmedAt: now.toISOString(), confirmedBy: by }
      : w,
  );
}

/** True when unconfirmed restarts are past their deadline and nobody was told yet. */
export function restartsOverdue(state: RestartState, now: Date): boolean {
  return (
    unconfirmed(state).length > 0 &&
    state.restartDeadline !== undefined &&
    Date.parse(state.restartDeadline) <= now.getTime() &&
    state.restartDeadlineNotifiedAt === undefined
  );
}
