import type { Logger } from '@aws-lambda-powertools/logger';
import type { ChatNotifier, Notification } from '../../ports';

/**
 * A notifier that writes each notification as a structured log line: what a function uses
 * where no chat channel is configured for the mesh, so nothing it would have said is lost.
 */
export class LoggingNotifier implements ChatNotifier {
  constructor(private readonly logger: Logger) {}

  async notify(notification: Notification): Promise<void> {
    this.logger.warn(notification.title, { notification });
  }
}
