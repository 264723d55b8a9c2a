import { describe, expect, it } from 'vitest';
import { DEFAULT_IDENTITIES, IdentityRegistry } from '../../../infra/local/edge/identities';
import { AwsError } from '../../../infra/local/protocol/aws-json';
import {
  authorize,
  defaultKeyPolicy,
  type IdentityDecision,
  parseKeyPolicy,
} from '../../../infra/local/services/kms/key-policy';
import type { CallerIdentity } from '../../../infra/local/types';

const ACCOUNT = DEFAULT_IDENTITIES.accountId;
const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/11111111-2222-3333-4444-555555555555`;
const identities = new IdentityRegistry(DEFAULT_IDENTITIES);
const caller = (accessKeyId: string): CallerIdentity => {
  const identity = identities.get(accessKeyId);
  if (identity === undefined) throw new Error(`no identity ${accessKeyId}`);
  return identity;
};
const allowAll: IdentityDecision = () => 'allow';
const policyOf = (...Statement: Record<string, unknown>[]) =>
  parseKeyPolicy(JSON.stringify({ Version: '2012-10-17', Statement }));
const decide = (
  policy: ReturnType<typeof parseKeyPolicy>,
  who: string,
  action: string,
  options: { encryptionContext?: Record<string, string>; iam?: IdentityDecision } = {},
) =>
  authorize(
    policy,
    {
      caller: caller(who),
      action,
      keyArn: KEY_ARN,
      keyAccountId: ACCOUNT,
      ...(options.encryptionContext ? { encryptionContext: options.encryptionContext } : {}),
    },
    options.iam ?? allowAll,
  ).allowed;
const refusal = (document: string): unknown => {
  try {
    parseKeyPolicy(document);
    return undefined;
  } catch (error) {
    return error;
  }
};

describe('local KMS key policies', () => {
  it('matches a role principal to every session of the role, and actions case-insensitively with wildcards', () => {
    // Prepare
    const policy = policyOf({
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/meshwarden-functions` },
      Action: ['kms:generate*', 'kms:Decrypt'],
      Resource: '*',
    });

    // Act / Assess
    expect(decide(policy, 'meshwarden', 'kms:GenerateDataKey')).toBe(true);
    expect(decide(policy, 'meshwarden', 'kms:Decrypt')).toBe(true);
    expect(decide(policy, 'meshwarden', 'kms:Encrypt')).toBe(false);
    expect(decide(policy, 'test', 'kms:Decrypt')).toBe(false);
  });

  it('lets IAM decide under the default policy, and never lets IAM alone grant use', () => {
    // Prepare
    const byDefault = parseKeyPolicy(defaultKeyPolicy(ACCOUNT));
    const nobody = policyOf({
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/bob` },
      Action: 'kms:DescribeKey',
      Resource: '*',
    });
    const iamDenies: IdentityDecision = () => 'no-allow';

    // Act / Assess
    expect(decide(byDefault, 'ops-bob', 'kms:Decrypt')).toBe(true);
    expect(decide(byDefault, 'ops-bob', 'kms:Decrypt', { iam: iamDenies })).toBe(false);
    expect(decide(nobody, 'meshwarden', 'kms:Decrypt')).toBe(false);
    // A principal named directly needs no IAM allow, but an explicit IAM deny still wins.
    expect(decide(nobody, 'ops-bob', 'kms:DescribeKey', { iam: iamDenies })).toBe(true);
    expect(decide(nobody, 'ops-bob', 'kms:DescribeKey', { iam: () => 'deny' })).toBe(false);
  });

  it('evaluates NotAction, Deny and encryption-context conditions', () => {
    // Prepare
    const policy = policyOf(
      { Effect: 'Allow', Principal: '*', NotAction: 'kms:ScheduleKeyDeletion', Resource: '*' },
      {
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 'kms:Decrypt',
        Resource: '*',
        Condition: { StringNotLike: { 'kms:EncryptionContext:purpose': 'meshwarden-*' } },
      },
    );

    // Act / Assess
    expect(decide(policy, 'test', 'kms:ScheduleKeyDeletion')).toBe(false);
    expect(decide(policy, 'test', 'kms:Decrypt', { encryptionContext: { purpose: 'meshwarden-key' } })).toBe(
      true,
    );
    expect(decide(policy, 'test', 'kms:Decrypt', { encryptionContext: { purpose: 'other' } })).toBe(false);
    expect(decide(policy, 'test', 'kms:Decrypt')).toBe(false);
  });

  it('refuses what KMS refuses, and conditions it cannot evaluate, with MalformedPolicyDocumentException', () => {
    // Prepare
    const statement = { Effect: 'Allow', Principal: { AWS: ACCOUNT }, Action: 'kms:*', Resource: '*' };
    const cases = [
      '[]',
      JSON.stringify({ Statement: [] }),
      JSON.stringify({ Statement: [{ ...statement, Effect: 'Maybe' }] }),
      JSON.stringify({ Statement: [{ ...statement, Principal: { AWS: 'arn:aws:iam::*:root' } }] }),
      JSON.stringify({ Statement: [{ ...statement, Action: 's3:GetObject' }] }),
      JSON.stringify({
        Statement: [{ ...statement, Condition: { DateGreaterThan: { 'aws:CurrentTime': 'x' } } }],
      }),
      JSON.stringify({ Statement: [{ ...statement, NotPrincipal: { AWS: ACCOUNT } }] }),
    ];

    // Act
    const errors = cases.map(refusal);

    // Assess
    for (const error of errors) {
      expect(error).toBeInstanceOf(AwsError);
      expect((error as AwsError).code).toBe('MalformedPolicyDocumentException');
    }
    expect(refusal(JSON.stringify({ Statement: [statement] }))).toBeUndefined();
  });
});
