import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTrustModel, TrustSystem } from '../../model/run-trust-model';

/**
 * The trust invariants, checked after every step of seeded random sequences of people's
 * changes, alarms, approvals, forged decisions, faults, duplicated and late deliveries,
 * against every function running on local AWS. `TRUST_RUNS`, `TRUST_SEED` and `TRUST_PATH`
 * replay or widen a run; `npm run soak` runs long sequences.
 */
describe('trust invariants hold across capabilities (model-based)', () => {
  let sys: TrustSystem;
  beforeAll(async () => {
    sys = await TrustSystem.start();
  });
  afterAll(() => sys.close());

  it('holds I1–I6 after every step of 200 random sequences', async () => {
    const numRuns = Number(process.env.TRUST_RUNS ?? 200);
    const stats = await runTrustModel(sys, {
      numRuns,
      maxCommands: 12,
      ...(process.env.TRUST_SEED === undefined ? {} : { seed: Number(process.env.TRUST_SEED) }),
      ...(process.env.TRUST_PATH === undefined ? {} : { path: process.env.TRUST_PATH }),
    });
    expect(stats.sequences).toBe(numRuns);
    console.log(`trust model: ${stats.sequences} sequences, ${stats.steps} steps`);
  }, 900_000);
});
