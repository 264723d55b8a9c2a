/**
 * The KMS key that seals private keys while their rotation is pending, and its key policy:
 * only the roles of functions with the `kms:pending-keys` capability may encrypt and decrypt
 * with it; the account administers it (so IAM policies may manage the key, never use it).
 * One builder, used by the CDK stack and by local AWS, so both enforce the same policy.
 */

/** The alias of the pending-keys key (CDK and local AWS). */
export const PENDING_KEYS_ALIAS = 'alias/meshwarden/pending-private-keys';

/** Environment variable telling a function the ARN of the pending-keys key. */
export const PENDING_KEY_ARN_ENV = 'MESHWARDEN_PENDING_KEY_ARN';

/** What the sealing functions do with the key: envelope encryption and its opening. */
export const PENDING_KEY_USE_ACTIONS = ['kms:GenerateDataKey', 'kms:Decrypt', 'kms:Encrypt'] as const;

/**
 * Key administration for the account, without any cryptographic use: AWS's "key
 * administrators" actions, named one by one so that no wildcard lets in kms:CreateGrant (a
 * grant would hand Decrypt to whoever creates it, outside this policy). Changing the policy
 * itself stays possible (KMS requires it) and is recorded in CloudTrail.
 */
export const PENDING_KEY_ADMIN_ACTIONS = [
  'kms:DescribeKey',
  'kms:GetKeyPolicy',
  'kms:PutKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:EnableKeyRotation',
  'kms:DisableKeyRotation',
  'kms:RotateKeyOnDemand',
  'kms:ListKeyRotations',
  'kms:EnableKey',
  'kms:DisableKey',
  'kms:CreateAlias',
  'kms:UpdateAlias',
  'kms:DeleteAlias',
  'kms:ListAliases',
  'kms:ListGrants',
  'kms:ListRetirableGrants',
  'kms:RevokeGrant',
  'kms:ListResourceTags',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:UpdateKeyDescription',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
] as const;

/** A key policy statement as JSON (what `iam.PolicyStatement.fromJson` takes). */
export interface KeyPolicyStatement {
  readonly Sid: string;
  readonly Effect: 'Allow';
  readonly Principal: { readonly AWS: string | readonly string[] };
  readonly Action: readonly string[];
  readonly Resource: '*';
}

/** The account (root) administers the key; IAM decides who in the account may. */
export function pendingKeyAdminStatement(accountRootArn: string): KeyPolicyStatement {
  return {
    Sid: 'meshwarden-key-administration',
    Effect: 'Allow',
    Principal: { AWS: accountRootArn },
    Action: [...PENDING_KEY_ADMIN_ACTIONS],
    Resource: '*',
  };
}

/** The sealing roles, named one by one: their use of the key needs no IAM policy, and nobody else's can grant it. */
export function pendingKeyUseStatement(roleArns: readonly string[]): KeyPolicyStatement {
  return {
    Sid: 'meshwarden-seal-pending-private-keys',
    Effect: 'Allow',
    Principal: { AWS: roleArns.length === 1 ? (roleArns[0] as string) : [...roleArns] },
    Action: [...PENDING_KEY_USE_ACTIONS],
    Resource: '*',
  };
}

/** The whole key policy document. */
export function pendingKeyPolicy(
  accountRootArn: string,
  roleArns: readonly string[],
): Record<string, unknown> {
  return {
    Version: '2012-10-17',
    Statement: [
      pendingKeyAdminStatement(accountRootArn),
      ...(roleArns.length === 0 ? [] : [pendingKeyUseStatement(roleArns)]),
    ],
  };
}
