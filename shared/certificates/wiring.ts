import { randomUUID } from 'node:crypto';
import type { ACMClient } from '@aws-sdk/client-acm';
import type { ACMPCAClient } from '@aws-sdk/client-acm-pca';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AcmCertificateStore } from '../adapters/acm-certificates/certificate-store';
import { AcmPrivateCertificateManager } from '../adapters/acm-certificates/private-certificates';
import { AcmPcaCertificateAuthority } from '../adapters/acm-pca/certificate-authority';
import { DynamoDbApprovalStore } from '../adapters/dynamodb/approval-store';
import { DynamoPendingKeyVault } from '../adapters/dynamodb/pending-key-vault';
import { DynamoRotationStore } from '../adapters/dynamodb/rotation-store';
import { KmsEnvelope } from '../adapters/kms/envelope';
import { SecretCertificateStore } from '../adapters/secretsmanager/certificate-secrets';
import type { ChatNotifier, EventPublisher, MeshProvider, PendingKeyVault } from '../ports';
import type { ServiceNetworkCertificatesReader } from '../providers/vpc-lattice/certificates';
import { CaDirectory } from './ca-directory';
import type { RolloverDecisionDeps } from './ca-rollover';
import { routeCertificateStores } from './certificate-stores';
import type { SweepDeps } from './sweep';

export interface RotationClients {
  readonly pca: ACMPCAClient;
  readonly acm: ACMClient;
  readonly secrets: SecretsManagerClient;
  readonly documents: DynamoDBDocumentClient;
  readonly tableName: string;
  /**
   * Where new private keys wait for delivery: sealed with this KMS key in the table (the
   * function), or a vault of the caller's own (the CLI, which may not use that key).
   */
  readonly pendingKeys: { readonly kms: KMSClient; readonly keyArn: string } | PendingKeyVault;
  readonly meshes: MeshProvider;
  /** Reads the certificates of the governed VPC Lattice service networks, when there are any. */
  readonly serviceNetworks?: ServiceNetworkCertificatesReader;
  readonly publisher: EventPublisher;
  readonly notifier: ChatNotifier;
}

/** The adapters of one rotation run (a new CA directory each run, so CA state is never stale across runs). */
export function createRotationDeps(
  clients: RotationClients,
  overrides: Partial<SweepDeps> = {},
): RolloverDecisionDeps {
  const ca = new AcmPcaCertificateAuthority(clients.pca);
  const now = overrides.now ?? (() => new Date());
  return {
    ca,
    cas: new CaDirectory(ca, overrides.sleep),
    store: routeCertificateStores({
      acm: new AcmCertificateStore(clients.acm),
      secret: new SecretCertificateStore(clients.secrets),
    }),
    acmPrivate: new AcmPrivateCertificateManager(clients.acm),
    rotations: new DynamoRotationStore(clients.documents, clients.tableName),
    pendingKeys:
      'keyArn' in clients.pendingKeys
        ? new DynamoPendingKeyVault(
            clients.documents,
            clients.tableName,
            new KmsEnvelope(clients.pendingKeys.kms, clients.pendingKeys.keyArn),
            now,
          )
        : clients.pendingKeys,
    approvals: new DynamoDbApprovalStore(clients.documents, clients.tableName),
    meshes: clients.meshes,
    ...(clients.serviceNetworks === undefined ? {} : { serviceNetworks: clients.serviceNetworks }),
    publisher: clients.publisher,
    notifier: clients.notifier,
    now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    newId: () => randomUUID(),
    ...overrides,
  };
}
