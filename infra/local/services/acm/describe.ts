import type { CertificateView } from './certificate-manager';

/** awsJson timestamps are epoch seconds. */
function seconds(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : ms / 1000;
}

/** ACM reports key algorithms with a hyphen (`RSA-2048`, `EC-prime256v1`), unlike its request enums. */
export function reportedKeyAlgorithm(keyAlgorithm: string | undefined): string | undefined {
  return keyAlgorithm?.replace('_', '-');
}

/** The key algorithm in request-enum form (`RSA_2048`), for filters. */
export function keyAlgorithmOfView(view: CertificateView): string | undefined {
  return view.info?.keyAlgorithm ?? view.record.requestedKeyAlgorithm;
}

function domainNameOf(view: CertificateView): string | undefined {
  return view.record.requestedDomainName ?? view.info?.commonName ?? view.info?.dnsNames[0];
}

function namesOf(view: CertificateView): string[] {
  const fromCert = view.info?.dnsNames ?? [];
  if (fromCert.length > 0) return [...fromCert];
  const requested = view.record.requestedNames ?? [];
  if (requested.length > 0) return [...requested];
  const domain = domainNameOf(view);
  return domain === undefined ? [] : [domain];
}

/** The `CertificateDetail` DescribeCertificate answers with. */
export function certificateDetail(view: CertificateView, renewalEligible: boolean): Record<string, unknown> {
  const { record, info } = view;
  return {
    CertificateArn: record.arn,
    DomainName: domainNameOf(view),
    SubjectAlternativeNames: namesOf(view),
    Serial: info?.serial,
    Subject: info?.subject,
    Issuer: info?.issuer,
    CreatedAt: record.type === 'IMPORTED' ? undefined : seconds(record.createdAt),
    IssuedAt: view.status === 'PENDING_VALIDATION' ? undefined : seconds(record.issuedAt),
    ImportedAt: seconds(record.importedAt),
    Status: view.status,
    RevokedAt: seconds(view.revokedAt),
    RevocationReason: view.revocationReason,
    NotBefore: info === undefined ? undefined : info.notBefore.getTime() / 1000,
    NotAfter: info === undefined ? undefined : info.notAfter.getTime() / 1000,
    KeyAlgorithm: reportedKeyAlgorithm(keyAlgorithmOfView(view)),
    SignatureAlgorithm: info?.signatureAlgorithm,
    InUseBy: [...view.inUseBy],
    FailureReason: record.failureReason,
    Type: record.type,
    RenewalSummary:
      record.renewal === undefined
        ? undefined
        : {
            RenewalStatus: record.renewal.status,
            UpdatedAt: seconds(record.renewal.updatedAt),
            ...(record.renewal.reason ? { RenewalStatusReason: record.renewal.reason } : {}),
          },
    KeyUsages: (info?.keyUsages ?? []).map((Name) => ({ Name })),
    ExtendedKeyUsages: info?.extendedKeyUsages ?? [],
    CertificateAuthorityArn: record.certificateAuthorityArn,
    RenewalEligibility: renewalEligible ? 'ELIGIBLE' : 'INELIGIBLE',
    Options: record.options,
  };
}

/** The `CertificateSummary` ListCertificates answers with. */
export function certificateSummary(view: CertificateView, renewalEligible: boolean): Record<string, unknown> {
  const { record, info } = view;
  const names = namesOf(view);
  const eku = info?.extendedKeyUsages.map((e) => e.Name) ?? [];
  return {
    CertificateArn: record.arn,
    DomainName: domainNameOf(view),
    SubjectAlternativeNameSummaries: names.slice(0, 100),
    HasAdditionalSubjectAlternativeNames: names.length > 100,
    Status: view.status,
    Type: record.type,
    KeyAlgorithm: reportedKeyAlgorithm(keyAlgorithmOfView(view)),
    KeyUsages: info?.keyUsages ?? [],
    ExtendedKeyUsages: eku.length > 0 ? eku : ['NONE'],
    InUse: view.inUseBy.length > 0,
    Exported: record.exported,
    RenewalEligibility: renewalEligible ? 'ELIGIBLE' : 'INELIGIBLE',
    NotBefore: info === undefined ? undefined : info.notBefore.getTime() / 1000,
    NotAfter: info === undefined ? undefined : info.notAfter.getTime() / 1000,
    CreatedAt: seconds(record.createdAt),
    IssuedAt: view.status === 'PENDING_VALIDATION' ? undefined : seconds(record.issuedAt),
    ImportedAt: seconds(record.importedAt),
    RevokedAt: seconds(view.revokedAt),
  };
}
