import { type ACMClient, DescribeCertificateCommand, ResourceNotFoundException } from '@aws-sdk/client-acm';
import { mapBounded } from '../../bounded-map';
import type { CertificateIssuers } from '../../ports';

/** Concurrent DescribeCertificate calls: ACM allows about 10 per second per account. */
const CONCURRENCY = 4;

/**
 * Certificate ARN -> issuing ACM Private CA ARN, from ACM DescribeCertificate
 * (`Certificate.CertificateAuthorityArn`). Certificates that do not exist or were not issued
 * by a private CA are left out, and the `tls.allowed-ca` rule reports them as of unknown
 * issuer. Answers are cached for the life of the adapter: an issued certificate never changes CA.
 */
export class AcmCertificateIssuers implements CertificateIssuers {
  private readonly cache = new Map<string, string | null>();

  constructor(private readonly client: ACMClient) {}

  async issuersOf(certificateArns: readonly string[]): Promise<ReadonlyMap<string, string>> {
    const unknown = [...new Set(certificateArns)].filter((arn) => !this.cache.has(arn));
    await mapBounded(unknown, CONCURRENCY, async (arn) => {
      try {
        const out = await this.client.send(new DescribeCertificateCommand({ CertificateArn: arn }));
        this.cache.set(arn, out.Certificate?.CertificateAuthorityArn ?? null);
      } catch (error) {
        if (!(error instanceof ResourceNotFoundException)) throw error;
        this.cache.set(arn, null);
      }
    });
    const issuers = new Map<string, string>();
    for (const arn of certificateArns) {
      const issuer = this.cache.get(arn);
      if (typeof issuer === 'string') issuers.set(arn, issuer);
    }
    return issuers;
  }
}
