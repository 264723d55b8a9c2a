/**
 * `meshwarden explain EVENT.json` for a VPC Lattice CloudTrail event: which governed service
 * network the call touched (its service network, or the networks of its service), and the
 * Lattice rules' findings on what it touched, judged on the network as it is now (the call has
 * happened). Read-only. Deciding on the call itself (revert, hold) is change control's.
 */

import { governedServiceNetworks } from '../../shared/deployments/route-policy';
import { derivePrincipal } from '../../shared/events/principal';
import { describePrincipal } from '../../shared/policy/change-control';
import type { CompiledPolicy } from '../../shared/policy/compile';
import { describeFinding } from '../../shared/policy/judge';
import type { CertificateIssuers } from '../../shared/ports';
import { idOf } from '../../shared/providers/vpc-lattice/arns';
import type { ServiceNetworkReader } from '../../shared/providers/vpc-lattice/change-control/audit';
import type { LatticeApiCallEvent } from '../../shared/providers/vpc-lattice/cloudtrail';
import type { LatticeServiceNetworkSnapshot } from '../../shared/providers/vpc-lattice/model';
import {
  judgeServiceNetwork,
  type LatticeFinding,
  latticeCertificateArns,
  latticeEntryFor,
} from '../../shared/providers/vpc-lattice/rules/judge';

/** What a call names: a service network and/or a service, by id. */
export interface TouchedIds {
  readonly serviceNetworkId?: string;
  readonly serviceId?: string;
}

/** The ids a call's request parameters name (ids or ARNs alike; an auth policy's resource either). */
export function touchedIds(event: LatticeApiCallEvent): TouchedIds {
  const p = event.detail.requestParameters ?? {};
  const resource = p.resourceIdentifier === undefined ? undefined : idOf(p.resourceIdentifier);
  const network = p.serviceNetworkIdentifier ?? (resource?.startsWith('sn-') ? resource : undefined);
  const service = p.serviceIdentifier ?? (resource?.startsWith('svc-') ? resource : undefined);
  return {
    ...(network === undefined ? {} : { serviceNetworkId: idOf(network) }),
    ...(service === undefined ? {} : { serviceId: idOf(service) }),
  };
}

/** One governed network the call touched, and the findings on what it touched. */
export interface TouchedNetwork {
  readonly serviceNetwork: string;
  /** The service the call touched, by name, when it touched one. */
  readonly service?: string;
  readonly findings: readonly LatticeFinding[];
}

/** The findings on what the call touched: the network itself, or one service and its listeners and rules. */
function touchedFindings(
  network: LatticeServiceNetworkSnapshot,
  ids: TouchedIds,
  findings: readonly LatticeFinding[],
): TouchedNetwork | undefined {
  const service = network.services.find((s) => s.id === ids.serviceId)?.name;
  const atNetwork = ids.serviceNetworkId === network.id;
  if (!atNetwork && service === undefined) return undefined;
  return {
    serviceNetwork: network.name,
    ...(service === undefined ? {} : { service }),
    findings: findings.filter(
      (f) =>
        (atNetwork && f.resource.kind === 'service-network') ||
        (service !== undefined && f.resource.service === service),
    ),
  };
}

export interface LatticeExplainDeps {
  readonly networks: ServiceNetworkReader;
  readonly issuers: CertificateIssuers;
  readonly policy: CompiledPolicy;
  readonly now: () => Date;
}

/** What explain says about a Lattice call. */
export interface LatticeExplanation {
  readonly operation: string;
  readonly principal: string;
  readonly touched: readonly TouchedNetwork[];
  readonly violations: number;
}

/** Judge the governed networks the call touched, as they are now. */
export async function explainLatticeCall(
  deps: LatticeExplainDeps,
  event: LatticeApiCallEvent,
): Promise<LatticeExplanation> {
  const ids = touchedIds(event);
  const touched: TouchedNetwork[] = [];
  for (const name of governedServiceNetworks(deps.policy)) {
    if (latticeEntryFor(deps.policy, name) === undefined) continue;
    const network = await deps.networks.readServiceNetwork(name);
    const certificateAuthorities = await deps.issuers.issuersOf(latticeCertificateArns(network));
    const judgement = judgeServiceNetwork(network, deps.policy, deps.now(), { certificateAuthorities });
    const found = touchedFindings(network, ids, judgement.findings);
    if (found !== undefined) touched.push(found);
  }
  return {
    operation: event.detail.eventName,
    principal: describePrincipal(derivePrincipal(event.detail.userIdentity)),
    touched,
    violations: touched.reduce((n, t) => n + t.findings.filter((f) => f.status === 'violation').length, 0),
  };
}

/** The explanation as lines of text. */
export function latticeExplanationLines(explanation: LatticeExplanation): string[] {
  const head = `${explanation.operation} (VPC Lattice) by ${explanation.principal}`;
  if (explanation.touched.length === 0)
    return [head, 'touches no service network the policy governs: nothing to judge'];
  const lines = [head];
  for (const t of explanation.touched) {
    const what =
      t.service === undefined
        ? `service network ${t.serviceNetwork}`
        : `service ${t.service} of service network ${t.serviceNetwork}`;
    const open = t.findings.filter((f) => f.status === 'violation').length;
    lines.push(`${what}, as it is now: ${open} violation(s), ${t.findings.length - open} exempted`);
    for (const f of t.findings) lines.push(`  - ${f.resourceKey} ${describeFinding(f)}`);
  }
  return lines;
}
