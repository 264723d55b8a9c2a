import { ACMPCAClient, CreateCertificateAuthorityCommand } from '@aws-sdk/client-acm-pca';
import { AppMeshClient, CreateMeshCommand, ListMeshesCommand } from '@aws-sdk/client-app-mesh';
import { CloudWatchClient, DescribeAlarmsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_IDENTITIES, IdentityRegistry } from '../../../infra/local/edge/identities';
import { SessionStore } from '../../../infra/local/edge/sessions';
import { PerAccountService } from '../../../infra/local/per-account-service';
import { AcmPcaService } from '../../../infra/local/services/acm-pca/service';
import { AppMeshService } from '../../../infra/local/services/appmesh/appmesh-service';
import { CloudWatchService } from '../../../infra/local/services/cloudwatch/cloudwatch-service';
import { SecretsManagerService } from '../../../infra/local/services/secretsmanager/secretsmanager-service';
import { StsService } from '../../../infra/local/services/sts/sts-service';
import { CREDENTIALS, startTestEdge, type TestEdge } from '../../support/local-edge';

const CENTRAL = DEFAULT_IDENTITIES.accountId;
const MEMBER = '222222222222';
const MEMBER_ROLE = `arn:aws:iam::${MEMBER}:role/meshwarden-member-access`;
const MEMBER_ADMIN = { accessKeyId: 'member-admin', secretAccessKey: 'member-admin-secret' };

/** Local AWS with two accounts: the demo's, and a member account with an admin and meshwarden's role. */
describe('local AWS with several accounts', () => {
  let edge: TestEdge;
  let clock = Date.now();
  const region = 'us-east-1';

  beforeAll(async () => {
    const now = () => new Date(clock);
    const identities = new IdentityRegistry({
      ...DEFAULT_IDENTITIES,
      identities: [
        ...DEFAULT_IDENTITIES.identities,
        {
          type: 'AssumedRole',
          ...MEMBER_ADMIN,
          roleName: 'PlatformAdmin',
          sessionName: 'admin',
          accountId: MEMBER,
        },
      ],
      roles: [
        {
          accountId: MEMBER,
          roleName: 'meshwarden-member-access',
          trustedPrincipals: [`arn:aws:iam::${CENTRAL}:role/meshwarden-functions`],
        },
        {
          accountId: MEMBER,
          roleName: 'mesh-reader',
          trustedPrincipals: [`arn:aws:iam::${CENTRAL}:role/meshwarden-functions`],
          policies: [
            {
              Version: '2012-10-17',
              Statement: [{ Effect: 'Allow', Action: ['appmesh:Describe*', 'appmesh:List*'], Resource: '*' }],
            },
          ],
        },
      ],
    });
    const sessions = new SessionStore();
    edge = await startTestEdge(
      (context) => [
        new StsService({ identities, sessions, now }),
        new PerAccountService(context, (c) => new AppMeshService(c)),
        new PerAccountService(context, (c) => new CloudWatchService(c)),
        new PerAccountService(context, (c) => new SecretsManagerService(c)),
        new PerAccountService(context, (c) => new AcmPcaService(c, { issueDelayMs: 0 })),
      ],
      { identities, sessions, now },
    );
  });
  afterAll(() => edge.close());

  type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  const sts = (credentials: Credentials) =>
    new STSClient({ endpoint: edge.endpoint, region, credentials, maxAttempts: 1 });
  const appmesh = (credentials: Credentials) =>
    new AppMeshClient({ endpoint: edge.endpoint, region, credentials, maxAttempts: 1 });

  async function assumeMemberRole(sessionName = 'meshwarden'): Promise<Required<Credentials>> {
    const out = await sts(CREDENTIALS.meshwarden).send(
      new AssumeRoleCommand({ RoleArn: MEMBER_ROLE, RoleSessionName: sessionName, DurationSeconds: 900 }),
    );
    const c = out.Credentials;
    return {
      accessKeyId: c?.AccessKeyId ?? '',
      secretAccessKey: c?.SecretAccessKey ?? '',
      sessionToken: c?.SessionToken ?? '',
    };
  }

  it('issues temporary credentials for a role whose trust names the caller, valid as a session in its account', async () => {
    // Act
    const out = await sts(CREDENTIALS.meshwarden).send(
      new AssumeRoleCommand({ RoleArn: MEMBER_ROLE, RoleSessionName: 'meshwarden', DurationSeconds: 900 }),
    );
    const who = await sts({
      accessKeyId: out.Credentials?.AccessKeyId ?? '',
      secretAccessKey: out.Credentials?.SecretAccessKey ?? '',
      sessionToken: out.Credentials?.SessionToken ?? '',
    }).send(new GetCallerIdentityCommand({}));

    // Assess
    expect(out.Credentials?.AccessKeyId).toMatch(/^ASIA/);
    expect(out.Credentials?.Expiration?.getTime()).toBe(Math.floor(clock / 1000) * 1000 + 900_000);
    expect(out.AssumedRoleUser?.Arn).toBe(
      `arn:aws:sts::${MEMBER}:assumed-role/meshwarden-member-access/meshwarden`,
    );
    expect(who.Account).toBe(MEMBER);
    expect(who.Arn).toBe(`arn:aws:sts::${MEMBER}:assumed-role/meshwarden-member-access/meshwarden`);
  });

  it('refuses AssumeRole to a caller the trust policy does not name, and for a role that does not exist', async () => {
    await expect(
      sts(CREDENTIALS.admin).send(new AssumeRoleCommand({ RoleArn: MEMBER_ROLE, RoleSessionName: 'admin' })),
    ).rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    await expect(
      sts(CREDENTIALS.meshwarden).send(
        new AssumeRoleCommand({
          RoleArn: `arn:aws:iam::${MEMBER}:role/no-such-role`,
          RoleSessionName: 'meshwarden',
        }),
      ),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  it('refuses a session longer than the role allows, and a malformed session name', async () => {
    await expect(
      sts(CREDENTIALS.meshwarden).send(
        new AssumeRoleCommand({ RoleArn: MEMBER_ROLE, RoleSessionName: 'meshwarden', DurationSeconds: 7200 }),
      ),
    ).rejects.toMatchObject({
      name: 'ValidationError',
      message: expect.stringContaining('MaxSessionDuration'),
    });
    await expect(
      sts(CREDENTIALS.meshwarden).send(
        new AssumeRoleCommand({ RoleArn: MEMBER_ROLE, RoleSessionName: 'a b' }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationError' });
  });

  it('refuses temporary credentials without their session token, or with another', async () => {
    // Prepare
    const session = await assumeMemberRole();
    const other = await assumeMemberRole();

    // Act / Assess
    await expect(
      appmesh({ accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey }).send(
        new ListMeshesCommand({}),
      ),
    ).rejects.toMatchObject({ name: 'UnrecognizedClientException', $metadata: { httpStatusCode: 403 } });
    await expect(
      appmesh({ ...session, sessionToken: other.sessionToken }).send(new ListMeshesCommand({})),
    ).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
    await expect(
      sts({ accessKeyId: session.accessKeyId, secretAccessKey: session.secretAccessKey }).send(
        new GetCallerIdentityCommand({}),
      ),
    ).rejects.toMatchObject({ name: 'InvalidClientTokenId' });
  });

  it('refuses expired temporary credentials with ExpiredToken', async () => {
    // Prepare
    const session = await assumeMemberRole();
    const before = clock;
    clock += 901_000;
    try {
      // Act / Assess: the JSON protocols' name and the query protocol's.
      await expect(appmesh(session).send(new ListMeshesCommand({}))).rejects.toMatchObject({
        name: 'ExpiredTokenException',
        $metadata: { httpStatusCode: 403 },
      });
      await expect(sts(session).send(new GetCallerIdentityCommand({}))).rejects.toMatchObject({
        name: 'ExpiredToken',
      });
    } finally {
      clock = before;
    }
  });

  it("acts under the assumed role's own policies: a read-only role's session may read, not write", async () => {
    // Prepare
    const out = await sts(CREDENTIALS.meshwarden).send(
      new AssumeRoleCommand({
        RoleArn: `arn:aws:iam::${MEMBER}:role/mesh-reader`,
        RoleSessionName: 'reader',
      }),
    );
    const reader = appmesh({
      accessKeyId: out.Credentials?.AccessKeyId ?? '',
      secretAccessKey: out.Credentials?.SecretAccessKey ?? '',
      sessionToken: out.Credentials?.SessionToken ?? '',
    });

    // Act
    const listed = await reader.send(new ListMeshesCommand({}));
    const created = await reader.send(new CreateMeshCommand({ meshName: 'not-allowed' })).then(
      () => undefined,
      (error: unknown) => error,
    );

    // Assess
    expect(listed.meshes).toBeDefined();
    expect(created).toMatchObject({ name: 'AccessDeniedException' });
    expect((created as Error).message).toContain(
      `assumed-role/mesh-reader/reader is not authorized to perform: appmesh:CreateMesh`,
    );
  });

  it("keeps each account's meshes apart, and records a call in the account whose mesh it is", async () => {
    // Prepare
    const session = await assumeMemberRole();
    edge.events.length = 0;

    // Act: the same name in both accounts.
    const inMember = await appmesh(session).send(new CreateMeshCommand({ meshName: 'shared-name' }));
    const inCentral = await appmesh(CREDENTIALS.admin).send(
      new CreateMeshCommand({ meshName: 'shared-name' }),
    );
    const memberOnly = await appmesh(session).send(new CreateMeshCommand({ meshName: 'member-only' }));

    // Assess
    expect(inMember.mesh?.metadata?.arn).toBe(`arn:aws:appmesh:${region}:${MEMBER}:mesh/shared-name`);
    expect(inMember.mesh?.metadata?.meshOwner).toBe(MEMBER);
    expect(inCentral.mesh?.metadata?.arn).toBe(`arn:aws:appmesh:${region}:${CENTRAL}:mesh/shared-name`);
    expect(memberOnly.mesh?.metadata?.uid).toBeDefined();
    const central = await appmesh(CREDENTIALS.admin).send(new ListMeshesCommand({}));
    const member = await appmesh(MEMBER_ADMIN).send(new ListMeshesCommand({}));
    expect(central.meshes?.map((m) => m.meshName)).toEqual(['shared-name']);
    expect(member.meshes?.map((m) => m.meshName).sort()).toEqual(['member-only', 'shared-name']);
    const trail = edge.events.map((e) => ({
      account: e.account,
      recipient: e.detail.recipientAccountId,
      who: (e.detail.userIdentity as { arn?: string }).arn,
    }));
    expect(trail).toEqual([
      {
        account: MEMBER,
        recipient: MEMBER,
        who: `arn:aws:sts::${MEMBER}:assumed-role/meshwarden-member-access/meshwarden`,
      },
      {
        account: CENTRAL,
        recipient: CENTRAL,
        who: `arn:aws:sts::${CENTRAL}:assumed-role/PlatformAdmin/admin`,
      },
      {
        account: MEMBER,
        recipient: MEMBER,
        who: `arn:aws:sts::${MEMBER}:assumed-role/meshwarden-member-access/meshwarden`,
      },
    ]);
  });

  it("keeps each account's alarms, secrets and private CAs apart", async () => {
    // Prepare
    const alarm = {
      AlarmName: 'web-5xx',
      Namespace: 'AWS/ApplicationELB',
      MetricName: 'HTTPCode_Target_5XX_Count',
      Statistic: 'Sum' as const,
      Period: 60,
      EvaluationPeriods: 1,
      Threshold: 5,
      ComparisonOperator: 'GreaterThanThreshold' as const,
    };
    const config = (credentials: Credentials) => ({ endpoint: edge.endpoint, region, credentials });

    // Act
    await new CloudWatchClient(config(MEMBER_ADMIN)).send(new PutMetricAlarmCommand(alarm));
    await new CloudWatchClient(config(CREDENTIALS.admin)).send(
      new PutMetricAlarmCommand({ ...alarm, Threshold: 50 }),
    );
    for (const [credentials, value] of [
      [MEMBER_ADMIN, 'member'],
      [CREDENTIALS.admin, 'central'],
    ] as const) {
      await new SecretsManagerClient(config(credentials)).send(
        new CreateSecretCommand({ Name: 'meshwarden/tls', SecretString: value }),
      );
    }
    const ca = await new ACMPCAClient(config(MEMBER_ADMIN)).send(
      new CreateCertificateAuthorityCommand({
        CertificateAuthorityType: 'ROOT',
        CertificateAuthorityConfiguration: {
          KeyAlgorithm: 'EC_prime256v1',
          SigningAlgorithm: 'SHA256WITHECDSA',
          Subject: { CommonName: 'member root' },
        },
      }),
    );

    // Assess
    const memberAlarms = await new CloudWatchClient(config(MEMBER_ADMIN)).send(new DescribeAlarmsCommand({}));
    const centralAlarms = await new CloudWatchClient(config(CREDENTIALS.admin)).send(
      new DescribeAlarmsCommand({}),
    );
    expect(memberAlarms.MetricAlarms?.map((a) => [a.AlarmArn, a.Threshold])).toEqual([
      [`arn:aws:cloudwatch:${region}:${MEMBER}:alarm:web-5xx`, 5],
    ]);
    expect(centralAlarms.MetricAlarms?.map((a) => [a.AlarmArn, a.Threshold])).toEqual([
      [`arn:aws:cloudwatch:${region}:${CENTRAL}:alarm:web-5xx`, 50],
    ]);
    const memberSecret = await new SecretsManagerClient(config(MEMBER_ADMIN)).send(
      new GetSecretValueCommand({ SecretId: 'meshwarden/tls' }),
    );
    expect(memberSecret.SecretString).toBe('member');
    expect(memberSecret.ARN).toContain(`:${MEMBER}:secret:meshwarden/tls`);
    expect(ca.CertificateAuthorityArn).toContain(`:${MEMBER}:certificate-authority/`);
  });
});
