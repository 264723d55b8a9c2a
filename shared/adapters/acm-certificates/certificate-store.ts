import {
  ACMClient,
  type ACMClientConfig,
  AddTagsToCertificateCommand,
  DescribeCertificateCommand,
  ImportCertificateCommand,
} from '@aws-sdk/client-acm';
import { BadRequestError, NotFoundError } from '../../errors';
import type {
  CertificateBundle,
  CertificateLocation,
  CertificateStore,
  StoredCertificate,
} from '../../ports';
import { certificateServiceError } from '../acm-pca/errors';

/**
 * ACM reports no issuing CA for an imported certificate; meshwarden tags every certificate it
 * imports with the CA that issued it, and keeps the tag current on re-import.
 */
export const ISSUING_CA_TAG = 'meshwarden:issuing-ca';

/** The ACM client rotation expects (more attempts than the default; see createAcmPcaClient). */
export function createAcmCertificatesClient(config: ACMClientConfig = {}): ACMClient {
  return new ACMClient({ maxAttempts: 8, ...config });
}

/** ACM's certificate types as the inventory names them. */
const ORIGIN_OF_TYPE: Readonly<Record<string, StoredCertificate['origin']>> = {
  PRIVATE: 'acm-private',
  IMPORTED: 'acm-imported',
  AMAZON_ISSUED: 'acm-amazon-issued',
};

const encode = (text: string) => new TextEncoder().encode(text);

/**
 * ACM as a CertificateStore for `acm` locations: DescribeCertificate to read, ImportCertificate
 * into the same ARN to deliver (listeners keep their reference), or a new import where the
 * reference must change.
 */
export class AcmCertificateStore implements Pick<CertificateStore, 'describe' | 'deliver' | 'importNew'> {
  constructor(private readonly client: ACMClient) {}

  async describe(location: CertificateLocation): Promise<StoredCertificate | undefined> {
    if (location.kind !== 'acm') throw new BadRequestError(`ACM cannot read ${location.kind} locations`);
    try {
      const { Certificate: c } = await this.client.send(
        new DescribeCertificateCommand({ CertificateArn: location.arn }),
      );
      if (c === undefined) return undefined;
      if (c.NotBefore === undefined || c.NotAfter === undefined)
        throw new BadRequestError(
          `ACM certificate ${location.arn} is ${c.Status ?? 'not issued'}: it has no validity yet`,
        );
      return {
        location,
        subject: c.Subject ?? '',
        sans: c.SubjectAlternativeNames ?? (c.DomainName ? [c.DomainName] : []),
        issuer: c.Issuer ?? '',
        notBefore: c.NotBefore.toISOString(),
        notAfter: c.NotAfter.toISOString(),
        origin: ORIGIN_OF_TYPE[c.Type ?? ''] ?? 'acm-imported',
        ...(c.CertificateAuthorityArn ? { issuingCaArn: c.CertificateAuthorityArn } : {}),
        inUseBy: c.InUseBy ?? [],
        ...(c.Type === 'PRIVATE' ? { renewalEligible: c.RenewalEligibility === 'ELIGIBLE' } : {}),
      };
    } catch (error) {
      const mapped = certificateServiceError(error, `ACM DescribeCertificate ${location.arn}`);
      if (mapped instanceof NotFoundError) return undefined;
      throw mapped;
    }
  }

  async deliver(
    location: CertificateLocation,
    bundle: CertificateBundle,
    options: { readonly issuingCaArn?: string } = {},
  ): Promise<{ versionId?: string }> {
    if (location.kind !== 'acm')
      throw new BadRequestError(`ACM cannot deliver to ${location.kind} locations`);
    try {
      await this.client.send(
        new ImportCertificateCommand({
          CertificateArn: location.arn,
          Certificate: encode(bundle.certificatePem),
          PrivateKey: encode(bundle.privateKeyPem),
          ...(bundle.chainPem.trim() ? { CertificateChain: encode(bundle.chainPem) } : {}),
        }),
      );
      // A re-import takes no tags, and a CA rollover re-imports a certificate from another CA:
      // keep the issuing-CA tag that change control's allowed-CA rule reads in step.
      if (options.issuingCaArn !== undefined) {
        await this.client.send(
          new AddTagsToCertificateCommand({
            CertificateArn: location.arn,
            Tags: [{ Key: ISSUING_CA_TAG, Value: options.issuingCaArn }],
          }),
        );
      }
      return {};
    } catch (error) {
      throw certificateServiceError(error, `ACM ImportCertificate into ${location.arn}`);
    }
  }

  async importNew(bundle: CertificateBundle, options: { readonly issuingCaArn: string }): Promise<string> {
    try {
      const { CertificateArn } = await this.client.send(
        new ImportCertificateCommand({
          Certificate: encode(bundle.certificatePem),
          PrivateKey: encode(bundle.privateKeyPem),
          ...(bundle.chainPem.trim() ? { CertificateChain: encode(bundle.chainPem) } : {}),
          // ACM reports no CertificateAuthorityArn for an imported certificate; the tag tells who issued it.
          Tags: [
            { Key: 'meshwarden:managed', Value: 'certificate-rotation' },
            { Key: ISSUING_CA_TAG, Value: options.issuingCaArn },
          ],
        }),
      );
      if (CertificateArn === undefined) throw new Error('ImportCertificate returned no CertificateArn');
      return CertificateArn;
    } catch (error) {
      throw certificateServiceError(error, 'ACM ImportCertificate (new)');
    }
  }
}
