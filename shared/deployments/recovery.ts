import { MeshwardenError } from '../errors';
import type { GuardDeps } from './deps';
import type { RollbackReason } from './model';
import { type RollbackResult, rollBack } from './rollback';

/** What one run of the recovery schedule did. */
export interface RecoveryResult {
  readonly finished: readonly { readonly routeKey: string; readonly result: RollbackResult }[];
  readonly failed: readonly { readonly routeKey: string; readonly error: string }[];
  /** True when no route is left `rolling-back` and the schedule was deleted. */
  readonly scheduleRemoved: boolean;
}

/**
 * The one-minute recovery schedule fired: finish every rollback left `rolling-back` (a write
 * that failed after its retries, a crash between claim and write). The schedule is deleted
 * once none is left; while one still fails, it stays and the run fails (metric, DLQ).
 */
export async function onRecovery(deps: GuardDeps): Promise<RecoveryResult> {
  const pending = (await deps.store.list()).filter((r) => r.deployment?.status === 'rolling-back');
  const finished: { routeKey: string; result: RollbackResult }[] = [];
  const failed: { routeKey: string; error: string }[] = [];
  for (const record of pending) {
    const rollback = record.deployment?.rollback;
    if (rollback === undefined) continue;
    const { decidedAt: _d, completedAt: _c, failedAt: _f, lastError: _l, ...reason } = rollback;
    try {
      finished.push({
        routeKey: record.routeKey,
        result: await rollBack(deps, record, reason as RollbackReason, Date.now(), { resume: true }),
      });
    } catch (error) {
      failed.push({
        routeKey: record.routeKey,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  if (failed.length > 0) {
    throw new MeshwardenError(
      `rollback still failing for ${failed.map((f) => `${f.routeKey} (${f.error})`).join(', ')}; retried in a minute`,
    );
  }
  const left = (await deps.store.list()).some((r) => r.deployment?.status === 'rolling-back');
  if (!left) await deps.scheduler.removeRecovery();
  return { finished, failed, scheduleRemoved: !left };
}
