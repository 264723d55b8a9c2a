import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalEventBus } from '../../../infra/local/bus/event-bus';
import { Timeline } from '../../../infra/local/timeline';
import type { BusEntry, BusEvent } from '../../../infra/local/types';

const meshCall: BusEntry = {
  source: 'aws.appmesh',
  detailType: 'AWS API Call via CloudTrail',
  detail: { eventName: 'UpdateRoute', requestParameters: { meshName: 'prod' } },
};

interface Delivered {
  readonly functionName: string;
  readonly id: string;
}

/**
 * A bus on `dataDir` with two functions on the App Mesh calls; `hang` names the functions
 * whose invocations never end (the process dies while they run).
 */
function busOn(dataDir: string, hang: readonly string[] = [], failAlways = false) {
  const delivered: Delivered[] = [];
  const bus = new LocalEventBus({
    region: 'us-east-1',
    accountId: '000000000000',
    dataDir,
    backoff: { baseDelayMs: 1, maxDelayMs: 2 },
    invoke: async (functionName, event) => {
      if (hang.includes(functionName)) return new Promise<void>(() => undefined);
      if (failAlways) throw new Error(`${functionName} is broken`);
      delivered.push({ functionName, id: (event as BusEvent).id });
    },
  });
  const retryPolicy = { maximumRetryAttempts: 1, maximumEventAgeInSeconds: 3600 };
  for (const name of ['mesh-change', 'deployment-guard']) {
    bus.addLocalRule({
      name,
      eventPattern: { source: ['aws.appmesh'] },
      target: { functionName: name, retryPolicy },
    });
  }
  return { bus, delivered };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 20));

describe('the local bus across a crash', () => {
  it('delivers an event it acknowledged before it was stopped without draining, once, after a restart', async () => {
    // Prepare: both functions are still running the event when the process goes away
    const dataDir = mkdtempSync(join(tmpdir(), 'meshwarden-journal-'));
    const first = busOn(dataDir, ['mesh-change', 'deployment-guard']);
    const [id] = await first.bus.putEvents([meshCall]);
    await flush();
    await first.bus.close();

    // Act
    const second = busOn(dataDir);
    const replayed = second.bus.replayJournal();
    await second.bus.drain();
    await second.bus.close();
    const third = busOn(dataDir);
    const replayedAgain = third.bus.replayJournal();
    await third.bus.drain();

    // Assess
    expect(replayed).toBe(1);
    expect(second.delivered.sort((a, b) => a.functionName.localeCompare(b.functionName))).toEqual([
      { functionName: 'deployment-guard', id },
      { functionName: 'mesh-change', id },
    ]);
    expect(replayedAgain).toBe(0);
    expect(third.delivered).toEqual([]);
  });

  it('delivers again only to the targets that had not had it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'meshwarden-journal-'));
    const first = busOn(dataDir, ['mesh-change']);
    const [id] = await first.bus.putEvents([meshCall]);
    await flush();
    await first.bus.close();

    const second = busOn(dataDir);
    second.bus.replayJournal();
    await second.bus.drain();

    expect(first.delivered).toEqual([{ functionName: 'deployment-guard', id }]);
    expect(second.delivered).toEqual([{ functionName: 'mesh-change', id }]);
  });

  it('replays nothing after a clean stop', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'meshwarden-journal-'));
    const first = busOn(dataDir);
    await first.bus.putEvents([meshCall, meshCall]);
    await first.bus.drain();
    await first.bus.close();

    const second = busOn(dataDir);

    expect(second.bus.replayJournal()).toBe(0);
    expect(first.delivered).toHaveLength(4);
  });

  it('keeps the dead-letter list across a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'meshwarden-journal-'));
    const first = busOn(dataDir, [], true);
    const [id] = await first.bus.putEvents([meshCall]);
    await first.bus.drain();
    await first.bus.close();

    const second = busOn(dataDir);
    second.bus.replayJournal();
    await second.bus.drain();

    expect(
      second.bus
        .deadLetters()
        .map((d) => [d.ruleName, d.event.id, d.errorMessage])
        .sort(),
    ).toEqual([
      ['deployment-guard', id, 'deployment-guard is broken'],
      ['mesh-change', id, 'mesh-change is broken'],
    ]);
    // Dead-lettered is settled: not delivered again.
    expect(second.delivered).toEqual([]);
  });
});

describe('a persisted timeline', () => {
  it('reads back what happened before a restart and goes on from there', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'meshwarden-timeline-')), 'timeline.jsonl');
    const first = new Timeline(file);
    first.note('bob changed web-route');

    const second = new Timeline(file);
    second.note('meshwarden reverted it');

    expect(new Timeline(file).all().map((e) => [e.kind, e.text])).toEqual([
      ['note', 'bob changed web-route'],
      ['note', 'meshwarden reverted it'],
    ]);
    expect(new Timeline(file).all()[0]?.at).toBeInstanceOf(Date);
  });
});
