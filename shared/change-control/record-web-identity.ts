import {
  type AssumeRoleWithWebIdentityEvent,
  type WebIdentitySession,
  webIdentitySessionOf,
} from '../events/sts-web-identity';
import type { WebIdentitySessionStore } from '../ports';

/** STS's default session duration when the call did not ask for one. */
const DEFAULT_SESSION_SECONDS = 3600;

/**
 * Remember the OIDC session an AssumeRoleWithWebIdentity created (its session tags appear
 * nowhere else in CloudTrail), until the session expires, so change control can match claim
 * conditions on the calls made with it.
 */
export async function recordWebIdentitySession(
  sessions: Pick<WebIdentitySessionStore, 'put'>,
  event: AssumeRoleWithWebIdentityEvent,
): Promise<{ readonly session: WebIdentitySession; readonly expiresAt: string }> {
  const session = webIdentitySessionOf(event);
  const seconds = event.detail.requestParameters?.durationSeconds ?? DEFAULT_SESSION_SECONDS;
  const expiresAt = new Date(new Date(event.detail.eventTime).getTime() + seconds * 1000);
  await sessions.put(session, expiresAt);
  return { session, expiresAt: expiresAt.toISOString() };
}
