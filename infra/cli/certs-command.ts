import { ACMClient } from '@aws-sdk/client-acm';
import { ACMPCAClient } from '@aws-sdk/client-acm-pca';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { Command } from 'commander';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client';
import { EventBridgePublisher } from '../../shared/adapters/eventbridge/event-publisher';
import {
  type RolloverDecisionDeps,
  type RolloverReport,
  rolloverIdOf,
  runCaRollover,
} from '../../shared/certificates/ca-rollover';
import { inventoryTable, sweepLines } from '../../shared/certificates/format';
import { handshakeLines, judgeHandshakes, verdictJson } from '../../shared/certificates/handshake';
import { worldOf } from '../../shared/certificates/handshake-guard';
import { describeCertificatesInUse, takeCertificateInventory } from '../../shared/certificates/inventory';
import { openRollovers } from '../../shared/certificates/rollover-index';
import {
  abortCaRollover,
  confirmRolloverRestarts,
  resumeCaRollover,
  rolloverStatus,
} from '../../shared/certificates/rollover-lifecycle';
import { rolloverStatusLines } from '../../shared/certificates/rollover-status';
import { sweepCertificates } from '../../shared/certificates/sweep';
import { createRotationDeps } from '../../shared/certificates/wiring';
import { governedServiceNetworks } from '../../shared/deployments/route-policy';
import { BadRequestError } from '../../shared/errors';
import { MESHWARDEN_CLI_EVENT_SOURCE } from '../../shared/events/patterns';
import type { CompiledPolicy } from '../../shared/policy/compile';
import { loadPolicy } from '../../shared/policy/load';
import type { CertificatesSection } from '../../shared/policy/sections/certificates';
import type { ChatNotifier } from '../../shared/ports';
import { createAppMeshClient, createAppMeshProvider } from '../../shared/providers/appmesh';
import { createLatticeClient, LatticeAdapter } from '../../shared/providers/vpc-lattice';
import {
  latticeCertificatesInUse,
  type ServiceNetworkCertificatesReader,
} from '../../shared/providers/vpc-lattice/certificates';
import type { ServiceNetworkReader } from '../../shared/providers/vpc-lattice/change-control/audit';
import { InProcessPendingKeyVault } from './in-process-key-vault';
import { POLICY_OPTION_HELP, policyFileOf } from './policy-file';

/** Where the command writes, and how it reaches AWS; both replaced in tests. */
export interface CertsCommandIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** Adapters for one run: real SDK clients unless a test injects its own. */
  readonly deps: () => RolloverDecisionDeps;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Who runs the command (recorded with a resume, an abort, a restart confirmation). */
  readonly whoami?: () => Promise<string>;
  /**
   * Reads VPC Lattice service networks: whole for `certs list`, their certificates for `certs
   * rotate`, of a `provider: vpc-lattice` entry.
   */
  readonly serviceNetworks?: () => ServiceNetworkReader & ServiceNetworkCertificatesReader;
}

/** The CLI tells people directly, so its notifications are printed lines. */
function consoleNotifier(): ChatNotifier {
  return { notify: async (n) => console.error(`${n.title}: ${n.text}`) };
}

function defaultDeps(env: Readonly<Record<string, string | undefined>>): RolloverDecisionDeps {
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
  whoami: async () => (await new STSClient({}).send(new GetCallerIdentityCommand({}))).Arn ?? 'unknown',
  serviceNetworks: () => new LatticeAdapter(createLatticeClient({ maxAttempts: 8 })),
};

interface CommonOptions {
  readonly mesh?: string;
  readonly policy?: string;
}

/** The meshes to work on: --mesh, else MESHWARDEN_MESHES; there is no made-up default. */
function meshesOf(options: CommonOptions, env: CertsCommandIo['env']): string[] {
  if (options.mesh) return [options.mesh];
  const fromEnv = meshesOr(env);
  if (fromEnv.length === 0)
    throw new BadRequestError('name the mesh with --mesh NAME (or set MESHWARDEN_MESHES)');
  return fromEnv;
}

/** MESHWARDEN_MESHES, possibly none (when the policy's service networks are listed anyway). */
function meshesOr(env: CertsCommandIo['env']): string[] {
  return (env.MESHWARDEN_MESHES ?? '')
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);
}

function sectionOf(policy: CompiledPolicy, meshName: string): CertificatesSection | undefined {
  return policy.forMesh(meshName)?.document.certificates as CertificatesSection | undefined;
}

/**
 * `meshwarden certs [--mesh NAME] [--format table|json]` lists every certificate the mesh
 * relies on, soonest expiry first; `certs rotate [--dry-run] [--only KEY]` rotates what is due;
 * `certs rollover --from CA --to CA` runs CA rollover phases 1 and 2 and asks for the approval
 * that finishes it; `certs rollover status|resume|abort|confirm-restart` follow it up.
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
      // Without --mesh: the configured meshes and the service networks the policy governs.
      const networks = options.mesh ? [] : governedServiceNetworks(policy);
      const names = options.mesh || networks.length === 0 ? meshesOf(options, io.env) : meshesOr(io.env);
      for (const meshName of names) {
        if (policy.forMesh(meshName)?.document.provider === 'vpc-lattice') continue;
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
      const latticeInventories = [];
      for (const name of new Set([...names, ...networks])) {
        if (policy.forMesh(name)?.document.provider !== 'vpc-lattice') continue;
        if (io.serviceNetworks === undefined)
          throw new BadRequestError(
            `${name} is a VPC Lattice service network, and this CLI has no VPC Lattice client`,
          );
        // Lattice: the services' ACM certificates; no trusts and no handshakes to judge.
        const network = await io.serviceNetworks().readServiceNetwork(name);
        const entries = await describeCertificatesInUse(deps, latticeCertificatesInUse(network));
        latticeInventories.push({
          provider: 'vpc-lattice',
          meshName: name,
          takenAt: deps.now().toISOString(),
          entries,
        });
        if (options.format === 'table')
          for (const line of inventoryTable(name, entries, deps.now(), 'service network')) io.out(line);
      }
      if (options.format === 'json')
        io.out(
          JSON.stringify(
            [
              ...inventories.map(({ inventory: { snapshot: _, ...rest }, handshakes }) => ({
                ...rest,
                handshakes: handshakes.map(verdictJson),
              })),
              ...latticeInventories,
            ],
            null,
            2,
          ),
        );
      if (
        brokenHandshakes > 0 ||
        [...inventories.map((i) => i.inventory), ...latticeInventories].some((inventory) =>
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
      // Without --mesh: the configured meshes and the service networks the policy governs, as `certs` lists them.
      const networks = options.mesh ? [] : governedServiceNetworks(policy);
      const names = options.mesh || networks.length === 0 ? meshesOf(options, io.env) : meshesOr(io.env);
      const scopes = [...new Set([...names, ...networks])];
      const lattice = scopes.some((name) => policy.forMesh(name)?.document.provider === 'vpc-lattice');
      if (lattice && io.serviceNetworks === undefined)
        throw new BadRequestError(
          'a VPC Lattice service network is named, and this CLI has no VPC Lattice client',
        );
      const deps = io.deps();
      const sweepDeps =
        lattice && io.serviceNetworks !== undefined
          ? { ...deps, serviceNetworks: io.serviceNetworks() }
          : deps;
      const items = await sweepCertificates(sweepDeps, policy, scopes, {
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

  // The subcommands take --mesh, --from and --to themselves, so `rollover` has no options of its
  // own: `certs rollover --from A --to B` goes to its default subcommand, `start`.
  const rollover = certs
    .command('rollover')
    .description('Roll the mesh over to a new CA: trust both, re-issue, then ask to drop the old');
  common(
    rollover
      .command('start', { isDefault: true })
      .description('Start a rollover (or continue it): phases 1 and 2, then the restarts and the approval'),
  )
    .option('--from <caArn>', 'the CA the mesh trusts now')
    .option('--to <caArn>', 'the CA to move to')
    .action(async (options: CommonOptions & { from?: string; to?: string }) => {
      if (options.from === undefined || options.to === undefined)
        throw new BadRequestError('certs rollover needs --from CA_ARN and --to CA_ARN');
      const policy = loadPolicy(policyFileOf(options.policy));
      const meshName = oneMesh(options, io.env);
      // A person starting it again is what restarts an aborted rollover of the same pair.
      const report = await runCaRollover(io.deps(), policy, meshName, options.from, options.to, {
        restart: true,
      });
      printReport(io, report);
    });

  const which = (command: Command) =>
    common(command)
      .option('--id <rolloverId>', 'the rollover (as status lists it)')
      .option('--from <caArn>', 'with --to: the rollover of this pair of CAs')
      .option('--to <caArn>', 'with --from: the rollover of this pair of CAs');

  which(
    rollover
      .command('status')
      .description('Where a rollover stands: phase, what each phase did, approval and expiry, blockers'),
  ).action(async (options: RolloverOptions) => {
    const deps = io.deps();
    const meshName = oneMesh(options, io.env);
    const ids =
      options.id || options.from || options.to
        ? [rolloverIdFrom(options, meshName)]
        : await openRollovers(deps.rotations, meshName);
    if (ids.length === 0) io.out(`mesh ${meshName}: no open CA rollover`);
    for (const id of ids)
      for (const line of rolloverStatusLines(await rolloverStatus(deps, id), deps.now())) io.out(line);
  });

  which(
    rollover
      .command('resume')
      .description('Resume a halted rollover: verify phases 1-2 again, ask a fresh approval'),
  ).action(async (options: RolloverOptions) => {
    const policy = loadPolicy(policyFileOf(options.policy));
    const meshName = oneMesh(options, io.env);
    const by = await whoami(io);
    printReport(io, await resumeCaRollover(io.deps(), policy, rolloverIdFrom(options, meshName), by));
  });

  which(
    rollover
      .command('abort')
      .description('Abort a rollover: leaves back to the old CA, then the new CA out of every trust'),
  ).action(async (options: RolloverOptions) => {
    const policy = loadPolicy(policyFileOf(options.policy));
    const meshName = oneMesh(options, io.env);
    const by = await whoami(io);
    printReport(io, await abortCaRollover(io.deps(), policy, rolloverIdFrom(options, meshName), by));
  });

  which(
    rollover
      .command('confirm-restart')
      .description(
        'Confirm proxies restarted and serve the certificate meshwarden delivered through a secret',
      ),
  )
    .option(
      '--proxy <resourceKey...>',
      'the virtual node or gateway whose Envoy restarted (as status lists it); repeatable',
    )
    .action(async (options: RolloverOptions & { proxy?: string[] }) => {
      const policy = loadPolicy(policyFileOf(options.policy));
      const meshName = oneMesh(options, io.env);
      const by = await whoami(io);
      const id = rolloverIdFrom(options, meshName);
      printReport(io, await confirmRolloverRestarts(io.deps(), policy, id, options.proxy ?? [], by));
    });
}

interface RolloverOptions extends CommonOptions {
  readonly id?: string;
  readonly from?: string;
  readonly to?: string;
}

/** A rollover is for one mesh: --mesh NAME, or MESHWARDEN_MESHES naming exactly one. */
function oneMesh(options: CommonOptions, env: CertsCommandIo['env']): string {
  const [meshName, ...more] = meshesOf(options, env);
  if (meshName === undefined || more.length > 0)
    throw new BadRequestError('a rollover is for one mesh: give --mesh NAME');
  return meshName;
}

function rolloverIdFrom(options: RolloverOptions, meshName: string): string {
  if (options.id !== undefined && (options.from !== undefined || options.to !== undefined))
    throw new BadRequestError('name the rollover with --id, or with --from and --to, not both');
  if (options.id !== undefined) {
    if (!/^[0-9a-f]{20}$/.test(options.id))
      throw new BadRequestError(`--id ${JSON.stringify(options.id)} is not a rollover id (20 hex digits)`);
    return options.id;
  }
  if (options.from === undefined || options.to === undefined)
    throw new BadRequestError('name the rollover with --id ID, or with --from CA_ARN --to CA_ARN');
  return rolloverIdOf(meshName, options.from, options.to);
}

async function whoami(io: CertsCommandIo): Promise<string> {
  return io.whoami ? io.whoami() : 'unknown';
}

function printReport(io: CertsCommandIo, report: RolloverReport): void {
  io.out(`rollover ${report.rolloverId}: phase ${report.phase}. ${report.note}`);
  if (report.reissued.length > 0) for (const line of sweepLines(report.reissued)) io.out(line);
  if (report.phase === 'awaiting-approval')
    io.out(
      'approval asked for: certificate rotation checks the rollover and posts the request in Slack; the old CA is removed once it is approved',
    );
  if (report.phase === 'awaiting-restart')
    io.out(
      `restart each proxy listed, then: meshwarden certs rollover confirm-restart --id ${report.rolloverId} --proxy KEY`,
    );
}
