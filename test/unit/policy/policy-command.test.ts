import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterEach, describe, expect, it } from 'vitest';
import { registerPolicyCommand } from '../../../infra/cli/policy-command';

async function run(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const program = new Command().name('meshwarden').exitOverride();
  registerPolicyCommand(program, { out: (l) => out.push(l), err: (l) => err.push(l) });
  await program.parseAsync(['node', 'meshwarden', ...args]);
  return { out, err, exitCode: process.exitCode };
}

describe('meshwarden policy validate', () => {
  afterEach(() => {
    process.exitCode = undefined;
  });

  it('accepts the demo policy', async () => {
    // Act
    const result = await run(['policy', 'validate', 'infra/local/demo/meshwarden.policy.yaml']);
    // Assess
    expect(result.out).toEqual([
      'infra/local/demo/meshwarden.policy.yaml: valid (2 mesh entries: prod, prod-net (vpc-lattice); 2 allow rule(s); 1 exemption(s))',
    ]);
    expect(result.err).toEqual([]);
    expect(result.exitCode).toBeUndefined();
  });

  it('without FILE, validates the --policy file, as every command finds the policy', async () => {
    // Act
    const result = await run(['policy', 'validate', '--policy', 'infra/local/demo/meshwarden.policy.yaml']);
    // Assess
    expect(result.out).toEqual([
      'infra/local/demo/meshwarden.policy.yaml: valid (2 mesh entries: prod, prod-net (vpc-lattice); 2 allow rule(s); 1 exemption(s))',
    ]);
    expect(result.exitCode).toBeUndefined();
  });

  it('prints each problem with its position and exits 1', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'meshwarden-cli-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'version: 2\nmeshes: []\n');
    // Act
    const result = await run(['policy', 'validate', file]);
    // Assess
    expect(result.err.slice(0, 2)).toEqual([
      `${file}:1:10 version: Invalid input: expected 1`,
      `${file}:2:9 meshes: Too small: expected array to have >=1 items`,
    ]);
    expect(result.err[2]).toMatch(/2 problem\(s\); the policy was not accepted\.$/);
    expect(result.exitCode).toBe(1);
  });
});
