/**
 * Whether a served certificate was issued by a CA the policy allows, the same on every
 * provider: one certificate, where it is served (the label), and one sentence per failure. An
 * App Mesh listener and a VPC Lattice service fail it in the same words because the facts are
 * the same; only where the certificate comes from differs, and that is in the model.
 */
import type { GraphListener, ServedCertificate } from '../../domain/service-graph';
import type { GlobSet } from '../glob';

/** What the check reads besides the certificate. */
export interface AllowedIssuers {
  readonly allowed: GlobSet;
  /** The CA that issued an ACM certificate (ACM DescribeCertificate, read by the caller). */
  readonly issuerOf: (certificateArn: string) => string | undefined;
}

const UNCHECKABLE_SOURCE = { file: 'a certificate file', sds: 'an SDS secret' } as const;

/**
 * The failure sentence for a certificate served at `label`, or undefined when an allowed CA
 * issued it.
 */
export function servedCertificateFailure(
  label: string,
  certificate: ServedCertificate,
  { allowed, issuerOf }: AllowedIssuers,
): string | undefined {
  const list = allowed.sources.join(', ');
  switch (certificate.source) {
    case 'file':
    case 'sds':
      return `${label} serves a certificate from ${UNCHECKABLE_SOURCE[certificate.source]}, whose issuer cannot be checked: serve an ACM certificate issued by ${list}.`;
    case 'provider-default':
      return `${label} serves HTTPS with ${certificate.provider}'s own certificate, which the policy does not allow: give it a custom domain and an ACM certificate issued by ${list}.`;
    case 'acm': {
      const { arn } = certificate;
      const issuer = issuerOf(arn);
      if (issuer === undefined)
        return `${label} serves certificate ${arn}, whose issuing CA is unknown: make sure it is an ACM Private CA certificate issued by ${list}.`;
      if (!allowed.test(issuer))
        return `${label} serves certificate ${arn} issued by ${issuer}, which the policy does not allow: re-issue it from ${list}.`;
      return undefined;
    }
  }
}

/**
 * The ACM certificates these listeners serve when terminating TLS, each once, in listener
 * order: the ones whose issuers {@link servedCertificateFailure} needs looked up.
 */
export function servedAcmCertificateArns(listeners: readonly GraphListener[]): string[] {
  const arns = new Set<string>();
  for (const listener of listeners) {
    const certificate = listener.tls?.certificate;
    if (certificate?.source === 'acm') arns.add(certificate.arn);
  }
  return [...arns];
}
