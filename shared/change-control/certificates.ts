import type { MeshResource } from '../providers/appmesh/model';

/**
 * The ACM certificate ARNs the listeners of these resources serve: what `tls.allowed-ca`
 * needs the issuers of. Only virtual nodes and virtual gateways have listeners.
 */
export function listenerCertificateArns(resources: Iterable<MeshResource>): string[] {
  const arns = new Set<string>();
  for (const resource of resources) {
    if (resource.kind !== 'virtual-node' && resource.kind !== 'virtual-gateway') continue;
    for (const listener of resource.spec.listeners ?? []) {
      const certificate = listener.tls?.certificate;
      if (certificate !== undefined && 'acm' in certificate) arns.add(certificate.acm.certificateArn);
    }
  }
  return [...arns];
}
