import * as z from '../schema';
import { parseOrThrow } from '../validation';
import { eventBridgeEvent } from './envelope';

/**
 * The event an EventBridge schedule rule sends (`source: aws.events`). `resources` holds the
 * rule ARN, which tells the handler which schedule fired; `detail` is always empty.
 */
export const scheduledEvent = z.extend(eventBridgeEvent('aws.events', 'Scheduled Event', z.looseObject({})), {
  resources: z.array(z.string().check(z.startsWith('arn:'))).check(z.minLength(1)),
});

export type ScheduledEvent = z.infer<typeof scheduledEvent>;

/** Parse a Scheduled Event, or throw a ValidationError naming each bad field. */
export function parseScheduledEvent(input: unknown): ScheduledEvent {
  return parseOrThrow(scheduledEvent, input, 'Scheduled Event');
}
