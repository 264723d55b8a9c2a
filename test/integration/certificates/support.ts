/**
 * Helpers for certificate tests in local AWS: a second root CA, short-lived certificates
 * imported into ACM and put on the demo listeners, openssl checks, and rotation deps wired
 * to real SDK clients.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ACMClient, GetCertificateCommand, ImportCertificateCommand } from '@aws-sdk/client-acm';
import {
  ACMPCAClient,
  GetCertificateAuthorityCertificateCommand,
  GetCertificateCommand as GetPcaCertificateCommand,
  IssueCertificateCommand,
} from '@aws-sdk/client-acm-pca';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createDocumentClient } from '../../../shared/adapters/dynamodb/client';
import { EventBridgePublisher } from '../../../shared/adapters/eventbridge/event-publisher';
import type { RolloverDecisionDeps } from '../../../shared/certificates/ca-rollover';
import { createKeyAndCsr } from '../../../shared/certificates/key-and-csr';
import type { SweepDeps } from '../../../shared/certificates/sweep';
import { createRotationDeps } from '../../../shared/certificates/wiring';
import type { ChatNotifier, Notification } from '../../../shared/ports';
import { createAppMeshClient, createAppMeshProvider } from '../../../shared/providers/appmesh';
import type { TestLocalAws } from '../../support/local-aws';

const DAY_S = 86_400;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A root CA made the way AWS documents it, as the demo seed makes its own. */
export { createRootCa } from '../../../infra/local/demo/seed';

async function pollPca(pca: ACMPCAClient, caArn: string, certificateArn: string) {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      const out = await pca.send(
        new GetPcaCertificateCommand({ CertificateAuthorityArn: caArn, CertificateArn: certificateArn }),
      );
      return { certificate: out.Certificate ?? '', chain: out.CertificateChain ?? '' };
    } catch (error) {
      if ((error as Error).name !== 'RequestInProgressException') throw error;
      await sleep(50);
    }
  }
  throw new Error(`certificate ${certificateArn} never issued`);
}

/**
 * A certificate for `dnsName` issued 390 days ago and expiring in `daysLeft` days, imported
 * into ACM: what a demo certificate looks like shortly before it expires.
 */
export async function importExpiringCertificate(
  pca: ACMPCAClient,
  acm: ACMClient,
  caArn: string,
  dnsName: string,
  daysLeft: number,
): Promise<string> {
  const { privateKeyPem, csrPem } = await createKeyAndCsr('EC_prime256v1', [dnsName]);
  const now = Math.floor(Date.now() / 1000);
  const { CertificateArn } = await pca.send(
    new IssueCertificateCommand({
      CertificateAuthorityArn: caArn,
      Csr: new TextEncoder().encode(csrPem),
      SigningAlgorithm: 'SHA256WITHECDSA',
      TemplateArn: 'arn:aws:acm-pca:::template/EndEntityCertificate/V1',
      ValidityNotBefore: { Type: 'ABSOLUTE', Value: now - 390 * DAY_S },
      Validity: { Type: 'ABSOLUTE', Value: now + daysLeft * DAY_S },
    }),
  );
  const issued = await pollPca(pca, caArn, CertificateArn ?? '');
  const { CertificateArn: imported } = await acm.send(
    new ImportCertificateCommand({
      Certificate: new TextEncoder().encode(issued.certificate),
      CertificateChain: new TextEncoder().encode(issued.chain),
      PrivateKey: new TextEncoder().encode(privateKeyPem),
    }),
  );
  if (imported === undefined) throw new Error('no imported ARN');
  return imported;
}

/** Put a node's (or gateway's) listener on another ACM certificate, as an administrator would. */
export async function pointListenerAt(
  local: TestLocalAws,
  kind: 'virtual-node' | 'virtual-gateway',
  name: string,
  arn: string,
) {
  const meshes = createAppMeshProvider(createAppMeshClient(local.clientConfig('admin')));
  const resource = await meshes.describe({ kind, meshName: 'prod', name });
  if (resource === undefined) throw new Error(`${kind} ${name} not found`);
  const listeners = (resource.spec.listeners ?? []).map((l) =>
    l.tls ? { ...l, tls: { ...l.tls, certificate: { acm: { certificateArn: arn } } } } : l,
  );
  await meshes.update({ ...resource, spec: { ...resource.spec, listeners } } as typeof resource, {
    clientToken: `point-${name}-${arn.slice(-12)}`,
  });
}

/** The certificate and chain ACM holds now. */
export async function acmCertificate(acm: ACMClient, arn: string) {
  const out = await acm.send(new GetCertificateCommand({ CertificateArn: arn }));
  return { certificate: out.Certificate ?? '', chain: out.CertificateChain ?? '' };
}

export async function caCertificate(pca: ACMPCAClient, caArn: string): Promise<string> {
  const out = await pca.send(
    new GetCertificateAuthorityCertificateCommand({ CertificateAuthorityArn: caArn }),
  );
  return out.Certificate ?? '';
}

/** `openssl verify` of a certificate against a CA, and its subjectAltName as openssl prints it. */
export function opensslCheck(certificatePem: string, caPem: string): { verify: string; san: string } {
  const dir = mkdtempSync(join(tmpdir(), 'meshwarden-cert-'));
  try {
    writeFileSync(join(dir, 'ca.pem'), caPem);
    writeFileSync(join(dir, 'leaf.pem'), certificatePem);
    const verify = execFileSync(
      'openssl',
      ['verify', '-CAfile', join(dir, 'ca.pem'), join(dir, 'leaf.pem')],
      {
        encoding: 'utf8',
      },
    ).trim();
    const san = execFileSync(
      'openssl',
      ['x509', '-in', join(dir, 'leaf.pem'), '-noout', '-ext', 'subjectAltName'],
      {
        encoding: 'utf8',
      },
    ).trim();
    return { verify, san };
  } catch (error) {
    const stderr = (error as { stderr?: Buffer | string }).stderr;
    return { verify: `FAILED ${String(stderr ?? (error as Error).message)}`, san: '' };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export class RecordingNotifier implements ChatNotifier {
  readonly notifications: Notification[] = [];
  async notify(notification: Notification): Promise<void> {
    this.notifications.push(notification);
  }
}

/** Rotation deps on real SDK clients signing as meshwarden, as the function has them. */
export function rotationDeps(local: TestLocalAws, overrides: Partial<SweepDeps> = {}): RolloverDecisionDeps {
  // Signed as the rotation function's own role, as the function does: its grants and the
  // pending-keys key policy apply.
  const config = { ...local.clientConfig(), credentials: local.aws.functionCredentials('cert-rotation') };
  return createRotationDeps(
    {
      pca: new ACMPCAClient({ ...config, maxAttempts: 8 }),
      acm: new ACMClient({ ...config, maxAttempts: 8 }),
      secrets: new SecretsManagerClient({ ...config, maxAttempts: 8 }),
      documents: createDocumentClient(config),
      tableName: 'meshwarden-state',
      pendingKeys: {
        kms: new KMSClient({ ...config, maxAttempts: 8 }),
        keyArn: local.aws.functionEnv.MESHWARDEN_PENDING_KEY_ARN ?? '',
      },
      meshes: createAppMeshProvider(createAppMeshClient(config)),
      publisher: new EventBridgePublisher(new EventBridgeClient(config), 'meshwarden'),
      notifier: new RecordingNotifier(),
    },
    overrides,
  );
}

/** A Scheduled Event as the daily rule delivers it. */
export function dailyEvent(local: TestLocalAws): Record<string, unknown> {
  return {
    version: '0',
    id: crypto.randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: local.aws.accountId,
    time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: local.aws.region,
    resources: [
      `arn:aws:events:${local.aws.region}:${local.aws.accountId}:rule/meshwarden-daily-cert-rotation`,
    ],
    detail: {},
  };
}
