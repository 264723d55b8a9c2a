import { appendFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { BusActivity } from './bus/event-bus';
import type { InvocationRecord } from './functions';
import type { LocalRequest, LocalResponse } from './types';

/** One line of what happened in local AWS, in the order it happened. */
export interface TimelineEntry {
  readonly at: Date;
  readonly kind: 'api' | 'event' | 'function' | 'retry' | 'dead-letter' | 'note';
  readonly text: string;
}

/**
 * A readable record of what happened: who called what, which events went where, which
 * functions ran and how they ended. `npm start` streams it; `npm run demo` prints it per
 * scenario; tests read it.
 */
export class Timeline {
  private readonly entries: TimelineEntry[] = [];
  private readonly writers: ((entry: TimelineEntry) => void)[] = [];

  /**
   * @param file where the timeline persists across restarts (one JSON entry a line); the
   * latest {@link KEPT_ENTRIES} entries are read back on start. In memory only when undefined.
   */
  constructor(private readonly file?: string) {
    if (file === undefined) return;
    mkdirSync(dirname(file), { recursive: true });
    let lines: string[] = [];
    try {
      lines = readFileSync(file, 'utf8').split('\n');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    for (const line of lines.slice(-KEPT_ENTRIES - 1)) {
      const entry = parseEntry(line);
      if (entry !== undefined) this.entries.push(entry);
    }
    // Keep the file as long as what is read back, so it never grows across restarts.
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, this.entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
    renameSync(tmp, file);
  }

  /** Stream every new entry to `write` (e.g. a console printer). */
  follow(write: (entry: TimelineEntry) => void): void {
    this.writers.push(write);
  }

  all(): readonly TimelineEntry[] {
    return this.entries;
  }

  note(text: string): void {
    this.add('note', text);
  }

  /**
   * Mutating calls and failures only: reads are noise in a timeline, and so is meshwarden's
   * bookkeeping (its state table, and PutEvents whose events show as EVENT lines).
   */
  apiCall(req: LocalRequest, res: LocalResponse, operation: string | undefined): void {
    const readOnly = res.apiCall?.readOnly ?? /^(Describe|List|Get)/.test(operation ?? '');
    if (readOnly && res.error === undefined) return;
    if (req.service === 'dynamodb' || (req.service === 'events' && operation === 'PutEvents')) return;
    const outcome =
      res.error === undefined ? `${res.status}` : `${res.status} ${res.error.code}: ${res.error.message}`;
    this.add(
      'api',
      `${req.caller.label} -> ${req.service}:${operation ?? '?'} ${describeTarget(req)} = ${outcome}`,
    );
  }

  busActivity(activity: BusActivity): void {
    switch (activity.kind) {
      case 'event': {
        const { event } = activity;
        const detail = event.detail as Record<string, unknown>;
        const what =
          typeof detail.eventName === 'string'
            ? ` ${detail.eventName}`
            : event.source === 'meshwarden' && event['detail-type'] === 'GovernanceDecision'
              ? ` ${describeDecision(detail)}`
              : summarize(detail);
        const rules = activity.matchedRules.length > 0 ? ` -> ${activity.matchedRules.join(', ')}` : '';
        this.add('event', `${activity.busName}: ${event.source} "${event['detail-type']}"${what}${rules}`);
        return;
      }
      case 'retrying':
        this.add(
          'retry',
          `${activity.job.ruleName}/${activity.job.targetId} attempt ${activity.attempt} failed (${activity.error}); retrying`,
        );
        return;
      case 'dead-lettered':
        this.add(
          'dead-letter',
          `${activity.deadLetter.ruleName}/${activity.deadLetter.targetId} gave up after ${activity.deadLetter.attempts} attempts: ${activity.deadLetter.errorMessage}`,
        );
        return;
      default:
        return;
    }
  }

  invocation(record: InvocationRecord): void {
    const outcome = record.error === undefined ? 'ok' : `FAILED: ${record.error}`;
    this.add('function', `${record.functionName} ${outcome} (${record.durationMs} ms)`);
  }

  private add(kind: TimelineEntry['kind'], text: string): void {
    const entry = { at: new Date(), kind, text };
    this.entries.push(entry);
    if (this.file !== undefined) appendFileSync(this.file, `${JSON.stringify(entry)}\n`);
    for (const write of this.writers) write(entry);
  }
}

/** How many entries a persisted timeline reads back on start. */
const KEPT_ENTRIES = 5_000;
const KINDS: readonly string[] = ['api', 'event', 'function', 'retry', 'dead-letter', 'note'];

/** One persisted line, or undefined for a line cut short by a crash. */
function parseEntry(line: string): TimelineEntry | undefined {
  if (line === '') return undefined;
  try {
    const value = JSON.parse(line) as { at?: unknown; kind?: unknown; text?: unknown };
    const at = typeof value.at === 'string' ? new Date(value.at) : undefined;
    if (at === undefined || Number.isNaN(at.getTime())) return undefined;
    if (typeof value.kind !== 'string' || !KINDS.includes(value.kind) || typeof value.text !== 'string')
      return undefined;
    return { at, kind: value.kind as TimelineEntry['kind'], text: value.text };
  } catch {
    return undefined;
  }
}

/** The resource a REST call names, from its path (`/v20190125/meshes/prod/...` -> `prod/...`). */
function describeTarget(req: LocalRequest): string {
  const path = req.path.replace(/^\/v20190125\/meshes\//, '');
  return path === '/' ? '' : decodeURIComponent(path);
}

/** `12:04:05.123 API    ...` */
export function formatEntry(entry: TimelineEntry): string {
  return `${entry.at.toISOString().slice(11, 23)}  ${entry.kind.toUpperCase().padEnd(11)} ${entry.text}`;
}

/** How many broken rules a decision line names, and how much of each sentence it keeps. */
const MAX_DECISION_FINDINGS = 3;
const MAX_FINDING_LENGTH = 240;

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

function cut(value: string, max: number): string {
  return value.length > max ? `${value.slice(0, max)}…` : value;
}

/**
 * A change-control decision as a person reads it: what was done to which resource, by whom,
 * which rules it broke and why, and how the effect went, e.g. `revert prod/virtualNode/web-v1
 * by bob (IAM user): tls-required — web-v1's listener on 8080 has TLS PERMISSIVE; … (applied)`.
 */
export function describeDecision(detail: Record<string, unknown>): string {
  const principal = detail.principal as Record<string, unknown> | undefined;
  const who = text(typeof principal === 'object' && principal !== null ? principal.label : undefined);
  const findings = Array.isArray(detail.findings) ? detail.findings.flatMap((f) => text(f) ?? []) : [];
  const ruleIds = Array.isArray(detail.ruleIds) ? detail.ruleIds.flatMap((r) => text(r) ?? []) : [];
  // A finding reads `rule-id: sentence`; a denial by change control has no finding of its own.
  const reasons = Array.isArray(detail.reasons) ? detail.reasons.flatMap((r) => text(r) ?? []) : [];
  const action = text(detail.action);
  // A denial by change control has no finding of its own: its sentence is the first reason.
  const denial =
    ruleIds.includes('change-control') && !findings.some((f) => f.startsWith('change-control:'))
      ? [reasons[0] === undefined ? 'change-control' : `change-control: ${reasons[0]}`]
      : [];
  const why = [...denial, ...findings].map((f) => f.replace(/^([a-z0-9.-]+): /, '$1 — '));
  const shown = why.slice(0, MAX_DECISION_FINDINGS).map((f) => cut(f, MAX_FINDING_LENGTH));
  if (why.length > shown.length) shown.push(`+${why.length - shown.length} more`);
  // A kept change needs no why; anything else without a rule broken (unjudgeable) says its reason.
  if (shown.length === 0 && action !== 'keep' && reasons[0] !== undefined) {
    shown.push(cut(reasons[0], MAX_FINDING_LENGTH));
  }
  const outcome = text(detail.outcome);
  return [action ?? '?', text(detail.resourceKey) ?? '?', ...(who === undefined ? [] : [`by ${who}`])]
    .join(' ')
    .concat(shown.length > 0 ? `: ${shown.join('; ')}` : '', outcome === undefined ? '' : ` (${outcome})`);
}

/** The facts of a meshwarden event worth a line: what it is about and what was decided. */
const SUMMARY_KEYS = [
  'resourceKey',
  'routeKey',
  'action',
  'decision',
  'outcome',
  'status',
  'alarmName',
] as const;

function summarize(detail: Record<string, unknown>): string {
  const reason = detail.reason as Record<string, unknown> | string | undefined;
  const facts = SUMMARY_KEYS.flatMap((key) => {
    const value = detail[key];
    return typeof value === 'string' || typeof value === 'number' ? [`${key}=${value}`] : [];
  });
  if (typeof reason === 'object' && reason !== null && typeof reason.alarmName === 'string') {
    facts.push(`alarm=${reason.alarmName}`);
  }
  return facts.length > 0 ? ` (${facts.join(', ')})` : '';
}
