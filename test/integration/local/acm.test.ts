import { execFileSync } from 'node:child_process';
import { createPrivateKey, webcrypto } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ACMClient,
  AddTagsToCertificateCommand,
  DeleteCertificateCommand,
  DescribeCertificateCommand,
  ExportCertificateCommand,
  GetCertificateCommand,
  ImportCertificateCommand,
  ListCertificatesCommand,
  ListTagsForCertificateCommand,
  RemoveTagsFromCertificateCommand,
  RenewCertificateCommand,
  RequestCertificateCommand,
} from '@aws-sdk/client-acm';
import {
  ACMPCAClient,
  CreateCertificateAuthorityCommand,
  GetCertificateAuthorityCsrCommand,
  GetCertificateCommand as GetPcaCertificateCommand,
  ImportCertificateAuthorityCertificateCommand,
  IssueCertificateCommand,
  RevokeCertificateCommand,
} from '@aws-sdk/client-acm-pca';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AcmService } from '../../../infra/local/services/acm/service';
import { AcmPcaService } from '../../../infra/local/services/acm-pca/service';
import { SubjectAlternativeNameExtension, X509CertificateGenerator } from '../../../shared/x509';
import { startTestEdge, type TestEdge } from '../../support/local-edge';

const text = new TextEncoder();
const LISTENER = 'arn:aws:appmesh:us-east-1:000000000000:mesh/demo/virtualNode/api';

/** A self-signed EC P-256 certificate and its PKCS#8 key, as a team would bring to ImportCertificate. */
async function selfSigned(name: string, days: number, notBefore = new Date(Date.now() - 60_000)) {
  const keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const cert = await X509CertificateGenerator.createSelfSigned({
    name: `CN=${name}`,
    keys,
    notBefore,
    notAfter: new Date(notBefore.getTime() + days * 86_400_000),
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    serialNumber: '0a1b2c',
    extensions: [new SubjectAlternativeNameExtension([{ type: 'dns', value: name }])],
  });
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const key = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({
    type: 'pkcs8',
    format: 'pem',
  }) as string;
  return { certificate: cert.toString('pem'), key };
}

function errorName(call: Promise<unknown>): Promise<string> {
  return call.then(
    () => 'fulfilled',
    (error: unknown) => (error as Error).name,
  );
}

async function createActiveRoot(
  pca: ACMPCAClient,
  keyAlgorithm: 'RSA_2048' | 'EC_prime256v1',
): Promise<string> {
  const signing = keyAlgorithm === 'RSA_2048' ? 'SHA256WITHRSA' : 'SHA256WITHECDSA';
  const { CertificateAuthorityArn } = await pca.send(
    new CreateCertificateAuthorityCommand({
      CertificateAuthorityType: 'ROOT',
      CertificateAuthorityConfiguration: {
        KeyAlgorithm: keyAlgorithm,
        SigningAlgorithm: signing,
        Subject: { CommonName: `Root ${keyAlgorithm}` },
      },
    }),
  );
  const { Csr } = await pca.send(new GetCertificateAuthorityCsrCommand({ CertificateAuthorityArn }));
  const { CertificateArn } = await pca.send(
    new IssueCertificateCommand({
      CertificateAuthorityArn,
      Csr: text.encode(Csr),
      SigningAlgorithm: signing,
      TemplateArn: 'arn:aws:acm-pca:::template/RootCACertificate/V1',
      Validity: { Type: 'YEARS', Value: 10 },
    }),
  );
  const { Certificate } = await pca.send(
    new GetPcaCertificateCommand({ CertificateAuthorityArn, CertificateArn }),
  );
  await pca.send(
    new ImportCertificateAuthorityCertificateCommand({
      CertificateAuthorityArn,
      Certificate: text.encode(Certificate),
    }),
  );
  return CertificateAuthorityArn ?? '';
}

describe('local ACM', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'acm-'));
  const pemDir = mkdtempSync(join(tmpdir(), 'acm-pem-'));
  const inUse = new Map<string, string[]>();
  let edge: TestEdge;
  let acm: ACMClient;
  let pca: ACMPCAClient;
  let rsaRoot = '';
  let privateArn = '';
  let importedArn = '';

  const start = async () => {
    edge = await startTestEdge(
      (context) => {
        const pcaService = new AcmPcaService(context, { issueDelayMs: 0 });
        return [
          pcaService,
          new AcmService(context, pcaService.authorities, { inUseBy: (arn) => inUse.get(arn) ?? [] }),
        ];
      },
      { dataDir },
    );
    acm = new ACMClient({ ...edge.clientConfig, maxAttempts: 1 });
    pca = new ACMPCAClient({ ...edge.clientConfig, maxAttempts: 1 });
  };

  beforeAll(async () => {
    await start();
    rsaRoot = await createActiveRoot(pca, 'RSA_2048');
  });
  afterAll(async () => {
    await edge.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(pemDir, { recursive: true, force: true });
  });

  it('imports a certificate and re-imports a renewed one under the same ARN', async () => {
    // Prepare
    const first = await selfSigned('legacy.mesh.local', 30);
    const renewed = await selfSigned('legacy.mesh.local', 90);

    // Act
    const imported = await acm.send(
      new ImportCertificateCommand({
        Certificate: text.encode(first.certificate),
        PrivateKey: text.encode(first.key),
        Tags: [{ Key: 'team', Value: 'mesh' }],
      }),
    );
    importedArn = imported.CertificateArn ?? '';
    const before = await acm.send(new DescribeCertificateCommand({ CertificateArn: importedArn }));
    const reimported = await acm.send(
      new ImportCertificateCommand({
        CertificateArn: importedArn,
        Certificate: text.encode(renewed.certificate),
        PrivateKey: text.encode(renewed.key),
      }),
    );
    const after = await acm.send(new DescribeCertificateCommand({ CertificateArn: importedArn }));
    const got = await acm.send(new GetCertificateCommand({ CertificateArn: importedArn }));

    // Assess
    expect(importedArn).toMatch(/^arn:aws:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]{36}$/);
    expect(reimported.CertificateArn).toBe(importedArn);
    expect(before.Certificate).toMatchObject({
      DomainName: 'legacy.mesh.local',
      SubjectAlternativeNames: ['legacy.mesh.local'],
      Serial: '0a:1b:2c',
      Subject: 'CN=legacy.mesh.local',
      Issuer: 'CN=legacy.mesh.local',
      Status: 'ISSUED',
      Type: 'IMPORTED',
      KeyAlgorithm: 'EC-prime256v1',
      SignatureAlgorithm: 'SHA256WITHECDSA',
      InUseBy: [],
      RenewalEligibility: 'INELIGIBLE',
    });
    const notAfterBefore = before.Certificate?.NotAfter?.getTime() ?? 0;
    const notAfterAfter = after.Certificate?.NotAfter?.getTime() ?? 0;
    expect(notAfterAfter - notAfterBefore).toBeGreaterThan(59 * 86_400_000);
    expect(got.Certificate?.trim()).toBe(renewed.certificate.trim());
    const tags = await acm.send(new ListTagsForCertificateCommand({ CertificateArn: importedArn }));
    expect(tags.Tags).toEqual([{ Key: 'team', Value: 'mesh' }]);
  });

  it('refuses certificates and keys ACM would refuse', async () => {
    // Prepare
    const a = await selfSigned('a.mesh.local', 30);
    const b = await selfSigned('b.mesh.local', 30);
    const expired = await selfSigned('old.mesh.local', 1, new Date(Date.now() - 10 * 86_400_000));
    const encryptedKey = createPrivateKey(a.key).export({
      type: 'pkcs8',
      format: 'pem',
      cipher: 'aes-256-cbc',
      passphrase: 'pw',
    });
    const importOf = (certificate: string, key: string, extra: Record<string, unknown> = {}) =>
      errorName(
        acm.send(
          new ImportCertificateCommand({
            Certificate: text.encode(certificate),
            PrivateKey: text.encode(key),
            ...extra,
          }),
        ),
      );

    // Act
    const outcomes = await Promise.all([
      importOf(a.certificate, b.key),
      importOf('not a certificate', a.key),
      importOf(a.certificate, 'not a key'),
      importOf(a.certificate, String(encryptedKey)),
      importOf(expired.certificate, expired.key),
      importOf(a.certificate, a.key, { CertificateChain: text.encode(b.certificate) }),
      importOf(a.certificate, a.key, {
        CertificateArn: importedArn.replace(/[0-9a-f]{12}$/, '000000000000'),
      }),
      importOf(a.certificate, a.key, { CertificateArn: 'arn:aws:acm:us-east-1:000000000000:cert/not-an-id' }),
      importOf(a.certificate, a.key, { Tags: [{ Key: 'aws:owner', Value: 'x' }] }),
    ]);

    // Assess
    expect(outcomes).toEqual([
      'ValidationException',
      'ValidationException',
      'ValidationException',
      'ValidationException',
      'ValidationException',
      'ValidationException',
      'ResourceNotFoundException',
      'InvalidArnException',
      'InvalidTagException',
    ]);
  });

  it('requests a private certificate that the private CA issues and openssl verifies', async () => {
    // Act
    const requested = await acm.send(
      new RequestCertificateCommand({
        DomainName: 'orders.mesh.local',
        SubjectAlternativeNames: ['orders.mesh.local', 'orders.demo.svc.cluster.local'],
        CertificateAuthorityArn: rsaRoot,
      }),
    );
    privateArn = requested.CertificateArn ?? '';
    const described = await acm.send(new DescribeCertificateCommand({ CertificateArn: privateArn }));
    const got = await acm.send(new GetCertificateCommand({ CertificateArn: privateArn }));

    // Assess
    const detail = described.Certificate;
    expect(detail).toMatchObject({
      DomainName: 'orders.mesh.local',
      SubjectAlternativeNames: ['orders.mesh.local', 'orders.demo.svc.cluster.local'],
      Subject: 'CN=orders.mesh.local',
      Issuer: 'CN=Root RSA_2048',
      Status: 'ISSUED',
      Type: 'PRIVATE',
      KeyAlgorithm: 'RSA-2048',
      SignatureAlgorithm: 'SHA256WITHRSA',
      CertificateAuthorityArn: rsaRoot,
      RenewalEligibility: 'INELIGIBLE',
      KeyUsages: [{ Name: 'DIGITAL_SIGNATURE' }, { Name: 'KEY_ENCIPHERMENT' }],
      ExtendedKeyUsages: [
        { Name: 'TLS_WEB_SERVER_AUTHENTICATION', OID: '1.3.6.1.5.5.7.3.1' },
        { Name: 'TLS_WEB_CLIENT_AUTHENTICATION', OID: '1.3.6.1.5.5.7.3.2' },
      ],
    });
    expect(detail?.Serial).toMatch(/^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
    const validDays = ((detail?.NotAfter?.getTime() ?? 0) - Date.now()) / 86_400_000;
    expect(validDays).toBeGreaterThan(394);
    expect(validDays).toBeLessThan(396);
    expect(detail?.IssuedAt).toBeInstanceOf(Date);
    expect(detail?.RenewalSummary).toBeUndefined();
    writeFileSync(join(pemDir, 'root.pem'), got.CertificateChain ?? '');
    writeFileSync(join(pemDir, 'leaf.pem'), got.Certificate ?? '');
    const verified = execFileSync(
      'openssl',
      ['verify', '-CAfile', join(pemDir, 'root.pem'), join(pemDir, 'leaf.pem')],
      {
        encoding: 'utf8',
      },
    );
    expect(verified).toContain('leaf.pem: OK');
  });

  it('exports a private certificate with its key encrypted under the passphrase, and only a private one', async () => {
    // Act
    const exported = await acm.send(
      new ExportCertificateCommand({ CertificateArn: privateArn, Passphrase: text.encode('s3cret-pass') }),
    );
    const ofImported = await errorName(
      acm.send(
        new ExportCertificateCommand({ CertificateArn: importedArn, Passphrase: text.encode('s3cret-pass') }),
      ),
    );
    const shortPassphrase = await errorName(
      acm.send(new ExportCertificateCommand({ CertificateArn: privateArn, Passphrase: text.encode('abc') })),
    );
    const described = await acm.send(new DescribeCertificateCommand({ CertificateArn: privateArn }));

    // Assess
    expect(exported.PrivateKey).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    expect(() => createPrivateKey({ key: exported.PrivateKey ?? '', passphrase: 'wrong' })).toThrow();
    const key = createPrivateKey({ key: exported.PrivateKey ?? '', passphrase: 's3cret-pass' });
    const certKey = new (await import('node:crypto')).X509Certificate(exported.Certificate ?? '').publicKey;
    expect(certKey.export({ type: 'spki', format: 'der' })).toEqual(
      (await import('node:crypto')).createPublicKey(key).export({ type: 'spki', format: 'der' }),
    );
    expect(exported.CertificateChain).toContain('BEGIN CERTIFICATE');
    expect([ofImported, shortPassphrase]).toEqual(['ValidationException', 'ValidationException']);
    expect(described.Certificate?.RenewalEligibility).toBe('ELIGIBLE');
  });

  it('renews an exported private certificate under the same ARN with a new serial', async () => {
    // Prepare
    const before = await acm.send(new DescribeCertificateCommand({ CertificateArn: privateArn }));

    // Act
    await acm.send(new RenewCertificateCommand({ CertificateArn: privateArn }));
    const after = await acm.send(new DescribeCertificateCommand({ CertificateArn: privateArn }));
    const ofImported = await errorName(
      acm.send(new RenewCertificateCommand({ CertificateArn: importedArn })),
    );

    // Assess
    expect(after.Certificate?.Serial).not.toBe(before.Certificate?.Serial);
    expect(after.Certificate?.CertificateArn).toBe(privateArn);
    expect(after.Certificate?.RenewalSummary).toMatchObject({ RenewalStatus: 'SUCCESS' });
    expect(after.Certificate?.RenewalSummary?.UpdatedAt).toBeInstanceOf(Date);
    expect(ofImported).toBe('ValidationException');
  });

  it('fails a private request whose CA cannot issue, as ACM reports it', async () => {
    // Prepare
    const { CertificateAuthorityArn: pendingCa } = await pca.send(
      new CreateCertificateAuthorityCommand({
        CertificateAuthorityType: 'ROOT',
        CertificateAuthorityConfiguration: {
          KeyAlgorithm: 'RSA_2048',
          SigningAlgorithm: 'SHA256WITHRSA',
          Subject: { CommonName: 'Pending' },
        },
      }),
    );

    // Act
    const pending = await acm.send(
      new RequestCertificateCommand({ DomainName: 'x.mesh.local', CertificateAuthorityArn: pendingCa }),
    );
    const mismatch = await acm.send(
      new RequestCertificateCommand({
        DomainName: 'y.mesh.local',
        CertificateAuthorityArn: rsaRoot,
        KeyAlgorithm: 'EC_prime256v1',
      }),
    );
    const pendingDetail = await acm.send(
      new DescribeCertificateCommand({ CertificateArn: pending.CertificateArn }),
    );
    const mismatchDetail = await acm.send(
      new DescribeCertificateCommand({ CertificateArn: mismatch.CertificateArn }),
    );
    const getFailed = await errorName(
      acm.send(new GetCertificateCommand({ CertificateArn: pending.CertificateArn })),
    );
    const badArn = await errorName(
      acm.send(
        new RequestCertificateCommand({
          DomainName: 'z.mesh.local',
          CertificateAuthorityArn: 'arn:aws:acm-pca:us-east-1:000000000000:ca/nope',
        }),
      ),
    );
    const publicCert = await errorName(
      acm.send(new RequestCertificateCommand({ DomainName: 'z.mesh.local' })),
    );
    const badDomain = await errorName(
      acm.send(
        new RequestCertificateCommand({ DomainName: 'not a domain', CertificateAuthorityArn: rsaRoot }),
      ),
    );

    // Assess
    expect(pendingDetail.Certificate).toMatchObject({
      Status: 'FAILED',
      FailureReason: 'PCA_INVALID_STATE',
      Type: 'PRIVATE',
    });
    expect(mismatchDetail.Certificate).toMatchObject({ Status: 'FAILED', FailureReason: 'PCA_INVALID_ARGS' });
    expect([getFailed, badArn, publicCert, badDomain]).toEqual([
      'RequestInProgressException',
      'InvalidArnException',
      'ValidationException',
      'ValidationException',
    ]);
  });

  it('answers the same ARN for a repeated RequestCertificate idempotency token', async () => {
    // Act
    const first = await acm.send(
      new RequestCertificateCommand({
        DomainName: 'idem.mesh.local',
        CertificateAuthorityArn: rsaRoot,
        IdempotencyToken: 'tok1',
      }),
    );
    const again = await acm.send(
      new RequestCertificateCommand({
        DomainName: 'idem.mesh.local',
        CertificateAuthorityArn: rsaRoot,
        IdempotencyToken: 'tok1',
      }),
    );

    // Assess
    expect(again.CertificateArn).toBe(first.CertificateArn);
  });

  it('shows a private certificate revoked by its CA as REVOKED', async () => {
    // Prepare
    const { CertificateArn } = await acm.send(
      new RequestCertificateCommand({ DomainName: 'revoked.mesh.local', CertificateAuthorityArn: rsaRoot }),
    );
    const serial =
      (await acm.send(new DescribeCertificateCommand({ CertificateArn }))).Certificate?.Serial ?? '';

    // Act
    await pca.send(
      new RevokeCertificateCommand({
        CertificateAuthorityArn: rsaRoot,
        CertificateSerial: serial,
        RevocationReason: 'SUPERSEDED',
      }),
    );
    const described = await acm.send(new DescribeCertificateCommand({ CertificateArn }));

    // Assess
    expect(described.Certificate).toMatchObject({ Status: 'REVOKED', RevocationReason: 'SUPERSEDED' });
    expect(described.Certificate?.RevokedAt).toBeInstanceOf(Date);
  });

  it('lists RSA certificates by default, other key types on request, filtered by status and paged', async () => {
    // Act
    const byDefault = await acm.send(new ListCertificatesCommand({}));
    const ec = await acm.send(new ListCertificatesCommand({ Includes: { keyTypes: ['EC_prime256v1'] } }));
    const failed = await acm.send(
      new ListCertificatesCommand({
        CertificateStatuses: ['FAILED'],
        Includes: { keyTypes: ['RSA_2048', 'EC_prime256v1'] },
      }),
    );
    const page1 = await acm.send(new ListCertificatesCommand({ MaxItems: 1 }));
    const page2 = await acm.send(new ListCertificatesCommand({ MaxItems: 1, NextToken: page1.NextToken }));

    // Assess
    const arns = (list: typeof byDefault) => (list.CertificateSummaryList ?? []).map((c) => c.CertificateArn);
    expect(arns(byDefault)).toContain(privateArn);
    expect(arns(byDefault)).not.toContain(importedArn);
    expect(arns(ec)).toContain(importedArn);
    expect(failed.CertificateSummaryList?.map((c) => c.Status)).toEqual(['FAILED', 'FAILED']);
    expect(page1.CertificateSummaryList).toHaveLength(1);
    expect(page2.CertificateSummaryList).toHaveLength(1);
    expect(page2.CertificateSummaryList?.[0]?.CertificateArn).not.toBe(
      page1.CertificateSummaryList?.[0]?.CertificateArn,
    );
    const summary = byDefault.CertificateSummaryList?.find((c) => c.CertificateArn === privateArn);
    expect(summary).toMatchObject({
      Type: 'PRIVATE',
      Status: 'ISSUED',
      KeyAlgorithm: 'RSA-2048',
      Exported: true,
      InUse: false,
    });
  });

  it('adds, lists and removes tags, refusing reserved keys', async () => {
    // Act
    await acm.send(
      new AddTagsToCertificateCommand({
        CertificateArn: privateArn,
        Tags: [
          { Key: 'env', Value: 'dev' },
          { Key: 'owner', Value: 'mesh' },
        ],
      }),
    );
    await acm.send(
      new AddTagsToCertificateCommand({ CertificateArn: privateArn, Tags: [{ Key: 'env', Value: 'prod' }] }),
    );
    await acm.send(
      new RemoveTagsFromCertificateCommand({ CertificateArn: privateArn, Tags: [{ Key: 'owner' }] }),
    );
    const listed = await acm.send(new ListTagsForCertificateCommand({ CertificateArn: privateArn }));
    const reserved = await errorName(
      acm.send(
        new AddTagsToCertificateCommand({ CertificateArn: privateArn, Tags: [{ Key: 'aws:x', Value: '1' }] }),
      ),
    );

    // Assess
    expect(listed.Tags).toEqual([{ Key: 'env', Value: 'prod' }]);
    expect(reserved).toBe('InvalidTagException');
  });

  it('reports who uses a certificate and refuses to delete it while in use', async () => {
    // Prepare
    inUse.set(privateArn, [LISTENER]);

    // Act
    const described = await acm.send(new DescribeCertificateCommand({ CertificateArn: privateArn }));
    const deleteInUse = await errorName(
      acm.send(new DeleteCertificateCommand({ CertificateArn: privateArn })),
    );
    inUse.delete(privateArn);
    const { CertificateArn: spare } = await acm.send(
      new RequestCertificateCommand({ DomainName: 'spare.mesh.local', CertificateAuthorityArn: rsaRoot }),
    );
    await acm.send(new DeleteCertificateCommand({ CertificateArn: spare }));
    const gone = await errorName(acm.send(new DescribeCertificateCommand({ CertificateArn: spare })));

    // Assess
    expect(described.Certificate?.InUseBy).toEqual([LISTENER]);
    expect(deleteInUse).toBe('ResourceInUseException');
    expect(gone).toBe('ResourceNotFoundException');
  });

  it('never lets a private key or passphrase reach CloudTrail', () => {
    // Assess
    const acmEvents = edge.events.filter((e) => e.detail.eventSource === 'acm.amazonaws.com');
    const importEvent = acmEvents.find(
      (e) => e.detail.eventName === 'ImportCertificate' && e.detail.errorCode === undefined,
    );
    const exportEvent = acmEvents.find(
      (e) => e.detail.eventName === 'ExportCertificate' && e.detail.errorCode === undefined,
    );
    expect(importEvent?.detail.requestParameters).toMatchObject({
      PrivateKey: 'HIDDEN_DUE_TO_SECURITY_REASONS',
    });
    expect(exportEvent?.detail.requestParameters).toMatchObject({
      Passphrase: 'HIDDEN_DUE_TO_SECURITY_REASONS',
    });
    expect(exportEvent?.detail.responseElements).toMatchObject({
      PrivateKey: 'HIDDEN_DUE_TO_SECURITY_REASONS',
    });
    const everything = JSON.stringify(edge.events);
    expect(everything).not.toMatch(/PRIVATE KEY/);
    expect(everything).not.toContain(Buffer.from('s3cret-pass').toString('base64'));
    expect(acmEvents.map((e) => e.detail.eventName)).not.toContain('DescribeCertificate');
  });

  it('keeps certificates and keys across a restart', async () => {
    // Prepare
    const before = await acm.send(new GetCertificateCommand({ CertificateArn: importedArn }));
    await edge.close();

    // Act
    await start();
    const after = await acm.send(new GetCertificateCommand({ CertificateArn: importedArn }));
    const exported = await acm.send(
      new ExportCertificateCommand({ CertificateArn: privateArn, Passphrase: text.encode('another-pass') }),
    );
    const fresh = await acm.send(
      new RequestCertificateCommand({ DomainName: 'after.mesh.local', CertificateAuthorityArn: rsaRoot }),
    );
    const freshDetail = await acm.send(
      new DescribeCertificateCommand({ CertificateArn: fresh.CertificateArn }),
    );

    // Assess
    expect(after.Certificate).toBe(before.Certificate);
    expect(() =>
      createPrivateKey({ key: exported.PrivateKey ?? '', passphrase: 'another-pass' }),
    ).not.toThrow();
    expect(freshDetail.Certificate?.Status).toBe('ISSUED');
  });
});

describe('local ACM private issuance delay', () => {
  let offsetMs = 0;
  let edge: TestEdge;

  beforeAll(async () => {
    edge = await startTestEdge(
      (context) => {
        const pcaService = new AcmPcaService(context, { issueDelayMs: 0 });
        return [
          pcaService,
          new AcmService(context, pcaService.authorities, { issueDelayMs: 60_000, renewDelayMs: 60_000 }),
        ];
      },
      { now: () => new Date(Date.now() + offsetMs) },
    );
  });
  afterAll(() => edge.close());

  it('keeps a requested private certificate PENDING_VALIDATION until the configured delay has passed', async () => {
    // Prepare
    const acm = new ACMClient({ ...edge.clientConfig, maxAttempts: 1 });
    const pca = new ACMPCAClient({ ...edge.clientConfig, maxAttempts: 1 });
    const root = await createActiveRoot(pca, 'EC_prime256v1');

    // Act
    const { CertificateArn } = await acm.send(
      new RequestCertificateCommand({
        DomainName: 'slow.mesh.local',
        CertificateAuthorityArn: root,
        KeyAlgorithm: 'EC_prime256v1',
      }),
    );
    const pending = await acm.send(new DescribeCertificateCommand({ CertificateArn }));
    const early = await errorName(acm.send(new GetCertificateCommand({ CertificateArn })));
    offsetMs += 61_000;
    const issued = await acm.send(new DescribeCertificateCommand({ CertificateArn }));
    const got = await acm.send(new GetCertificateCommand({ CertificateArn }));

    // Assess
    expect(pending.Certificate?.Status).toBe('PENDING_VALIDATION');
    expect(pending.Certificate?.IssuedAt).toBeUndefined();
    expect(early).toBe('RequestInProgressException');
    expect(issued.Certificate).toMatchObject({
      Status: 'ISSUED',
      KeyAlgorithm: 'EC-prime256v1',
      SignatureAlgorithm: 'SHA256WITHECDSA',
    });
    expect(got.Certificate).toMatch(/^-----BEGIN CERTIFICATE-----/);
  });

  it('renews a private certificate as ACM does: PENDING_AUTO_RENEWAL, then SUCCESS with a new serial and validity under the same ARN', async () => {
    // Prepare: a private certificate that Envoy exported (which makes it eligible).
    const acm = new ACMClient({ ...edge.clientConfig, maxAttempts: 1 });
    const pca = new ACMPCAClient({ ...edge.clientConfig, maxAttempts: 1 });
    const root = await createActiveRoot(pca, 'EC_prime256v1');
    const { CertificateArn } = await acm.send(
      new RequestCertificateCommand({
        DomainName: 'renew.mesh.local',
        CertificateAuthorityArn: root,
        KeyAlgorithm: 'EC_prime256v1',
      }),
    );
    offsetMs += 61_000;
    await acm.send(new ExportCertificateCommand({ CertificateArn, Passphrase: text.encode('envoy-pass') }));
    offsetMs += 1_000;
    const before = (await acm.send(new DescribeCertificateCommand({ CertificateArn }))).Certificate;

    // Act
    await acm.send(new RenewCertificateCommand({ CertificateArn }));
    const pending = (await acm.send(new DescribeCertificateCommand({ CertificateArn }))).Certificate;
    const servedWhilePending = await acm.send(new GetCertificateCommand({ CertificateArn }));
    offsetMs += 61_000;
    const renewed = (await acm.send(new DescribeCertificateCommand({ CertificateArn }))).Certificate;
    const exported = await acm.send(
      new ExportCertificateCommand({ CertificateArn, Passphrase: text.encode('envoy-pass') }),
    );

    // Assess
    expect(before?.RenewalSummary).toBeUndefined();
    expect(pending).toMatchObject({ Status: 'ISSUED', Serial: before?.Serial });
    expect(pending?.RenewalSummary?.RenewalStatus).toBe('PENDING_AUTO_RENEWAL');
    expect(servedWhilePending.Certificate).toBeDefined();
    expect(renewed).toMatchObject({ CertificateArn, Status: 'ISSUED', Type: 'PRIVATE' });
    expect(renewed?.RenewalSummary?.RenewalStatus).toBe('SUCCESS');
    expect(renewed?.RenewalSummary?.UpdatedAt?.getTime()).toBeGreaterThan(
      pending?.RenewalSummary?.UpdatedAt?.getTime() ?? Number.POSITIVE_INFINITY,
    );
    expect(renewed?.Serial).not.toBe(before?.Serial);
    expect(renewed?.NotBefore?.getTime()).toBeGreaterThan(before?.NotBefore?.getTime() ?? 0);
    expect(renewed?.NotAfter?.getTime()).toBeGreaterThan(before?.NotAfter?.getTime() ?? 0);
    // Eligibility counts from the renewal: not exported since, and nothing uses it.
    expect(renewed?.RenewalEligibility).toBe('INELIGIBLE');
    const served = new (await import('node:crypto')).X509Certificate(exported.Certificate ?? '');
    expect(served.serialNumber.toLowerCase()).toBe(renewed?.Serial?.replaceAll(':', ''));
    const renewEvent = edge.events.find(
      (e) => e.detail.eventSource === 'acm.amazonaws.com' && e.detail.eventName === 'RenewCertificate',
    );
    expect(renewEvent?.detail).toMatchObject({
      readOnly: false,
      requestParameters: { CertificateArn },
    });
  });
});
