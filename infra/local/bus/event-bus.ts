import { randomUUID } from 'node:crypto';
import { BadRequestError, ConflictError, NotFoundError } from '../../../shared/errors';
import { StateFile } from '../state-file';
import type { BusEntry, BusEvent } from '../types';
import {
  busArn,
  busNameOf,
  DEFAULT_BUS,
  functionArn,
  ruleArn,
  type TargetEndpoint,
  targetEndpoint,
} from './arns';
import {
  type BackoffOptions,
  DEFAULT_BACKOFF,
  DEFAULT_RETRY_POLICY,
  type DeadLetter,
  type DeliveryActivity,
  DeliveryQueue,
  type RetryPolicy,
} from './delivery';
import { EventJournal, type UnsettledEvent } from './journal';
import { type CompiledPattern, compilePattern } from './pattern';
import { isEnabled, isRuleState, RULE_STATES, type RuleState, ruleReceives } from './rule-state';
import { nextFireTime, parseSchedule, type Schedule } from './schedule';

/**
 * The local EventBridge: the default bus and custom buses, rules (event pattern or
 * schedule), and targets (local functions or other buses). `putEvents` stamps and routes
 * events; matching targets get them asynchronously, at least once, with retries and a
 * dead-letter list. Both the `events` service (API-created rules, persisted) and the local
 * runtime (`addLocalRule`, the CDK stack's rules, re-registered on every start) define rules.
 */

export interface BusDefinition {
  readonly name: string;
  readonly description?: string;
  readonly creationTime: string;
}

export interface TargetDefinition {
  readonly id: string;
  readonly arn: string;
  /** Constant JSON text sent instead of the event. */
  readonly input?: string;
  /** `$.path.to.field`: send that part of the event instead of the event. */
  readonly inputPath?: string;
  readonly retryPolicy?: RetryPolicy;
  readonly deadLetterArn?: string;
  readonly roleArn?: string;
}

export interface RuleDefinition {
  readonly name: string;
  readonly busName: string;
  readonly eventPattern?: string;
  readonly scheduleExpression?: string;
  readonly state: RuleState;
  readonly description?: string;
  readonly roleArn?: string;
  /** Registered by the local runtime (not persisted: the runtime registers it on each start). */
  readonly local: boolean;
  readonly creationTime: string;
  readonly targets: readonly TargetDefinition[];
}

/** What the events service persists: everything that was not registered by the runtime. */
export interface BusState {
  readonly buses: readonly BusDefinition[];
  readonly rules: readonly RuleDefinition[];
}

export interface PutRuleInput {
  readonly name: string;
  readonly busName?: string;
  readonly eventPattern?: string;
  readonly scheduleExpression?: string;
  readonly state?: RuleState;
  readonly description?: string;
  readonly roleArn?: string;
}

/** A rule target as the runtime gives it: a local function or a bus, by name. */
export type LocalTarget = ({ readonly functionName: string } | { readonly busName: string }) & {
  readonly id?: string;
  readonly retryPolicy?: RetryPolicy;
};

export interface LocalRuleSpec {
  readonly name: string;
  readonly busName?: string;
  readonly eventPattern?: string | Record<string, unknown>;
  readonly scheduleExpression?: string;
  /** `ENABLED` when absent, as in PutRule. */
  readonly state?: RuleState;
  readonly target: LocalTarget;
}

/** The outcome of one PutEvents entry, as PutEventsResultEntry has it. */
export type PutEntryResult =
  | { readonly eventId: string }
  | { readonly errorCode: string; readonly errorMessage: string };

/** One entry in PutTargets' / RemoveTargets' FailedEntries. */
export interface FailedTarget {
  readonly targetId: string;
  readonly errorCode: string;
  readonly errorMessage: string;
}

/** What happened on the bus, for the `npm start` timeline and tests. */
export type BusActivity =
  | {
      readonly kind: 'event';
      readonly busName: string;
      readonly event: BusEvent;
      readonly matchedRules: readonly string[];
    }
  | { readonly kind: 'schedule'; readonly ruleName: string; readonly event: BusEvent }
  | DeliveryActivity;

/** Calls a local function with an event; the runtime provides the Lambda-like context. */
export type FunctionInvoker = (functionName: string, event: unknown) => Promise<void>;

export interface LocalEventBusOptions {
  readonly region: string;
  readonly accountId: string;
  readonly now?: () => Date;
  readonly invoke?: FunctionInvoker;
  readonly backoff?: BackoffOptions;
  /**
   * Where accepted events are journaled and the dead-letter list is kept, so that neither is
   * lost when the process stops, however it stops; in memory only when undefined.
   */
  readonly dataDir?: string;
}

/** Routing through buses more than this many times is treated as a loop. */
const MAX_BUS_HOPS = 5;
const MAX_TARGETS_PER_RULE = 5;
const RULE_NAME = /^[.\-_A-Za-z0-9]{1,64}$/;
const BUS_NAME = /^[/.\-_A-Za-z0-9]{1,256}$/;
const TARGET_ID = /^[.\-_A-Za-z0-9]{1,64}$/;
const MAX_TIMER_MS = 2 ** 31 - 1;

interface RuleRecord {
  definition: RuleDefinition;
  readonly pattern: CompiledPattern | undefined;
  readonly schedule: Schedule | undefined;
  timer?: NodeJS.Timeout;
}

/** One delivery of an event: to which target of which rule. */
function jobKey(job: {
  readonly busName: string;
  readonly ruleName: string;
  readonly targetId: string;
}): string {
  return `${job.busName}/${job.ruleName}/${job.targetId}`;
}

/** `2017-12-22T18:43:48Z`: EventBridge stamps times to the second. */
export function eventTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function selectPath(event: BusEvent, path: string): unknown {
  if (path === '$') return event;
  if (!/^\$(\.[^.]+)+$/.test(path)) throw new Error(`InputPath ${path} is not supported locally (use $.a.b)`);
  let value: unknown = event;
  for (const key of path.slice(2).split('.')) {
    value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  }
  return value;
}

export class LocalEventBus {
  private readonly buses = new Map<string, BusDefinition>();
  /** Rules by bus name, then rule name. */
  private readonly rules = new Map<string, Map<string, RuleRecord>>();
  private readonly listeners = new Set<(activity: BusActivity) => void>();
  private readonly queue: DeliveryQueue;
  private readonly now: () => Date;
  private invoke: FunctionInvoker | undefined;
  private readonly journal: EventJournal | undefined;
  /** What the journal held unsettled at start, until `replayJournal` delivers it. */
  private unsettled: UnsettledEvent[] = [];
  /** Journaled events with deliveries still in flight or waiting to retry: how many. */
  private readonly inFlight = new Map<string, number>();
  private readonly deadLetterFile: StateFile<DeadLetter[]> | undefined;

  readonly region: string;
  readonly accountId: string;

  constructor(options: LocalEventBusOptions) {
    this.region = options.region;
    this.accountId = options.accountId;
    this.now = options.now ?? (() => new Date());
    this.invoke = options.invoke;
    this.queue = new DeliveryQueue(this.now, options.backoff ?? DEFAULT_BACKOFF, (activity) => {
      this.settle(activity);
      this.emit(activity);
    });
    if (options.dataDir !== undefined) {
      const opened = EventJournal.open(options.dataDir);
      this.journal = opened.journal;
      this.unsettled = opened.unsettled;
      this.deadLetterFile = new StateFile(options.dataDir, 'bus-dead-letters', () => []);
      this.queue.restoreDeadLetters(this.deadLetterFile.load());
    }
    this.buses.set(DEFAULT_BUS, { name: DEFAULT_BUS, creationTime: eventTime(this.now()) });
    this.rules.set(DEFAULT_BUS, new Map());
  }

  /** Set how local functions are invoked (the runtime creates its functions after the bus). */
  setInvoker(invoke: FunctionInvoker): void {
    this.invoke = invoke;
  }

  /** Subscribe to bus activity; returns the unsubscribe function. */
  onActivity(listener: (activity: BusActivity) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves when every delivery so far (and every one they caused) is done or dead-lettered. */
  drain(): Promise<void> {
    return this.queue.idle();
  }

  deadLetters(): readonly DeadLetter[] {
    return this.queue.deadLetters();
  }

  async close(): Promise<void> {
    for (const rules of this.rules.values()) for (const rule of rules.values()) this.disarm(rule);
    this.queue.close();
    this.journal?.close();
  }

  /** How many events the journal held accepted and not settled when this bus started. */
  owedFromJournal(): number {
    return this.unsettled.length;
  }

  /**
   * Deliver what the journal held accepted and not settled when this bus started (the last
   * process stopped before delivering it), to the targets that had not had it. Call once the
   * rules and the function runtime are in place. Returns how many events were replayed.
   */
  replayJournal(): number {
    const replay = this.unsettled;
    this.unsettled = [];
    for (const { busName, event, done } of replay) {
      if (!this.buses.has(busName)) continue;
      this.inFlight.set(event.id, 0);
      this.route(busName, event, 0, done);
      this.settleIfDone(event.id);
    }
    return replay.length;
  }

  /** A journaled event's delivery finished: remember it, and settle the event when it was the last. */
  private settle(activity: DeliveryActivity): void {
    const finished =
      activity.kind === 'delivered'
        ? activity.job
        : activity.kind === 'dead-lettered'
          ? activity.deadLetter
          : undefined;
    if (finished === undefined) return;
    if (activity.kind === 'dead-lettered') this.deadLetterFile?.save([...this.queue.deadLetters()]);
    const id = finished.event.id;
    const left = this.inFlight.get(id);
    if (left === undefined || this.journal === undefined) return;
    if (targetEndpoint(finished.targetArn)?.kind === 'function') this.journal.done(id, jobKey(finished));
    this.inFlight.set(id, left - 1);
    this.settleIfDone(id);
  }

  private settleIfDone(id: string): void {
    if (this.inFlight.get(id) !== 0) return;
    this.inFlight.delete(id);
    this.journal?.settled(id, this.inFlight.size === 0);
  }

  // ---- events ----

  /** Put events; throws BadRequestError naming the first refused entry. Returns the event ids. */
  async putEvents(entries: readonly BusEntry[]): Promise<string[]> {
    const results = this.putEntries(entries);
    return results.map((result, index) => {
      if ('eventId' in result) return result.eventId;
      throw new BadRequestError(`PutEvents entry ${index}: ${result.errorCode}: ${result.errorMessage}`);
    });
  }

  /** Put events one by one; a bad entry fails alone, as in PutEvents. */
  putEntries(entries: readonly BusEntry[]): PutEntryResult[] {
    return entries.map((entry) => this.putEntry(entry));
  }

  private putEntry(entry: BusEntry): PutEntryResult {
    if (!entry.source) {
      return {
        errorCode: 'InvalidArgument',
        errorMessage: 'Parameter Source is not valid. Reason: Source is a required argument.',
      };
    }
    if (!entry.detailType) {
      return {
        errorCode: 'InvalidArgument',
        errorMessage: 'Parameter DetailType is not valid. Reason: DetailType is a required argument.',
      };
    }
    const busName = busNameOf(entry.eventBusName);
    if (!this.buses.has(busName)) {
      return { errorCode: 'ResourceNotFoundException', errorMessage: `Event bus ${busName} does not exist.` };
    }
    const event: BusEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.detailType,
      source: entry.source,
      account: entry.account ?? this.accountId,
      time: eventTime(entry.time ?? this.now()),
      region: this.region,
      resources: [...(entry.resources ?? [])],
      detail: entry.detail,
    };
    if (this.journal !== undefined && this.matching(busName, event).length > 0) {
      // Durable before the id goes back: an acknowledged event is delivered, crash or not.
      this.journal.accepted(busName, event);
      this.inFlight.set(event.id, 0);
    }
    this.route(busName, event, 0);
    this.settleIfDone(event.id);
    return { eventId: event.id };
  }

  private matching(busName: string, event: BusEvent): RuleRecord[] {
    const matched: RuleRecord[] = [];
    for (const rule of this.rules.get(busName)?.values() ?? []) {
      if (ruleReceives(rule.definition.state, event) && rule.pattern?.matches(event)) matched.push(rule);
    }
    return matched;
  }

  /** `skip`: deliveries to functions the event already had (a replay from the journal). */
  private route(busName: string, event: BusEvent, hops: number, skip?: ReadonlySet<string>): void {
    const matched = this.matching(busName, event);
    this.emit({ kind: 'event', busName, event, matchedRules: matched.map((r) => r.definition.name) });
    for (const rule of matched) this.deliver(rule.definition, event, hops, skip);
  }

  private deliver(rule: RuleDefinition, event: BusEvent, hops: number, skip?: ReadonlySet<string>): void {
    for (const target of rule.targets) {
      const job = { busName: rule.busName, ruleName: rule.name, targetId: target.id };
      if (skip?.has(jobKey(job))) continue;
      const left = this.inFlight.get(event.id);
      if (left !== undefined) this.inFlight.set(event.id, left + 1);
      this.queue.enqueue({
        busName: rule.busName,
        ruleName: rule.name,
        targetId: target.id,
        targetArn: target.arn,
        event,
        retryPolicy: target.retryPolicy ?? DEFAULT_RETRY_POLICY,
        send: (e) => this.send(target, e, hops, skip),
      });
    }
  }

  private async send(
    target: TargetDefinition,
    event: BusEvent,
    hops: number,
    skip: ReadonlySet<string> | undefined,
  ): Promise<void> {
    const endpoint = targetEndpoint(target.arn);
    if (endpoint === undefined) throw new Error(`Target ${target.arn} is not deliverable locally`);
    if (endpoint.kind === 'bus') {
      if (hops + 1 > MAX_BUS_HOPS)
        throw new Error(`Event ${event.id} went through more than ${MAX_BUS_HOPS} buses`);
      if (!this.buses.has(endpoint.name)) throw new Error(`Event bus ${endpoint.name} does not exist.`);
      this.route(endpoint.name, event, hops + 1, skip);
      return;
    }
    if (this.invoke === undefined) throw new Error(`No local function runtime to invoke ${endpoint.name}`);
    const payload =
      target.input !== undefined
        ? JSON.parse(target.input)
        : target.inputPath !== undefined
          ? selectPath(event, target.inputPath)
          : event;
    await this.invoke(endpoint.name, payload);
  }

  private emit(activity: BusActivity): void {
    for (const listener of this.listeners) {
      try {
        listener(activity);
      } catch {
        // A broken timeline printer must not break delivery.
      }
    }
  }

  // ---- buses ----

  createBus(name: string, description?: string): string {
    if (!BUS_NAME.test(name) || name === DEFAULT_BUS) {
      throw new BadRequestError(`Event bus name ${name} is not valid.`);
    }
    if (this.buses.has(name)) throw new ConflictError(`Event bus ${name} already exists.`);
    this.buses.set(name, {
      name,
      ...(description !== undefined ? { description } : {}),
      creationTime: eventTime(this.now()),
    });
    this.rules.set(name, new Map());
    return busArn(this.region, this.accountId, name);
  }

  deleteBus(name: string): void {
    if (name === DEFAULT_BUS) throw new BadRequestError('Cannot delete event bus default.');
    const rules = this.rules.get(name);
    if (rules !== undefined) for (const rule of rules.values()) this.disarm(rule);
    // AWS deletes a bus silently when it does not exist; it also drops its rules.
    this.buses.delete(name);
    this.rules.delete(name);
  }

  describeBus(nameOrArn?: string): BusDefinition & { arn: string } {
    const name = busNameOf(nameOrArn);
    const bus = this.buses.get(name);
    if (bus === undefined) throw new NotFoundError(`Event bus ${name} does not exist.`);
    return { ...bus, arn: busArn(this.region, this.accountId, name) };
  }

  listBuses(namePrefix?: string): (BusDefinition & { arn: string })[] {
    return [...this.buses.values()]
      .filter((bus) => namePrefix === undefined || bus.name.startsWith(namePrefix))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((bus) => ({ ...bus, arn: busArn(this.region, this.accountId, bus.name) }));
  }

  // ---- rules ----

  ruleArn(rule: { name: string; busName: string }): string {
    return ruleArn(this.region, this.accountId, rule.busName, rule.name);
  }

  private rulesOf(busNameOrArn: string | undefined): { busName: string; rules: Map<string, RuleRecord> } {
    const busName = busNameOf(busNameOrArn);
    const rules = this.rules.get(busName);
    if (rules === undefined) throw new NotFoundError(`Event bus ${busName} does not exist.`);
    return { busName, rules };
  }

  private rule(name: string, busNameOrArn: string | undefined): RuleRecord {
    const { busName, rules } = this.rulesOf(busNameOrArn);
    const rule = rules.get(name);
    if (rule === undefined) throw new NotFoundError(`Rule ${name} does not exist on EventBus ${busName}.`);
    return rule;
  }

  /** Create or update a rule (targets are kept on update, as in PutRule). Returns the rule ARN. */
  putRule(input: PutRuleInput, local = false): string {
    if (!RULE_NAME.test(input.name)) throw new BadRequestError(`Rule name ${input.name} is not valid.`);
    const { busName, rules } = this.rulesOf(input.busName);
    if (input.eventPattern === undefined && input.scheduleExpression === undefined) {
      throw new BadRequestError('Parameter(s) EventPattern or ScheduleExpression must be specified.');
    }
    if (input.scheduleExpression !== undefined && busName !== DEFAULT_BUS) {
      throw new BadRequestError('ScheduleExpression is supported only on the default event bus.');
    }
    if (input.state !== undefined && !isRuleState(input.state)) {
      throw new BadRequestError(`Rule state ${String(input.state)} is not one of ${RULE_STATES.join(', ')}.`);
    }
    const pattern = input.eventPattern === undefined ? undefined : compilePattern(input.eventPattern);
    const schedule =
      input.scheduleExpression === undefined ? undefined : parseSchedule(input.scheduleExpression);
    const existing = rules.get(input.name);
    if (existing !== undefined) this.disarm(existing);
    const definition: RuleDefinition = {
      name: input.name,
      busName,
      ...(input.eventPattern !== undefined ? { eventPattern: input.eventPattern } : {}),
      ...(input.scheduleExpression !== undefined ? { scheduleExpression: input.scheduleExpression } : {}),
      state: input.state ?? 'ENABLED',
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.roleArn !== undefined ? { roleArn: input.roleArn } : {}),
      local: existing?.definition.local ?? local,
      creationTime: existing?.definition.creationTime ?? eventTime(this.now()),
      targets: existing?.definition.targets ?? [],
    };
    const record: RuleRecord = { definition, pattern, schedule };
    rules.set(input.name, record);
    this.arm(record);
    return this.ruleArn(definition);
  }

  /** Delete a rule; AWS refuses while it has targets (unless forced, for managed rules). */
  deleteRule(name: string, busNameOrArn?: string, force = false): void {
    // As in AWS, deleting a rule that (or whose bus) does not exist succeeds.
    const rule = this.rules.get(busNameOf(busNameOrArn))?.get(name);
    if (rule === undefined) return;
    if (rule.definition.targets.length > 0 && !force) {
      throw new BadRequestError("Rule can't be deleted since it has targets.");
    }
    this.disarm(rule);
    this.rules.get(rule.definition.busName)?.delete(name);
  }

  describeRule(name: string, busNameOrArn?: string): RuleDefinition {
    return this.rule(name, busNameOrArn).definition;
  }

  setRuleState(name: string, busNameOrArn: string | undefined, state: RuleState): void {
    const rule = this.rule(name, busNameOrArn);
    this.disarm(rule);
    rule.definition = { ...rule.definition, state };
    this.arm(rule);
  }

  /** Rules of a bus, sorted by name, optionally by name prefix. */
  listRules(busNameOrArn?: string, namePrefix?: string): RuleDefinition[] {
    const { rules } = this.rulesOf(busNameOrArn);
    return [...rules.values()]
      .map((r) => r.definition)
      .filter((r) => namePrefix === undefined || r.name.startsWith(namePrefix))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Add or replace targets by id; returns the ones refused (unknown kinds of target). */
  putTargets(
    ruleName: string,
    busNameOrArn: string | undefined,
    targets: readonly TargetDefinition[],
  ): FailedTarget[] {
    const rule = this.rule(ruleName, busNameOrArn);
    const byId = new Map(rule.definition.targets.map((t) => [t.id, t]));
    const failed: FailedTarget[] = [];
    for (const target of targets) {
      if (!TARGET_ID.test(target.id)) {
        failed.push({
          targetId: target.id,
          errorCode: 'ValidationException',
          errorMessage: `Target id ${target.id} is not valid.`,
        });
      } else if (targetEndpoint(target.arn) === undefined) {
        failed.push({
          targetId: target.id,
          errorCode: 'ValidationException',
          errorMessage: `Target ${target.arn} is not supported by local AWS: use a Lambda function ARN or an event bus ARN.`,
        });
      } else if (!byId.has(target.id) && byId.size >= MAX_TARGETS_PER_RULE) {
        failed.push({
          targetId: target.id,
          errorCode: 'LimitExceededException',
          errorMessage: `The requested resource exceeds the maximum number allowed (${MAX_TARGETS_PER_RULE} targets per rule).`,
        });
      } else {
        byId.set(target.id, target);
      }
    }
    rule.definition = { ...rule.definition, targets: [...byId.values()] };
    return failed;
  }

  removeTargets(ruleName: string, busNameOrArn: string | undefined, ids: readonly string[]): FailedTarget[] {
    const rule = this.rule(ruleName, busNameOrArn);
    const remove = new Set(ids);
    rule.definition = {
      ...rule.definition,
      targets: rule.definition.targets.filter((t) => !remove.has(t.id)),
    };
    return [];
  }

  listTargets(ruleName: string, busNameOrArn?: string): readonly TargetDefinition[] {
    return this.rule(ruleName, busNameOrArn).definition.targets;
  }

  /**
   * Register a rule for the local runtime (the CDK stack's rules): creates the bus if needed,
   * and replaces the rule and its single target if it exists.
   */
  addLocalRule(spec: LocalRuleSpec): string {
    const busName = spec.busName ?? DEFAULT_BUS;
    if (!this.buses.has(busName)) this.createBus(busName);
    const eventPattern =
      spec.eventPattern === undefined
        ? undefined
        : typeof spec.eventPattern === 'string'
          ? spec.eventPattern
          : JSON.stringify(spec.eventPattern);
    const arn = this.putRule(
      {
        name: spec.name,
        busName,
        ...(eventPattern !== undefined ? { eventPattern } : {}),
        ...(spec.scheduleExpression !== undefined ? { scheduleExpression: spec.scheduleExpression } : {}),
        ...(spec.state !== undefined ? { state: spec.state } : {}),
      },
      true,
    );
    const endpoint: TargetEndpoint =
      'functionName' in spec.target
        ? { kind: 'function', name: spec.target.functionName }
        : { kind: 'bus', name: spec.target.busName };
    const targetArn =
      endpoint.kind === 'function'
        ? functionArn(this.region, this.accountId, endpoint.name)
        : busArn(this.region, this.accountId, endpoint.name);
    const rule = this.rule(spec.name, busName);
    const target: TargetDefinition = {
      id: spec.target.id ?? endpoint.name.replace(/[^.\-_A-Za-z0-9]/g, '-').slice(0, 64),
      arn: targetArn,
      ...(spec.target.retryPolicy !== undefined ? { retryPolicy: spec.target.retryPolicy } : {}),
    };
    rule.definition = { ...rule.definition, targets: [target] };
    return arn;
  }

  // ---- persistence ----

  /** The API-defined buses and rules, for the events service to persist. */
  snapshot(): BusState {
    const rules = [...this.rules.values()].flatMap((byName) => [...byName.values()].map((r) => r.definition));
    return {
      buses: [...this.buses.values()].filter((b) => b.name !== DEFAULT_BUS),
      rules: rules.filter((r) => !r.local),
    };
  }

  /** Load persisted buses and rules; a rule that no longer compiles is skipped and named. */
  restore(state: BusState): string[] {
    const skipped: string[] = [];
    for (const bus of state.buses) {
      if (!this.buses.has(bus.name)) {
        this.buses.set(bus.name, bus);
        this.rules.set(bus.name, new Map());
      }
    }
    for (const saved of state.rules) {
      try {
        this.putRule(saved);
        const rule = this.rule(saved.name, saved.busName);
        this.disarm(rule);
        rule.definition = { ...rule.definition, creationTime: saved.creationTime, targets: saved.targets };
        this.arm(rule);
      } catch (error) {
        skipped.push(`${saved.busName}/${saved.name}: ${(error as Error).message}`);
      }
    }
    return skipped;
  }

  // ---- schedules ----

  private arm(rule: RuleRecord): void {
    const { schedule, definition } = rule;
    if (schedule === undefined || !isEnabled(definition.state)) return;
    const anchor = new Date(Date.parse(definition.creationTime));
    const next = nextFireTime(schedule, this.now(), anchor);
    if (next === undefined) return;
    const wait = (): void => {
      const delay = next.getTime() - this.now().getTime();
      rule.timer = setTimeout(
        () => {
          if (this.now().getTime() < next.getTime()) return wait();
          this.fire(rule, next);
          this.arm(rule);
        },
        Math.max(0, Math.min(delay, MAX_TIMER_MS)),
      );
      rule.timer.unref();
    };
    wait();
  }

  private disarm(rule: RuleRecord): void {
    if (rule.timer !== undefined) clearTimeout(rule.timer);
    rule.timer = undefined;
  }

  private fire(rule: RuleRecord, at: Date): void {
    const event: BusEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: this.accountId,
      time: eventTime(at),
      region: this.region,
      resources: [this.ruleArn(rule.definition)],
      detail: {},
    };
    this.emit({ kind: 'schedule', ruleName: rule.definition.name, event });
    this.deliver(rule.definition, event, 0);
  }
}
