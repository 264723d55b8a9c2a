import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

export interface AssumedRoleOptions {
  /** Names the sessions in the member account's CloudTrail. */
  readonly sessionName: string;
  /** Session length asked for; STS's minimum is 900 seconds. */
  readonly durationSeconds?: number;
  /** Assume again this long before the credentials expire, so no call signs with stale ones. */
  readonly refreshBeforeMs?: number;
  readonly now?: () => Date;
}

const DEFAULT_DURATION_SECONDS = 3600;
const DEFAULT_REFRESH_BEFORE_MS = 5 * 60 * 1000;

/**
 * Credentials of a role in another account, from STS AssumeRole, kept per role until shortly
 * before they expire; every client of that account shares them. Concurrent callers wait on one
 * AssumeRole rather than each calling STS.
 */
export class AssumedRoleCredentials {
  private readonly cache = new Map<string, Promise<AwsCredentialIdentity>>();
  private readonly now: () => Date;

  constructor(
    private readonly sts: STSClient,
    private readonly options: AssumedRoleOptions,
  ) {
    this.now = options.now ?? (() => new Date());
  }

  /** A credential provider for SDK clients acting as `roleArn`. */
  provider(roleArn: string): AwsCredentialIdentityProvider {
    return () => this.get(roleArn);
  }

  async get(roleArn: string): Promise<AwsCredentialIdentity> {
    const cached = this.cache.get(roleArn);
    if (cached !== undefined) {
      const credentials = await cached.catch(() => undefined);
      if (credentials !== undefined && !this.stale(credentials)) return credentials;
      if (this.cache.get(roleArn) !== cached) return this.get(roleArn);
    }
    const assuming = this.assume(roleArn);
    this.cache.set(roleArn, assuming);
    // A failed AssumeRole is not kept: the next call tries again.
    assuming.catch(() => {
      if (this.cache.get(roleArn) === assuming) this.cache.delete(roleArn);
    });
    return assuming;
  }

  private stale(credentials: AwsCredentialIdentity): boolean {
    const expiration = credentials.expiration?.getTime() ?? 0;
    return expiration - (this.options.refreshBeforeMs ?? DEFAULT_REFRESH_BEFORE_MS) <= this.now().getTime();
  }

  private async assume(roleArn: string): Promise<AwsCredentialIdentity> {
    const out = await this.sts.send(
      new AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: this.options.sessionName,
        DurationSeconds: this.options.durationSeconds ?? DEFAULT_DURATION_SECONDS,
      }),
    );
    const c = out.Credentials;
    if (c?.AccessKeyId === undefined || c.SecretAccessKey === undefined || c.SessionToken === undefined) {
      throw new Error(`STS AssumeRole ${roleArn} answered without credentials`);
    }
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      ...(c.Expiration === undefined ? {} : { expiration: c.Expiration }),
    };
  }
}
