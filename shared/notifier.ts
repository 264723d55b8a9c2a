import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createChatNotifier } from './adapters/slack';
import type { CompiledPolicy } from './policy/compile';
import type { ChatNotifier } from './ports';
import { logger, tracer } from './powertools';

/**
 * The chat notifier a function tells people through: the mesh's Slack channel from the
 * policy, or the log where the policy names none. One traced Secrets Manager client reads
 * the bot token (cached).
 */
export function functionNotifier(
  policy: Pick<CompiledPolicy, 'forMesh'>,
  slackSecretName: string,
): ChatNotifier {
  return createChatNotifier({
    policy,
    logger,
    secretName: slackSecretName,
    secretsClient: tracer.captureAWSv3Client(new SecretsManagerClient({})),
  });
}
