import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { MeshwardenError } from '../../errors';
import { MESHWARDEN_EVENT_SOURCE } from '../../events/patterns';
import type { DomainEvent, EventPublisher } from '../../ports';

/** PutEvents takes at most 10 entries per call. */
const BATCH = 10;
/** An entry may be at most 256 KB (EventBridge counts the UTF-8 bytes of detail, detail-type, source, resources). */
const MAX_ENTRY_BYTES = 256 * 1024;

/** Raised when EventBridge refused some entries; the use case rethrows so the invocation is retried. */
export class PublishError extends MeshwardenError {}

function entrySize(entry: PutEventsRequestEntry): number {
  return (
    Buffer.byteLength(entry.Detail ?? '') +
    Buffer.byteLength(entry.DetailType ?? '') +
    Buffer.byteLength(entry.Source ?? '') +
    (entry.Resources ?? []).reduce((sum, r) => sum + Buffer.byteLength(r), 0)
  );
}

/** Publishes meshwarden's decisions on its own EventBridge bus. */
export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
    /** `meshwarden` for the functions; the CLI, signing as a person, publishes as `meshwarden.cli`. */
    private readonly source: string = MESHWARDEN_EVENT_SOURCE,
  ) {}

  async publish(events: readonly DomainEvent[]): Promise<void> {
    const entries: PutEventsRequestEntry[] = events.map((event) => ({
      EventBusName: this.busName,
      Source: this.source,
      DetailType: event.detailType,
      Detail: JSON.stringify(event.detail),
      Resources: event.resources ? [...event.resources] : undefined,
    }));
    for (const entry of entries) {
      const size = entrySize(entry);
      if (size > MAX_ENTRY_BYTES) {
        throw new PublishError(
          `${entry.DetailType} event is ${size} bytes; EventBridge takes at most ${MAX_ENTRY_BYTES}`,
        );
      }
    }
    for (let i = 0; i < entries.length; i += BATCH) {
      const batch = entries.slice(i, i + BATCH);
      const out = await this.client.send(new PutEventsCommand({ Entries: batch }));
      if ((out.FailedEntryCount ?? 0) > 0) {
        const failures = (out.Entries ?? [])
          .map((result, j) => ({ result, entry: batch[j] }))
          .filter(({ result }) => result.ErrorCode !== undefined)
          .map(({ result, entry }) =>
            `${entry?.DetailType}: ${result.ErrorCode} ${result.ErrorMessage ?? ''}`.trim(),
          );
        throw new PublishError(
          `EventBridge refused ${out.FailedEntryCount} event(s): ${failures.join('; ')}`,
        );
      }
    }
  }
}
