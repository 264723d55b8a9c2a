import { createPrivateKey } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { acmApiCall, HIDDEN } from '../../../infra/local/services/acm/redact';
import { blobText, pageOf, parseInput } from '../../../infra/local/services/acm-pca/parse-input';
import { issueCertificateSchema } from '../../../infra/local/services/acm-pca/schemas';
import {
  generateKey,
  importSigningKeys,
  keyAlgorithmOf,
} from '../../../infra/local/services/x509/algorithms';
import { createCsr, parseCsr } from '../../../infra/local/services/x509/csr';
import { PemError, parseCertificates } from '../../../infra/local/services/x509/pem';
import { findTemplate, TEMPLATES } from '../../../infra/local/services/x509/templates';
import { resolveValidity, ValidityError } from '../../../infra/local/services/x509/validity';

const NOW = new Date('2026-03-15T12:00:00Z');

describe('resolveValidity', () => {
  it.each([
    [{ Type: 'DAYS', Value: 90 }, '2026-06-13T12:00:00.000Z'],
    [{ Type: 'MONTHS', Value: 2 }, '2026-05-15T12:00:00.000Z'],
    [{ Type: 'YEARS', Value: 1 }, '2027-03-15T12:00:00.000Z'],
    [{ Type: 'ABSOLUTE', Value: 2524608000 }, '2050-01-01T00:00:00.000Z'],
    [{ Type: 'END_DATE', Value: 491231235959 }, '2049-12-31T23:59:59.000Z'],
    [{ Type: 'END_DATE', Value: 500101000000 }, '1950-01-01T00:00:00.000Z'],
    [{ Type: 'END_DATE', Value: 20301231235959 }, '2030-12-31T23:59:59.000Z'],
  ])('reads %o as AWS documents it', (spec, expected) => {
    // Act
    const end = resolveValidity(spec, NOW);

    // Assess
    expect(end.toISOString()).toBe(expected);
  });

  it.each([
    { Type: 'DAYS', Value: 0 },
    { Type: 'HOURS', Value: 5 },
    { Type: 'END_DATE', Value: 2026021 },
    { Type: 'END_DATE', Value: 20260231000000 },
    { Type: 'END_DATE', Value: 20261301000000 },
    { Type: 'DAYS', Value: 1.5 },
  ])('refuses %o', (spec) => {
    // Act
    const act = () => resolveValidity(spec, NOW);

    // Assess
    expect(act).toThrow(ValidityError);
  });
});

describe('certificate templates', () => {
  it('describes each supported AWS template, CA templates with their path length', () => {
    // Act
    const pathLen0 = findTemplate('arn:aws:acm-pca:::template/SubordinateCACertificate_PathLen0/V1');
    const root = findTemplate('arn:aws:acm-pca:::template/RootCACertificate/V1');
    const unknown = findTemplate('arn:aws:acm-pca:::template/EndEntityCertificate/V9');

    // Assess
    expect(pathLen0).toMatchObject({ kind: 'ca', pathLength: 0 });
    expect(root?.kind).toBe('root');
    expect(root?.pathLength).toBeUndefined();
    expect(unknown).toBeUndefined();
    expect(new Set(TEMPLATES.map((t) => t.arn)).size).toBe(TEMPLATES.length);
  });
});

describe('keys and CSRs', () => {
  it.each(['RSA_2048', 'EC_prime256v1', 'EC_secp384r1'])(
    'generates a %s key stored as PKCS#8 and names it back',
    async (algorithm) => {
      // Act
      const { privateKeyPem } = await generateKey(algorithm);

      // Assess
      expect(privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
      expect(keyAlgorithmOf(createPrivateKey(privateKeyPem))).toBe(algorithm);
    },
  );

  it('refuses to sign with a signing algorithm of the other key family', async () => {
    // Prepare
    const { privateKeyPem } = await generateKey('EC_prime256v1');

    // Act
    const act = importSigningKeys(privateKeyPem, 'SHA256WITHRSA');

    // Assess
    await expect(act).rejects.toThrow(/does not fit/);
  });

  it('reads back the SANs of a CSR it made, and refuses one with neither subject nor SAN', async () => {
    // Prepare
    const { privateKeyPem } = await generateKey('EC_prime256v1');
    const withSans = await createCsr({
      privateKeyPem,
      signingAlgorithm: 'SHA256WITHECDSA',
      subject: 'CN=a.local',
      dnsNames: ['a.local', 'b.local'],
    });
    const empty = await createCsr({ privateKeyPem, signingAlgorithm: 'SHA256WITHECDSA', subject: [] });

    // Act
    const parsed = await parseCsr(withSans);
    const refused = parseCsr(empty);

    // Assess
    expect(parsed.subjectAltName?.names.items.map((n) => n.value)).toEqual(['a.local', 'b.local']);
    await expect(refused).rejects.toThrow(/neither a subject name nor a subject alternative name/);
  });
});

describe('PEM bundles', () => {
  it('refuses text without certificates and blocks that are not DER', () => {
    // Act
    const none = () => parseCertificates('hello');
    const broken = () => parseCertificates('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----');

    // Assess
    expect(none).toThrow(PemError);
    expect(broken).toThrow(PemError);
  });
});

describe('wire input helpers', () => {
  it('names every failing member in one ValidationException', () => {
    // Act
    const act = () =>
      parseInput(
        issueCertificateSchema,
        { Csr: 5, Validity: { Type: 'WEEKS', Value: 1 } },
        'IssueCertificate',
      );

    // Assess
    expect(act).toThrow(expect.objectContaining({ code: 'ValidationException' }));
    expect(act).toThrow(/CertificateAuthorityArn.*Csr.*SigningAlgorithm.*Validity\.Type/);
  });

  it('refuses a blob that is not base64 with the error code of the member', () => {
    // Act
    const act = () => blobText('-----BEGIN CERTIFICATE REQUEST-----', 'Csr', 'MalformedCSRException');

    // Assess
    expect(act).toThrow(expect.objectContaining({ code: 'MalformedCSRException' }));
  });

  it('pages through any list exactly once, whatever the page size', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer(), { maxLength: 40 }),
        fc.integer({ min: 1, max: 12 }),
        (items, max) => {
          // Act
          const seen: number[] = [];
          let token: string | undefined;
          do {
            const { page, nextToken } = pageOf(items, max, token, 'InvalidNextTokenException');
            expect(page.length).toBeLessThanOrEqual(max);
            seen.push(...page);
            token = nextToken;
          } while (token !== undefined);

          // Assess
          expect(seen).toEqual(items);
        },
      ),
    );
  });

  it('refuses a forged or stale pagination token', () => {
    // Act
    const forged = () => pageOf([1, 2], 1, 'bm9wZQ', 'InvalidNextTokenException');
    const beyond = () =>
      pageOf([1, 2], 1, Buffer.from('next:9').toString('base64url'), 'InvalidNextTokenException');

    // Assess
    expect(forged).toThrow(expect.objectContaining({ code: 'InvalidNextTokenException' }));
    expect(beyond).toThrow(expect.objectContaining({ code: 'InvalidNextTokenException' }));
  });
});

describe('ACM CloudTrail records', () => {
  it('hides private keys and passphrases wherever they appear', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), (key, passphrase) => {
        // Act
        const record = acmApiCall(
          'ExportCertificate',
          false,
          { CertificateArn: 'arn', Passphrase: passphrase, Nested: [{ PrivateKey: key }] },
          { Certificate: 'cert', PrivateKey: key },
        );

        // Assess
        expect(record.requestParameters).toEqual({
          CertificateArn: 'arn',
          Passphrase: HIDDEN,
          Nested: [{ PrivateKey: HIDDEN }],
        });
        expect(record.responseElements).toEqual({ Certificate: 'cert', PrivateKey: HIDDEN });
        expect(record).toMatchObject({ eventName: 'ExportCertificate', readOnly: false });
      }),
    );
  });
});
