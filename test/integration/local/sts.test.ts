import { GetCallerIdentityCommand, GetSessionTokenCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StsService } from '../../../infra/local/services/sts/sts-service';
import { CREDENTIALS, startTestEdge, type TestEdge } from '../../support/local-edge';

describe('local STS', () => {
  let edge: TestEdge;
  beforeAll(async () => {
    edge = await startTestEdge(() => [new StsService()]);
  });
  afterAll(() => edge.close());

  const sts = (credentials: { accessKeyId: string; secretAccessKey: string }) =>
    new STSClient({ endpoint: edge.endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });

  it('answers GetCallerIdentity for an assumed-role session', async () => {
    // Act
    const out = await sts(CREDENTIALS.oidcDeveloper).send(new GetCallerIdentityCommand({}));

    // Assess
    expect(out.Account).toBe('000000000000');
    expect(out.Arn).toBe('arn:aws:sts::000000000000:assumed-role/MeshDeveloper/alice');
    expect(out.UserId).toMatch(/^AROA\w+:alice$/);
  });

  it('answers GetCallerIdentity for an IAM user with its own identity', async () => {
    // Act
    const out = await sts(CREDENTIALS.iamUser).send(new GetCallerIdentityCommand({}));

    // Assess
    expect(out.Arn).toBe('arn:aws:iam::000000000000:user/bob');
    expect(out.UserId).toMatch(/^AIDA\w+$/);
    expect(out.Account).toBe('000000000000');
  });

  it('refuses an action it does not emulate with InvalidAction', async () => {
    await expect(sts(CREDENTIALS.admin).send(new GetSessionTokenCommand({}))).rejects.toMatchObject({
      name: 'InvalidAction',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('refuses an unknown access key as STS does', async () => {
    await expect(
      sts({ accessKeyId: 'nobody', secretAccessKey: 'x' }).send(new GetCallerIdentityCommand({})),
    ).rejects.toMatchObject({
      name: 'InvalidClientTokenId',
    });
  });
});
