import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from '../../schema';
import { parseOrThrow } from '../../validation';

/**
 * The Slack secret in Secrets Manager (`MESHWARDEN_SLACK_SECRET`), JSON:
 * `{ signingSecret, previousSigningSecret?, previousSigningSecretValidUntil?, botToken }`.
 * During a signing secret rotation the operator keeps the old one as `previousSigningSecret`
 * with the end of its grace period.
 */
export const slackSecretSchema = z
  .object({
    signingSecret: z.string().check(z.minLength(8)),
    previousSigningSecret: z.optional(z.string().check(z.minLength(8))),
    previousSigningSecretValidUntil: z.optional(z.iso.datetime()),
    botToken: z.string().check(z.startsWith('xox', 'a Slack token starts with xox')),
  })
  .check(
    z.refine(
      (s) => (s.previousSigningSecret === undefined) === (s.previousSigningSecretValidUntil === undefined),
      'previousSigningSecret and previousSigningSecretValidUntil go together',
    ),
  );

export type SlackSecret = z.output<typeof slackSecretSchema>;

/** How long a read secret is reused: rotations show up within this, calls stay off the hot path. */
export const SLACK_SECRET_MAX_AGE_SECONDS = 300;

/**
 * A cached reader of the Slack secret through Powertools Parameters: the first call fetches,
 * later calls within the max age are served from memory. Never from environment variables.
 */
export function slackSecretSource(
  secretName: string,
  client?: SecretsManagerClient,
): () => Promise<SlackSecret> {
  const provider = new SecretsProvider(client === undefined ? {} : { awsSdkV3Client: client });
  return async () => {
    const value = await provider.get(secretName, { transform: 'json', maxAge: SLACK_SECRET_MAX_AGE_SECONDS });
    return parseOrThrow(slackSecretSchema, value, `Slack secret ${secretName}`);
  };
}
