import { timingSafeEqual } from 'node:crypto';
import { computeSlackSignature } from '../events/slack-signature';

/**
 * Slack request verification ("Verifying requests from Slack"): `x-slack-signature` must be
 * `v0=` + hex HMAC-SHA256 of `v0:{x-slack-request-timestamp}:{raw body}` under the app's
 * signing secret, and the timestamp within five minutes of now, either way. During a signing
 * secret rotation the previous secret is accepted until its grace period ends.
 */

/** Slack's replay window: a request older (or newer) than this is refused. */
export const SLACK_TIMESTAMP_TOLERANCE_SECONDS = 5 * 60;

/** The signing secrets in force. */
export interface SigningSecrets {
  readonly signingSecret: string;
  readonly previousSigningSecret?: string;
  /** ISO-8601 end of the previous secret's grace period; without it the previous secret is not accepted. */
  readonly previousSigningSecretValidUntil?: string;
}

/** Why a request was refused; never shown to the caller (who gets a bare 401), only logged. */
export type VerificationFailure =
  | 'missing-headers'
  | 'malformed-signature'
  | 'malformed-timestamp'
  | 'stale-timestamp'
  | 'future-timestamp'
  | 'bad-signature';

export type VerificationResult =
  | { readonly ok: true; readonly secret: 'current' | 'previous' }
  | { readonly ok: false; readonly failure: VerificationFailure };

const SIGNATURE = /^v0=[0-9a-f]{64}$/;
const TIMESTAMP = /^\d{1,12}$/;

function matches(secret: string, timestamp: string, rawBody: Buffer, presented: Buffer): boolean {
  const expected = Buffer.from(computeSlackSignature(secret, timestamp, rawBody), 'utf8');
  // Both are `v0=` + 64 hex digits (checked above), so the lengths are equal, as timingSafeEqual needs.
  return expected.length === presented.length && timingSafeEqual(expected, presented);
}

/**
 * Verify one request. `headers` are API Gateway's lower-cased headers; `rawBody` the exact
 * bytes Slack sent (after undoing API Gateway's base64). The clock is a parameter so tests and
 * the signed samples can pin it.
 */
export function verifySlackRequest(
  headers: Readonly<Record<string, string | undefined>>,
  rawBody: Buffer,
  secrets: SigningSecrets,
  now: Date,
): VerificationResult {
  const signature = headers['x-slack-signature'];
  const timestamp = headers['x-slack-request-timestamp'];
  if (signature === undefined || timestamp === undefined) return { ok: false, failure: 'missing-headers' };
  if (!SIGNATURE.test(signature)) return { ok: false, failure: 'malformed-signature' };
  if (!TIMESTAMP.test(timestamp)) return { ok: false, failure: 'malformed-timestamp' };
  const skew = Math.floor(now.getTime() / 1000) - Number(timestamp);
  if (skew > SLACK_TIMESTAMP_TOLERANCE_SECONDS) return { ok: false, failure: 'stale-timestamp' };
  if (skew < -SLACK_TIMESTAMP_TOLERANCE_SECONDS) return { ok: false, failure: 'future-timestamp' };
  const presented = Buffer.from(signature, 'utf8');
  if (matches(secrets.signingSecret, timestamp, rawBody, presented)) return { ok: true, secret: 'current' };
  const { previousSigningSecret, previousSigningSecretValidUntil } = secrets;
  if (
    previousSigningSecret !== undefined &&
    previousSigningSecretValidUntil !== undefined &&
    now.getTime() < Date.parse(previousSigningSecretValidUntil) &&
    matches(previousSigningSecret, timestamp, rawBody, presented)
  ) {
    return { ok: true, secret: 'previous' };
  }
  return { ok: false, failure: 'bad-signature' };
}
