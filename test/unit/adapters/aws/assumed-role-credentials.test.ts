import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AssumedRoleCredentials } from '../../../../shared/adapters/aws/assumed-role-credentials';

const sts = mockClient(STSClient);
const ROLE = 'arn:aws:iam::222222222222:role/meshwarden-member-access';
const OTHER = 'arn:aws:iam::333333333333:role/meshwarden-member-access';

function answer(id: string, expiration: Date) {
  return {
    Credentials: { AccessKeyId: id, SecretAccessKey: 's', SessionToken: 't', Expiration: expiration },
  };
}

describe('AssumedRoleCredentials', () => {
  let clock: number;
  const credentials = () =>
    new AssumedRoleCredentials(new STSClient({ region: 'us-east-1' }), {
      sessionName: 'meshwarden-test',
      now: () => new Date(clock),
    });
  beforeEach(() => {
    sts.reset();
    clock = Date.parse('2026-12-06T12:00:00Z');
  });

  it('assumes the role once and shares the credentials until shortly before they expire', async () => {
    // Prepare
    sts
      .on(AssumeRoleCommand)
      .resolvesOnce(answer('ASIA1', new Date(clock + 3600_000)))
      .resolvesOnce(answer('ASIA2', new Date(clock + 7200_000)));
    const provider = credentials().provider(ROLE);

    // Act
    const [a, b] = await Promise.all([provider(), provider()]);
    clock += 3600_000 - 6 * 60_000; // six minutes left: still good
    const c = await provider();
    clock += 2 * 60_000; // four minutes left: assume again
    const d = await provider();

    // Assess
    expect([a.accessKeyId, b.accessKeyId, c.accessKeyId, d.accessKeyId]).toEqual([
      'ASIA1',
      'ASIA1',
      'ASIA1',
      'ASIA2',
    ]);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
    expect(sts.commandCalls(AssumeRoleCommand)[0]?.args[0].input).toEqual({
      RoleArn: ROLE,
      RoleSessionName: 'meshwarden-test',
      DurationSeconds: 3600,
    });
  });

  it('keeps one set of credentials per role', async () => {
    // Prepare
    sts
      .on(AssumeRoleCommand, { RoleArn: ROLE })
      .resolves(answer('ASIA-B', new Date(clock + 3600_000)))
      .on(AssumeRoleCommand, { RoleArn: OTHER })
      .resolves(answer('ASIA-C', new Date(clock + 3600_000)));
    const shared = credentials();

    // Act
    const b = await shared.get(ROLE);
    const c = await shared.get(OTHER);

    // Assess
    expect([b.accessKeyId, c.accessKeyId]).toEqual(['ASIA-B', 'ASIA-C']);
  });

  it('does not keep a failed AssumeRole: the next call tries again', async () => {
    // Prepare
    sts
      .on(AssumeRoleCommand)
      .rejectsOnce(Object.assign(new Error('not authorized'), { name: 'AccessDenied' }))
      .resolves(answer('ASIA3', new Date(clock + 3600_000)));
    const shared = credentials();

    // Act / Assess
    await expect(shared.get(ROLE)).rejects.toThrow('not authorized');
    expect((await shared.get(ROLE)).accessKeyId).toBe('ASIA3');
  });

  it('refuses an answer without credentials', async () => {
    sts.on(AssumeRoleCommand).resolves({});
    await expect(credentials().get(ROLE)).rejects.toThrow(
      `STS AssumeRole ${ROLE} answered without credentials`,
    );
  });
});
