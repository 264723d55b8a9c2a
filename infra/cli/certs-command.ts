import { ACMClient } from '@aws-sdk/client-acm';
import { ACMPCAClient } from '@aws-sdk/client-acm-pca';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Command } from 'commander';
import { createAppMeshClient, createAppMeshProvider } from '../../shared/adapters/appmesh';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client';
import { EventBridgePublisher } from '../../shared/adapters/eventbridge/event-publisher';
import { runCaRollover } from '../../shared/certificates/ca-rollover';
import { inventoryTable, sweepLines } from '../../shared/certificates/format';
import { handshakeLines, judgeHandshakes, verdictJson } from '../../shared/certificates/handshake';
import { worldOf } from '../../shared/certificates/handshake-guard';
import { takeCertificateInventory } from '../../shared/certificates/inventory';
import { type SweepDeps, sweepCertificates } from '../../shared/certificates/sweep';
import { createRotationDeps } from '../../shared/certificates/wiring';
import { BadRequestError } from '../../shared/errors';
import { MESHWARDEN_CLI_EVENT_SOURCE } from '../../shared/events/patterns';
import type { CompiledPolicy } from '../../shared/policy/compile';
import { loadPolicy } from '../../shared/policy/load';
import type { CertificatesSection } from '../../shared/policy/sections/certificates';
import type { ChatNotifier } from '../../shared/ports';
import { InProcessPendingKeyVault } from './in-process-key-vault';
import { POLICY_OPTION_HELP, policyFileOf } from './policy-file';

/** Where the command writes, and how it reaches AWS; both replaced in tests. */
export interface CertsCommandIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** Adapters for one run: real SDK clients unless a test injects its own. */
  readonly deps: () => SweepDeps;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** The CLI tells people directly, so its notifications are printed lines. */
function consoleNotifier(): ChatNotifier {
  return { notify: async (n) => console.error(`${n.title}: ${n.text}`) };
}

function defaultDeps(env: Readonly<Record<string, string | undefined>>): SweepDeps {
  return createRotationDeps({
    pca: new ACMPCAClient({ maxAttempts: 8 }),
    acm: new ACMClient({ maxAttempts: 8 }),
    secrets: new SecretsManagerClient({ maxAttempts: 8 }),
    documents: createDocumentClient(),
    tableName: env.MESHWARDEN_TABLE ?? 'meshwarden-state',
    pendingKeys: new InProcessPendingKeyVault(),
    meshes: createAppMeshProvider(createAppMeshClient()),
    // Signed as the person at the terminal: the bus takes `source: meshwarden` only from
    // meshwarden's roles, so what the CLI tells goes out as `meshwarden.cli`.
    publisher: new EventBridgePublisher(
      new EventBridgeClient({}),
      env.MESHWARDEN_EVENT_BUS ?? 'meshwarden',
      MESHWARDEN_CLI_EVENT_SOURCE,
    ),
    notifier: consoleNotifier(),
  });
}

const CONSOLE_IO: CertsCommandIo = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  deps: () => defaultDeps(process.env),
  env: process.env,
};

interface CommonOptions {
  readonly mesh?: string;
  readonly policy?: string;
}

/** The meshes to work on: --mesh, else MESHWARDEN_MESHES; there is no made-up default. */
function meshesOf(options: CommonOptions, env: CertsCommandIo['env']): string[] {
  if (options.mesh) return [options.mesh];
  const fromEnv = (env.MESHWARDEN_MESHES ?? '')
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);
  if (fromEnv.length === 0)
    throw new BadRequestError('name the mesh with --mesh NAME (or set MESHWARDEN_MESHES)');
  return fromEnv;
}

function sectionOf(policy: CompiledPolicy, meshName: string): CertificatesSection | undefined {
  return policy.forMesh(meshName)?.document.certificates as CertificatesSection | undefined;
}

/**
 * `meshwarden certs [--mesh NAME] [--format table|json]` lists every certificate the mesh
 * relies on, soonest expiry first; `certs rotate [--dry-run] [--only KEY]` rotates what is due;
 * `certs rollover --from CA --to CA` runs CA rollover phases 1 and 2 and asks for the approval
 * that finishes it.
 */
export function registerCertsCommand(program: Command, io: CertsCommandIo = CONSOLE_IO): void {
  const certs = program
    .command('certs')
    .description('Certificates the mesh relies on: list, rotate, roll the CA over');
  const common = (command: Command) =>
    command
      .option('--mesh <name>', 'the mesh (default: MESHWARDEN_MESHES)')
      .option('--policy <file>', POLICY_OPTION_HELP);

  common(
    certs
      .command('list', { isDefault: true })
      .description('List certificates and trusts, soonest expiry first'),
  )
    .option('--format <format>', 'table or json', 'table')
    .action(async (options: CommonOptions & { format: string }) => {
      if (options.format !== 'table' && options.format !== 'json')
        throw new BadRequestError(`--format must be table or json, not ${JSON.stringify(options.format)}`);
      const policy = loadPolicy(policyFileOf(options.policy));
      const deps = io.deps();
      const inventories = [];
      let brokenHandshakes = 0;
      for (const meshName of meshesOf(options, io.env)) {
        const section = sectionOf(policy, meshName);
        const inventory = await takeCertificateInventory(deps, meshName, section);
        const handshakes = judgeHandshakes(await worldOf(inventory, section, deps.cas, deps.now()));
        brokenHandshakes += handshakes.filter((v) => v.status === 'broken').length;
        inventories.push({ inventory, handshakes });
        if (options.format === 'table') {
          for (const line of inventoryTable(meshName, inventory.entries, deps.now())) io.out(line);
          for (const line of handshakeLines(meshName, handshakes)) io.out(line);
        }
      }
      if (options.format === 'json')
        io.out(
          JSON.stringify(
            inventories.map(({ inventory: { snapshot: _, ...rest }, handshakes }) => ({
              ...rest,
              handshakes: handshakes.map(verdictJson),
            })),
            null,
            2,
          ),
        );
      if (
        brokenHandshakes > 0 ||
        inventories.some(({ inventory }) =>
          inventory.entries.some((e) => e.facts && Date.parse(e.facts.notAfter) <= deps.now().getTime()),
        )
      )
        process.exitCode = 1;
    });

  common(certs.command('rotate').description('Rotate every certificate that is due'))
    .option('--dry-run', 'say what would be rotated, change nothing', false)
    .option(
      '--only <key>',
      'only this certificate: ACM ARN, secret name, inventory id or a resource key using it',
    )
    .option('--force', 'rotate even if not due', false)
    .action(async (options: CommonOptions & { dryRun: boolean; only?: string; force: boolean }) => {
      const policy = loadPolicy(policyFileOf(options.policy));
      const items = await sweepCertificates(io.deps(), policy, meshesOf(options, io.env), {
        dryRun: options.dryRun,
        force: options.force,
        ...(options.only ? { only: options.only } : {}),
      });
      for (const line of sweepLines(items)) io.out(line);
      if (options.only && items.length === 0) {
        io.err(`no certificate matches --only ${options.only}`);
        process.exitCode = 1;
      }
      if (items.some((i) => i.action === 'failed' || i.action === 'refused')) process.exitCode = 1;
    });

  common(
    certs
      .command('rollover')
      .description('Roll the mesh over to a new CA: trust both, re-issue, then ask to drop the old'),
  )
    .requiredOption('--from <caArn>', 'the CA the mesh trusts now')
    .requiredOption('--to <caArn>', 'the CA to move to')
    .action(async (options: CommonOptions & { from: string; to: string }) => {
      const policy = loadPolicy(policyFileOf(options.policy));
      const [meshName, ...more] = meshesOf(options, io.env);
      if (meshName === undefined || more.length > 0)
        throw new BadRequestError('a rollover is for one mesh: give --mesh NAME');
      const report = await runCaRollover(io.deps(), policy, meshName, options.from, options.to);
      io.out(`rollover ${report.rolloverId}: phase ${report.phase}. ${report.note}`);
      for (const line of sweepLines(report.reissued)) io.out(line);
      if (report.phase === 'awaiting-approval')
        io.out('approval requested: the old CA is removed once it is approved');
    });
}
