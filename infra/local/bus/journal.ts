import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { BusEvent } from '../types';

/**
 * The local bus's write-ahead journal: EventBridge does not lose an event it acknowledged,
 * so neither may local AWS when its process is killed. An event is appended (and fsynced)
 * before PutEvents answers with its id, and before the edge answers the API call whose
 * CloudTrail record it is; each delivery to a function is appended once it succeeded or was
 * dead-lettered, and the event is marked settled when none is left. On start, what was
 * accepted and not settled is delivered again, to the targets that had not had it.
 *
 * One JSON record a line. A line cut short by a crash is the last one and is ignored.
 */

type Record =
  | { readonly t: 'accepted'; readonly busName: string; readonly event: BusEvent }
  | { readonly t: 'done'; readonly id: string; readonly job: string }
  | { readonly t: 'settled'; readonly id: string };

/** An accepted event not yet settled, and the deliveries it already had. */
export interface UnsettledEvent {
  readonly busName: string;
  readonly event: BusEvent;
  readonly done: ReadonlySet<string>;
}

/** Rewrite the journal once it is this large and nothing is in flight. */
const COMPACT_AT_BYTES = 4 * 1024 * 1024;

export class EventJournal {
  private readonly file: string;
  private fd: number | undefined;
  private bytes = 0;

  /** Open (or create) the journal in `dataDir`; returns it with what it holds unsettled. */
  static open(dataDir: string): { journal: EventJournal; unsettled: UnsettledEvent[] } {
    mkdirSync(dataDir, { recursive: true });
    const journal = new EventJournal(join(dataDir, 'bus-journal.jsonl'));
    const unsettled = journal.read();
    // Start from a journal holding only what is still owed, so it never grows across restarts.
    journal.rewrite(unsettled);
    return { journal, unsettled };
  }

  private constructor(file: string) {
    this.file = file;
  }

  private read(): UnsettledEvent[] {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const open = new Map<string, { busName: string; event: BusEvent; done: Set<string> }>();
    for (const line of text.split('\n')) {
      if (line === '') continue;
      let record: Record;
      try {
        record = JSON.parse(line) as Record;
      } catch {
        continue; // the tail of a write the process did not finish
      }
      if (record.t === 'accepted') {
        open.set(record.event.id, { busName: record.busName, event: record.event, done: new Set() });
      } else if (record.t === 'done') open.get(record.id)?.done.add(record.job);
      else if (record.t === 'settled') open.delete(record.id);
    }
    return [...open.values()];
  }

  private rewrite(unsettled: readonly UnsettledEvent[]): void {
    this.close();
    const tmp = `${this.file}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      for (const { busName, event, done } of unsettled) {
        writeSync(fd, `${JSON.stringify({ t: 'accepted', busName, event })}\n`);
        for (const job of done) writeSync(fd, `${JSON.stringify({ t: 'done', id: event.id, job })}\n`);
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.file);
    this.fd = openSync(this.file, 'a');
    this.bytes = 0;
  }

  private append(record: Record, sync: boolean): void {
    if (this.fd === undefined) return;
    const line = `${JSON.stringify(record)}\n`;
    writeSync(this.fd, line);
    if (sync) fsyncSync(this.fd);
    this.bytes += line.length;
  }

  /** Durable before it returns: the caller acknowledges the event after this. */
  accepted(busName: string, event: BusEvent): void {
    this.append({ t: 'accepted', busName, event }, true);
  }

  /** A delivery that needs no repeat; losing this record only means one more delivery. */
  done(id: string, job: string): void {
    this.append({ t: 'done', id, job }, false);
  }

  settled(id: string, nothingInFlight: boolean): void {
    this.append({ t: 'settled', id }, false);
    if (nothingInFlight && this.bytes > COMPACT_AT_BYTES) this.rewrite([]);
  }

  /** Stop writing, as a process that goes away does. */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
