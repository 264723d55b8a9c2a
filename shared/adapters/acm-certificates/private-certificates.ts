import {
  type ACMClient,
  DeleteCertificateCommand,
  DescribeCertificateCommand,
  GetCertificateCommand,
  type KeyAlgorithm,
  RenewCertificateCommand,
  RequestCertificateCommand,
} from '@aws-sdk/client-acm';
import { BadRequestError, NotFoundError } from '../../errors';
import type { AcmCertificateState, AcmPrivateCertificates, PrivateCertificateRequest } from '../../ports';
import { certificateServiceError } from '../acm-pca/errors';

/** The tag every certificate meshwarden requests carries: what made it, so people can tell. */
const MANAGED_TAG = { Key: 'meshwarden:managed', Value: 'certificate-rotation' };

const errorName = (error: unknown) => (error instanceof Error ? error.name : '');

/**
 * ACM private certificates on the ACM API: DescribeCertificate, RenewCertificate (same CA,
 * same ARN), RequestCertificate with CertificateAuthorityArn (a new certificate, for another
 * CA or other names), GetCertificate, DeleteCertificate. ACM keeps the key; meshwarden never
 * sees it.
 */
export class AcmPrivateCertificateManager implements AcmPrivateCertificates {
  constructor(private readonly client: ACMClient) {}

  async state(arn: string): Promise<AcmCertificateState | undefined> {
    try {
      const { Certificate: c } = await this.client.send(
        new DescribeCertificateCommand({ CertificateArn: arn }),
      );
      if (c === undefined) return undefined;
      const renewal = c.RenewalSummary;
      return {
        arn,
        type: (c.Type ?? 'IMPORTED') as AcmCertificateState['type'],
        status: c.Status ?? 'UNKNOWN',
        ...(c.FailureReason ? { failureReason: c.FailureReason } : {}),
        ...(c.CertificateAuthorityArn ? { certificateAuthorityArn: c.CertificateAuthorityArn } : {}),
        ...(c.Serial ? { serial: c.Serial } : {}),
        ...(c.NotAfter ? { notAfter: c.NotAfter.toISOString() } : {}),
        ...(renewal?.RenewalStatus && renewal.UpdatedAt
          ? {
              renewal: {
                status: renewal.RenewalStatus,
                updatedAt: renewal.UpdatedAt.toISOString(),
                ...(renewal.RenewalStatusReason ? { reason: renewal.RenewalStatusReason } : {}),
              },
            }
          : {}),
        inUseBy: c.InUseBy ?? [],
      };
    } catch (error) {
      const mapped = certificateServiceError(error, `ACM DescribeCertificate ${arn}`);
      if (mapped instanceof NotFoundError) return undefined;
      throw mapped;
    }
  }

  async renew(arn: string): Promise<void> {
    try {
      await this.client.send(new RenewCertificateCommand({ CertificateArn: arn }));
    } catch (error) {
      throw certificateServiceError(error, `ACM RenewCertificate ${arn}`);
    }
  }

  async request(request: PrivateCertificateRequest): Promise<string> {
    const [domainName] = request.names;
    if (domainName === undefined) throw new BadRequestError('a certificate needs at least one name');
    try {
      const { CertificateArn } = await this.client.send(
        new RequestCertificateCommand({
          DomainName: domainName,
          SubjectAlternativeNames: [...request.names],
          CertificateAuthorityArn: request.caArn,
          KeyAlgorithm: request.keyAlgorithm as KeyAlgorithm,
          IdempotencyToken: request.idempotencyToken,
          Tags: [MANAGED_TAG],
        }),
      );
      if (CertificateArn === undefined) throw new Error('RequestCertificate returned no CertificateArn');
      return CertificateArn;
    } catch (error) {
      throw certificateServiceError(error, `ACM RequestCertificate from ${request.caArn}`);
    }
  }

  async fetch(arn: string): Promise<{ certificatePem: string; chainPem: string } | undefined> {
    try {
      const out = await this.client.send(new GetCertificateCommand({ CertificateArn: arn }));
      if (out.Certificate === undefined) return undefined;
      return { certificatePem: out.Certificate, chainPem: out.CertificateChain ?? '' };
    } catch (error) {
      // ACM is still issuing it: the caller waits and asks again.
      if (errorName(error) === 'RequestInProgressException') return undefined;
      throw certificateServiceError(error, `ACM GetCertificate ${arn}`);
    }
  }

  async remove(arn: string): Promise<'deleted' | 'in-use' | 'not-found'> {
    try {
      await this.client.send(new DeleteCertificateCommand({ CertificateArn: arn }));
      return 'deleted';
    } catch (error) {
      if (errorName(error) === 'ResourceInUseException') return 'in-use';
      const mapped = certificateServiceError(error, `ACM DeleteCertificate ${arn}`);
      if (mapped instanceof NotFoundError) return 'not-found';
      throw mapped;
    }
  }
}
