import { resolve } from 'node:path';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { Command } from 'commander';
import {
  AcmPcaCertificateAuthority,
  createAcmPcaClient,
} from '../../shared/adapters/acm-pca/certificate-authority';
import { CloudWatchAlarmSource } from '../../shared/adapters/cloudwatch/alarm-source';
import type { MeshSnapshot } from '../../shared/domain/snapshot';
import { NotFoundError } from '../../shared/errors';
import type { CompiledPolicy } from '../../shared/policy/compile';
import { formatPolicyIssue, loadPolicy, PolicyError } from '../../shared/policy/load';
import { resolvePolicyReferences } from '../../shared/policy/references';
import type { AlarmCatalog, CertificateAuthorityCatalog, MeshProvider } from '../../shared/ports';
import { createAppMeshClient, createAppMeshProvider } from '../../shared/providers/appmesh';
import { createLatticeClient, LatticeAdapter } from '../../shared/providers/vpc-lattice';
import type { ServiceNetworkReader } from '../../shared/providers/vpc-lattice/change-control/audit';
import type { LatticeServiceNetworkSnapshot } from '../../shared/providers/vpc-lattice/model';
import { resolveLatticeReferences } from '../../shared/providers/vpc-lattice/rules/references';
import { POLICY_OPTION_HELP, policyFileOf } from './policy-file';

/** What `--mesh` reads the live state through. */
export interface LiveReaders {
  readonly meshes: MeshProvider;
  /** VPC Lattice service networks, for a `--mesh` a `provider: vpc-lattice` entry governs. */
  readonly serviceNetworks?: ServiceNetworkReader;
  readonly alarms: AlarmCatalog;
  readonly certificateAuthorities: CertificateAuthorityCatalog;
}

/** Where the command writes and reads; replaced in tests. */
export interface PolicyCommandIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** Clients for whatever endpoint the SDK is configured for; only created when `--mesh` is given. */
  readonly live?: () => LiveReaders;
}

function defaultLive(): LiveReaders {
  const pca = new AcmPcaCertificateAuthority(createAcmPcaClient());
  return {
    meshes: createAppMeshProvider(createAppMeshClient()),
    serviceNetworks: new LatticeAdapter(createLatticeClient()),
    alarms: new CloudWatchAlarmSource(new CloudWatchClient({})),
    certificateAuthorities: pca,
  };
}

const CONSOLE_IO: PolicyCommandIo = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
};

interface ValidateOptions {
  readonly policy?: string;
  readonly mesh: readonly string[];
}

function summary(file: string, loaded: CompiledPolicy): string {
  const meshes = loaded.document.meshes;
  const rules = meshes.reduce((n, m) => n + m.changeControl.allow.length, 0);
  const exemptions = meshes.reduce((n, m) => n + m.exemptions.length, 0);
  return `${file}: valid (${meshes.length} mesh ${meshes.length === 1 ? 'entry' : 'entries'}: ${meshes
    .map((m) => (m.provider === 'appmesh' ? m.mesh : `${m.mesh} (${m.provider})`))
    .join(', ')}; ${rules} allow rule(s); ${exemptions} exemption(s))`;
}

/** Resolve every reference against the live meshes and alarms; exit code 1 when any dangles. */
async function resolveAgainstLive(
  io: PolicyCommandIo,
  file: string,
  loaded: CompiledPolicy,
  meshNames: readonly string[],
): Promise<void> {
  const live = (io.live ?? defaultLive)();
  const meshes: MeshSnapshot[] = [];
  const networks: LatticeServiceNetworkSnapshot[] = [];
  for (const name of meshNames) {
    const lattice = loaded.forMesh(name)?.document.provider === 'vpc-lattice';
    try {
      if (!lattice) meshes.push(await live.meshes.readMesh(name));
      else if (live.serviceNetworks !== undefined)
        networks.push(await live.serviceNetworks.readServiceNetwork(name));
      else {
        io.err(`${name} is a VPC Lattice service network, and no VPC Lattice client is configured`);
        process.exitCode = 2;
        return;
      }
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
      io.err(
        `${lattice ? 'VPC Lattice service network' : 'mesh'} ${name} does not exist at the configured endpoint`,
      );
      process.exitCode = 2;
      return;
    }
  }
  const [alarms, certificateAuthorities] = await Promise.all([
    live.alarms.listAlarms(),
    live.certificateAuthorities.listCertificateAuthorities(),
  ]);
  const dangling = [
    ...resolvePolicyReferences(loaded, { meshes, alarms, certificateAuthorities }),
    ...resolveLatticeReferences(loaded, networks),
  ];
  const against = `mesh ${meshNames.join(', ')}, ${alarms.length} alarm(s), ${certificateAuthorities.length} private CA(s)`;
  if (dangling.length === 0) {
    io.out(`${file}: every reference resolves (${against})`);
    return;
  }
  for (const reference of dangling) io.err(formatPolicyIssue(reference));
  io.err(
    `${resolve(file)}: ${dangling.length} reference(s) resolve to nothing (${against}); what they guard is not guarded.`,
  );
  process.exitCode = 1;
}

/**
 * `meshwarden policy validate [FILE] [--mesh NAME]...`: check a policy file and print each
 * problem as `FILE:LINE:COL path: message` (exit code 1), or a one-line summary when it is
 * valid. With `--mesh`, also resolve every reference of the policy (routes, targets, alarms,
 * resources, CAs) against the live mesh and CloudWatch, and print each one that resolves to
 * nothing the same way (exit code 1): a typo there would pass the schema and quietly disarm
 * the guard.
 */
export function registerPolicyCommand(program: Command, io: PolicyCommandIo = CONSOLE_IO): void {
  const policy = program.command('policy').description('Work with the meshwarden policy file');
  policy
    .command('validate')
    .description('Validate a policy file; with --mesh, resolve its references against the live mesh')
    .argument('[file]', POLICY_OPTION_HELP)
    .option('--policy <file>', `${POLICY_OPTION_HELP}; the FILE argument wins`)
    .option(
      '--mesh <name>',
      'resolve every reference against this live mesh (or VPC Lattice service network) and CloudWatch (repeatable)',
      (name: string, names: string[]) => [...names, name],
      [] as string[],
    )
    .action(async (fileArgument: string | undefined, options: ValidateOptions) => {
      const file = fileArgument ?? policyFileOf(options.policy);
      let loaded: CompiledPolicy;
      try {
        loaded = loadPolicy(file);
      } catch (error) {
        if (!(error instanceof PolicyError)) throw error;
        for (const line of error.lines) io.err(line);
        io.err(`${resolve(file)}: ${error.policyIssues.length} problem(s); the policy was not accepted.`);
        process.exitCode = 1;
        return;
      }
      io.out(summary(file, loaded));
      if (options.mesh.length > 0) await resolveAgainstLive(io, file, loaded, options.mesh);
    });
}
