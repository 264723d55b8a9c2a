/**
 * Slack for meshwarden: the approvals chat adapter and the notifier. Functions call one
 * factory each; both read the bot token from the Slack secret (cached) and honour
 * `SLACK_API_URL` (local Slack).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { CompiledPolicy } from '../../policy/compile';
import type { ChatApprovals, ChatNotifier } from '../../ports';
import { LoggingNotifier } from '../notify/logging-notifier';
import { SlackApprovals } from './slack-approvals';
import { SlackNotifier } from './slack-notifier';
import { type SlackSecret, slackSecretSource } from './slack-secret';
import { slackApiUrlFromEnv, webClientFor } from './web-client';

export { approvalMessage, notificationMessage } from './approval-blocks';
export { SlackApiError, SlackApprovals } from './slack-approvals';
export { SlackNotifier } from './slack-notifier';
export { type SlackSecret, slackSecretSchema, slackSecretSource } from './slack-secret';

export interface SlackOptions {
  /** The Secrets Manager secret name (`MESHWARDEN_SLACK_SECRET`). */
  readonly secretName: string;
  /** A traced client; Powertools creates one when absent. */
  readonly secretsClient?: SecretsManagerClient;
  /** Overrides `SLACK_API_URL`; for tests. */
  readonly slackApiUrl?: string;
  /** Overrides the secret read; for tests. */
  readonly secret?: () => Promise<SlackSecret>;
}

function botToken(options: SlackOptions): () => Promise<string> {
  const secret = options.secret ?? slackSecretSource(options.secretName, options.secretsClient);
  return async () => (await secret()).botToken;
}

/**
 * THE notifier factory for every function: plain notifications (reverts, rollbacks,
 * rotations) go to the mesh's Slack channel from the policy; meshes without one are logged.
 * The function needs the `secrets:read-slack` capability.
 */
export function createChatNotifier(
  options: SlackOptions & { readonly policy: Pick<CompiledPolicy, 'forMesh'>; readonly logger: Logger },
): ChatNotifier {
  const client = webClientFor(botToken(options), options.slackApiUrl ?? slackApiUrlFromEnv());
  return new SlackNotifier(options.policy, client, new LoggingNotifier(options.logger));
}

/** The approvals chat adapter (request messages, their updates, ephemeral answers, users.info). */
export function createSlackApprovals(options: SlackOptions): ChatApprovals {
  return new SlackApprovals(webClientFor(botToken(options), options.slackApiUrl ?? slackApiUrlFromEnv()));
}
