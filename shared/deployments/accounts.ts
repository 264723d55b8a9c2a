/**
 * The deployment guard across accounts: each input is handled with the deps of the account it
 * is about (a member account's routes, alarms and deployment records, reached through the role
 * meshwarden assumes there), never with another account's. Which account is read from stored
 * or verified facts: the event's own account, the step schedule meshwarden wrote, the stored
 * approval, not from what a bus event claims about something else.
 */
import { type AccountDirectory, accountOfEvent } from '../accounts/accounts';
import { MeshwardenError } from '../errors';
import type { ApprovalStore, StepScheduler } from '../ports';
import type { GuardDeps } from './deps';
import { handleGuardInput } from './handle';
import type { GuardInput } from './inbound';
import type { RouteChangeResult } from './on-route-change';
import { onRecovery, type RecoveryResult } from './recovery';

export interface AccountGuard {
  readonly accounts: AccountDirectory;
  /** The guard's deps in one account; throws UnknownAccountError for an account not configured. */
  depsFor(account: string): GuardDeps;
  /** The App Mesh meshes meshwarden governs in one account: the only ones its roles may read. */
  governedMeshes(account: string): readonly string[];
  /** Where deployment approvals are stored: an approval names its account. */
  readonly approvals: Pick<ApprovalStore, 'get'>;
  /** The one recovery schedule, shared by every account. */
  readonly scheduler: Pick<StepScheduler, 'removeRecovery'>;
}

/** What the recovery schedule did, per account. */
export interface AccountsRecoveryResult {
  readonly accounts: Readonly<Record<string, RecoveryResult>>;
  readonly scheduleRemoved: boolean;
}

/** Handle one guard input in the account it belongs to. */
export async function handleGuardInputInAccount(guard: AccountGuard, input: GuardInput): Promise<unknown> {
  const central = guard.accounts.central;
  switch (input.kind) {
    case 'route-change': {
      const account = accountOfEvent(input.event);
      const deps = guard.depsFor(account);
      // The rule sees the route writes of every mesh in the account; one in a mesh meshwarden
      // does not govern is none of the guard's business (and its role may not read that route).
      const meshName = input.event.detail.requestParameters?.meshName;
      if (meshName !== undefined && !guard.governedMeshes(account).includes(meshName)) {
        return { routeKey: '', outcome: 'ignored' } satisfies RouteChangeResult;
      }
      return handleGuardInput(deps, input);
    }
    case 'provider-route-change':
    case 'alarm':
      return handleGuardInput(guard.depsFor(accountOfEvent(input.event)), input);
    case 'step':
      // The step names its account; its token is then checked against that account's record.
      return handleGuardInput(guard.depsFor(input.step.account ?? central), input);
    case 'approval': {
      const stored = await guard.approvals.get(input.event.detail.approvalId);
      return handleGuardInput(guard.depsFor(stored?.account ?? central), input);
    }
    case 'recovery':
      return recoverEveryAccount(guard);
  }
}

/**
 * The recovery schedule is one for all accounts: resume unfinished rollbacks in each, and
 * delete the schedule only when no account has one left. One account's failure does not keep
 * the others from being resumed; the run then fails, naming every account that still fails.
 */
async function recoverEveryAccount(guard: AccountGuard): Promise<AccountsRecoveryResult> {
  const results: Record<string, RecoveryResult> = {};
  const failures: string[] = [];
  for (const account of [guard.accounts.central, ...guard.accounts.members.keys()]) {
    const deps = guard.depsFor(account);
    const scheduler: StepScheduler = {
      schedule: (step, at) => deps.scheduler.schedule(step, at),
      cancel: (token) => deps.scheduler.cancel(token),
      ensureRecovery: () => deps.scheduler.ensureRecovery(),
      // Removed below, once every account is done.
      removeRecovery: async () => undefined,
    };
    try {
      results[account] = await onRecovery({ ...deps, scheduler });
    } catch (error) {
      failures.push(`account ${account}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (failures.length > 0) throw new MeshwardenError(failures.join('; '));
  const done = Object.values(results).every((r) => r.scheduleRemoved);
  if (done) await guard.scheduler.removeRecovery();
  return { accounts: results, scheduleRemoved: done };
}
