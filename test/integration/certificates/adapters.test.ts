import { ACMClient } from '@aws-sdk/client-acm';
import { ACMPCAClient } from '@aws-sdk/client-acm-pca';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../../infra/function-catalog';
import { AcmPrivateCertificateManager } from '../../../shared/adapters/acm-certificates/private-certificates';
import { AcmPcaCertificateAuthority } from '../../../shared/adapters/acm-pca/certificate-authority';
import { createDocumentClient } from '../../../shared/adapters/dynamodb/client';
import { DynamoRotationStore } from '../../../shared/adapters/dynamodb/rotation-store';
import { SecretCertificateStore } from '../../../shared/adapters/secretsmanager/certificate-secrets';
import { createKeyAndCsr } from '../../../shared/certificates/key-and-csr';
import { BadRequestError, ConflictError, NotFoundError } from '../../../shared/errors';
import { envoyLoadsListenerCertificate } from '../../support/envoy';
import { startSeededLocalAws, type TestLocalAws } from '../../support/local-aws';
import { createRootCa, importExpiringCertificate } from './support';

describe('certificate adapters against local AWS', () => {
  let local: TestLocalAws;

  beforeAll(async () => {
    local = await startSeededLocalAws({
      pcaIssueDelayMs: 300,
      functions: FUNCTIONS.filter((f) => f.name === 'cert-rotation'),
    });
  }, 60_000);

  afterAll(async () => {
    await local?.aws.close();
  });

  it('ACM private certificates: request (idempotent), renew in place, fetch, remove; imported ones are refused', async () => {
    // Prepare
    const acm = new ACMClient(local.clientConfig('meshwarden'));
    const manager = new AcmPrivateCertificateManager(acm);
    const request = {
      caArn: local.seed.caArn,
      names: ['adapter.prod.local', 'adapter.prod.svc'],
      keyAlgorithm: 'EC_prime256v1',
      idempotencyToken: 'adaptertesttoken',
    };
    const imported = await importExpiringCertificate(
      new ACMPCAClient(local.clientConfig('admin')),
      new ACMClient(local.clientConfig('admin')),
      local.seed.caArn,
      'imported.prod.local',
      30,
    );

    // Act
    const arn = await manager.request(request);
    const again = await manager.request(request);
    const issued = await manager.state(arn);
    const first = await manager.fetch(arn);
    await envoyLoadsListenerCertificate(acm, arn);
    await manager.renew(arn);
    let renewed = await manager.state(arn);
    for (let i = 0; i < 50 && renewed?.renewal?.status !== 'SUCCESS'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      renewed = await manager.state(arn);
    }
    const renewImported = await manager.renew(imported).then(
      () => 'renewed',
      (error: Error) => error.constructor.name,
    );
    const removed = await manager.remove(arn);
    const removedAgain = await manager.remove(arn);

    // Assess
    expect(again).toBe(arn);
    expect(issued).toMatchObject({
      type: 'PRIVATE',
      status: 'ISSUED',
      certificateAuthorityArn: local.seed.caArn,
    });
    expect(first?.certificatePem).toContain('BEGIN CERTIFICATE');
    expect(renewed).toMatchObject({ arn, renewal: { status: 'SUCCESS' } });
    expect(renewed?.serial).not.toBe(issued?.serial);
    expect(renewImported).toBe('BadRequestError');
    expect(await manager.state(imported)).toMatchObject({ type: 'IMPORTED' });
    await expect(envoyLoadsListenerCertificate(acm, imported)).rejects.toThrow(/not a private certificate/);
    expect([removed, removedAgain]).toEqual(['deleted', 'not-found']);
    expect(await manager.state(arn)).toBeUndefined();
  });

  it('ACM PCA: issue is idempotent per token, fetch waits while signing, a bad CSR is a BadRequestError', async () => {
    // Prepare
    const ca = new AcmPcaCertificateAuthority(new ACMPCAClient(local.clientConfig('meshwarden')));
    const state = await ca.describe(local.seed.caArn);
    const { csrPem } = await createKeyAndCsr('RSA_2048', ['rsa.prod.local']);
    const request = {
      caArn: local.seed.caArn,
      csrPem,
      signingAlgorithm: state.signingAlgorithm,
      templateArn: 'arn:aws:acm-pca:::template/EndEntityCertificate/V1',
      validityDays: 30,
      idempotencyToken: 'adapter-test-token',
    };

    // Act
    const first = await ca.issue(request);
    const again = await ca.issue(request);
    const early = await ca.fetch(local.seed.caArn, first);
    await new Promise((resolve) => setTimeout(resolve, 350));
    const ready = await ca.fetch(local.seed.caArn, first);

    // Assess
    expect(state).toMatchObject({ status: 'ACTIVE', signingAlgorithm: 'SHA256WITHECDSA' });
    expect(again).toBe(first);
    expect(early).toBeUndefined();
    expect(ready?.certificatePem).toContain('BEGIN CERTIFICATE');
    await expect(ca.issue({ ...request, csrPem: 'not a csr', idempotencyToken: 'bad' })).rejects.toThrow(
      BadRequestError,
    );
    await expect(ca.describe(local.seed.caArn.replace(/[0-9a-f]{12}$/, '000000000000'))).rejects.toThrow(
      NotFoundError,
    );
  });

  it('ACM PCA: a CA that is not ACTIVE cannot issue', async () => {
    // Prepare: a CA still waiting for its certificate.
    const pca = new ACMPCAClient(local.clientConfig('admin'));
    const { CreateCertificateAuthorityCommand } = await import('@aws-sdk/client-acm-pca');
    const { CertificateAuthorityArn } = await pca.send(
      new CreateCertificateAuthorityCommand({
        CertificateAuthorityType: 'ROOT',
        CertificateAuthorityConfiguration: {
          KeyAlgorithm: 'EC_prime256v1',
          SigningAlgorithm: 'SHA256WITHECDSA',
          Subject: { CommonName: 'pending CA' },
        },
      }),
    );
    const ca = new AcmPcaCertificateAuthority(new ACMPCAClient(local.clientConfig('meshwarden')));

    // Act
    const state = await ca.describe(CertificateAuthorityArn ?? '');

    // Assess
    expect(state.status).toBe('PENDING_CERTIFICATE');
    expect(state.certificatePem).toBe('');
  });

  it('Secrets Manager: each delivery is a new AWSCURRENT version, the old one AWSPREVIOUS; a retried write is one version', async () => {
    // Prepare
    const secrets = new SecretsManagerClient(local.clientConfig('meshwarden'));
    const store = new SecretCertificateStore(secrets);
    const location = { kind: 'secret', name: 'meshwarden/certificates/payments' } as const;
    const caArn = await createRootCa(new ACMPCAClient(local.clientConfig('admin')), 'secret test CA');
    const pem = (await import('@aws-sdk/client-acm-pca')).GetCertificateAuthorityCertificateCommand;
    const { Certificate } = await new ACMPCAClient(local.clientConfig('admin')).send(
      new pem({ CertificateAuthorityArn: caArn }),
    );
    const bundle = (n: number) => ({
      certificatePem: Certificate ?? '',
      chainPem: '',
      privateKeyPem: `key-${n}`,
    });

    // Act
    const missing = await store.describe(location);
    const v1 = await store.deliver(location, bundle(1), {
      token: '11111111-1111-4111-8111-111111111111',
      issuingCaArn: caArn,
    });
    const v2 = await store.deliver(location, bundle(2), {
      token: '22222222-2222-4222-8222-222222222222',
      issuingCaArn: caArn,
    });
    const v2again = await store.deliver(location, bundle(2), {
      token: '22222222-2222-4222-8222-222222222222',
      issuingCaArn: caArn,
    });
    const described = await store.describe(location);

    // Assess
    expect(missing).toBeUndefined();
    expect(v2again.versionId).toBe(v2.versionId);
    const previous = await secrets.send(
      new GetSecretValueCommand({ SecretId: location.name, VersionStage: 'AWSPREVIOUS' }),
    );
    expect(previous.VersionId).toBe(v1.versionId);
    expect(JSON.parse(previous.SecretString ?? '{}').privateKey).toBe('key-1');
    expect(described).toMatchObject({
      origin: 'secret',
      issuingCaArn: caArn,
      subject: 'O=Acme, CN=secret test CA',
    });
  });

  it('Secrets Manager: a secret that is not a certificate bundle is refused with a clear error', async () => {
    const store = new SecretCertificateStore(new SecretsManagerClient(local.clientConfig('meshwarden')));
    await expect(store.describe({ kind: 'secret', name: 'meshwarden/slack' })).rejects.toThrow(
      /does not hold a certificate bundle/,
    );
  });

  it('DynamoDB: a stale write is a ConflictError, a new record cannot overwrite', async () => {
    // Prepare
    const store = new DynamoRotationStore(
      createDocumentClient(local.clientConfig('meshwarden')),
      'meshwarden-state',
    );
    await store.put('ROTATION#test', { version: 1, status: 'planned' });

    // Act
    await store.put('ROTATION#test', { version: 2, status: 'issued' });
    const stale = store.put('ROTATION#test', { version: 2, status: 'issued-twice' });
    const recreate = store.put('ROTATION#test', { version: 1, status: 'planned' });

    // Assess
    await expect(stale).rejects.toThrow(ConflictError);
    await expect(recreate).rejects.toThrow(ConflictError);
    expect(await store.get('ROTATION#test')).toEqual({ version: 2, status: 'issued' });
    expect(await store.get('ROTATION#none')).toBeUndefined();
  });
});
