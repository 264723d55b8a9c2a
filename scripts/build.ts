/**
 * `npm run build [-- --no-tracing]`: bundle each function of the catalog
 * (`functions/<name>/handler.ts`) into `dist/<name>/index.mjs` with the house bundling settings,
 * next to its source map and the compiled policy (`meshwarden.policy.json`, from the policy
 * file cdk.json names, validated as synth validates it), and print each bundle's size.
 * `--no-tracing` builds as `meshwarden:tracing=false` deploys: without the X-Ray SDK.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleFunction } from '../infra/bundling';
import { entryOf, FUNCTIONS } from '../infra/function-catalog';
import { COMPILED_POLICY_FILE, serializeCompiledPolicy } from '../shared/policy/compiled-artifact';
import { loadPolicy } from '../shared/policy/load';

const tracing = !process.argv.includes('--no-tracing');
const context = (JSON.parse(readFileSync('cdk.json', 'utf8')) as { context: Record<string, unknown> })
  .context;
const policyFile = String(context['meshwarden:policyFile']);
// Validated here as at synth: an invalid policy fails the build with its FILE:LINE:COL messages.
const compiledPolicy = serializeCompiledPolicy(loadPolicy(policyFile), policyFile);

const rows: string[][] = [];
for (const definition of [...FUNCTIONS].sort((a, b) => a.name.localeCompare(b.name))) {
  const outfile = join('dist', definition.name, 'index.mjs');
  const metafile = await bundleFunction(entryOf(definition), outfile, { tracing });
  writeFileSync(join('dist', definition.name, COMPILED_POLICY_FILE), compiledPolicy);
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
console.log(`tracing ${tracing ? 'on' : 'off'}; policy ${policyFile} compiled to ${COMPILED_POLICY_FILE}`);
