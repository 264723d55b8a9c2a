import { ACMClient } from '@aws-sdk/client-acm';
import { AcmCertificateIssuers } from '../../shared/adapters/acm/certificate-issuers';
import { createAppMeshClient, createAppMeshProvider } from '../../shared/adapters/appmesh';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client';
import type { CertificateIssuers, MeshProvider } from '../../shared/ports';

/** Where the change-control commands read from and write their output; replaced in tests. */
export interface ChangeControlCli {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly meshes: () => MeshProvider;
  readonly issuers: () => CertificateIssuers;
  readonly documents: () => ReturnType<typeof createDocumentClient>;
}

/**
 * The real thing: SDK clients for whatever endpoint the SDK is configured for (local AWS via
 * `AWS_ENDPOINT_URL`, or an account through the usual credential chain).
 */
export const DEFAULT_CLI: ChangeControlCli = {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  meshes: () => createAppMeshProvider(createAppMeshClient()),
  issuers: () => new AcmCertificateIssuers(new ACMClient({})),
  documents: () => createDocumentClient(),
};
