import { ACMClient, DescribeCertificateCommand } from '@aws-sdk/client-acm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AcmCertificateStore } from '../../../../shared/adapters/acm-certificates/certificate-store';

const acm = mockClient(ACMClient);
const CA = 'arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/aaaa';
const cert = (id: string) => `arn:aws:acm:us-east-1:111122223333:certificate/${id}`;

function describeAs(id: string, detail: Record<string, unknown>) {
  acm.on(DescribeCertificateCommand, { CertificateArn: cert(id) }).resolves({
    Certificate: {
      CertificateArn: cert(id),
      DomainName: `${id}.example.internal`,
      SubjectAlternativeNames: [`${id}.example.internal`],
      Subject: `CN=${id}.example.internal`,
      Issuer: 'demo root CA',
      NotBefore: new Date('2026-01-01T00:00:00Z'),
      NotAfter: new Date('2027-01-31T00:00:00Z'),
      ...detail,
    },
  });
}

describe('AcmCertificateStore.describe', () => {
  beforeEach(() => {
    acm.reset();
    describeAs('private', {
      Type: 'PRIVATE',
      CertificateAuthorityArn: CA,
      RenewalEligibility: 'ELIGIBLE',
      InUseBy: ['arn:aws:vpc-lattice:us-east-1:111122223333:service/svc-0123456789abcdef0'],
    });
    describeAs('imported', { Type: 'IMPORTED' });
    describeAs('public', { Type: 'AMAZON_ISSUED', RenewalEligibility: 'ELIGIBLE' });
  });

  it('tells private, imported and public (Amazon-issued) certificates apart', async () => {
    // Prepare
    const store = new AcmCertificateStore(new ACMClient({ region: 'us-east-1' }));
    const read = (id: string) => store.describe({ kind: 'acm', arn: cert(id) });

    // Act
    const [privateOne, imported, publicOne] = await Promise.all([
      read('private'),
      read('imported'),
      read('public'),
    ]);

    // Assess
    expect(privateOne).toMatchObject({
      origin: 'acm-private',
      issuingCaArn: CA,
      renewalEligible: true,
      inUseBy: ['arn:aws:vpc-lattice:us-east-1:111122223333:service/svc-0123456789abcdef0'],
    });
    expect(imported).toMatchObject({ origin: 'acm-imported' });
    expect(publicOne).toMatchObject({ origin: 'acm-amazon-issued' });
    // Only a private certificate says whether ACM would renew it for meshwarden.
    expect(publicOne?.renewalEligible).toBeUndefined();
  });
});
