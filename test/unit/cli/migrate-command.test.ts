import { Command } from 'commander';
import { beforeEach, describe, expect, it } from 'vitest';
import type { ChangeControlCli } from '../../../infra/cli/change-control-clients';
import { registerMigrateCommand } from '../../../infra/cli/migrate-command';
import type { MigrationPlan } from '../../../shared/migration/plan-model';
import type { MeshProvider } from '../../../shared/ports';
import { httpRoute, MESH, node, router, serviceOnRouter, snapshotOf } from '../migration/mesh-fixtures';

const lossless = snapshotOf(MESH, [
  node('a', { backends: [] }),
  node('b'),
  node('caller', { backends: [{ virtualService: { virtualServiceName: 'api.shop.local' } }] }),
  router('r'),
  httpRoute('r', 'split', { prefix: '/' }, { a: 1, b: 1 }),
  serviceOnRouter('api.shop.local', 'r'),
]);

async function run(args: string[]) {
  const lines: string[] = [];
  const errors: string[] = [];
  const meshes = { readMesh: async () => lossless } as unknown as MeshProvider;
  const io = {
    out: (line: string) => lines.push(line),
    err: (line: string) => errors.push(line),
    meshes: () => meshes,
  } as unknown as ChangeControlCli;
  const program = new Command().name('meshwarden').exitOverride();
  registerMigrateCommand(program, io);
  await program.parseAsync([
    'node',
    'meshwarden',
    'migrate',
    'plan',
    '--mesh',
    MESH,
    '--to',
    'vpc-lattice',
    ...args,
  ]);
  return { lines, errors, exitCode: process.exitCode };
}

describe('migrate plan (CLI)', () => {
  beforeEach(() => {
    process.exitCode = undefined;
  });

  it('exits 0 when nothing is lost, and puts the mapped IAM roles into the auth policy', async () => {
    const role = 'arn:aws:iam::111122223333:role/caller';

    const result = await run([
      '--format',
      'json',
      '--policy',
      'infra/local/demo/meshwarden.policy.yaml',
      '--principal',
      `caller=${role}`,
    ]);

    expect(result.exitCode).toBeUndefined();
    const plan = JSON.parse(result.lines.join('\n')) as MigrationPlan;
    expect(plan.services[0]?.auth.policy?.Statement[0]?.Principal).toEqual({ AWS: [role] });
    expect(plan.routingParity?.differences).toEqual([]);
  });

  it('refuses a --principal that is not NODE=role ARN, and a service network name Lattice refuses, with exit code 2', async () => {
    const principal = await run(['--principal', 'caller=arn:aws:iam::1:user/bob']);
    process.exitCode = undefined;
    const network = await run(['--service-network', 'Shop_Net']);

    expect(principal).toMatchObject({
      exitCode: 2,
      errors: [
        '--principal must be NODE=arn:aws:iam::<account>:role/<name>, got "caller=arn:aws:iam::1:user/bob"',
      ],
    });
    expect(network.exitCode).toBe(2);
    expect(network.errors[0]).toMatch(/^service network name "Shop_Net" is not a Lattice name/);
    expect([...principal.lines, ...network.lines]).toEqual([]);
  });

  it('refuses an unknown format with exit code 2', async () => {
    const result = await run(['--format', 'yaml']);

    expect(result).toMatchObject({
      exitCode: 2,
      errors: ['--format must be table, json or gateway-api, got "yaml"'],
    });
  });
});
