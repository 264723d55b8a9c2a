import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { AccountAccess } from '../../accounts/accounts';
import type { AssumedRoleCredentials } from './assumed-role-credentials';

/**
 * The SDK client configuration for one account: nothing extra in the central account (the
 * function's own credentials), the assumed member role's credentials in a member account.
 */
export function clientConfigFor(
  access: AccountAccess,
  memberCredentials: AssumedRoleCredentials,
): { credentials?: AwsCredentialIdentityProvider } {
  return access.kind === 'central' ? {} : { credentials: memberCredentials.provider(access.roleArn) };
}
