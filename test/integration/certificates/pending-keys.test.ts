import { ACMClient } from '@aws-sdk/client-acm';
import { ACMPCAClient } from '@aws-sdk/client-acm-pca';
import { DecryptCommand, GetKeyPolicyCommand, KMSClient } from '@aws-sdk/client-kms';
import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTIONS } from '../../../infra/function-catalog';
import { DEFAULT_IDENTITIES, IdentityRegistry } from '../../../infra/local/edge/identities';
import { createDocumentClient } from '../../../shared/adapters/dynamodb/client';
import { TABLE } from '../../../shared/adapters/dynamodb/table';
import type { RotationRecord } from '../../../shared/certificates/records';
import { PENDING_KEY_LIFETIME_MS } from '../../../shared/certificates/rotate-certificate';
import { type SweepDeps, type SweepItem, sweepCertificates } from '../../../shared/certificates/sweep';
import { MeshwardenError } from '../../../shared/errors';
import { loadPolicy } from '../../../shared/policy/load';
import { startSeededLocalAws, type TestLocalAws } from '../../support/local-aws';
import { dailyEvent, importExpiringCertificate, pointListenerAt, rotationDeps } from './support';

/** Settle a call that should fail, so the error is asserted after acting without an unhandled rejection. */
const failureOf = (call: Promise<unknown>): Promise<unknown> =>
  call.then(
    () => new Error('expected the call to fail'),
    (error: unknown) => error,
  );

/** The internet-facing function's own role, as the stack names it: not the rotation role. */
const SLACK_CALLBACK = {
  type: 'AssumedRole' as const,
  accessKeyId: 'slack-callback',
  secretAccessKey: 'slack-callback-secret',
  roleName: 'meshwarden-fn-slack-callback',
  sessionName: 'meshwarden-slack-callback',
};

interface Item {
  readonly pk: string;
  readonly sk: string;
  readonly [attribute: string]: unknown;
}

describe('pending private keys during certificate rotation', () => {
  let local: TestLocalAws;
  let pca: ACMPCAClient;
  let acm: ACMClient;
  const policy = loadPolicy('infra/local/demo/meshwarden.policy.yaml');
  const documents = () => createDocumentClient(local.clientConfig('admin'));

  beforeAll(async () => {
    local = await startSeededLocalAws({
      pcaIssueDelayMs: 0,
      functions: FUNCTIONS.filter((f) => f.name === 'cert-rotation'),
      identities: new IdentityRegistry({
        ...DEFAULT_IDENTITIES,
        identities: [...DEFAULT_IDENTITIES.identities, SLACK_CALLBACK],
      }),
    });
    pca = new ACMPCAClient(local.clientConfig('admin'));
    acm = new ACMClient(local.clientConfig('admin'));
  }, 60_000);

  afterAll(async () => {
    await local?.aws.close();
  });

  const scan = async (): Promise<Item[]> => {
    const { Items } = await documents().send(
      new ScanCommand({ TableName: local.aws.functionEnv.MESHWARDEN_TABLE }),
    );
    return (Items ?? []) as Item[];
  };
  const pendingKeysOf = async (arn: string) =>
    (await scan()).filter((i) => i.pk === `ROTATION#acm:${arn}` && i.sk.startsWith('PENDING-KEY#'));

  /** A certificate on web-v1 expiring in 2 days, and a rotation of it that stops right after IssueCertificate. */
  const stalledRotation = async (node: string, deps: SweepDeps = rotationDeps(local)) => {
    const arn = await importExpiringCertificate(pca, acm, local.seed.caArn, `${node}.prod.local`, 2);
    await pointListenerAt(local, 'virtual-node', node, arn);
    await local.aws.drain();
    const crashing: SweepDeps = {
      ...deps,
      ca: {
        describe: deps.ca.describe.bind(deps.ca),
        fetch: deps.ca.fetch.bind(deps.ca),
        issue: async (request) => {
          await deps.ca.issue(request);
          throw new MeshwardenError('the process died after IssueCertificate');
        },
      },
    };
    const [first] = await sweepCertificates(crashing, policy, ['prod'], { only: arn });
    expect(first).toMatchObject({ action: 'failed' });
    return arn;
  };

  it('keeps no PEM private key in the table while a rotation is pending, and drops the sealed one on delivery', async () => {
    // Prepare
    const arn = await stalledRotation('web-v1');

    // Act 1: look at the table while the rotation waits.
    const during = await scan();

    // Assess 1
    expect(JSON.stringify(during)).not.toContain('PRIVATE KEY');
    const [pending] = await pendingKeysOf(arn);
    expect(pending?.sealed).toMatchObject({
      keyArn: local.aws.functionEnv.MESHWARDEN_PENDING_KEY_ARN,
      algorithm: 'AES-256-GCM',
    });
    const expiresAt = Number(pending?.[TABLE.ttlAttribute]) * 1000;
    expect(expiresAt).toBeGreaterThan(Date.now() + PENDING_KEY_LIFETIME_MS - 60_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + PENDING_KEY_LIFETIME_MS);

    // Act 2: the scheduled function resumes and delivers.
    const outcome = (await local.aws.functions.invoke('cert-rotation', dailyEvent(local))) as {
      items: SweepItem[];
    };

    // Assess 2
    expect(outcome.items.find((i) => i.id === `acm:${arn}`)).toMatchObject({ action: 'rotated' });
    expect(await pendingKeysOf(arn)).toEqual([]);
    expect(JSON.stringify(await scan())).not.toContain('PRIVATE KEY');
  }, 60_000);

  it('lets no principal but the rotation role open a pending key', async () => {
    // Prepare
    const arn = await stalledRotation('web-v2');
    const [pending] = await pendingKeysOf(arn);
    const sealed = pending?.sealed as { encryptedDataKey: string };
    // The rotation function signs as its stack role; the others with their own keys.
    const decrypt = (who: 'admin' | 'slack-callback' | 'cert-rotation') =>
      new KMSClient({
        endpoint: local.aws.endpoint,
        region: local.aws.region,
        credentials:
          who === 'admin'
            ? local.clientConfig(who).credentials
            : who === 'slack-callback'
              ? { accessKeyId: SLACK_CALLBACK.accessKeyId, secretAccessKey: SLACK_CALLBACK.secretAccessKey }
              : local.aws.functionCredentials(who),
        maxAttempts: 1,
      }).send(
        new DecryptCommand({
          CiphertextBlob: Buffer.from(sealed.encryptedDataKey, 'base64'),
          EncryptionContext: {
            purpose: 'meshwarden-pending-private-key',
            record: pending?.pk ?? '',
            rotationId: (pending?.sk ?? '').replace('PENDING-KEY#', ''),
          },
        }),
      );

    // Act
    const slackCallback = await failureOf(decrypt('slack-callback'));
    const administrator = await failureOf(decrypt('admin'));
    const rotationRole = await decrypt('cert-rotation');
    const keyPolicy = await new KMSClient(local.clientConfig('admin')).send(
      new GetKeyPolicyCommand({ KeyId: local.aws.functionEnv.MESHWARDEN_PENDING_KEY_ARN }),
    );

    // Assess
    expect(slackCallback).toMatchObject({ name: 'AccessDeniedException' });
    expect((slackCallback as Error).message).toContain('assumed-role/meshwarden-fn-slack-callback/');
    expect(administrator).toMatchObject({ name: 'AccessDeniedException' });
    expect(rotationRole.Plaintext?.length).toBe(32);
    const statements = JSON.parse(keyPolicy.Policy ?? '{}').Statement as {
      Principal: { AWS: string };
      Action: string[];
    }[];
    expect(statements.map((s) => s.Principal.AWS).sort()).toEqual([
      `arn:aws:iam::${local.aws.accountId}:role/meshwarden-fn-cert-rotation`,
      `arn:aws:iam::${local.aws.accountId}:root`,
    ]);
  }, 60_000);

  it('abandons a rotation whose key expired before delivery, and keeps nothing of the key', async () => {
    // Prepare: the rotation stalls; eight days later a run finds it.
    const arn = await stalledRotation('payments');
    const later = new Date(Date.now() + PENDING_KEY_LIFETIME_MS + 86_400_000);

    const issues: string[] = [];
    const unsubscribe = local.aws.onApiCall((call) => {
      if (call.operation === 'IssueCertificate') issues.push(call.request.requestId);
    });

    // Act
    const [resumed] = await sweepCertificates(rotationDeps(local, { now: () => later }), policy, ['prod'], {
      only: arn,
    }).finally(unsubscribe);

    // Assess
    expect(resumed).toMatchObject({ action: 'refused', reason: expect.stringMatching(/abandoned/) });
    expect(await pendingKeysOf(arn)).toEqual([]);
    const record = (await scan()).find((i) => i.pk === `ROTATION#acm:${arn}` && i.sk === 'STATE') as
      | (Item & RotationRecord)
      | undefined;
    expect(record?.status).toBe('refused');
    // It ended before asking the CA for a certificate whose key is gone.
    expect(issues).toEqual([]);
  }, 60_000);

  it('refuses a sealed key moved from another rotation, and drops it', async () => {
    // Prepare: two stalled rotations; one's sealed key is copied over the other's.
    const first = await stalledRotation('frontend');
    const second = await stalledRotation('web-v1');
    const [source] = await pendingKeysOf(first);
    const [target] = await pendingKeysOf(second);
    await documents().send(
      new PutCommand({
        TableName: local.aws.functionEnv.MESHWARDEN_TABLE,
        Item: { ...target, sealed: source?.sealed },
      }),
    );

    // Act
    const [resumed] = await sweepCertificates(rotationDeps(local), policy, ['prod'], { only: second });

    // Assess
    expect(resumed).toMatchObject({
      action: 'refused',
      reason: expect.stringMatching(/pending private key cannot be opened: .*InvalidCiphertextException/),
    });
    expect(await pendingKeysOf(second)).toEqual([]);
    expect(await pendingKeysOf(first)).toHaveLength(1);
  }, 60_000);
});
