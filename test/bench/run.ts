/**
 * `npm run bench [-- NAME...]`: runs every `test/bench/*.bench.ts` (or those whose file name
 * contains one of the given names) and prints its figures. Exit code 1 when a target is missed.
 *
 * Each file runs in a process of its own: the functions read their configuration (the local
 * AWS endpoint among it) once at module load, as in Lambda, so two files that each start a
 * local AWS cannot share a process.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Benchmark, formatFigure } from './harness';

const dir = fileURLToPath(new URL('.', import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((name) => f.includes(name)))
  .sort();

async function runFile(file: string): Promise<number> {
  let missed = 0;
  const module = (await import(pathToFileURL(`${dir}/${file}`).href)) as { default: readonly Benchmark[] };
  for (const benchmark of module.default) {
    console.log(`${file.replace('.bench.ts', '')}: ${benchmark.name}`);
    for (const figure of await benchmark.run()) {
      console.log(formatFigure(figure));
      if (figure.target !== undefined && figure.value > figure.target) missed++;
    }
  }
  return missed;
}

if (files.length === 1 && files[0] !== undefined) {
  const missed = await runFile(files[0]);
  if (missed > 0) console.log(`${missed} figure(s) missed their target`);
  process.exitCode = missed > 0 ? 1 : 0;
} else {
  let failed = 0;
  for (const file of files) {
    const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), file], {
      stdio: 'inherit',
    });
    if (child.status !== 0) failed++;
  }
  if (failed > 0) console.log(`${failed} benchmark file(s) missed a target or failed`);
  process.exitCode = failed > 0 ? 1 : 0;
}
