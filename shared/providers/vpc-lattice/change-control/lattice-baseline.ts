/**
 * First sight of governed VPC Lattice service networks: what each holds now becomes last known
 * good where nothing is recorded yet, so a resource changed before meshwarden ever judged a call
 * on it still has a state to return to. Run by the daily audit. Never overwrites: what an
 * allowed change or an earlier first sight recorded stays.
 */

import { NotFoundError } from '../../../errors';
import { formatLatticeResourceKey } from '../resource-key';
import type { LatticeChangeTargets, LatticeLastKnownGoodStore } from './lattice-state';

export interface LatticeBaselineDeps {
  readonly lattice: Pick<LatticeChangeTargets, 'baseline'>;
  readonly lastKnownGood: Pick<LatticeLastKnownGoodStore, 'putIfAbsent'>;
  readonly now: () => Date;
}

/**
 * First sight of a governed service network: every rule, listener default action and auth
 * policy it holds now becomes last known good where none is recorded yet. Run by the daily
 * audit, so a resource changed before meshwarden ever judged it still has a state to return to.
 * Returns how many records were written.
 */
export async function recordLatticeBaseline(
  deps: LatticeBaselineDeps,
  serviceNetwork: string,
): Promise<number> {
  const found = await deps.lattice.baseline(serviceNetwork);
  const at = deps.now().toISOString();
  let written = 0;
  for (const { target, state } of found) {
    const stored = await deps.lastKnownGood.putIfAbsent({
      resourceKey: formatLatticeResourceKey(target.ref),
      state,
      eventId: `baseline:${at}`,
      recordedAt: at,
      source: 'baseline',
    });
    if (stored) written += 1;
  }
  return written;
}

/** The first sight of each network: how many records each got, or that the network does not exist. */
export async function recordLatticeBaselines(
  deps: LatticeBaselineDeps,
  serviceNetworks: readonly string[],
): Promise<{ serviceNetwork: string; recorded: number | 'missing' }[]> {
  const results: { serviceNetwork: string; recorded: number | 'missing' }[] = [];
  for (const serviceNetwork of serviceNetworks) {
    try {
      results.push({ serviceNetwork, recorded: await recordLatticeBaseline(deps, serviceNetwork) });
    } catch (error) {
      // A policy entry naming a network that does not exist is reported, not fatal to the audit.
      if (!(error instanceof NotFoundError)) throw error;
      results.push({ serviceNetwork, recorded: 'missing' });
    }
  }
  return results;
}
