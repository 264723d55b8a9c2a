/**
 * The certificates a VPC Lattice service network relies on: each service's ACM certificate,
 * served for its custom domain by its HTTPS listeners. Lattice's own certificate (a service
 * without one) is AWS's to renew, so it is not listed. Trusts: Lattice validates no peers.
 * What is in use, and where, is the service graph's mapping (the same the rules judge); this
 * only says it in the inventory's terms.
 */
import type { CertificatesInUse } from '../../certificates/inventory';
import type { LeafReference } from '../../certificates/references';
import type { LatticeNetworkCertificateView } from './model';
import { latticeCertificatesOf } from './service-graph';

/**
 * Reads the certificates of a service network by name (the Lattice adapter); NotFoundError when
 * there is no such network.
 */
export interface ServiceNetworkCertificatesReader {
  readNetworkCertificates(name: string): Promise<LatticeNetworkCertificateView>;
}

/**
 * Every service certificate in use, one use per HTTPS listener (or one for the custom domain
 * alone). A whole service network snapshot is such a view too.
 */
export function latticeCertificatesInUse(network: LatticeNetworkCertificateView): CertificatesInUse {
  const leaves = network.services
    .flatMap((service) => latticeCertificatesOf(network.name, service))
    .map(
      ({ arn, usedBy, port, serverName }): LeafReference => ({
        id: `acm:${arn}`,
        location: { kind: 'acm', arn },
        use: {
          resourceKey: usedBy,
          kind: 'vpc-lattice-service',
          role: 'listener',
          ...(port === undefined ? {} : { port }),
          ...(serverName === undefined ? {} : { serviceName: serverName }),
        },
      }),
    );
  return { leaves, trusts: [] };
}
