import type { Command } from 'commander';
import { brokenByCaller } from '../../shared/certificates/handshake';
import { readHandshakes } from '../../shared/certificates/handshake-guard';
import { listenerCertificateArns } from '../../shared/change-control/certificates';
import { snapshotResources } from '../../shared/domain/snapshot';
import { asError, MeshwardenError, NotFoundError } from '../../shared/errors';
import { describeFinding, judgeMesh } from '../../shared/policy/judge';
import { loadPolicy, PolicyError } from '../../shared/policy/load';
import type { CertificatesSection } from '../../shared/policy/sections/certificates';
import { type ApiClient, apiClient } from './api-client';
import { auditServiceNetwork } from './audit-lattice';
import { type ChangeControlCli, DEFAULT_CLI } from './change-control-clients';
import { POLICY_OPTION_HELP, policyFileOf } from './policy-file';

interface AuditOptions {
  readonly mesh: string;
  readonly policy?: string;
  readonly format: 'table' | 'json';
  readonly api?: string;
}

interface ApiMeshResource {
  readonly key: string;
  readonly openViolations: {
    readonly ruleIds: string[];
    readonly findings: string[];
    readonly eventTime: string;
  } | null;
}

/**
 * `audit --api URL`: the mesh's open violations as meshwarden recorded them (the latest
 * decision on each resource kept a change that breaks rules), read through the HTTP API.
 */
async function auditThroughApi(cli: ChangeControlCli, api: ApiClient, options: AuditOptions): Promise<void> {
  const mesh = (await api.call('GET', `/api/meshes/${encodeURIComponent(options.mesh)}`)) as {
    resources: ApiMeshResource[];
  };
  const open = mesh.resources.filter((r) => r.openViolations !== null);
  if (options.format === 'json') {
    cli.out(JSON.stringify({ meshName: options.mesh, openViolations: open }, null, 2));
  } else {
    const rows = [
      ['RESOURCE', 'RULES', 'SINCE', 'FINDING'],
      ...open.map((r) => [
        r.key,
        (r.openViolations?.ruleIds ?? []).join(','),
        r.openViolations?.eventTime ?? '',
        (r.openViolations?.findings ?? []).join(' / '),
      ]),
    ];
    if (open.length > 0) for (const line of table(rows)) cli.out(line);
    cli.out(
      `mesh ${options.mesh}: ${mesh.resources.length} resources, ${open.length} with open violations (from the API)`,
    );
  }
  if (open.length > 0) process.exitCode = 1;
}

function table(rows: readonly (readonly string[])[]): string[] {
  const widths =
    rows[0]?.map((_, i) => Math.min(60, Math.max(...rows.map((r) => (r[i] ?? '').length)))) ?? [];
  return rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/**
 * `meshwarden audit --mesh NAME [--policy FILE] [--format table|json]`: judge a whole mesh as
 * it is now against the policy, read-only (a VPC Lattice service network, when a
 * `provider: vpc-lattice` entry governs NAME). Exit code 1 when there are open violations, so it
 * can gate a pipeline; 2 when the mesh or the policy cannot be read.
 */
export function registerAuditCommand(
  program: Command,
  cli: ChangeControlCli = DEFAULT_CLI,
  api: (url: string) => ApiClient = apiClient,
): void {
  program
    .command('audit')
    .description('Judge a whole mesh against the policy (read-only); exit 1 on violations')
    .requiredOption('--mesh <name>', 'the mesh (or VPC Lattice service network) to audit')
    .option('--policy <file>', POLICY_OPTION_HELP)
    .option('--format <format>', 'table or json', 'table')
    .option(
      '--api <url>',
      'read the open violations meshwarden recorded through its HTTP API (token: $MESHWARDEN_TOKEN)',
    )
    .action(async (options: AuditOptions) => {
      if (options.format !== 'table' && options.format !== 'json') {
        cli.err(`--format must be table or json, got "${String(options.format)}"`);
        process.exitCode = 2;
        return;
      }
      if (options.api !== undefined) {
        try {
          await auditThroughApi(cli, api(options.api), options);
        } catch (error) {
          if (!(error instanceof MeshwardenError)) throw error;
          cli.err(`${error.name}: ${error.message}`);
          process.exitCode = 2;
        }
        return;
      }
      let policy: ReturnType<typeof loadPolicy>;
      try {
        policy = loadPolicy(policyFileOf(options.policy));
      } catch (error) {
        if (!(error instanceof PolicyError)) throw error;
        for (const line of error.lines) cli.err(line);
        process.exitCode = 2;
        return;
      }
      if (policy.forMesh(options.mesh)?.document.provider === 'vpc-lattice') {
        const code = await auditServiceNetwork(cli, policy, options.mesh, options.format, table);
        if (code !== 0) process.exitCode = code;
        return;
      }
      let snapshot: Awaited<ReturnType<ReturnType<ChangeControlCli['meshes']>['readMesh']>>;
      try {
        snapshot = await cli.meshes().readMesh(options.mesh);
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
        cli.err(`mesh ${options.mesh} does not exist at the configured endpoint`);
        process.exitCode = 2;
        return;
      }
      const certificates = listenerCertificateArns(snapshotResources(snapshot));
      const certificateAuthorities = await cli.issuers().issuersOf(certificates);
      const section = policy.forMesh(options.mesh)?.document.certificates as CertificatesSection | undefined;
      let brokenHandshakes: Map<string, string[]> | undefined;
      try {
        if (cli.certificates !== undefined)
          brokenHandshakes = brokenByCaller(
            await readHandshakes(cli.certificates(), options.mesh, section, snapshot),
          );
      } catch (error) {
        // The rest of the audit stands; say plainly what it could not judge.
        cli.err(`TLS handshakes (tls.handshake) not judged: ${asError(error).message}`);
      }
      const judgement = judgeMesh(snapshot, policy, new Date(), {
        certificateAuthorities,
        ...(brokenHandshakes ? { brokenHandshakes } : {}),
      });
      if (options.format === 'json') {
        cli.out(JSON.stringify(judgement, null, 2));
      } else {
        if (judgement.findings.length > 0) {
          const rows = [
            ['RESOURCE', 'RULE', 'STATUS', 'FINDING'],
            ...judgement.findings.map((f) => [
              f.resourceKey,
              f.ruleId,
              f.status,
              describeFinding(f).slice(f.ruleId.length + 2),
            ]),
          ];
          for (const line of table(rows)) cli.out(line);
        }
        for (const e of judgement.expiredExemptions) {
          cli.out(`expired exemption ${e.index} (${e.resource.source}, ${e.expires}): ${e.reason}`);
        }
        const resources = snapshotResources(snapshot).length;
        cli.out(
          `mesh ${judgement.meshName}: ${resources} resources, ${judgement.violations} violation(s), ${judgement.findings.length - judgement.violations} exempted${judgement.governed ? '' : ' (no policy entry governs this mesh: consistency rules only)'}`,
        );
      }
      if (judgement.violations > 0) process.exitCode = 1;
    });
}
