import { readFileSync } from 'node:fs';
import { SourceMap, type SourceMapPayload } from 'node:module';
import { basename } from 'node:path';
import type { Command } from 'commander';

/**
 * The functions run without `--enable-source-maps` (it slows every cold start), so their stack
 * traces point into the minified bundle. This decodes them with the bundle's `.map` file,
 * written next to it by `npm run build` and shipped in every deployed function's asset.
 */

/** `file:///var/task/index.mjs:1:23456`, `/var/task/index.mjs:1:23456` or `index.mjs:1:23456`. */
function locationPattern(bundleName: string): RegExp {
  const escaped = bundleName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?:file://)?[^\\s()"'\\\\]*${escaped}:(\\d+):(\\d+)`, 'g');
}

/**
 * Rewrite every location in `trace` that points into the bundle to the source it came from
 * (`shared/deployments/rollback.ts:42:7`), with the original name where the map knows it.
 * Locations the map does not cover, and frames of other files, are left as they are.
 */
export function decodeStackTrace(trace: string, map: SourceMapPayload, bundleName = 'index.mjs'): string {
  const sourceMap = new SourceMap(map);
  return trace.replace(locationPattern(bundleName), (location, line: string, column: string) => {
    const entry = sourceMap.findEntry(Number(line) - 1, Number(column) - 1);
    if (!('originalSource' in entry) || entry.originalSource === undefined) return location;
    const source = entry.originalSource.replace(/^(\.\.\/)+/, '');
    // Node reports the original name too, though its types do not say so.
    const original = (entry as { name?: unknown }).name;
    const name = typeof original === 'string' ? ` [${original}]` : '';
    return `${source}:${entry.originalLine + 1}:${entry.originalColumn + 1}${name}`;
  });
}

interface StackTraceOptions {
  readonly map: string;
}

/** `meshwarden stack-trace [FILE] --map dist/<function>/index.mjs.map`: decode a function's stack trace. */
export function registerStackTraceCommand(program: Command): void {
  program
    .command('stack-trace')
    .description("Decode a function's stack trace (minified bundle) to source locations with its .map file")
    .argument('[file]', 'the stack trace or log lines (default: standard input)')
    .requiredOption(
      '--map <file>',
      'the bundle\'s source map: dist/<function>/index.mjs.map after "npm run build", or index.mjs.map of the deployed asset',
    )
    .action((file: string | undefined, options: StackTraceOptions) => {
      const map = JSON.parse(readFileSync(options.map, 'utf8')) as SourceMapPayload;
      const trace = readFileSync(file ?? 0, 'utf8');
      process.stdout.write(decodeStackTrace(trace, map, basename(options.map).replace(/\.map$/, '')));
    });
}
