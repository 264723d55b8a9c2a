/**
 * A long run of the trust model: `npm run soak -- --steps 10000 --seed 42`. Plays sequences of
 * up to 100 steps against every function on local AWS until that many steps have run, and
 * prints the seed; on a failure, fast-check's report with the shrunk sequence and the path
 * fast-check gives (`--seed <batch seed> --path <path>`). The sequences come from the seed alone;
 * the path replays only while the system answers as it did, since commands that depend on what
 * meshwarden asked (an approval to click) are drawn from the model the answers built.
 */
import { parseArgs } from 'node:util';
import { runTrustModel, TrustSystem } from '../test/model/run-trust-model';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '2000' },
    seed: { type: 'string' },
    'max-commands': { type: 'string', default: '100' },
    path: { type: 'string' },
  },
  strict: true,
});

function wholeNumber(name: string, text: string | undefined): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) {
    console.error(`--${name} takes a whole number above 0, not ${JSON.stringify(text)}`);
    process.exit(2);
  }
  return n;
}

const steps = wholeNumber('steps', values.steps);
const maxCommands = wholeNumber('max-commands', values['max-commands']);
const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
if (!Number.isSafeInteger(seed)) {
  console.error(`--seed takes a whole number, not ${JSON.stringify(values.seed)}`);
  process.exit(2);
}

const sys = await TrustSystem.start();
const started = Date.now();
let done = 0;
let sequences = 0;
let exit = 0;
console.log(`soak: seed ${seed}, ${steps} steps, sequences of up to ${maxCommands}`);
try {
  // One fast-check run per batch, each with a seed derived from the given one, so any
  // failure names the seed that replays it on its own.
  for (let batch = 0; done < steps; batch++) {
    const batchSeed = (seed + batch) | 0;
    const stats = await runTrustModel(sys, {
      numRuns: 10,
      maxCommands,
      seed: batchSeed,
      long: true,
      ...(values.path === undefined ? {} : { path: values.path }),
    });
    // A replay runs the one failing sequence its path names, then stops.
    if (values.path !== undefined) break;
    done += stats.steps;
    sequences += stats.sequences;
    console.log(
      `  batch seed ${batchSeed}: ${stats.sequences} sequences, ${stats.steps} steps (${done}/${steps}, ${Math.round((Date.now() - started) / 1000)} s)`,
    );
  }
  console.log(
    `soak passed: ${sequences} sequences, ${done} steps in ${Math.round((Date.now() - started) / 1000)} s`,
  );
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error) console.error(`Caused by: ${cause.message}`);
  console.error(`soak FAILED after ${done} steps (seed ${seed})`);
  exit = 1;
} finally {
  await sys.close();
}
process.exit(exit);
