/**
 * The judge of a VPC Lattice service network: every enabled Lattice rule on the network, its
 * services, listeners and rules, in one linear pass over a snapshot, with the entry's
 * exemptions applied as for a mesh. Pure: the caller reads the snapshot (and the certificates'
 * issuers) first.
 */

import type { CompiledExemption, CompiledMeshPolicy, CompiledPolicy } from '../../../policy/compile';
import { type ExemptionMatch, exemptionFor, expiredExemptions } from '../../../policy/exemptions';
import type { Finding } from '../../../policy/judge';
import { servedAcmCertificateArns } from '../../../policy/neutral/certificates';
import { idOf } from '../arns';
import type { LatticeServiceNetworkSnapshot } from '../model';
import { latticeListenersOf } from '../service-graph';
import { LATTICE_RULES, type LatticeRule, type LatticeRuleContext } from './index';
import {
  formatLatticeKey,
  LATTICE_RESOURCE_KINDS,
  type LatticeResourceKind,
  type LatticeResourceRef,
  type LatticeSubject,
  latticeRefOf,
} from './resource';

/** One Lattice rule a resource fails (a {@link Finding} whose resource is a Lattice one). */
export type LatticeFinding = Omit<Finding, 'resource'> & { readonly resource: LatticeResourceRef };

/** What the audit of a service network found. */
export interface ServiceNetworkJudgement {
  readonly serviceNetwork: string;
  /** False when no `provider: vpc-lattice` entry governs it (only consistency rules ran). */
  readonly governed: boolean;
  readonly findings: readonly LatticeFinding[];
  readonly violations: number;
  readonly expiredExemptions: readonly CompiledExemption[];
  /** Resources per kind (the inventory). */
  readonly counts: Readonly<Record<LatticeResourceKind, number>>;
}

export interface LatticeJudgeOptions {
  /** Issuing CA ARN by ACM certificate ARN, for `lattice.allowed-ca` (ACM DescribeCertificate). */
  readonly certificateAuthorities?: ReadonlyMap<string, string>;
}

/**
 * The entry governing a service network: the first entry matching its name, when that entry is
 * a `provider: vpc-lattice` one naming this network. An App Mesh entry whose glob happens to
 * match a network's name says nothing about Lattice.
 */
export function latticeEntryFor(
  policy: CompiledPolicy,
  serviceNetwork: string,
): CompiledMeshPolicy | undefined {
  const entry = policy.forMesh(serviceNetwork);
  return entry?.document.provider === 'vpc-lattice' && entry.document.serviceNetwork === serviceNetwork
    ? entry
    : undefined;
}

/** Every resource of the network, the network first, each service followed by its listeners and rules. */
export function* latticeSubjects(network: LatticeServiceNetworkSnapshot): Generator<LatticeSubject> {
  yield { kind: 'service-network', network };
  for (const service of network.services) {
    yield { kind: 'service', service };
    for (const listener of service.listeners) {
      yield { kind: 'listener', service, listener };
      for (const rule of listener.rules) yield { kind: 'rule', service, listener, rule };
    }
  }
}

function exemptionOf(match: ExemptionMatch): NonNullable<Finding['exemption']> {
  const e = match.exemption;
  return {
    index: e.index,
    resource: e.resource.source,
    expires: e.expires,
    reason: e.reason,
    expired: match.expired,
  };
}

const EMPTY_ISSUERS: ReadonlyMap<string, string> = new Map();

/** Judge a service network whole against the policy. */
export function judgeServiceNetwork(
  network: LatticeServiceNetworkSnapshot,
  policy: CompiledPolicy,
  now: Date,
  options: LatticeJudgeOptions = {},
): ServiceNetworkJudgement {
  const entry = latticeEntryFor(policy, network.name);
  const compliance = entry?.compliance ?? {};
  const issuers = options.certificateAuthorities ?? EMPTY_ISSUERS;
  const ctx: LatticeRuleContext = {
    network,
    compliance,
    targetGroupIds: new Set(network.targetGroups.map((t) => idOf(t.id))),
    certificateAuthorityOf: (arn) => issuers.get(arn),
  };
  const rules = LATTICE_RULES.filter((r) => r.enabled(compliance));
  const byKind = new Map<LatticeResourceKind, LatticeRule[]>(
    LATTICE_RESOURCE_KINDS.map((kind) => [kind, rules.filter((r) => r.kinds.includes(kind))]),
  );
  const counts = Object.fromEntries(LATTICE_RESOURCE_KINDS.map((k) => [k, 0])) as Record<
    LatticeResourceKind,
    number
  >;
  const nowMs = now.getTime();
  const findings: LatticeFinding[] = [];
  for (const subject of latticeSubjects(network)) {
    counts[subject.kind] += 1;
    let ref: LatticeResourceRef | undefined;
    let resourceKey: string | undefined;
    for (const rule of byKind.get(subject.kind) ?? []) {
      const failures = rule.check(subject, ctx);
      if (failures.length === 0) continue;
      ref ??= latticeRefOf(network.name, subject);
      resourceKey ??= formatLatticeKey(ref);
      const match = exemptionFor(entry, resourceKey, rule.id, nowMs);
      const status = match !== undefined && !match.expired ? 'exempted' : 'violation';
      for (const message of failures) {
        findings.push({
          ruleId: rule.id,
          category: rule.category,
          resource: ref,
          resourceKey,
          message,
          status,
          ...(match === undefined ? {} : { exemption: exemptionOf(match) }),
        });
      }
    }
  }
  return {
    serviceNetwork: network.name,
    governed: entry !== undefined,
    findings,
    violations: findings.filter((f) => f.status === 'violation').length,
    expiredExemptions: expiredExemptions(entry, nowMs),
    counts,
  };
}

/** The ACM certificates the network's HTTPS services serve (their issuers are read for `lattice.allowed-ca`). */
export function latticeCertificateArns(network: LatticeServiceNetworkSnapshot): string[] {
  return servedAcmCertificateArns(network.services.flatMap((s) => latticeListenersOf(network.name, s)));
}
