import {
  ACMPCAClient,
  type ACMPCAClientConfig,
  DescribeCertificateAuthorityCommand,
  GetCertificateAuthorityCertificateCommand,
  GetCertificateCommand,
  IssueCertificateCommand,
  ListCertificateAuthoritiesCommand,
} from '@aws-sdk/client-acm-pca';
import { NotFoundError } from '../../errors';
import type {
  CertificateAuthority,
  CertificateAuthorityCatalog,
  CertificateAuthorityState,
  IssueCertificateRequest,
} from '../../ports';
import { certificateServiceError } from './errors';

/**
 * The ACM PCA client rotation expects: standard retries with more attempts than the default,
 * because a rotation run of hundreds of certificates meets PCA's per-account rate limits.
 * The endpoint is left to the SDK (AWS_ENDPOINT_URL for local AWS).
 */
export function createAcmPcaClient(config: ACMPCAClientConfig = {}): ACMPCAClient {
  return new ACMPCAClient({ maxAttempts: 8, ...config });
}

/** The CertificateAuthority port on AWS Private CA. */
export class AcmPcaCertificateAuthority implements CertificateAuthority, CertificateAuthorityCatalog {
  constructor(private readonly client: ACMPCAClient) {}

  async listCertificateAuthorities(): Promise<string[]> {
    const arns: string[] = [];
    let nextToken: string | undefined;
    do {
      const token = nextToken;
      try {
        const page = await this.client.send(
          new ListCertificateAuthoritiesCommand(token === undefined ? {} : { NextToken: token }),
        );
        for (const ca of page.CertificateAuthorities ?? []) {
          // A deleted CA (in its restore window) issues nothing: a reference to it dangles.
          if (ca.Arn !== undefined && ca.Status !== 'DELETED') arns.push(ca.Arn);
        }
        nextToken = page.NextToken;
      } catch (error) {
        throw certificateServiceError(error, 'ACM PCA ListCertificateAuthorities');
      }
    } while (nextToken);
    return arns;
  }

  async describe(caArn: string): Promise<CertificateAuthorityState> {
    try {
      const { CertificateAuthority: ca } = await this.client.send(
        new DescribeCertificateAuthorityCommand({ CertificateAuthorityArn: caArn }),
      );
      if (ca === undefined) throw new NotFoundError(`CA ${caArn} not found`);
      const status = ca.Status ?? 'UNKNOWN';
      let certificatePem = '';
      let chainPem: string | undefined;
      // A CA waiting for its certificate has none to fetch.
      if (status !== 'PENDING_CERTIFICATE' && status !== 'CREATING' && status !== 'FAILED') {
        const out = await this.client.send(
          new GetCertificateAuthorityCertificateCommand({ CertificateAuthorityArn: caArn }),
        );
        certificatePem = out.Certificate ?? '';
        chainPem = out.CertificateChain;
      }
      return {
        arn: caArn,
        status,
        signingAlgorithm: ca.CertificateAuthorityConfiguration?.SigningAlgorithm ?? 'SHA256WITHECDSA',
        certificatePem,
        ...(chainPem ? { chainPem } : {}),
        notAfter: (ca.NotAfter ?? new Date(0)).toISOString(),
      };
    } catch (error) {
      throw certificateServiceError(error, `ACM PCA DescribeCertificateAuthority ${caArn}`);
    }
  }

  async issue(request: IssueCertificateRequest): Promise<string> {
    try {
      const { CertificateArn } = await this.client.send(
        new IssueCertificateCommand({
          CertificateAuthorityArn: request.caArn,
          Csr: new TextEncoder().encode(request.csrPem),
          SigningAlgorithm: request.signingAlgorithm as never,
          TemplateArn: request.templateArn,
          Validity: { Type: 'DAYS', Value: request.validityDays },
          IdempotencyToken: request.idempotencyToken,
        }),
      );
      if (CertificateArn === undefined) throw new Error('IssueCertificate returned no CertificateArn');
      return CertificateArn;
    } catch (error) {
      throw certificateServiceError(error, `ACM PCA IssueCertificate from ${request.caArn}`);
    }
  }

  async fetch(
    caArn: string,
    certificateArn: string,
  ): Promise<{ certificatePem: string; chainPem: string } | undefined> {
    try {
      const out = await this.client.send(
        new GetCertificateCommand({ CertificateAuthorityArn: caArn, CertificateArn: certificateArn }),
      );
      if (out.Certificate === undefined) return undefined;
      return { certificatePem: out.Certificate, chainPem: out.CertificateChain ?? '' };
    } catch (error) {
      // AWS is still signing: the caller waits and asks again.
      if (error instanceof Error && error.name === 'RequestInProgressException') return undefined;
      throw certificateServiceError(error, `ACM PCA GetCertificate ${certificateArn}`);
    }
  }
}
