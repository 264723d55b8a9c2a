/**
 * The periodic audit of VPC Lattice: read each governed service network whole, judge it
 * against its `provider: vpc-lattice` entry, and publish one `MeshAudited` event each (with
 * `provider: vpc-lattice`), as the App Mesh audit does for a mesh. Read-only: Lattice has no
 * last known good to record here, and the guard's route references are resolved by the guard.
 */

import { type DanglingReferenceRecord, MAX_LISTED } from '../../../change-control/audit-mesh';
import { NotFoundError } from '../../../errors';
import { MESHWARDEN_DETAIL_TYPES } from '../../../events/patterns';
import type { CompiledPolicy } from '../../../policy/compile';
import { describeFinding } from '../../../policy/judge';
import type { CertificateIssuers, EventPublisher } from '../../../ports';
import type { LatticeServiceNetworkSnapshot } from '../model';
import { judgeServiceNetwork, latticeCertificateArns } from '../rules/judge';
import { LATTICE_RESOURCE_KINDS, type LatticeResourceKind } from '../rules/resource';

/** Reads a service network whole (the Lattice adapter); NotFoundError when it does not exist. */
export interface ServiceNetworkReader {
  readServiceNetwork(name: string): Promise<LatticeServiceNetworkSnapshot>;
}

export interface ServiceNetworkAuditDeps {
  readonly networks: ServiceNetworkReader;
  readonly policy: CompiledPolicy;
  readonly issuers: CertificateIssuers;
  readonly publisher: EventPublisher;
  readonly now: () => Date;
}

/** What the audit of one service network found, in the shape of a mesh's report. */
export interface ServiceNetworkAuditReport {
  readonly provider: 'vpc-lattice';
  /** The service network's name (named `meshName` as in every `MeshAudited` event). */
  readonly meshName: string;
  readonly auditedAt: string;
  readonly status: 'found' | 'not-found';
  readonly governed: boolean;
  readonly counts: Readonly<Record<LatticeResourceKind, number>>;
  readonly violations: number;
  readonly exempted: number;
  readonly drifted: readonly string[];
  readonly findings: readonly string[];
  readonly expiredExemptions: readonly string[];
  /** Always empty: Lattice references are resolved by the deployment guard. */
  readonly danglingReferences: readonly DanglingReferenceRecord[];
}

function emptyCounts(): Record<LatticeResourceKind, number> {
  return Object.fromEntries(LATTICE_RESOURCE_KINDS.map((kind) => [kind, 0])) as Record<
    LatticeResourceKind,
    number
  >;
}

/** Audit one service network; the judgement is pure, the reads go through the ports. */
export async function auditOneServiceNetwork(
  deps: ServiceNetworkAuditDeps,
  name: string,
): Promise<ServiceNetworkAuditReport> {
  const now = deps.now();
  const base = { provider: 'vpc-lattice' as const, meshName: name, auditedAt: now.toISOString() };
  let network: LatticeServiceNetworkSnapshot;
  try {
    network = await deps.networks.readServiceNetwork(name);
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    return {
      ...base,
      status: 'not-found',
      governed: deps.policy.forMesh(name)?.document.provider === 'vpc-lattice',
      counts: emptyCounts(),
      violations: 0,
      exempted: 0,
      drifted: [],
      findings: [],
      expiredExemptions: [],
      danglingReferences: [],
    };
  }
  const certificateAuthorities = await deps.issuers.issuersOf(latticeCertificateArns(network));
  const judgement = judgeServiceNetwork(network, deps.policy, now, { certificateAuthorities });
  const open = judgement.findings.filter((f) => f.status === 'violation');
  return {
    ...base,
    status: 'found',
    governed: judgement.governed,
    counts: judgement.counts,
    violations: judgement.violations,
    exempted: judgement.findings.length - judgement.violations,
    drifted: [...new Set(open.map((f) => f.resourceKey))].sort(),
    findings: open.slice(0, MAX_LISTED).map((f) => `${f.resourceKey} ${describeFinding(f)}`),
    expiredExemptions: judgement.expiredExemptions.map(
      (e) => `exemption ${e.index} (${e.resource.source}) expired ${e.expires}: ${e.reason}`,
    ),
    danglingReferences: [],
  };
}

/**
 * Audit service networks and publish one `MeshAudited` event each. A governed network that does
 * not exist is reported, not an error; any other failure propagates so the run is retried.
 */
export async function auditServiceNetworks(
  deps: ServiceNetworkAuditDeps,
  names: readonly string[],
): Promise<ServiceNetworkAuditReport[]> {
  const reports: ServiceNetworkAuditReport[] = [];
  for (const name of names) reports.push(await auditOneServiceNetwork(deps, name));
  if (reports.length > 0) {
    await deps.publisher.publish(
      reports.map((report) => ({ detailType: MESHWARDEN_DETAIL_TYPES.meshAudited, detail: { ...report } })),
    );
  }
  return reports;
}
