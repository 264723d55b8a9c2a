import { describe, expect, it } from 'vitest';
import { FaultInjector } from '../../../infra/local/edge/faults';
import {
  DEFAULT_IDENTITIES,
  IdentityRegistry,
  identitiesFileSchema,
} from '../../../infra/local/edge/identities';
import { parseAuthorization } from '../../../infra/local/edge/sigv4';
import { detectProtocol } from '../../../infra/local/protocol/wire-errors';

describe('parseAuthorization', () => {
  const header =
    'AWS4-HMAC-SHA256 Credential=test/20261126/us-east-1/appmesh/aws4_request, SignedHeaders=host;x-amz-date, Signature=' +
    'a'.repeat(64);

  it('reads key, scope and signed headers', () => {
    expect(parseAuthorization(header)).toEqual({
      accessKeyId: 'test',
      date: '20261126',
      region: 'us-east-1',
      service: 'appmesh',
      signedHeaders: ['host', 'x-amz-date'],
      signature: 'a'.repeat(64),
    });
  });

  it.each([
    ['missing', undefined],
    ['another scheme', 'Basic dGVzdDp0ZXN0'],
    ['a short signature', header.replace(/a{64}$/, 'abc')],
    ['a scope without service', header.replace('/appmesh/', '/')],
  ])('refuses %s', (_case, value) => {
    expect(parseAuthorization(value)).toBeUndefined();
  });
});

describe('IdentityRegistry', () => {
  const registry = new IdentityRegistry(DEFAULT_IDENTITIES);

  it('derives an AssumedRole userIdentity with its session issuer', () => {
    const admin = registry.get('test');
    expect(admin?.arn).toBe('arn:aws:sts::000000000000:assumed-role/PlatformAdmin/admin');
    expect(admin?.userIdentity).toMatchObject({
      type: 'AssumedRole',
      sessionContext: {
        sessionIssuer: { type: 'Role', arn: 'arn:aws:iam::000000000000:role/PlatformAdmin' },
      },
    });
  });

  it('carries OIDC claims under the provider host, as IAM condition keys name them', () => {
    const dev = registry.get('dev-oidc');
    expect(dev?.userIdentity).toMatchObject({
      sessionContext: {
        webIdFederationData: {
          federatedProvider: 'arn:aws:iam::000000000000:oidc-provider/token.actions.githubusercontent.com',
          attributes: { 'token.actions.githubusercontent.com:repository': 'acme/web' },
        },
      },
    });
  });

  it('derives an IAMUser identity', () => {
    expect(registry.get('ops-bob')?.userIdentity).toMatchObject({ type: 'IAMUser', userName: 'bob' });
  });

  it('refuses a file that lists an access key twice', () => {
    const twice = {
      ...DEFAULT_IDENTITIES,
      identities: [...DEFAULT_IDENTITIES.identities, DEFAULT_IDENTITIES.identities[0]],
    };
    expect(() => new IdentityRegistry(identitiesFileSchema.parse(twice))).toThrow(/"test" is listed twice/);
  });

  it('refuses an identity without a type, naming the path', () => {
    const result = identitiesFileSchema.safeParse({
      accountId: '000000000000',
      identities: [{ accessKeyId: 'x' }],
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['identities', 0, 'type']);
  });

  it('reads policies written as IAM takes them, and leaves identities without policies unrestricted', () => {
    const file = identitiesFileSchema.parse({
      accountId: '000000000000',
      identities: [
        {
          type: 'WebIdentity',
          accessKeyId: 'dev',
          secretAccessKey: 's',
          roleName: 'MeshDeveloper',
          sessionName: 'alice',
          provider: 'arn:aws:iam::000000000000:oidc-provider/issuer.example',
          claims: { team: 'web' },
          policies: [
            {
              Version: '2012-10-17',
              Statement: { Effect: 'Allow', Action: 'appmesh:Describe*', Resource: '*' },
            },
          ],
        },
        { type: 'IAMUser', accessKeyId: 'bob', secretAccessKey: 's', userName: 'bob' },
      ],
    });
    const registry = new IdentityRegistry(file);
    expect(registry.get('dev')?.policies?.[0]?.statements[0]).toMatchObject({
      effect: 'Allow',
      actions: { not: false, patterns: ['appmesh:Describe*'] },
    });
    expect(registry.get('dev')?.principalArn).toBe('arn:aws:iam::000000000000:role/MeshDeveloper');
    expect(registry.get('dev')?.principalTags).toEqual({ team: 'web' });
    expect(registry.get('bob')?.policies).toBeUndefined();
  });

  it('refuses a policy IAM would refuse, naming where', () => {
    const result = identitiesFileSchema.safeParse({
      accountId: '000000000000',
      identities: [
        {
          type: 'IAMUser',
          accessKeyId: 'bob',
          secretAccessKey: 's',
          userName: 'bob',
          policies: [
            {
              Statement: [
                {
                  Effect: 'Allow',
                  Action: 'appmesh:*',
                  Resource: '*',
                  Condition: { StringMatches: { a: 'b' } },
                },
              ],
            },
          ],
        },
      ],
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['identities', 0, 'policies', 0, 'Statement', 0]);
    expect(result.error?.issues[0]?.message).toContain('condition operator "StringMatches" is not supported');
  });
});

describe('FaultInjector', () => {
  it('applies the first matching rule and nothing to other services', async () => {
    const faults = new FaultInjector(
      [{ service: 'appmesh', operation: 'UpdateRoute', throttleRate: 0.5, errorRate: 0, latencyMs: 0 }],
      () => 0.25,
    );
    expect(await faults.apply('appmesh', 'UpdateRoute')).toEqual({ kind: 'throttle' });
    expect(await faults.apply('appmesh', 'DescribeRoute')).toEqual({ kind: 'none' });
    expect(await faults.apply('acm', 'UpdateRoute')).toEqual({ kind: 'none' });
  });

  it('applies a rule with `times` to that many requests, then lets requests through', async () => {
    // Prepare
    const faults = new FaultInjector([
      { service: 'events', operation: 'PutEvents', throttleRate: 0, errorRate: 1, latencyMs: 0, times: 2 },
    ]);

    // Act
    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push((await faults.apply('events', 'PutEvents')).kind);

    // Assess
    expect(outcomes).toEqual(['error', 'error', 'none']);
  });

  it('parses LOCAL_AWS_FAULTS and refuses a rate above 1 with its path', () => {
    expect(FaultInjector.parse('[{"service":"acm-pca","throttleRate":0.2}]')).toEqual([
      { service: 'acm-pca', operation: '*', throttleRate: 0.2, errorRate: 0, latencyMs: 0 },
    ]);
    expect(() => FaultInjector.parse('[{"service":"acm","errorRate":2}]')).toThrow(/\[0\]\.errorRate/);
    expect(() => FaultInjector.parse('{not json')).toThrow(/not JSON/);
  });
});

describe('detectProtocol', () => {
  it('tells JSON, query and REST-JSON requests apart', () => {
    expect(detectProtocol({ 'x-amz-target': 'A.B', 'content-type': 'application/x-amz-json-1.0' })).toEqual({
      kind: 'json',
      version: '1.0',
    });
    expect(detectProtocol({ 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' })).toEqual({
      kind: 'query',
    });
    expect(detectProtocol({ 'content-type': 'application/json' })).toEqual({ kind: 'rest-json' });
  });
});
