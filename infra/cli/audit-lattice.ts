/**
 * `meshwarden audit --mesh NAME` for a name a `provider: vpc-lattice` entry governs: read the
 * service network whole through the Lattice adapter, read its certificates' issuers, judge it
 * with the Lattice rules. Same output and exit codes as for a mesh.
 */

import { NotFoundError } from '../../shared/errors';
import type { CompiledPolicy } from '../../shared/policy/compile';
import { describeFinding } from '../../shared/policy/judge';
import type { ServiceNetworkReader } from '../../shared/providers/vpc-lattice/change-control/audit';
import { judgeServiceNetwork, latticeCertificateArns } from '../../shared/providers/vpc-lattice/rules/judge';
import type { ChangeControlCli } from './change-control-clients';

/** How many of each kind, e.g. `1 service network, 3 services, 1 listener, 2 rules`. */
function inventory(counts: Readonly<Record<string, number>>): string {
  return Object.entries(counts)
    .map(([kind, n]) => `${n} ${kind.replace('-', ' ')}${n === 1 ? '' : 's'}`)
    .join(', ');
}

/** Audit one service network; returns the exit code (0 compliant, 1 violations, 2 unreadable). */
export async function auditServiceNetwork(
  cli: ChangeControlCli,
  policy: CompiledPolicy,
  name: string,
  format: 'table' | 'json',
  table: (rows: readonly (readonly string[])[]) => string[],
): Promise<number> {
  const reader: ServiceNetworkReader | undefined = cli.serviceNetworks?.();
  if (reader === undefined) {
    cli.err(`${name} is a VPC Lattice service network, and this CLI has no VPC Lattice client`);
    return 2;
  }
  let network: Awaited<ReturnType<ServiceNetworkReader['readServiceNetwork']>>;
  try {
    network = await reader.readServiceNetwork(name);
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    cli.err(`VPC Lattice service network ${name} does not exist at the configured endpoint`);
    return 2;
  }
  const certificateAuthorities = await cli.issuers().issuersOf(latticeCertificateArns(network));
  const judgement = judgeServiceNetwork(network, policy, new Date(), { certificateAuthorities });
  if (format === 'json') {
    cli.out(JSON.stringify({ provider: 'vpc-lattice', ...judgement }, null, 2));
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
    cli.out(
      `service network ${name}: ${inventory(judgement.counts)}, ${judgement.violations} violation(s), ${judgement.findings.length - judgement.violations} exempted${judgement.governed ? '' : ' (no vpc-lattice policy entry governs it: consistency rules only)'}`,
    );
  }
  return judgement.violations > 0 ? 1 : 0;
}
