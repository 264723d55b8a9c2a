/**
 * The certificates a VPC Lattice service network relies on: each service's ACM certificate,
 * served for its custom domain by its HTTPS listeners. Lattice's own certificate (a service
 * without one) is AWS's to renew, so it is not listed. Trusts: Lattice validates no peers.
 */
import type { LatticeServiceNetworkSnapshot } from '../providers/vpc-lattice/model';
import type { CertificatesInUse } from './inventory';
import type { LeafReference } from './references';

/** Every service certificate in use, one use per HTTPS listener (or one for the custom domain alone). */
export function latticeCertificatesInUse(network: LatticeServiceNetworkSnapshot): CertificatesInUse {
  const leaves: LeafReference[] = [];
  for (const service of network.services) {
    const arn = service.certificateArn;
    if (arn === undefined) continue;
    const resourceKey = `${network.name}/service/${service.name}`;
    const use = (port: number | undefined): LeafReference => ({
      id: `acm:${arn}`,
      location: { kind: 'acm', arn },
      use: {
        resourceKey,
        kind: 'vpc-lattice-service',
        role: 'listener',
        ...(port === undefined ? {} : { port }),
        ...(service.customDomainName === undefined ? {} : { serviceName: service.customDomainName }),
      },
    });
    const https = service.listeners.filter((l) => l.protocol === 'HTTPS');
    if (https.length === 0) leaves.push(use(undefined));
    for (const listener of https) leaves.push(use(listener.port));
  }
  return { leaves, trusts: [] };
}
