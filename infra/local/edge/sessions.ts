import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { CallerIdentity } from '../types';

/** Temporary credentials as STS hands them out. */
export interface TemporaryCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
}

/** How the edge answers a request signed with a temporary access key id. */
export type SessionVerdict =
  | { readonly ok: true; readonly caller: CallerIdentity }
  | {
      readonly ok: false;
      readonly reason: 'expired' | 'invalid';
      readonly message: string;
    };

interface Session {
  readonly credentials: TemporaryCredentials;
  readonly caller: CallerIdentity;
}

/** Sessions stay findable this long after they expire, so a late caller hears ExpiredToken. */
const EXPIRED_RETENTION_MS = 24 * 60 * 60 * 1000;

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The role sessions STS has issued: access key id, secret, session token and expiry, and who
 * the session is. The edge authenticates a request signed with an `ASIA...` key here: the
 * session token must come with it and match, and an expired session is refused, as AWS does.
 * Kept in memory only: a restarted local AWS has forgotten its sessions, and callers assume
 * their roles again.
 */
export class SessionStore {
  private readonly byKey = new Map<string, Session>();

  /** Issue credentials for `identity` (built with the new access key id) valid until `expiration`. */
  issue(
    identityOf: (credentials: Omit<TemporaryCredentials, 'expiration'>) => CallerIdentity,
    expiration: Date,
    now: Date,
  ): TemporaryCredentials {
    this.forgetExpired(now);
    const accessKeyId = `ASIA${randomBytes(8).toString('hex').toUpperCase()}`;
    const secretAccessKey = randomBytes(30).toString('base64');
    const sessionToken = `LOCALSESSION${randomBytes(96).toString('base64')}`;
    const credentials = { accessKeyId, secretAccessKey, sessionToken, expiration };
    this.byKey.set(accessKeyId, { credentials, caller: identityOf(credentials) });
    return credentials;
  }

  /**
   * The caller behind a temporary access key id, or undefined when the key was never issued
   * here (the edge then tries the long-term identities).
   */
  verify(accessKeyId: string, sessionToken: string | undefined, now: Date): SessionVerdict | undefined {
    const session = this.byKey.get(accessKeyId);
    if (session === undefined) return undefined;
    if (sessionToken === undefined || !sameText(sessionToken, session.credentials.sessionToken)) {
      return {
        ok: false,
        reason: 'invalid',
        message: 'The security token included in the request is invalid.',
      };
    }
    if (now.getTime() >= session.credentials.expiration.getTime()) {
      return {
        ok: false,
        reason: 'expired',
        message: 'The security token included in the request is expired',
      };
    }
    return { ok: true, caller: session.caller };
  }

  private forgetExpired(now: Date): void {
    for (const [key, session] of this.byKey) {
      if (now.getTime() - session.credentials.expiration.getTime() > EXPIRED_RETENTION_MS) {
        this.byKey.delete(key);
      }
    }
  }
}
