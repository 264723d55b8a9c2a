import { createHmac } from 'node:crypto';

/** Slack's signature scheme version, the prefix of `x-slack-signature`. */
export const SLACK_SIGNATURE_VERSION = 'v0';

/**
 * Compute the `x-slack-signature` value Slack sends: `v0=` + hex HMAC-SHA256, keyed with the
 * app's signing secret, of `v0:{timestamp}:{raw body}`. The body must be the exact bytes Slack
 * sent (after base64 decoding, before any form parsing), or the signature will not match.
 */
export function computeSlackSignature(
  signingSecret: string,
  timestamp: string,
  rawBody: string | Buffer,
): string {
  const hmac = createHmac('sha256', signingSecret);
  hmac.update(`${SLACK_SIGNATURE_VERSION}:${timestamp}:`);
  hmac.update(rawBody);
  return `${SLACK_SIGNATURE_VERSION}=${hmac.digest('hex')}`;
}
