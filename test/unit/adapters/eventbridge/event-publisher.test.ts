import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { EventBridgePublisher, PublishError } from '../../../../shared/adapters/eventbridge/event-publisher';

const eventBridge = mockClient(EventBridgeClient);

describe('EventBridgePublisher', () => {
  beforeEach(() => eventBridge.reset());
  const publisher = () =>
    new EventBridgePublisher(new EventBridgeClient({ region: 'us-east-1' }), 'meshwarden');

  it('sends events to its bus with source meshwarden, ten per call', async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });
    const events = Array.from({ length: 23 }, (_, i) => ({
      detailType: 'GovernanceDecision',
      detail: { i },
    }));

    await publisher().publish(events);

    const calls = eventBridge.commandCalls(PutEventsCommand);
    expect(calls.map((c) => c.args[0].input.Entries?.length)).toEqual([10, 10, 3]);
    expect(calls[2]?.args[0].input.Entries?.[2]).toEqual({
      EventBusName: 'meshwarden',
      Source: 'meshwarden',
      DetailType: 'GovernanceDecision',
      Detail: '{"i":22}',
      Resources: undefined,
    });
  });

  it('throws when EventBridge refuses an entry, naming it', async () => {
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ EventId: 'a' }, { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
    });
    await expect(
      publisher().publish([
        { detailType: 'A', detail: {} },
        { detailType: 'B', detail: {} },
      ]),
    ).rejects.toThrow(new PublishError('EventBridge refused 1 event(s): B: InternalFailure try again'));
  });

  it('refuses an event larger than EventBridge takes before sending anything', async () => {
    await expect(
      publisher().publish([{ detailType: 'Big', detail: { blob: 'x'.repeat(300 * 1024) } }]),
    ).rejects.toThrow(/Big event is \d+ bytes/);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });
});
