/**
 * `npm run bench [-- NAME...]`: runs every `test/bench/*.bench.ts` (or those whose file name
 * contains one of the given names) and prints its figures. Exit code 1 when a target is missed.
 */
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Benchmark, formatFigure } from './harness';

const dir = fileURLToPath(new URL('.', import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((name) => f.includes(name)))
  .sort();

let missed = 0;
for (const file of files) {
  const module = (await import(pathToFileURL(`${dir}/${file}`).href)) as { default: readonly Benchmark[] };
  for (const benchmark of module.default) {
    console.log(`${file.replace('.bench.ts', '')}: ${benchmark.name}`);
    for (const figure of await benchmark.run()) {
      console.log(formatFigure(figure));
      if (figure.target !== undefined && figure.value > figure.target) missed++;
    }
  }
}
if (missed > 0) {
  console.log(`${missed} figure(s) missed their target`);
  process.exitCode = 1;
}
