import { governedServiceNetworks } from '../deployments/route-policy';
import type { CompiledPolicy } from '../policy/compile';
import {
  decideCaRollover,
  type RolloverDecisionDeps,
  type RolloverReport,
  runCaRollover,
} from './ca-rollover';
import { type AskReport, postRolloverApproval } from './rollover-approval';
import { remindOverdueRestarts } from './rollover-lifecycle';
import { type CleanupItem, cleanUpSuperseded } from './superseded';
import type { SweepItem } from './sweep';
import { sweepCertificates } from './sweep';
import type { RotationTrigger } from './trigger';

export interface TriggerOutcome {
  readonly items: readonly SweepItem[];
  readonly rollovers: readonly RolloverReport[];
  /** The daily run: replaced ACM private certificates deleted, or kept and why. */
  readonly cleanedUp?: readonly CleanupItem[];
  /** For a rollover that claimed to wait for its approval: what checking the claim did. */
  readonly asked?: AskReport;
}

/**
 * Run certificate rotation for one trigger. A leaf whose policy names a CA its clients do not
 * trust yet starts (or continues) a CA rollover instead of a rotation: the policy change of
 * issuing CA is the rollover command. Throws after doing all it can when any certificate
 * failed, so the platform retries (finished rotations are on record and not repeated).
 */
export async function onRotationTrigger(
  deps: RolloverDecisionDeps,
  policy: CompiledPolicy,
  meshNames: readonly string[],
  trigger: RotationTrigger,
): Promise<TriggerOutcome> {
  if (trigger.kind === 'rollover-decision') {
    return { items: [], rollovers: [await decideCaRollover(deps, trigger.event.detail, policy)] };
  }
  if (trigger.kind === 'rollover-awaiting-approval') {
    return {
      items: [],
      rollovers: [],
      asked: await postRolloverApproval(deps, policy, trigger.event.detail),
    };
  }
  const only = trigger.kind === 'acm-expiry' ? trigger.event.resources[0] : undefined;
  // The meshes, then the VPC Lattice service networks the policy governs (their certificates
  // are renewed in place, so nothing below, rollovers and clean-up, concerns them).
  const scopes = [...new Set([...meshNames, ...governedServiceNetworks(policy)])];
  const items = await sweepCertificates(deps, policy, scopes, only ? { only } : {});
  const rollovers: RolloverReport[] = [];
  const started = new Set<string>();
  for (const item of items) {
    if (item.action !== 'needs-rollover' || item.rollover === undefined) continue;
    const pair = `${item.meshName}|${item.rollover.oldCaArn}|${item.rollover.newCaArn}`;
    if (started.has(pair)) continue;
    started.add(pair);
    rollovers.push(
      await runCaRollover(deps, policy, item.meshName, item.rollover.oldCaArn, item.rollover.newCaArn),
    );
  }
  // Once a day, after rotating: delete what rotations replaced, once its grace period has passed.
  const cleanedUp =
    trigger.kind === 'schedule' ? await cleanUpSuperseded(deps, policy, meshNames) : undefined;
  // The daily run is also when overdue restarts of open rollovers are told (once each).
  if (trigger.kind === 'schedule') rollovers.push(...(await remindOverdueRestarts(deps, meshNames)));
  const failed = items.filter((i) => i.action === 'failed');
  if (failed.length > 0) {
    throw new Error(
      `certificate rotation failed for ${failed.length} certificate(s), retried on redelivery: ${failed.map((f) => `${f.id}: ${f.reason}`).join('; ')}`,
    );
  }
  return { items, rollovers, ...(cleanedUp ? { cleanedUp } : {}) };
}
