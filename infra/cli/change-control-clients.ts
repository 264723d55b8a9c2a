import { ACMClient } from '@aws-sdk/client-acm';
import { ACMPCAClient } from '@aws-sdk/client-acm-pca';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AcmCertificateIssuers } from '../../shared/adapters/acm/certificate-issuers';
import { AcmCertificateStore } from '../../shared/adapters/acm-certificates/certificate-store';
import { AcmPcaCertificateAuthority } from '../../shared/adapters/acm-pca/certificate-authority';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client';
import { SecretCertificateStore } from '../../shared/adapters/secretsmanager/certificate-secrets';
import { CaDirectory } from '../../shared/certificates/ca-directory';
import { routeCertificateStores } from '../../shared/certificates/certificate-stores';
import type { InventoryDeps } from '../../shared/certificates/inventory';
import type { CertificateIssuers, MeshProvider } from '../../shared/ports';
import { createAppMeshClient, createAppMeshProvider } from '../../shared/providers/appmesh';
import { createLatticeClient, LatticeAdapter } from '../../shared/providers/vpc-lattice';
import type { ServiceNetworkReader } from '../../shared/providers/vpc-lattice/change-control/audit';

/** Where the change-control commands read from and write their output; replaced in tests. */
export interface ChangeControlCli {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly meshes: () => MeshProvider;
  /** Reads VPC Lattice service networks whole, for `provider: vpc-lattice` entries; absent: none. */
  readonly serviceNetworks?: () => ServiceNetworkReader;
  readonly issuers: () => CertificateIssuers;
  readonly documents: () => ReturnType<typeof createDocumentClient>;
  /** Reads of the certificates and trusts, for the handshakes `audit` judges; absent: not judged. */
  readonly certificates?: () => InventoryDeps;
}

/**
 * The real thing: SDK clients for whatever endpoint the SDK is configured for (local AWS via
 * `AWS_ENDPOINT_URL`, or an account through the usual credential chain).
 */
export const DEFAULT_CLI: ChangeControlCli = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  meshes: () => createAppMeshProvider(createAppMeshClient()),
  serviceNetworks: () => new LatticeAdapter(createLatticeClient()),
  issuers: () => new AcmCertificateIssuers(new ACMClient({})),
  documents: () => createDocumentClient(),
  certificates: () => {
    const authority = new AcmPcaCertificateAuthority(new ACMPCAClient({}));
    return {
      meshes: createAppMeshProvider(createAppMeshClient()),
      store: routeCertificateStores({
        acm: new AcmCertificateStore(new ACMClient({})),
        secret: new SecretCertificateStore(new SecretsManagerClient({})),
      }),
      cas: new CaDirectory(authority),
      now: () => new Date(),
    };
  },
};
