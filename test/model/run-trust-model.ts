/**
 * Runs the trust model: seeded, replayable sequences of commands against the whole local
 * runtime, one fresh route per sequence. fast-check shrinks a failing sequence and reports
 * its seed, path and the shrunk commands.
 */
import * as fc from 'fast-check';
import { checkSettled, initialModel, type TrustModel, type TrustReal, trustCommands } from './trust-commands';
import { TrustSystem } from './trust-system';

export interface TrustRunOptions {
  /** How many sequences. */
  readonly numRuns: number;
  /** The most commands in one sequence. */
  readonly maxCommands: number;
  readonly seed?: number;
  /** A path fast-check printed, to replay one failure. */
  readonly path?: string;
  /** Draw sequences of the full length (soak) rather than mostly short ones. */
  readonly long?: boolean;
}

export interface TrustRunStats {
  sequences: number;
  steps: number;
}

/** Run the model against a started system; throws fast-check's report on a failure. */
export async function runTrustModel(sys: TrustSystem, options: TrustRunOptions): Promise<TrustRunStats> {
  const stats: TrustRunStats = { sequences: 0, steps: 0 };
  const commands = fc.commands(trustCommands, {
    maxCommands: options.maxCommands,
    ...(options.long === true ? { size: 'max' as const } : {}),
  });
  await fc.assert(
    fc.asyncProperty(fc.boolean(), commands, async (progressive, cmds) => {
      const route = await sys.newRoute(progressive);
      const model: TrustModel = initialModel();
      const real: TrustReal = { sys, route };
      try {
        await fc.asyncModelRun(() => ({ model, real }), cmds);
        await checkSettled(model, real);
        stats.sequences += 1;
        stats.steps += model.steps;
      } finally {
        await sys.removeRoute(route);
      }
    }),
    {
      numRuns: options.numRuns,
      ...(options.seed === undefined ? {} : { seed: options.seed }),
      ...(options.path === undefined ? {} : { path: options.path }),
      endOnFailure: false,
    },
  );
  return stats;
}

export { TrustSystem };
