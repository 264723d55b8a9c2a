import {
  type ACMClient,
  DescribeCertificateCommand,
  ListTagsForCertificateCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-acm';
import { mapBounded } from '../../bounded-map';
import type { CertificateIssuers } from '../../ports';
import { ISSUING_CA_TAG } from '../acm-certificates/certificate-store';

/** Concurrent lookups: ACM allows about 10 DescribeCertificate calls per second per account. */
const CONCURRENCY = 4;
/**
 * How long an answer is kept. A certificate ACM issued never changes CA, but an imported one
 * is re-imported in place by a CA rollover, so answers must not outlive a warm Lambda.
 */
const TTL_MS = 5 * 60 * 1000;

/**
 * Certificate ARN -> issuing ACM Private CA ARN. For a certificate ACM issued,
 * `DescribeCertificate` names the CA; for an imported one it does not, and the
 * `meshwarden:issuing-ca` tag that certificate rotation writes on every import is read
 * instead. Certificates that do not exist or carry neither are left out, and the
 * `tls.allowed-ca` rule reports them as of unknown issuer (fail closed).
 */
export class AcmCertificateIssuers implements CertificateIssuers {
  private readonly cache = new Map<string, { issuer: string | null; until: number }>();

  constructor(
    private readonly client: ACMClient,
    private readonly now: () => number = Date.now,
  ) {}

  async issuersOf(certificateArns: readonly string[]): Promise<ReadonlyMap<string, string>> {
    const now = this.now();
    const unknown = [...new Set(certificateArns)].filter((arn) => (this.cache.get(arn)?.until ?? 0) <= now);
    await mapBounded(unknown, CONCURRENCY, async (arn) => {
      this.cache.set(arn, { issuer: await this.lookUp(arn), until: now + TTL_MS });
    });
    const issuers = new Map<string, string>();
    for (const arn of certificateArns) {
      const issuer = this.cache.get(arn)?.issuer;
      if (typeof issuer === 'string') issuers.set(arn, issuer);
    }
    return issuers;
  }

  private async lookUp(arn: string): Promise<string | null> {
    try {
      const out = await this.client.send(new DescribeCertificateCommand({ CertificateArn: arn }));
      const issuer = out.Certificate?.CertificateAuthorityArn;
      if (issuer !== undefined) return issuer;
      if (out.Certificate?.Type !== 'IMPORTED') return null;
      const tags = await this.client.send(new ListTagsForCertificateCommand({ CertificateArn: arn }));
      return tags.Tags?.find((t) => t.Key === ISSUING_CA_TAG)?.Value ?? null;
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
      return null;
    }
  }
}
