/**
 * `npm run build [-- --no-tracing] [-- --policy FILE] [-- --cli]`: bundle the CLI into
 * `dist/cli/meshwarden.mjs` (self-contained: what `bin/meshwarden.js` runs in an installed
 * package), and each function of the catalog (`functions/<name>/handler.ts`) into
 * `dist/<name>/index.mjs` with the house bundling settings, next to its source map and the
 * compiled policy (`meshwarden.policy.json`, validated as synth validates it), and print each
 * bundle's size. The policy is `--policy FILE`, else `meshwarden:policyFile` of cdk.json, else
 * the report-only starter (said so in the output). `--no-tracing` builds as
 * `meshwarden:tracing=false` deploys: without the X-Ray SDK. `--cli` bundles the CLI only (what
 * `npm pack` needs).
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bundleCli, bundleFunction, CLI_BUNDLE } from '../infra/bundling';
import { entryOf, FUNCTIONS } from '../infra/function-catalog';
import { REPORT_ONLY_POLICY_FILE } from '../infra/stacks/meshwarden-config';
import { COMPILED_POLICY_FILE, serializeCompiledPolicy } from '../shared/policy/compiled-artifact';
import { loadPolicy } from '../shared/policy/load';

const { values: args } = parseArgs({
  options: {
    'no-tracing': { type: 'boolean', default: false },
    policy: { type: 'string' },
    cli: { type: 'boolean', default: false },
  },
});

const rows: string[][] = [];
const addRow = (name: string, outfile: string, modules: number) =>
  rows.push([name, `${(statSync(outfile).size / 1024).toFixed(1)} KiB`, `${modules} modules`, outfile]);

addRow('cli', CLI_BUNDLE, Object.keys((await bundleCli()).inputs).length);

const tracing = !args['no-tracing'];
const context = (JSON.parse(readFileSync('cdk.json', 'utf8')) as { context: Record<string, unknown> })
  .context;
const configured = args.policy ?? (context['meshwarden:policyFile'] as string | undefined);
const policyFile = configured ?? REPORT_ONLY_POLICY_FILE;
// Validated here as at synth: an invalid policy fails the build with its FILE:LINE:COL messages.
const compiledPolicy = args.cli ? '' : serializeCompiledPolicy(loadPolicy(policyFile), policyFile);

const functions = args.cli ? [] : [...FUNCTIONS].sort((a, b) => a.name.localeCompare(b.name));
for (const definition of functions) {
  const outfile = join('dist', definition.name, 'index.mjs');
  const metafile = await bundleFunction(entryOf(definition), outfile, { tracing });
  writeFileSync(join('dist', definition.name, COMPILED_POLICY_FILE), compiledPolicy);
  addRow(definition.name, outfile, Object.keys(metafile.inputs).length);
}
const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  '));
if (!args.cli) {
  const which =
    configured === undefined ? ' (the report-only starter: no --policy given, none in cdk.json)' : '';
  console.log(
    `tracing ${tracing ? 'on' : 'off'}; policy ${policyFile}${which} compiled to ${COMPILED_POLICY_FILE}`,
  );
}
