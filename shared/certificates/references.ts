/**
 * Pure reading of a mesh snapshot: every certificate reference (listener and client policy
 * certificates) and every validation trust, with the resources that use it. No I/O.
 */

import { formatResourceKey } from '../domain/resource-key';
import type { MeshSnapshot } from '../domain/snapshot';
import { type CertificatesSection, secretFor } from '../policy/sections/certificates';
import type { CertificateLocation } from '../ports';
import type {
  ClientPolicy,
  ClientTlsCertificate,
  ListenerTlsCertificate,
  ListenerTlsValidationContext,
  MeshResourceOf,
  ServiceDiscovery,
  TlsValidationContext,
} from '../providers/appmesh/model';

/** The resources that hold certificates and trusts: App Mesh's, or a VPC Lattice service (custom domain, HTTPS). */
export type CertificateHolderKind = 'virtual-node' | 'virtual-gateway' | 'vpc-lattice-service';

/** One place a certificate or trust is used. */
export interface CertificateUse {
  readonly resourceKey: string;
  readonly kind: CertificateHolderKind;
  /** `listener`: served by a listener. `client`: presented to backends. `trust`: validates peers. */
  readonly role: 'listener' | 'client' | 'trust';
  /** The listener port, for listener certificates. */
  readonly port?: number;
  /** For a virtual node: the DNS name its service discovery gives (what a certificate must name). */
  readonly serviceName?: string;
}

/** A certificate reference, resolved to where its certificate is kept (when the policy says). */
export interface LeafReference {
  /** `acm:<arn>`, `secret:<name>`, or for an unmapped reference `file:<path>` / `sds:<name>`. */
  readonly id: string;
  readonly location: CertificateLocation | undefined;
  readonly use: CertificateUse;
}

/** A validation trust: CAs (ACM PCA ARNs) or a chain kept in a secret. */
export interface TrustReference {
  /** `ca:<arn>`, `secret:<name>`, `file:<path>` or `sds:<name>`. */
  readonly id: string;
  readonly caArn?: string;
  readonly location?: CertificateLocation;
  readonly use: CertificateUse;
}

/** The DNS name a node's service discovery gives it. */
export function serviceNameOf(discovery: ServiceDiscovery | undefined): string | undefined {
  if (discovery === undefined) return undefined;
  if ('dns' in discovery) return discovery.dns.hostname;
  return `${discovery.awsCloudMap.serviceName}.${discovery.awsCloudMap.namespaceName}`;
}

/** The reference of one certificate, resolved through the policy's secret mappings. */
export function leafOf(
  certificate: ListenerTlsCertificate | ClientTlsCertificate,
  section: CertificatesSection | undefined,
  use: CertificateUse,
): LeafReference {
  if ('acm' in certificate) {
    const arn = certificate.acm.certificateArn;
    return { id: `acm:${arn}`, location: { kind: 'acm', arn }, use };
  }
  const reference =
    'file' in certificate ? { file: certificate.file.certificateChain } : { sds: certificate.sds.secretName };
  const secret = secretFor(section, reference);
  if (secret !== undefined)
    return { id: `secret:${secret}`, location: { kind: 'secret', name: secret }, use };
  return {
    id: 'file' in reference ? `file:${reference.file}` : `sds:${reference.sds}`,
    location: undefined,
    use,
  };
}

/** The references of one validation trust (one per CA ARN for an ACM trust). */
export function trustsOf(
  validation: TlsValidationContext | ListenerTlsValidationContext | undefined,
  section: CertificatesSection | undefined,
  use: CertificateUse,
): TrustReference[] {
  if (validation === undefined) return [];
  const trust = validation.trust;
  if ('acm' in trust)
    return trust.acm.certificateAuthorityArns.map((caArn) => ({ id: `ca:${caArn}`, caArn, use }));
  const reference = 'file' in trust ? { file: trust.file.certificateChain } : { sds: trust.sds.secretName };
  const secret = secretFor(section, reference);
  if (secret !== undefined)
    return [{ id: `secret:${secret}`, location: { kind: 'secret', name: secret }, use }];
  return [{ id: 'file' in reference ? `file:${reference.file}` : `sds:${reference.sds}`, use }];
}

function clientPolicies(
  resource: MeshResourceOf<'virtual-node'> | MeshResourceOf<'virtual-gateway'>,
): ClientPolicy[] {
  const policies: ClientPolicy[] = [];
  if (resource.spec.backendDefaults?.clientPolicy) policies.push(resource.spec.backendDefaults.clientPolicy);
  if (resource.kind === 'virtual-node') {
    for (const backend of resource.spec.backends ?? [])
      if (backend.virtualService.clientPolicy) policies.push(backend.virtualService.clientPolicy);
  }
  return policies;
}

/** Every certificate and trust reference of a mesh, in snapshot order. */
export function collectReferences(
  snapshot: MeshSnapshot,
  section: CertificatesSection | undefined,
): { leaves: LeafReference[]; trusts: TrustReference[] } {
  const leaves: LeafReference[] = [];
  const trusts: TrustReference[] = [];
  const holders = [...snapshot.virtualNodes, ...snapshot.virtualGateways];
  for (const resource of holders) {
    const resourceKey = formatResourceKey(resource);
    const serviceName =
      resource.kind === 'virtual-node' ? serviceNameOf(resource.spec.serviceDiscovery) : undefined;
    const base = { resourceKey, kind: resource.kind, ...(serviceName ? { serviceName } : {}) } as const;
    for (const listener of resource.spec.listeners ?? []) {
      if (listener.tls === undefined) continue;
      const use = { ...base, role: 'listener', port: listener.portMapping.port } as const;
      leaves.push(leafOf(listener.tls.certificate, section, use));
      trusts.push(...trustsOf(listener.tls.validation, section, { ...base, role: 'trust' }));
    }
    for (const policy of clientPolicies(resource)) {
      if (policy.tls === undefined) continue;
      if (policy.tls.certificate)
        leaves.push(leafOf(policy.tls.certificate, section, { ...base, role: 'client' }));
      trusts.push(...trustsOf(policy.tls.validation, section, { ...base, role: 'trust' }));
    }
  }
  return { leaves, trusts };
}

/** Group references by id, keeping first-seen order and every distinct use. */
export function groupById<R extends { readonly id: string; readonly use: CertificateUse }>(
  references: readonly R[],
): { first: R; uses: CertificateUse[] }[] {
  const groups = new Map<string, { first: R; uses: CertificateUse[] }>();
  for (const ref of references) {
    const group = groups.get(ref.id) ?? { first: ref, uses: [] };
    if (!group.uses.some((u) => JSON.stringify(u) === JSON.stringify(ref.use))) group.uses.push(ref.use);
    groups.set(ref.id, group);
  }
  return [...groups.values()];
}
