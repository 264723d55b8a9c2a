import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DecryptCommand,
  DescribeKeyCommand,
  DisableKeyCommand,
  EnableKeyCommand,
  EncryptCommand,
  GenerateDataKeyCommand,
  GetKeyPolicyCommand,
  KMSClient,
  ListAliasesCommand,
  PutKeyPolicyCommand,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pendingKeyPolicy } from '../../../infra/constructs/pending-keys';
import { DEFAULT_IDENTITIES, IdentityRegistry, LOCAL_ACCOUNT_ID } from '../../../infra/local/edge/identities';
import type { IdentityDecision } from '../../../infra/local/services/kms/key-policy';
import { KmsService } from '../../../infra/local/services/kms/kms-service';
import { CREDENTIALS, startTestEdge, type TestEdge } from '../../support/local-edge';

/** Settle a call that should fail, so the error is asserted after acting without an unhandled rejection. */
const failureOf = (call: Promise<unknown>): Promise<unknown> =>
  call.then(
    () => new Error('expected the call to fail'),
    (error: unknown) => error,
  );

const ROOT = `arn:aws:iam::${LOCAL_ACCOUNT_ID}:root`;
/** The role the `meshwarden` access key's sessions belong to (see DEFAULT_IDENTITIES). */
const FUNCTIONS_ROLE = `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/meshwarden-functions`;
const CONTEXT = { purpose: 'test', rotationId: 'r-1' };

describe('local KMS', () => {
  let dataDir: string;
  let edge: TestEdge;
  let admin: KMSClient;
  let rotation: KMSClient;
  let bob: KMSClient;
  /** What the callers' IAM policies decide where a key policy defers to them; tests change it. */
  let iam: IdentityDecision = () => 'allow';
  const clientAs = (who: keyof typeof CREDENTIALS) =>
    new KMSClient({ ...edge.clientConfig, credentials: { ...CREDENTIALS[who] }, maxAttempts: 1 });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'kms-'));
    edge = await startTestEdge(
      (context) => [new KmsService(context, { identityDecision: (...args) => iam(...args) })],
      { dataDir },
    );
    admin = clientAs('admin');
    rotation = clientAs('meshwarden');
    bob = clientAs('iamUser');
  });
  afterAll(async () => {
    await edge.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** A key used by the functions' role only, administered by the account: the pending-keys policy. */
  const pendingStyleKey = async () => {
    const { KeyMetadata } = await admin.send(
      new CreateKeyCommand({ Policy: JSON.stringify(pendingKeyPolicy(ROOT, [FUNCTIONS_ROLE])) }),
    );
    return KeyMetadata?.Arn ?? '';
  };

  it('encrypts and decrypts with the encryption context, naming the key in the blob', async () => {
    // Prepare
    const { KeyMetadata } = await admin.send(new CreateKeyCommand({ Description: 'round trip' }));
    const secret = new TextEncoder().encode('-----BEGIN PRIVATE KEY-----\nabc\n');

    // Act
    const sealed = await admin.send(
      new EncryptCommand({ KeyId: KeyMetadata?.KeyId, Plaintext: secret, EncryptionContext: CONTEXT }),
    );
    const opened = await admin.send(
      new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob, EncryptionContext: CONTEXT }),
    );

    // Assess
    expect(KeyMetadata).toMatchObject({ KeyState: 'Enabled', KeySpec: 'SYMMETRIC_DEFAULT', Enabled: true });
    expect(sealed.KeyId).toBe(KeyMetadata?.Arn);
    expect(Buffer.from(sealed.CiphertextBlob ?? []).includes(Buffer.from(secret))).toBe(false);
    expect(opened.KeyId).toBe(KeyMetadata?.Arn);
    expect(new TextDecoder().decode(opened.Plaintext)).toBe('-----BEGIN PRIVATE KEY-----\nabc\n');
  });

  it('generates a data key whose ciphertext opens to the same bytes', async () => {
    // Prepare
    const { KeyMetadata } = await admin.send(new CreateKeyCommand({}));

    // Act
    const generated = await admin.send(
      new GenerateDataKeyCommand({ KeyId: KeyMetadata?.Arn, KeySpec: 'AES_256', EncryptionContext: CONTEXT }),
    );
    const opened = await admin.send(
      new DecryptCommand({
        KeyId: KeyMetadata?.KeyId,
        CiphertextBlob: generated.CiphertextBlob,
        EncryptionContext: CONTEXT,
      }),
    );
    const both = await failureOf(
      admin.send(
        new GenerateDataKeyCommand({ KeyId: KeyMetadata?.Arn, KeySpec: 'AES_256', NumberOfBytes: 32 }),
      ),
    );

    // Assess
    expect(generated.Plaintext?.length).toBe(32);
    expect(Buffer.from(opened.Plaintext ?? []).equals(Buffer.from(generated.Plaintext ?? []))).toBe(true);
    expect(both).toMatchObject({ name: 'ValidationException' });
  });

  it('refuses another encryption context, a changed byte and a blob relabelled with another key', async () => {
    // Prepare
    const { KeyMetadata: one } = await admin.send(new CreateKeyCommand({}));
    const { KeyMetadata: other } = await admin.send(new CreateKeyCommand({}));
    const { CiphertextBlob } = await admin.send(
      new EncryptCommand({ KeyId: one?.KeyId, Plaintext: Buffer.from('secret'), EncryptionContext: CONTEXT }),
    );
    const blob = Buffer.from(CiphertextBlob ?? []);
    const tampered = Buffer.from(blob);
    tampered[tampered.length - 1] = (tampered.at(-1) ?? 0) ^ 1;
    const relabelled = Buffer.from(
      blob.toString('latin1').replace(one?.KeyId ?? '', other?.KeyId ?? ''),
      'latin1',
    );

    // Act
    const wrongContext = await failureOf(
      admin.send(
        new DecryptCommand({ CiphertextBlob: blob, EncryptionContext: { ...CONTEXT, rotationId: 'r-2' } }),
      ),
    );
    const noContext = await failureOf(admin.send(new DecryptCommand({ CiphertextBlob: blob })));
    const changed = await failureOf(
      admin.send(new DecryptCommand({ CiphertextBlob: tampered, EncryptionContext: CONTEXT })),
    );
    const otherKey = await failureOf(
      admin.send(new DecryptCommand({ CiphertextBlob: relabelled, EncryptionContext: CONTEXT })),
    );
    const notOurs = await failureOf(
      admin.send(
        new DecryptCommand({ CiphertextBlob: Buffer.from('not a kms blob'), EncryptionContext: CONTEXT }),
      ),
    );
    const named = await failureOf(
      admin.send(
        new DecryptCommand({ KeyId: other?.KeyId, CiphertextBlob: blob, EncryptionContext: CONTEXT }),
      ),
    );

    // Assess
    for (const refused of [wrongContext, noContext, changed, otherKey, notOurs]) {
      expect(refused).toMatchObject({ name: 'InvalidCiphertextException' });
    }
    expect(named).toMatchObject({ name: 'IncorrectKeyException' });
  });

  it('resolves aliases by name and ARN, and refuses unknown ones and duplicates', async () => {
    // Prepare
    const { KeyMetadata } = await admin.send(new CreateKeyCommand({}));
    await admin.send(
      new CreateAliasCommand({ AliasName: 'alias/test/round', TargetKeyId: KeyMetadata?.KeyId }),
    );

    // Act
    const byName = await admin.send(new DescribeKeyCommand({ KeyId: 'alias/test/round' }));
    const byArn = await admin.send(
      new EncryptCommand({
        KeyId: `arn:aws:kms:us-east-1:${LOCAL_ACCOUNT_ID}:alias/test/round`,
        Plaintext: Buffer.from('x'),
      }),
    );
    const listed = await admin.send(new ListAliasesCommand({ KeyId: KeyMetadata?.KeyId }));
    const duplicate = await failureOf(
      admin.send(new CreateAliasCommand({ AliasName: 'alias/test/round', TargetKeyId: KeyMetadata?.KeyId })),
    );
    const reserved = await failureOf(
      admin.send(new CreateAliasCommand({ AliasName: 'alias/aws/mine', TargetKeyId: KeyMetadata?.KeyId })),
    );
    const unknownAlias = await failureOf(admin.send(new DescribeKeyCommand({ KeyId: 'alias/nobody' })));
    const unknownKey = await failureOf(
      admin.send(new DescribeKeyCommand({ KeyId: '11111111-2222-3333-4444-555555555555' })),
    );

    // Assess
    expect(byName.KeyMetadata?.KeyId).toBe(KeyMetadata?.KeyId);
    expect(byArn.KeyId).toBe(KeyMetadata?.Arn);
    expect(listed.Aliases?.map((a) => a.AliasName)).toEqual(['alias/test/round']);
    expect(duplicate).toMatchObject({ name: 'AlreadyExistsException' });
    expect(reserved).toMatchObject({ name: 'NotAuthorizedException' });
    expect(unknownAlias).toMatchObject({ name: 'NotFoundException' });
    expect(unknownKey).toMatchObject({ name: 'NotFoundException' });
  });

  it('lets only the principal the key policy names use the key; the account may only administer it', async () => {
    // Prepare
    const keyArn = await pendingStyleKey();
    const sealed = await rotation.send(
      new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: 'AES_256', EncryptionContext: CONTEXT }),
    );

    // Act
    const opened = await rotation.send(
      new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob, EncryptionContext: CONTEXT }),
    );
    const bobDecrypt = await failureOf(
      bob.send(new DecryptCommand({ CiphertextBlob: sealed.CiphertextBlob, EncryptionContext: CONTEXT })),
    );
    const adminGenerate = await failureOf(
      admin.send(new GenerateDataKeyCommand({ KeyId: keyArn, KeySpec: 'AES_256' })),
    );
    const adminDescribe = await admin.send(new DescribeKeyCommand({ KeyId: keyArn }));

    // Assess
    expect(Buffer.from(opened.Plaintext ?? []).equals(Buffer.from(sealed.Plaintext ?? []))).toBe(true);
    expect(bobDecrypt).toMatchObject({ name: 'AccessDeniedException' });
    expect((bobDecrypt as Error).message).toMatch(
      /user\/bob is not authorized to perform: kms:Decrypt on resource: .* because no resource-based policy allows/,
    );
    expect(adminGenerate).toMatchObject({ name: 'AccessDeniedException' });
    expect(adminDescribe.KeyMetadata?.Arn).toBe(keyArn);
  });

  it('lets IAM decide where the policy names the account, and an explicit Deny wins', async () => {
    // Prepare: the default key policy (account root, kms:*) plus a Deny of Decrypt for bob.
    const bobArn = `arn:aws:iam::${LOCAL_ACCOUNT_ID}:user/bob`;
    const { KeyMetadata } = await admin.send(
      new CreateKeyCommand({
        Policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Principal: { AWS: LOCAL_ACCOUNT_ID }, Action: 'kms:*', Resource: '*' },
            { Effect: 'Deny', Principal: { AWS: bobArn }, Action: 'kms:Decr*', Resource: '*' },
          ],
        }),
      }),
    );
    const { CiphertextBlob } = await bob.send(
      new EncryptCommand({ KeyId: KeyMetadata?.KeyId, Plaintext: Buffer.from('x') }),
    );

    // Act
    const denied = await failureOf(bob.send(new DecryptCommand({ CiphertextBlob })));
    iam = (caller) => (caller.arn.includes('assumed-role/meshwarden-functions/') ? 'no-allow' : 'allow');
    const noIamAllow = await failureOf(rotation.send(new DecryptCommand({ CiphertextBlob })));
    iam = () => 'allow';
    const iamAllows = await rotation.send(new DecryptCommand({ CiphertextBlob }));

    // Assess
    expect(denied).toMatchObject({ name: 'AccessDeniedException' });
    expect((denied as Error).message).toMatch(/explicit deny in a resource-based policy/);
    expect(noIamAllow).toMatchObject({ name: 'AccessDeniedException' });
    expect((noIamAllow as Error).message).toMatch(/no identity-based policy allows/);
    expect(new TextDecoder().decode(iamAllows.Plaintext)).toBe('x');
  });

  it('refuses a key policy that is malformed or would lock its author out', async () => {
    // Prepare
    const keyArn = await pendingStyleKey();
    const lockout = JSON.stringify(pendingKeyPolicy(`arn:aws:iam::111122223333:root`, [FUNCTIONS_ROLE]));

    // Act
    const notJson = await failureOf(admin.send(new PutKeyPolicyCommand({ KeyId: keyArn, Policy: '{' })));
    const wildcardPrincipal = await failureOf(
      admin.send(
        new CreateKeyCommand({
          Policy: JSON.stringify({
            Statement: [
              {
                Effect: 'Allow',
                Principal: { AWS: `arn:aws:iam::${LOCAL_ACCOUNT_ID}:role/*` },
                Action: 'kms:*',
                Resource: '*',
              },
            ],
          }),
        }),
      ),
    );
    const lockedOut = await failureOf(
      admin.send(new PutKeyPolicyCommand({ KeyId: keyArn, Policy: lockout })),
    );
    const bypassed = await admin.send(
      new PutKeyPolicyCommand({ KeyId: keyArn, Policy: lockout, BypassPolicyLockoutSafetyCheck: true }),
    );
    const afterwards = await failureOf(admin.send(new GetKeyPolicyCommand({ KeyId: keyArn })));

    // Assess
    expect(notJson).toMatchObject({ name: 'MalformedPolicyDocumentException' });
    expect(wildcardPrincipal).toMatchObject({ name: 'MalformedPolicyDocumentException' });
    expect(lockedOut).toMatchObject({ name: 'MalformedPolicyDocumentException' });
    expect(bypassed.$metadata.httpStatusCode).toBe(200);
    expect(afterwards).toMatchObject({ name: 'AccessDeniedException' });
  });

  it('refuses a disabled key and one pending deletion', async () => {
    // Prepare
    const { KeyMetadata } = await admin.send(new CreateKeyCommand({}));
    const KeyId = KeyMetadata?.KeyId;
    const { CiphertextBlob } = await admin.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('x') }));

    // Act
    await admin.send(new DisableKeyCommand({ KeyId }));
    const disabled = await failureOf(admin.send(new DecryptCommand({ CiphertextBlob })));
    await admin.send(new EnableKeyCommand({ KeyId }));
    const enabledAgain = await admin.send(new DecryptCommand({ CiphertextBlob }));
    const badWindow = await failureOf(
      admin.send(new ScheduleKeyDeletionCommand({ KeyId, PendingWindowInDays: 3 })),
    );
    const scheduled = await admin.send(new ScheduleKeyDeletionCommand({ KeyId, PendingWindowInDays: 7 }));
    const pending = await failureOf(admin.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('x') })));

    // Assess
    expect(disabled).toMatchObject({ name: 'DisabledException' });
    expect(new TextDecoder().decode(enabledAgain.Plaintext)).toBe('x');
    expect(badWindow).toMatchObject({ name: 'ValidationException' });
    expect(scheduled.KeyState).toBe('PendingDeletion');
    expect(pending).toMatchObject({ name: 'KMSInvalidStateException' });
  });

  it('validates sizes as KMS does', async () => {
    // Prepare
    const { KeyMetadata } = await admin.send(new CreateKeyCommand({}));

    // Act
    const tooLarge = await failureOf(
      admin.send(new EncryptCommand({ KeyId: KeyMetadata?.KeyId, Plaintext: Buffer.alloc(4097, 1) })),
    );
    const largest = await admin.send(
      new EncryptCommand({ KeyId: KeyMetadata?.KeyId, Plaintext: Buffer.alloc(4096, 1) }),
    );

    // Assess
    expect(tooLarge).toMatchObject({ name: 'ValidationException' });
    expect(largest.CiphertextBlob?.length).toBeGreaterThan(4096);
  });

  it('records key management in CloudTrail, without plaintexts, and not the cryptographic calls', async () => {
    // Prepare
    const before = edge.events.length;

    // Act
    const { KeyMetadata } = await admin.send(new CreateKeyCommand({ Description: 'trail' }));
    await admin.send(new EncryptCommand({ KeyId: KeyMetadata?.KeyId, Plaintext: Buffer.from('hush') }));

    // Assess
    const trail = edge.events.slice(before);
    expect(trail.map((e) => [e.source, e.detail.eventName])).toEqual([['aws.kms', 'CreateKey']]);
    expect(JSON.stringify(trail)).not.toContain(Buffer.from('hush').toString('base64'));
  });

  it('answers malformed members of every operation with a 4xx, never a crash', async () => {
    // Prepare
    const service = new KmsService({ ...edge.context, dataDir: undefined });
    const caller = new IdentityRegistry(DEFAULT_IDENTITIES).get('test');
    if (caller === undefined) throw new Error('no admin identity');
    const operations = [
      'CreateKey',
      'DescribeKey',
      'ListKeys',
      'CreateAlias',
      'DeleteAlias',
      'ListAliases',
      'Encrypt',
      'Decrypt',
      'GenerateDataKey',
      'GetKeyPolicy',
      'PutKeyPolicy',
      'EnableKey',
      'DisableKey',
      'EnableKeyRotation',
      'GetKeyRotationStatus',
      'ScheduleKeyDeletion',
      'CancelKeyDeletion',
    ];
    const bad = [5, 'x', null, [], {}, { __proto__: 'a' }, '../..', 'alias/', 'arn:aws:kms:::key/'];
    const members = [
      'KeyId',
      'Plaintext',
      'CiphertextBlob',
      'EncryptionContext',
      'KeySpec',
      'NumberOfBytes',
      'Policy',
      'AliasName',
      'TargetKeyId',
      'Limit',
      'Marker',
      'PendingWindowInDays',
      'Tags',
      'Description',
    ];

    // Act
    const statuses = new Set<number>();
    for (const operation of operations) {
      for (const member of members) {
        for (const value of bad) {
          const response = await service.handle({
            service: 'kms',
            region: 'us-east-1',
            method: 'POST',
            path: '/',
            query: new URLSearchParams(),
            headers: { 'x-amz-target': `TrentService.${operation}` },
            body: Buffer.from(JSON.stringify({ [member]: value })),
            caller,
            requestId: 'fuzz',
          });
          statuses.add(response.status);
        }
      }
    }

    // Assess
    expect([...statuses].filter((s) => s >= 500)).toEqual([]);
    expect(statuses.has(400)).toBe(true);
  });

  it('keeps key material across a restart, so old ciphertexts still open', async () => {
    // Prepare
    const { KeyMetadata } = await admin.send(new CreateKeyCommand({}));
    const { CiphertextBlob } = await admin.send(
      new EncryptCommand({
        KeyId: KeyMetadata?.KeyId,
        Plaintext: Buffer.from('kept'),
        EncryptionContext: CONTEXT,
      }),
    );
    const restarted = await startTestEdge((context) => [new KmsService(context)], { dataDir });
    const client = new KMSClient({ ...restarted.clientConfig, maxAttempts: 1 });

    // Act
    const opened = await client
      .send(new DecryptCommand({ CiphertextBlob, EncryptionContext: CONTEXT }))
      .finally(() => restarted.close());

    // Assess
    expect(new TextDecoder().decode(opened.Plaintext)).toBe('kept');
  });
});
