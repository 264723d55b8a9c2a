import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleFunction } from '../../../infra/bundling';
import { packageOf, runNode } from '../../bench/cold-start/measure';
import { startSeededLocalAws, type TestLocalAws } from '../../support/local-aws';

let local: TestLocalAws;
const dir = mkdtempSync(join(tmpdir(), 'meshwarden-bundled-pca-'));

beforeAll(async () => {
  local = await startSeededLocalAws();
});

afterAll(async () => {
  await local.aws.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the ACM PCA client in a bundle', () => {
  it('shares the one SDK core of the other clients and still issues, fetches and reports a missing CA', async () => {
    // Prepare
    const outfile = join(dir, 'index.mjs');
    const metafile = await bundleFunction('test/support/bundled/acm-pca-entry.ts', outfile);
    const output = Object.values(metafile.outputs).find((o) => o.entryPoint !== undefined);
    const coreCopies = new Set(
      Object.keys(output?.inputs ?? {})
        .filter((path) => packageOf(path) === '@smithy/core')
        .map((path) => path.slice(0, path.lastIndexOf('@smithy/core'))),
    );

    // Act
    const run = await runNode(
      [
        '--input-type=module',
        '-e',
        `const { handler } = await import(${JSON.stringify(pathToFileURL(outfile).href)});
         process.stdout.write(JSON.stringify(await handler())); process.exit(0);`,
      ],
      local.aws.functionEnv,
    );

    // Assess
    expect([...coreCopies]).toEqual(['node_modules/']);
    expect(run.stderr).not.toMatch(/Error/);
    expect(JSON.parse(run.stdout)).toEqual({
      status: 'ACTIVE',
      caCertificate: true,
      issued: true,
      missing: 'NotFoundError',
    });
  }, 60_000);
});
