import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { BUNDLE } from '../../../infra/bundling';
import { decodeStackTrace } from '../../../infra/cli/stack-trace-command';

const SOURCE = `export function handler(): never {
  return explode('boom');
}

function explode(message: string): never {
  throw new Error(message);
}
`;

/** A minified ESM bundle with its map, built like the functions, and the stack trace it throws without --enable-source-maps. */
async function thrownTrace(): Promise<{ trace: string; mapFile: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'meshwarden-stack-'));
  writeFileSync(join(dir, 'fixture.ts'), SOURCE);
  const outfile = join(dir, 'index.mjs');
  await build({
    entryPoints: [join(dir, 'fixture.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    minify: BUNDLE.minify,
    sourcemap: BUNDLE.sourceMap,
    logLevel: 'silent',
  });
  const run = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { handler } = await import(${JSON.stringify(pathToFileURL(outfile).href)}); handler();`,
    ],
    { encoding: 'utf8' },
  );
  return { trace: run.stderr, mapFile: `${outfile}.map` };
}

describe('meshwarden stack-trace', () => {
  it('decodes the frames of a minified bundle to the source lines that threw', async () => {
    // Prepare
    const { trace, mapFile } = await thrownTrace();
    const map = JSON.parse(readFileSync(mapFile, 'utf8'));

    // Act
    const decoded = decodeStackTrace(trace, map);

    // Assess
    expect(trace).toMatch(/index\.mjs:1:\d+/);
    expect(decoded).toMatch(/fixture\.ts:6:\d+/);
    expect(decoded).toMatch(/fixture\.ts:2:\d+/);
    expect(decoded).not.toMatch(/index\.mjs:1:\d+/);
  });

  it('leaves frames of other files and text without locations as they are', () => {
    // Prepare
    const map = {
      version: 3,
      file: 'index.mjs',
      sources: ['a.ts'],
      sourcesContent: [],
      sourceRoot: '',
      names: [],
      mappings: 'AAAA',
    };
    const trace = 'Error: x\n    at run (node:internal/modules/run_main:123:5)\n    at other.mjs:1:1';

    // Act
    const decoded = decodeStackTrace(trace, map);

    // Assess
    expect(decoded).toBe(trace);
  });
});
