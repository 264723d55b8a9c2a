/**
 * The certificates a VPC Lattice service network relies on: each service's ACM certificate,
 * served for its custom domain by its HTTPS listeners. Lattice's own certificate (a service
 * without one) is AWS's to renew, so it is not listed. Trusts: Lattice validates no peers.
 * What is in use, and where, is the service graph's (one mapping of the snapshot, the same the
 * rules judge); this only says it in the inventory's terms.
 */

import type { CertificatesInUse } from '../../certificates/inventory';
import type { LeafReference } from '../../certificates/references';
import type { LatticeServiceNetworkSnapshot } from './model';
import { latticeServiceGraph } from './service-graph';

/** Every service certificate in use, one use per HTTPS listener (or one for the custom domain alone). */
export function latticeCertificatesInUse(network: LatticeServiceNetworkSnapshot): CertificatesInUse {
  const leaves = latticeServiceGraph(network).certificates.map(
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
