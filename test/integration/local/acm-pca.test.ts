import { execFileSync } from 'node:child_process';
import { webcrypto } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ACMPCAClient,
  CreateCertificateAuthorityCommand,
  type CreateCertificateAuthorityCommandInput,
  DescribeCertificateAuthorityCommand,
  GetCertificateAuthorityCertificateCommand,
  GetCertificateAuthorityCsrCommand,
  GetCertificateCommand,
  ImportCertificateAuthorityCertificateCommand,
  IssueCertificateCommand,
  type IssueCertificateCommandInput,
  ListCertificateAuthoritiesCommand,
  RevokeCertificateCommand,
} from '@aws-sdk/client-acm-pca';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AcmPcaService } from '../../../infra/local/services/acm-pca/service';
import { Pkcs10CertificateRequestGenerator, SubjectAlternativeNameExtension } from '../../../shared/x509';
import { startTestEdge, type TestEdge } from '../../support/local-edge';

const TEMPLATE = 'arn:aws:acm-pca:::template/';
/** Long enough that no loaded machine fetches a certificate before it; tests move their clock past it instead of waiting. */
const ISSUE_DELAY_MS = 5000;
let clockOffsetMs = 0;
const clock = () => new Date(Date.now() + clockOffsetMs);
const text = new TextEncoder();

function caInput(
  type: 'ROOT' | 'SUBORDINATE',
  commonName: string,
  token?: string,
): CreateCertificateAuthorityCommandInput {
  return {
    CertificateAuthorityType: type,
    CertificateAuthorityConfiguration: {
      KeyAlgorithm: 'EC_prime256v1',
      SigningAlgorithm: 'SHA256WITHECDSA',
      Subject: { CommonName: commonName, Organization: 'Meshwarden Test', Country: 'DE' },
    },
    ...(token ? { IdempotencyToken: token } : {}),
  };
}

/** An EC P-256 key and a CSR for it, made the way a mesh workload would make them. */
async function makeCsr(commonName: string, dnsNames: readonly string[]): Promise<string> {
  const keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const csr = await Pkcs10CertificateRequestGenerator.create({
    name: `CN=${commonName}`,
    keys,
    signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    extensions: [new SubjectAlternativeNameExtension(dnsNames.map((value) => ({ type: 'dns', value })))],
  });
  return csr.toString('pem');
}

/** GetCertificate, moving the local clock past the issuance delay while the certificate is in progress. */
async function waitForCertificate(client: ACMPCAClient, caArn: string, certArn: string) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await client.send(
        new GetCertificateCommand({ CertificateAuthorityArn: caArn, CertificateArn: certArn }),
      );
    } catch (error) {
      if ((error as Error).name !== 'RequestInProgressException' || attempt === 3) throw error;
      clockOffsetMs += ISSUE_DELAY_MS;
    }
  }
}

/** The documented AWS flow that makes a new root CA ACTIVE: CSR, self-issue with the root template, import. */
async function activateRoot(client: ACMPCAClient, caArn: string): Promise<string> {
  const { Csr } = await client.send(
    new GetCertificateAuthorityCsrCommand({ CertificateAuthorityArn: caArn }),
  );
  const { CertificateArn } = await client.send(
    new IssueCertificateCommand({
      CertificateAuthorityArn: caArn,
      Csr: text.encode(Csr),
      SigningAlgorithm: 'SHA256WITHECDSA',
      TemplateArn: `${TEMPLATE}RootCACertificate/V1`,
      Validity: { Type: 'YEARS', Value: 10 },
    }),
  );
  const { Certificate } = await waitForCertificate(client, caArn, CertificateArn ?? '');
  await client.send(
    new ImportCertificateAuthorityCertificateCommand({
      CertificateAuthorityArn: caArn,
      Certificate: text.encode(Certificate),
    }),
  );
  return Certificate ?? '';
}

/** The error name a call fails with, or 'fulfilled'; settles at once so no rejection goes unhandled. */
function errorName(call: Promise<unknown>): Promise<string> {
  return call.then(
    () => 'fulfilled',
    (error: unknown) => (error as Error).name,
  );
}

function openssl(args: readonly string[]): string {
  return execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('local ACM PCA', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'acm-pca-'));
  const pemDir = mkdtempSync(join(tmpdir(), 'acm-pca-pem-'));
  let edge: TestEdge;
  let client: ACMPCAClient;
  let rootArn = '';
  let rootPem = '';
  let subArn = '';
  let subPem = '';

  const start = async () => {
    edge = await startTestEdge((context) => [new AcmPcaService(context, { issueDelayMs: ISSUE_DELAY_MS })], {
      dataDir,
      now: clock,
    });
    client = new ACMPCAClient({ ...edge.clientConfig, maxAttempts: 1 });
  };

  const issueLeaf = (overrides: Partial<IssueCertificateCommandInput> = {}, csr?: string) =>
    (csr === undefined ? makeCsr('api.mesh.local', ['api.mesh.local']) : Promise.resolve(csr)).then((pem) =>
      client.send(
        new IssueCertificateCommand({
          CertificateAuthorityArn: subArn,
          Csr: text.encode(pem),
          SigningAlgorithm: 'SHA256WITHECDSA',
          TemplateArn: `${TEMPLATE}EndEntityServerAuthCertificate/V1`,
          Validity: { Type: 'DAYS', Value: 30 },
          ...overrides,
        }),
      ),
    );

  beforeAll(start);
  afterAll(async () => {
    await edge.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(pemDir, { recursive: true, force: true });
  });

  it('keeps a new root CA in PENDING_CERTIFICATE until its certificate is imported, then makes it ACTIVE', async () => {
    // Prepare
    const { CertificateAuthorityArn } = await client.send(
      new CreateCertificateAuthorityCommand(caInput('ROOT', 'Mesh Root CA')),
    );
    rootArn = CertificateAuthorityArn ?? '';
    const before = await client.send(
      new DescribeCertificateAuthorityCommand({ CertificateAuthorityArn: rootArn }),
    );
    const noCertYet = await errorName(
      client.send(new GetCertificateAuthorityCertificateCommand({ CertificateAuthorityArn: rootArn })),
    );

    // Act
    rootPem = await activateRoot(client, rootArn);
    const after = await client.send(
      new DescribeCertificateAuthorityCommand({ CertificateAuthorityArn: rootArn }),
    );
    const caCert = await client.send(
      new GetCertificateAuthorityCertificateCommand({ CertificateAuthorityArn: rootArn }),
    );

    // Assess
    expect(rootArn).toMatch(/^arn:aws:acm-pca:us-east-1:\d{12}:certificate-authority\/[0-9a-f-]{36}$/);
    expect(before.CertificateAuthority?.Status).toBe('PENDING_CERTIFICATE');
    expect(noCertYet).toBe('InvalidStateException');
    expect(after.CertificateAuthority).toMatchObject({ Status: 'ACTIVE', Type: 'ROOT', Arn: rootArn });
    expect(after.CertificateAuthority?.NotAfter?.getTime()).toBeGreaterThan(
      Date.now() + 9 * 365 * 86_400_000,
    );
    expect(after.CertificateAuthority?.Serial).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2})+$/);
    expect(caCert.Certificate).toBe(rootPem);
    expect(caCert.CertificateChain).toBeUndefined();
    writeFileSync(join(pemDir, 'root.pem'), rootPem);
    expect(openssl(['verify', '-CAfile', join(pemDir, 'root.pem'), join(pemDir, 'root.pem')])).toContain(
      ': OK',
    );
    expect(openssl(['x509', '-in', join(pemDir, 'root.pem'), '-noout', '-text'])).toMatch(/CA:TRUE/);
  });

  it('makes a subordinate CA signed by the root ACTIVE with its chain', async () => {
    // Prepare
    const { CertificateAuthorityArn } = await client.send(
      new CreateCertificateAuthorityCommand(caInput('SUBORDINATE', 'Mesh Issuing CA')),
    );
    subArn = CertificateAuthorityArn ?? '';
    const { Csr } = await client.send(
      new GetCertificateAuthorityCsrCommand({ CertificateAuthorityArn: subArn }),
    );

    // Act
    const issued = await client.send(
      new IssueCertificateCommand({
        CertificateAuthorityArn: rootArn,
        Csr: text.encode(Csr),
        SigningAlgorithm: 'SHA256WITHECDSA',
        TemplateArn: `${TEMPLATE}SubordinateCACertificate_PathLen0/V1`,
        Validity: { Type: 'YEARS', Value: 5 },
      }),
    );
    const signed = await waitForCertificate(client, rootArn, issued.CertificateArn ?? '');
    await client.send(
      new ImportCertificateAuthorityCertificateCommand({
        CertificateAuthorityArn: subArn,
        Certificate: text.encode(signed.Certificate),
        CertificateChain: text.encode(signed.CertificateChain),
      }),
    );
    const described = await client.send(
      new DescribeCertificateAuthorityCommand({ CertificateAuthorityArn: subArn }),
    );
    const caCert = await client.send(
      new GetCertificateAuthorityCertificateCommand({ CertificateAuthorityArn: subArn }),
    );

    // Assess
    subPem = signed.Certificate ?? '';
    expect(signed.CertificateChain).toBe(rootPem);
    expect(described.CertificateAuthority).toMatchObject({ Status: 'ACTIVE', Type: 'SUBORDINATE' });
    expect(caCert).toMatchObject({ Certificate: subPem, CertificateChain: rootPem });
    writeFileSync(join(pemDir, 'sub.pem'), subPem);
    expect(openssl(['verify', '-CAfile', join(pemDir, 'root.pem'), join(pemDir, 'sub.pem')])).toContain(
      ': OK',
    );
    expect(openssl(['x509', '-in', join(pemDir, 'sub.pem'), '-noout', '-text'])).toMatch(
      /CA:TRUE, pathlen:0/,
    );
  });

  it('issues a leaf for an EC P-256 CSR that is in progress at first, then verifies with openssl', async () => {
    // Prepare
    const csr = await makeCsr('api.mesh.local', ['api.mesh.local', 'api.mesh.svc.cluster.local']);

    // Act
    const { CertificateArn } = await issueLeaf({}, csr);
    const early = await errorName(
      client.send(new GetCertificateCommand({ CertificateAuthorityArn: subArn, CertificateArn })),
    );
    const issued = await waitForCertificate(client, subArn, CertificateArn ?? '');

    // Assess
    expect(early).toBe('RequestInProgressException');
    expect(CertificateArn).toMatch(new RegExp(`^${subArn}/certificate/[0-9a-f]{32}$`));
    expect(issued.CertificateChain).toBe(`${subPem}${rootPem}`);
    writeFileSync(join(pemDir, 'leaf.pem'), issued.Certificate ?? '');
    writeFileSync(join(pemDir, 'chain.pem'), subPem);
    const verified = openssl([
      'verify',
      '-CAfile',
      join(pemDir, 'root.pem'),
      '-untrusted',
      join(pemDir, 'chain.pem'),
      join(pemDir, 'leaf.pem'),
    ]);
    expect(verified).toContain('leaf.pem: OK');
    const textForm = openssl(['x509', '-in', join(pemDir, 'leaf.pem'), '-noout', '-text']);
    expect(textForm).toContain('DNS:api.mesh.local, DNS:api.mesh.svc.cluster.local');
    expect(textForm).toMatch(/Key Usage: critical\s+Digital Signature, Key Encipherment/);
    expect(textForm).toMatch(/Extended Key Usage:\s+TLS Web Server Authentication\n/);
    expect(textForm).toMatch(/CA:FALSE/);
    expect(textForm).toContain('Subject Key Identifier');
    expect(textForm).toContain('Authority Key Identifier');
    expect(textForm).toContain('Subject: CN = api.mesh.local');
    expect(textForm).toContain('Public Key Algorithm: id-ecPublicKey');
    const dates = openssl(['x509', '-in', join(pemDir, 'leaf.pem'), '-noout', '-startdate', '-enddate']);
    const notAfter = new Date(/notAfter=(.*)/.exec(dates)?.[1] ?? '').getTime();
    expect(Math.abs(notAfter - (clock().getTime() + 30 * 86_400_000))).toBeLessThan(60_000);
  });

  it('answers the same certificate ARN for a repeated idempotency token, and a new one for a new token', async () => {
    // Prepare
    const csr = await makeCsr('idem.mesh.local', ['idem.mesh.local']);

    // Act
    const first = await issueLeaf({ IdempotencyToken: 'rotation-42' }, csr);
    const again = await issueLeaf({ IdempotencyToken: 'rotation-42' }, csr);
    const other = await issueLeaf({ IdempotencyToken: 'rotation-43' }, csr);

    // Assess
    expect(again.CertificateArn).toBe(first.CertificateArn);
    expect(other.CertificateArn).not.toBe(first.CertificateArn);
  });

  it('answers the same CA for a repeated CreateCertificateAuthority idempotency token', async () => {
    // Act
    const first = await client.send(
      new CreateCertificateAuthorityCommand(caInput('ROOT', 'Idem Root', 'ca-token-1')),
    );
    const again = await client.send(
      new CreateCertificateAuthorityCommand(caInput('ROOT', 'Idem Root', 'ca-token-1')),
    );

    // Assess
    expect(again.CertificateAuthorityArn).toBe(first.CertificateAuthorityArn);
  });

  it('revokes a certificate once and refuses to revoke it again', async () => {
    // Prepare
    const { CertificateArn } = await issueLeaf();
    const issued = await waitForCertificate(client, subArn, CertificateArn ?? '');
    writeFileSync(join(pemDir, 'revoke.pem'), issued.Certificate ?? '');
    const serial =
      /serial=(\w+)/.exec(openssl(['x509', '-in', join(pemDir, 'revoke.pem'), '-noout', '-serial']))?.[1] ??
      '';
    const revoke = () =>
      client.send(
        new RevokeCertificateCommand({
          CertificateAuthorityArn: subArn,
          CertificateSerial: serial,
          RevocationReason: 'KEY_COMPROMISE',
        }),
      );

    // Act
    const first = await errorName(revoke());
    const second = await errorName(revoke());
    const unknown = await errorName(
      client.send(
        new RevokeCertificateCommand({
          CertificateAuthorityArn: subArn,
          CertificateSerial: 'ab:cd',
          RevocationReason: 'UNSPECIFIED',
        }),
      ),
    );

    // Assess
    expect([first, second, unknown]).toEqual([
      'fulfilled',
      'RequestAlreadyProcessedException',
      'ResourceNotFoundException',
    ]);
  });

  it('refuses bad input with the errors AWS names', async () => {
    // Prepare
    const goodCsr = await makeCsr('bad.mesh.local', ['bad.mesh.local']);
    const tampered = goodCsr.replace(
      /(\n[A-Za-z0-9+/]{20})[A-Za-z0-9+/]/,
      (_m, head: string) => `${head}${head.endsWith('A') ? 'B' : 'A'}`,
    );
    const pending = await client.send(
      new CreateCertificateAuthorityCommand(caInput('SUBORDINATE', 'Pending CA')),
    );
    const unknownCa = rootArn.replace(/[0-9a-f]{12}$/, '000000000000');

    // Act
    const outcomes = await Promise.all(
      [
        issueLeaf({}, 'not a csr'),
        issueLeaf({}, tampered),
        issueLeaf({ CertificateAuthorityArn: unknownCa }, goodCsr),
        issueLeaf({ CertificateAuthorityArn: 'arn:aws:acm-pca:nope' }, goodCsr),
        issueLeaf({ Validity: { Type: 'END_DATE', Value: 20200101000000 } }, goodCsr),
        issueLeaf({ CertificateAuthorityArn: pending.CertificateAuthorityArn }, goodCsr),
        issueLeaf({ SigningAlgorithm: 'SHA256WITHRSA' }, goodCsr),
        issueLeaf({ TemplateArn: `${TEMPLATE}SubordinateCACertificate_PathLen0/V1` }, goodCsr),
        issueLeaf({ TemplateArn: `${TEMPLATE}NoSuchTemplate/V1` }, goodCsr),
        issueLeaf({ Validity: { Type: 'YEARS', Value: 50 } }, goodCsr),
        issueLeaf({ Validity: undefined }, goodCsr),
      ].map(errorName),
    );

    // Assess
    expect(outcomes).toEqual([
      'MalformedCSRException',
      'MalformedCSRException',
      'ResourceNotFoundException',
      'InvalidArnException',
      'ValidationException',
      'InvalidStateException',
      'InvalidArgsException',
      'InvalidArgsException',
      'InvalidArgsException',
      'ValidationException',
      'ValidationException',
    ]);
  });

  it('refuses a CA certificate that does not belong to the CA, and a subordinate without a chain', async () => {
    // Prepare
    const { CertificateAuthorityArn } = await client.send(
      new CreateCertificateAuthorityCommand(caInput('SUBORDINATE', 'Other CA')),
    );

    // Act
    const wrongKey = await errorName(
      client.send(
        new ImportCertificateAuthorityCertificateCommand({
          CertificateAuthorityArn,
          Certificate: text.encode(subPem),
          CertificateChain: text.encode(rootPem),
        }),
      ),
    );
    const garbage = await errorName(
      client.send(
        new ImportCertificateAuthorityCertificateCommand({
          CertificateAuthorityArn,
          Certificate: text.encode('garbage'),
        }),
      ),
    );
    const noChain = await errorName(
      client.send(
        new ImportCertificateAuthorityCertificateCommand({
          CertificateAuthorityArn: subArn,
          Certificate: text.encode(subPem),
        }),
      ),
    );

    // Assess
    expect([wrongKey, garbage, noChain]).toEqual([
      'CertificateMismatchException',
      'MalformedCertificateException',
      'InvalidRequestException',
    ]);
  });

  it('pages through ListCertificateAuthorities', async () => {
    // Act
    const first = await client.send(new ListCertificateAuthoritiesCommand({ MaxResults: 2 }));
    const second = await client.send(
      new ListCertificateAuthoritiesCommand({ MaxResults: 100, NextToken: first.NextToken }),
    );
    const bad = await errorName(client.send(new ListCertificateAuthoritiesCommand({ NextToken: 'bm9wZQ' })));

    // Assess
    expect(first.CertificateAuthorities).toHaveLength(2);
    expect(first.NextToken).toBeDefined();
    const arns = [...(first.CertificateAuthorities ?? []), ...(second.CertificateAuthorities ?? [])].map(
      (ca) => ca.Arn,
    );
    expect(arns.slice(0, 2)).toEqual([rootArn, subArn]);
    expect(new Set(arns).size).toBe(arns.length);
    expect(second.NextToken).toBeUndefined();
    expect(bad).toBe('InvalidNextTokenException');
  });

  it('records mutating calls, failed ones included, as CloudTrail events and read-only calls not at all', () => {
    // Assess
    const names = edge.events.map((e) => String(e.detail.eventName));
    expect(edge.events.every((e) => e.detail.eventSource === 'acm-pca.amazonaws.com')).toBe(true);
    expect(names).toContain('CreateCertificateAuthority');
    expect(names).toContain('ImportCertificateAuthorityCertificate');
    expect(names).toContain('RevokeCertificate');
    expect(names).not.toContain('DescribeCertificateAuthority');
    expect(names).not.toContain('GetCertificate');
    const failed = edge.events.find((e) => e.detail.errorCode === 'MalformedCSRException');
    expect(failed?.detail.eventName).toBe('IssueCertificate');
  });

  it('keeps CAs, keys and issued certificates across a restart', async () => {
    // Prepare
    const { CertificateArn } = await issueLeaf();
    const before = await waitForCertificate(client, subArn, CertificateArn ?? '');
    await edge.close();

    // Act
    await start();
    const described = await client.send(
      new DescribeCertificateAuthorityCommand({ CertificateAuthorityArn: subArn }),
    );
    const after = await client.send(
      new GetCertificateCommand({ CertificateAuthorityArn: subArn, CertificateArn }),
    );
    const fresh = await issueLeaf();
    const freshCert = await waitForCertificate(client, subArn, fresh.CertificateArn ?? '');

    // Assess
    expect(described.CertificateAuthority?.Status).toBe('ACTIVE');
    expect(after.Certificate).toBe(before.Certificate);
    writeFileSync(join(pemDir, 'after-restart.pem'), freshCert.Certificate ?? '');
    const verified = openssl([
      'verify',
      '-CAfile',
      join(pemDir, 'root.pem'),
      '-untrusted',
      join(pemDir, 'chain.pem'),
      join(pemDir, 'after-restart.pem'),
    ]);
    expect(verified).toContain(': OK');
  });
});
