/**
 * `npm run build`: bundle each function of the catalog (`functions/<name>/handler.ts`) into
 * `dist/<name>/index.mjs` with the house bundling settings, and print each bundle's size.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { bundleFunction } from '../infra/bundling';
import { entryOf, FUNCTIONS } from '../infra/function-catalog';

const rows: string[][] = [];
for (const definition of [...FUNCTIONS].sort((a, b) => a.name.localeCompare(b.name))) {
  const outfile = join('dist', definition.name, 'index.mjs');
  const metafile = await bundleFunction(entryOf(definition), outfile);
  const bytes = statSync(outfile).size;
  rows.push([
    definition.name,
    `${(bytes / 1024).toFixed(1)} KiB`,
    `${Object.keys(metafile.inputs).length} modules`,
    outfile,
  ]);
}
const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  '));
