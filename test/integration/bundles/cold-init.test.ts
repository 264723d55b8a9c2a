import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleFunction } from '../../../infra/bundling';
import { entryOf, FUNCTIONS } from '../../../infra/function-catalog';
import { DEMO_POLICY_FILE } from '../../../infra/local/runtime';
import { serializeCompiledPolicy } from '../../../shared/policy/compiled-artifact';
import { loadPolicy } from '../../../shared/policy/load';
import { runNode } from '../../bench/cold-start/measure';

/**
 * What a function's module init must not build or evaluate, checked on the bundles as deployed
 * (`bundleFunction`, tracing on): classic zod, the policy sections' schemas, and the rarely used
 * libraries loaded on first use (Slack, X.509).
 */

const dir = mkdtempSync(join(tmpdir(), 'meshwarden-cold-init-'));
const policyFile = join(dir, 'meshwarden.policy.json');
const built = new Map<string, { file: string; metafile: Metafile; text: string }>();

beforeAll(async () => {
  writeFileSync(policyFile, serializeCompiledPolicy(loadPolicy(DEMO_POLICY_FILE)));
  for (const definition of FUNCTIONS) {
    const file = join(dir, definition.name, 'index.mjs');
    const metafile = await bundleFunction(entryOf(definition), file);
    built.set(definition.name, { file, metafile, text: readFileSync(file, 'utf8') });
  }
}, 180_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function bundleOf(name: string) {
  const bundle = built.get(name);
  if (bundle === undefined) throw new Error(`${name} was not built`);
  return bundle;
}

/** Bytes each input contributes to the bundle, by path. */
function bytesByInput(metafile: Metafile): Record<string, number> {
  const output = Object.values(metafile.outputs).find((o) => o.entryPoint !== undefined);
  return Object.fromEntries(Object.entries(output?.inputs ?? {}).map(([path, i]) => [path, i.bytesInOutput]));
}

/** How each bundled source imports `target` (a path fragment): static or dynamic. */
function importKinds(metafile: Metafile, target: RegExp): string[] {
  const bundled = bytesByInput(metafile);
  return Object.entries(metafile.inputs)
    .filter(([path]) => path in bundled && !target.test(path))
    .flatMap(([path, input]) =>
      input.imports.filter((i) => target.test(i.path)).map((i) => `${path} ${i.kind}`),
    );
}

/** Module init with the environment Lambda would give, and whether reflect-metadata ran. */
async function initFacts(file: string): Promise<{ reflectMetadata: boolean }> {
  const run = await runNode(
    [
      '--input-type=module',
      '-e',
      `await import(${JSON.stringify(pathToFileURL(file).href)});
       process.stdout.write(JSON.stringify({ reflectMetadata: typeof Reflect.getMetadata === 'function' }));`,
    ],
    {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      MESHWARDEN_EVENT_BUS: 'meshwarden',
      MESHWARDEN_TABLE: 'meshwarden',
      MESHWARDEN_MESHES: 'prod',
      MESHWARDEN_POLICY_FILE: policyFile,
      MESHWARDEN_SELF_ROLE_ARNS: 'arn:aws:iam::000000000000:role/meshwarden-fn',
      MESHWARDEN_SLACK_SECRET: 'meshwarden/slack',
      MESHWARDEN_ACCOUNT_ID: '000000000000',
      MESHWARDEN_ASSETS_DIR: fileURLToPath(new URL('../../../functions/console-api/page', import.meta.url)),
      MESHWARDEN_OIDC_ISSUER: 'https://idp.example',
      MESHWARDEN_OIDC_CLIENT_ID: 'meshwarden',
      MESHWARDEN_PENDING_KEY_ARN:
        'arn:aws:kms:us-east-1:000000000000:key/11111111-2222-3333-4444-555555555555',
      POWERTOOLS_LOG_LEVEL: 'WARN',
    },
  );
  if (run.code !== 0) throw new Error(`import of ${file} failed: ${run.stderr.slice(-2000)}`);
  return JSON.parse(run.stdout) as { reflectMetadata: boolean };
}

describe.each(FUNCTIONS.map((f) => f.name))('the %s bundle', (name) => {
  it('carries no classic zod: its schemas are zod/mini', () => {
    // Act
    const classic = Object.entries(bytesByInput(bundleOf(name).metafile)).filter(
      ([path, bytes]) => path.includes('node_modules/zod/v4/classic/') && bytes > 0,
    );

    // Assess
    expect(classic.map(([path]) => path)).toEqual([]);
  });

  it("builds none of the policy sections' schemas (the policy ships compiled)", () => {
    // Act
    const { text } = bundleOf(name);

    // Assess: one description of each section's schema, which only building the schema needs.
    expect(text).not.toContain('Canary weights in percent'); // deployments
    expect(text).not.toContain('Callers whose token claims match get these roles'); // api
    expect(text).not.toContain('Glob: `*` matches any run of characters'); // every glob field
  });

  it('imports @slack/web-api and @peculiar/x509 only on first use', () => {
    // Act
    const { metafile } = bundleOf(name);
    const slack = importKinds(metafile, /node_modules\/@slack\/web-api\//);
    const x509 = importKinds(metafile, /shared\/x509\.ts$|shared\/certificates\/x509-used\.ts$/);

    // Assess: every way in is a dynamic import (shared/x509.ts itself is reached only through one).
    expect(slack.filter((i) => !i.endsWith('dynamic-import'))).toEqual([]);
    expect(
      x509.filter((i) => !i.endsWith('dynamic-import') && !i.startsWith('shared/certificates/x509-used.ts')),
    ).toEqual([]);
  });
});

describe.each(['cert-rotation', 'console-api'])('module init of %s', (name) => {
  it('does not evaluate @peculiar/x509 and its reflect-metadata set-up', async () => {
    // Act
    const facts = await initFacts(bundleOf(name).file);

    // Assess
    expect(facts).toEqual({ reflectMetadata: false });
  }, 30_000);
});
