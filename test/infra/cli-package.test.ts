import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleCli } from '../../infra/bundling';
import { REPORT_ONLY_POLICY_FILE } from '../../infra/stacks/meshwarden-config';

/**
 * The package as a user installs it: `npm pack` of this repository with the CLI bundled as
 * `npm run build` bundles it, unpacked into an empty directory outside the repository. No
 * node_modules there, so no tsx, no commander, no AWS SDK: the bundle must carry all it needs.
 */
let unpacked: string;

function run(args: readonly string[], cwd = unpacked) {
  return spawnSync(process.execPath, [join(cwd, 'bin/meshwarden.js'), ...args], {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1' },
    timeout: 15_000,
  });
}

beforeAll(async () => {
  await bundleCli();
  const root = mkdtempSync(join(tmpdir(), 'meshwarden-pack-'));
  // The bundle was just built; prepack would only build it again.
  const pack = spawnSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', root], {
    encoding: 'utf8',
  });
  expect(pack.status, pack.stderr).toBe(0);
  const [{ filename }] = JSON.parse(pack.stdout) as [{ filename: string }];
  const untar = spawnSync('tar', ['-xzf', join(root, filename), '-C', root], { encoding: 'utf8' });
  expect(untar.status, untar.stderr).toBe(0);
  unpacked = join(root, 'package');
});

describe('the packed CLI', () => {
  it('holds the bin, the bundle and the starter policy, and no sources or dependencies', () => {
    expect(existsSync(join(unpacked, 'dist/cli/meshwarden.mjs'))).toBe(true);
    expect(existsSync(join(unpacked, REPORT_ONLY_POLICY_FILE))).toBe(true);
    expect(existsSync(join(unpacked, 'infra/cli'))).toBe(false);
    expect(existsSync(join(unpacked, 'node_modules'))).toBe(false);
    // Nothing up the tree provides tsx either: the bin cannot fall back to the sources.
    expect(() => createRequire(join(unpacked, 'bin/meshwarden.js')).resolve('tsx')).toThrow();
  });

  it('prints its help', () => {
    const help = run(['--help']);
    expect(help.stderr).toBe('');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: meshwarden \[options\] \[command\]/);
    expect(help.stdout).toMatch(/policy\s+Work with the meshwarden policy file/);
  });

  it('validates the starter policy it ships, and refuses a broken one with its line and path', () => {
    const valid = run(['policy', 'validate', REPORT_ONLY_POLICY_FILE]);
    expect(valid.stderr).toBe('');
    expect(valid.status).toBe(0);
    expect(valid.stdout.trim()).toBe(
      `${REPORT_ONLY_POLICY_FILE}: valid (1 mesh entry: *; 0 allow rule(s); 0 exemption(s))`,
    );

    const broken = join(unpacked, 'broken.policy.yaml');
    writeFileSync(
      broken,
      'version: 1\nmeshes:\n  - mesh: prod\n    changeControl:\n      default: maybe\n      onViolation: report\n',
    );
    const refused = run(['policy', 'validate', broken]);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/broken\.policy\.yaml:5:\d+ meshes\[0\]\.changeControl\.default/);
  });

  it('says how to get a runnable CLI when neither the bundle nor tsx is there', () => {
    const bare = mkdtempSync(join(tmpdir(), 'meshwarden-bare-'));
    mkdirSync(join(bare, 'bin'));
    copyFileSync(join(unpacked, 'bin/meshwarden.js'), join(bare, 'bin/meshwarden.js'));
    copyFileSync(join(unpacked, 'package.json'), join(bare, 'package.json'));
    const result = run(['--help'], bare);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/dist\/cli\/meshwarden\.mjs is missing.*npm run build/s);
    expect(readdirSync(bare).sort()).toEqual(['bin', 'package.json']);
  });
});
