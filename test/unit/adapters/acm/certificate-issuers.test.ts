import {
  ACMClient,
  DescribeCertificateCommand,
  ListTagsForCertificateCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-acm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AcmCertificateIssuers } from '../../../../shared/adapters/acm/certificate-issuers';

const acm = mockClient(ACMClient);
const CA = 'arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/aaaa';
const NEXT_CA = 'arn:aws:acm-pca:us-east-1:111122223333:certificate-authority/bbbb';
const cert = (id: string) => `arn:aws:acm:us-east-1:111122223333:certificate/${id}`;

describe('AcmCertificateIssuers', () => {
  beforeEach(() => {
    acm.reset();
    acm.on(DescribeCertificateCommand, { CertificateArn: cert('private') }).resolves({
      Certificate: { Type: 'PRIVATE', CertificateAuthorityArn: CA },
    });
    acm
      .on(DescribeCertificateCommand, { CertificateArn: cert('imported') })
      .resolves({ Certificate: { Type: 'IMPORTED' } });
    acm
      .on(DescribeCertificateCommand, { CertificateArn: cert('untagged') })
      .resolves({ Certificate: { Type: 'IMPORTED' } });
    acm
      .on(DescribeCertificateCommand, { CertificateArn: cert('gone') })
      .rejects(new ResourceNotFoundException({ message: 'gone', $metadata: {} }));
    acm.on(ListTagsForCertificateCommand, { CertificateArn: cert('imported') }).resolves({
      Tags: [{ Key: 'meshwarden:issuing-ca', Value: CA }],
    });
    acm.on(ListTagsForCertificateCommand, { CertificateArn: cert('untagged') }).resolves({ Tags: [] });
  });

  it('names the CA ACM reports, or the issuing-CA tag of an imported certificate, and leaves out the rest', async () => {
    const issuers = new AcmCertificateIssuers(new ACMClient({ region: 'us-east-1' }));

    const found = await issuers.issuersOf([
      cert('private'),
      cert('imported'),
      cert('untagged'),
      cert('gone'),
    ]);

    expect([...found.entries()]).toEqual([
      [cert('private'), CA],
      [cert('imported'), CA],
    ]);
    expect(
      acm.commandCalls(ListTagsForCertificateCommand).map((c) => c.args[0].input.CertificateArn),
    ).toEqual([cert('imported'), cert('untagged')]);
  });

  it('asks again once an answer is five minutes old: a CA rollover re-imports in place', async () => {
    let now = 0;
    const issuers = new AcmCertificateIssuers(new ACMClient({ region: 'us-east-1' }), () => now);
    await issuers.issuersOf([cert('imported')]);
    acm.on(ListTagsForCertificateCommand, { CertificateArn: cert('imported') }).resolves({
      Tags: [{ Key: 'meshwarden:issuing-ca', Value: NEXT_CA }],
    });

    now = 4 * 60 * 1000;
    expect((await issuers.issuersOf([cert('imported')])).get(cert('imported'))).toBe(CA);
    now = 5 * 60 * 1000;
    expect((await issuers.issuersOf([cert('imported')])).get(cert('imported'))).toBe(NEXT_CA);
  });

  it('propagates any other failure, so the event is retried rather than judged on a guess', async () => {
    acm.on(DescribeCertificateCommand, { CertificateArn: cert('private') }).rejects(new Error('throttled'));
    await expect(
      new AcmCertificateIssuers(new ACMClient({ region: 'us-east-1' })).issuersOf([cert('private')]),
    ).rejects.toThrow('throttled');
  });
});
