/** What local ACM PCA persists, one JSON document. Times are epoch milliseconds. */
export interface PcaState {
  readonly authorities: Record<string, CaRecord>;
  readonly certificates: Record<string, IssuedCertificateRecord>;
  /** Idempotency tokens seen in the last five minutes, by `operation|scope|token`. */
  readonly tokens: Record<string, { readonly arn: string; readonly at: number }>;
}

/** CA lifecycle states as DescribeCertificateAuthority reports them. */
export type CaStatus = 'PENDING_CERTIFICATE' | 'ACTIVE' | 'DISABLED';

/** One private CA: its configuration as created, its key and, once imported, its certificate. */
export interface CaRecord {
  readonly arn: string;
  readonly type: 'ROOT' | 'SUBORDINATE';
  status: CaStatus;
  readonly createdAt: number;
  lastStateChangeAt: number;
  /** The CertificateAuthorityConfiguration as given (KeyAlgorithm, SigningAlgorithm, Subject, CsrExtensions). */
  readonly configuration: Record<string, unknown>;
  readonly revocationConfiguration?: Record<string, unknown>;
  readonly keyStorageSecurityStandard: string;
  readonly usageMode: string;
  readonly tags: { Key: string; Value?: string }[];
  /** PKCS#8 PEM. */
  readonly privateKeyPem: string;
  readonly csrPem: string;
  certificatePem?: string;
  /** The chain above this CA's certificate, for a subordinate CA; empty for a root. */
  certificateChainPem?: string;
  serial?: string;
  notBefore?: number;
  notAfter?: number;
}

/** A certificate a private CA issued. */
export interface IssuedCertificateRecord {
  readonly arn: string;
  readonly caArn: string;
  readonly serialHex: string;
  readonly pem: string;
  readonly issuedAt: number;
  revokedAt?: number;
  revocationReason?: string;
}
