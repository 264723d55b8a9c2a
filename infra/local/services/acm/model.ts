/** What local ACM persists, one JSON document. Times are epoch milliseconds. */
export interface AcmState {
  readonly certificates: Record<string, AcmCertificateRecord>;
  /** RequestCertificate idempotency tokens seen in the last hour, by token. */
  readonly tokens: Record<string, { readonly arn: string; readonly at: number }>;
}

/** ACM failure reasons for a private certificate whose issuance the private CA refused. */
export type FailureReason =
  | 'PCA_INVALID_STATE'
  | 'PCA_RESOURCE_NOT_FOUND'
  | 'PCA_INVALID_ARN'
  | 'PCA_INVALID_ARGS'
  | 'PCA_INVALID_DURATION'
  | 'PCA_REQUEST_FAILED';

/** One ACM certificate: imported, or private (issued by a local private CA). */
export interface AcmCertificateRecord {
  readonly arn: string;
  readonly type: 'IMPORTED' | 'PRIVATE';
  /** PEM of the certificate, its chain and its key (PKCS#8); absent while a private request failed. */
  certificatePem?: string;
  chainPem?: string;
  privateKeyPem?: string;
  readonly createdAt: number;
  importedAt?: number;
  issuedAt?: number;
  /** Until then a private certificate is PENDING_VALIDATION (the configurable issuance delay). */
  readyAt?: number;
  readonly certificateAuthorityArn?: string;
  /** What RequestCertificate asked for (private certificates). */
  readonly requestedDomainName?: string;
  readonly requestedNames?: readonly string[];
  readonly requestedKeyAlgorithm?: string;
  failureReason?: FailureReason;
  tags: { Key: string; Value?: string }[];
  exported: boolean;
  /** The last ExportCertificate: eligibility for renewal counts exports since the last renewal. */
  lastExportedAt?: number;
  /**
   * The last managed renewal. RenewCertificate makes it PENDING_AUTO_RENEWAL; once `readyAt` has
   * passed the certificate it signed (`pending`) replaces the current one and it is SUCCESS, or
   * FAILED with the private CA's reason.
   */
  renewal?: {
    status: 'PENDING_AUTO_RENEWAL' | 'SUCCESS' | 'FAILED';
    updatedAt: number;
    reason?: FailureReason;
    readyAt?: number;
    pending?: { certificatePem: string; chainPem?: string } | { failure: FailureReason };
  };
  /** As RequestCertificate's Options; AWS's default is CertificateTransparencyLoggingPreference ENABLED. */
  readonly options: Record<string, unknown>;
}
