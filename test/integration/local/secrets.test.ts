import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretsManagerService } from '../../../infra/local/services/secretsmanager/secretsmanager-service';
import { startTestEdge, type TestEdge } from '../../support/local-edge';

/** Settle a call that should fail, so the error is asserted after acting without an unhandled rejection. */
const failureOf = (call: Promise<unknown>): Promise<unknown> =>
  call.then(
    () => new Error('expected the call to fail'),
    (error: unknown) => error,
  );

const TOKEN_A = 'aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa';
const TOKEN_B = 'bbbbbbbb-bbbb-4bbb-8bbb-bbbbbbbbbbbb';
const TOKEN_C = 'cccccccc-cccc-4ccc-8ccc-cccccccccccc';

describe('local Secrets Manager', () => {
  let dataDir: string;
  let edge: TestEdge;
  let sm: SecretsManagerClient;
  let n = 0;
  const uniqueName = (base: string) => `${base}-${++n}`;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'secrets-'));
    edge = await startTestEdge((context) => [new SecretsManagerService(context)], { dataDir });
    sm = new SecretsManagerClient({ ...edge.clientConfig, maxAttempts: 1 });
  });
  afterAll(async () => {
    await edge.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const stagesOf = async (id: string) =>
    (await sm.send(new DescribeSecretCommand({ SecretId: id }))).VersionIdsToStages;

  it('creates a string secret and reads it by name and by ARN', async () => {
    // Prepare
    const name = uniqueName('meshwarden/slack');

    // Act
    const created = await sm.send(
      new CreateSecretCommand({
        Name: name,
        SecretString: '{"botToken":"xoxb-1"}',
        Tags: [{ Key: 'app', Value: 'meshwarden' }],
      }),
    );
    const byName = await sm.send(new GetSecretValueCommand({ SecretId: name }));
    const byArn = await sm.send(new GetSecretValueCommand({ SecretId: created.ARN }));

    // Assess
    expect(created.ARN).toMatch(
      new RegExp(`^arn:aws:secretsmanager:us-east-1:000000000000:secret:${name}-[A-Za-z0-9]{6}$`),
    );
    expect(created.VersionId).toBeDefined();
    expect(byName).toMatchObject({
      Name: name,
      SecretString: '{"botToken":"xoxb-1"}',
      VersionStages: ['AWSCURRENT'],
    });
    expect(byArn.VersionId).toBe(created.VersionId);
    expect(byName.CreatedDate).toBeInstanceOf(Date);
    const described = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    expect(described.Tags).toEqual([{ Key: 'app', Value: 'meshwarden' }]);
  });

  it('stores binary secrets byte for byte', async () => {
    // Prepare
    const name = uniqueName('binary');
    const bytes = Uint8Array.from([0, 1, 2, 254, 255]);

    // Act
    await sm.send(new CreateSecretCommand({ Name: name, SecretBinary: bytes }));
    const out = await sm.send(new GetSecretValueCommand({ SecretId: name }));

    // Assess
    expect(out.SecretString).toBeUndefined();
    expect(Array.from(out.SecretBinary ?? [])).toEqual([0, 1, 2, 254, 255]);
  });

  it('moves AWSCURRENT to each new version and AWSPREVIOUS to the one before', async () => {
    // Prepare
    const name = uniqueName('rotating');
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'v1', ClientRequestToken: TOKEN_A }));

    // Act
    const second = await sm.send(
      new PutSecretValueCommand({ SecretId: name, SecretString: 'v2', ClientRequestToken: TOKEN_B }),
    );
    const third = await sm.send(
      new PutSecretValueCommand({ SecretId: name, SecretString: 'v3', ClientRequestToken: TOKEN_C }),
    );

    // Assess
    expect(second.VersionStages).toEqual(['AWSCURRENT']);
    expect(third.VersionId).toBe(TOKEN_C);
    expect(await stagesOf(name)).toEqual({ [TOKEN_B]: ['AWSPREVIOUS'], [TOKEN_C]: ['AWSCURRENT'] });
    expect((await sm.send(new GetSecretValueCommand({ SecretId: name }))).SecretString).toBe('v3');
    expect(
      (await sm.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPREVIOUS' })))
        .SecretString,
    ).toBe('v2');
    // A version without labels is deprecated but still readable by id.
    expect(
      (await sm.send(new GetSecretValueCommand({ SecretId: name, VersionId: TOKEN_A }))).SecretString,
    ).toBe('v1');
  });

  it('puts a version under a custom label without touching AWSCURRENT', async () => {
    // Prepare
    const name = uniqueName('staged');
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'live', ClientRequestToken: TOKEN_A }));

    // Act
    const pending = await sm.send(
      new PutSecretValueCommand({
        SecretId: name,
        SecretString: 'next',
        ClientRequestToken: TOKEN_B,
        VersionStages: ['AWSPENDING'],
      }),
    );

    // Assess
    expect(pending.VersionStages).toEqual(['AWSPENDING']);
    expect(await stagesOf(name)).toEqual({ [TOKEN_A]: ['AWSCURRENT'], [TOKEN_B]: ['AWSPENDING'] });
    expect((await sm.send(new GetSecretValueCommand({ SecretId: name }))).SecretString).toBe('live');
    expect(
      (await sm.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPENDING' }))).SecretString,
    ).toBe('next');
  });

  it('treats a retried PutSecretValue with the same token and content as the same version', async () => {
    // Prepare
    const name = uniqueName('idempotent');
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'v1', ClientRequestToken: TOKEN_A }));
    await sm.send(
      new PutSecretValueCommand({ SecretId: name, SecretString: 'v2', ClientRequestToken: TOKEN_B }),
    );

    // Act
    const retry = await sm.send(
      new PutSecretValueCommand({ SecretId: name, SecretString: 'v2', ClientRequestToken: TOKEN_B }),
    );

    // Assess
    expect(retry.VersionId).toBe(TOKEN_B);
    expect(await stagesOf(name)).toEqual({ [TOKEN_A]: ['AWSPREVIOUS'], [TOKEN_B]: ['AWSCURRENT'] });
  });

  it('refuses a reused token that carries different content', async () => {
    // Prepare
    const name = uniqueName('token-clash');
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'v1', ClientRequestToken: TOKEN_A }));

    // Act
    const act = await failureOf(
      sm.send(
        new PutSecretValueCommand({ SecretId: name, SecretString: 'other', ClientRequestToken: TOKEN_A }),
      ),
    );

    // Assess
    expect(act).toMatchObject({ name: 'ResourceExistsException', message: expect.stringContaining(TOKEN_A) });
    expect((await sm.send(new GetSecretValueCommand({ SecretId: name }))).SecretString).toBe('v1');
  });

  it('answers a retried CreateSecret with the same token and content, and refuses a second creation', async () => {
    // Prepare
    const name = uniqueName('created-once');
    const first = await sm.send(
      new CreateSecretCommand({ Name: name, SecretString: 's', ClientRequestToken: TOKEN_A }),
    );

    // Act
    const retry = await sm.send(
      new CreateSecretCommand({ Name: name, SecretString: 's', ClientRequestToken: TOKEN_A }),
    );
    const second = await failureOf(
      sm.send(new CreateSecretCommand({ Name: name, SecretString: 's', ClientRequestToken: TOKEN_B })),
    );

    // Assess
    expect(retry).toMatchObject({ ARN: first.ARN, VersionId: TOKEN_A });
    expect(second).toMatchObject({ name: 'ResourceExistsException' });
  });

  it('moves a label with UpdateSecretVersionStage, carrying AWSPREVIOUS along for AWSCURRENT', async () => {
    // Prepare
    const name = uniqueName('rollback');
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'v1', ClientRequestToken: TOKEN_A }));
    await sm.send(
      new PutSecretValueCommand({ SecretId: name, SecretString: 'v2', ClientRequestToken: TOKEN_B }),
    );

    // Act
    await sm.send(
      new UpdateSecretVersionStageCommand({
        SecretId: name,
        VersionStage: 'AWSCURRENT',
        RemoveFromVersionId: TOKEN_B,
        MoveToVersionId: TOKEN_A,
      }),
    );

    // Assess
    expect(await stagesOf(name)).toEqual({ [TOKEN_A]: ['AWSCURRENT'], [TOKEN_B]: ['AWSPREVIOUS'] });
    expect((await sm.send(new GetSecretValueCommand({ SecretId: name }))).SecretString).toBe('v1');
  });

  it('requires RemoveFromVersionId when the label is attached elsewhere, and never removes AWSCURRENT alone', async () => {
    // Prepare
    const name = uniqueName('stage-rules');
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'v1', ClientRequestToken: TOKEN_A }));
    await sm.send(
      new PutSecretValueCommand({
        SecretId: name,
        SecretString: 'v2',
        ClientRequestToken: TOKEN_B,
        VersionStages: ['blue'],
      }),
    );

    // Act
    const withoutRemove = await failureOf(
      sm.send(
        new UpdateSecretVersionStageCommand({
          SecretId: name,
          VersionStage: 'AWSCURRENT',
          MoveToVersionId: TOKEN_B,
        }),
      ),
    );
    const removeCurrent = await failureOf(
      sm.send(
        new UpdateSecretVersionStageCommand({
          SecretId: name,
          VersionStage: 'AWSCURRENT',
          RemoveFromVersionId: TOKEN_A,
        }),
      ),
    );
    await sm.send(
      new UpdateSecretVersionStageCommand({
        SecretId: name,
        VersionStage: 'blue',
        RemoveFromVersionId: TOKEN_B,
      }),
    );

    // Assess
    expect(withoutRemove).toMatchObject({
      name: 'InvalidParameterException',
      message: expect.stringContaining(`currently attached to version ${TOKEN_A}`),
    });
    expect(removeCurrent).toMatchObject({ name: 'InvalidParameterException' });
    expect(await stagesOf(name)).toEqual({ [TOKEN_A]: ['AWSCURRENT'] });
  });

  it('lists secrets with a name filter and pages through them', async () => {
    // Prepare
    const prefix = uniqueName('listed');
    for (const suffix of ['a', 'b', 'c']) {
      await sm.send(new CreateSecretCommand({ Name: `${prefix}/${suffix}`, SecretString: suffix }));
    }

    // Act
    const first = await sm.send(
      new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [prefix] }], MaxResults: 2 }),
    );
    const second = await sm.send(
      new ListSecretsCommand({
        Filters: [{ Key: 'name', Values: [prefix] }],
        MaxResults: 2,
        NextToken: first.NextToken,
      }),
    );

    // Assess
    expect(first.SecretList?.map((s) => s.Name)).toEqual([`${prefix}/a`, `${prefix}/b`]);
    expect(second.SecretList?.map((s) => s.Name)).toEqual([`${prefix}/c`]);
    expect(second.NextToken).toBeUndefined();
    expect(Object.values(first.SecretList?.[0]?.SecretVersionsToStages ?? {})).toEqual([['AWSCURRENT']]);
  });

  it('schedules deletion, refuses reads meanwhile, and force-deletes for good', async () => {
    // Prepare
    const name = uniqueName('deleted');
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'x' }));

    // Act
    const scheduled = await sm.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7 }));
    const read = await failureOf(sm.send(new GetSecretValueCommand({ SecretId: name })));
    const recreate = await failureOf(sm.send(new CreateSecretCommand({ Name: name, SecretString: 'y' })));
    const described = await sm.send(new DescribeSecretCommand({ SecretId: name }));
    await sm.send(new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true }));

    // Assess
    expect(scheduled.DeletionDate?.getTime()).toBeGreaterThan(Date.now() + 6 * 86_400_000);
    expect(read).toMatchObject({ name: 'InvalidRequestException' });
    expect(recreate).toMatchObject({ name: 'InvalidRequestException' });
    expect(described.DeletedDate).toBeInstanceOf(Date);
    await expect(sm.send(new DescribeSecretCommand({ SecretId: name }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('refuses bad input with the error AWS names', async () => {
    // Prepare
    const name = uniqueName('bad-input');
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'x' }));

    // Act + Assess: each call is one bad input
    await expect(sm.send(new GetSecretValueCommand({ SecretId: 'no-such-secret' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(
      sm.send(
        new CreateSecretCommand({
          Name: uniqueName('both'),
          SecretString: 'a',
          SecretBinary: Uint8Array.from([1]),
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(
      sm.send(new CreateSecretCommand({ Name: 'has spaces', SecretString: 'a' })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: expect.stringContaining('Name'),
    });
    await expect(
      sm.send(new PutSecretValueCommand({ SecretId: name, ClientRequestToken: 'short' })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: expect.stringContaining('ClientRequestToken'),
    });
    await expect(sm.send(new PutSecretValueCommand({ SecretId: name }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
    await expect(
      sm.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'nothing-here' })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    await expect(
      sm.send(
        new DeleteSecretCommand({
          SecretId: name,
          RecoveryWindowInDays: 7,
          ForceDeleteWithoutRecovery: true,
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });

  it('keeps secrets across a restart', async () => {
    // Prepare
    const name = uniqueName('persisted');
    await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'survives' }));

    // Act
    const restarted = await startTestEdge((context) => [new SecretsManagerService(context)], { dataDir });
    try {
      const client = new SecretsManagerClient({ ...restarted.clientConfig, maxAttempts: 1 });
      const out = await client.send(new GetSecretValueCommand({ SecretId: name }));

      // Assess
      expect(out.SecretString).toBe('survives');
    } finally {
      await restarted.close();
    }
  });
});
