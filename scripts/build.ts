/**
 * `npm run build`: bundle each function in `functions/<name>/handler.ts` into
 * `dist/<name>/index.mjs` with the house bundling settings, and print each bundle's size.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { bundleFunction, FUNCTIONS_DIR } from '../infra/bundling';

const names = readdirSync(FUNCTIONS_DIR).filter((name) =>
  statSync(join(FUNCTIONS_DIR, name, 'handler.ts'), { throwIfNoEntry: false })?.isFile(),
);
if (names.length === 0) throw new Error(`No functions found under ${FUNCTIONS_DIR}/*/handler.ts`);

const rows: string[][] = [];
for (const name of names.sort()) {
  const outfile = join('dist', name, 'index.mjs');
  const metafile = await bundleFunction(join(FUNCTIONS_DIR, name, 'handler.ts'), outfile);
  const bytes = statSync(outfile).size;
  const inputs = Object.keys(metafile.inputs).length;
  rows.push([name, `${(bytes / 1024).toFixed(1)} KiB`, `${inputs} modules`, outfile]);
}
const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  '));
