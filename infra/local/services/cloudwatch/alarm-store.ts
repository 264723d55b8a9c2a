import { MONTHS, WEEKDAYS } from '../../calendar-names';
import type { BusEntry } from '../../types';
import { alarmStateChangeEntry, eventTimestamp } from './alarm-events';
import {
  type AlarmState,
  type AlarmsState,
  alarmArn,
  type CompositeAlarm,
  type MetricAlarm,
  type StoredAlarm,
  type Tag,
} from './alarm-model';
import {
  type AlarmRule,
  type AlarmStateValue,
  evaluateAlarmRule,
  parseAlarmRule,
  referencedAlarms,
  satisfiedAlarms,
} from './alarm-rule';
import { cloudWatchErrors } from './cloudwatch-errors';

/**
 * The alarms of local CloudWatch and their states. Alarms are not evaluated against metric
 * data (there is none locally): their state changes through SetAlarmState, and composite
 * alarms follow their children. Every change of state value yields a state-change event;
 * setting the same value again yields none, as in AWS.
 */

type Configured<T> = Omit<T, keyof AlarmState | 'AlarmArn' | 'AlarmConfigurationUpdatedTimestamp'>;
export type MetricAlarmSpec = Configured<MetricAlarm>;
export type CompositeAlarmSpec = Configured<CompositeAlarm>;

export interface AlarmFilter {
  readonly names?: readonly string[];
  readonly namePrefix?: string;
  readonly types: ReadonlySet<'MetricAlarm' | 'CompositeAlarm'>;
  readonly stateValue?: AlarmStateValue;
  readonly actionPrefix?: string;
  readonly childrenOf?: string;
  readonly parentsOf?: string;
}

const MAX_PROPAGATION_STEPS = 10_000;

/** `Friday 30 April, 2021 06:51:28 UTC`, as composite alarm reasons write times. */
function reasonTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${WEEKDAYS[date.getUTCDay()]} ${pad(date.getUTCDate())} ${MONTHS[date.getUTCMonth()]}, ${date.getUTCFullYear()} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} UTC`
  );
}

function stateFields(alarm: AlarmState): AlarmState {
  return {
    StateValue: alarm.StateValue,
    StateReason: alarm.StateReason,
    ...(alarm.StateReasonData !== undefined ? { StateReasonData: alarm.StateReasonData } : {}),
    StateUpdatedTimestamp: alarm.StateUpdatedTimestamp,
    StateTransitionedTimestamp: alarm.StateTransitionedTimestamp,
  };
}

export class AlarmStore {
  private readonly alarms = new Map<string, StoredAlarm>();
  private readonly rules = new Map<string, AlarmRule>();
  private readonly tags = new Map<string, Tag[]>();

  constructor(
    private readonly region: string,
    private readonly accountId: string,
    private readonly now: () => Date,
    initial: AlarmsState,
  ) {
    for (const stored of initial.alarms) {
      this.alarms.set(stored.alarm.AlarmName, stored);
      if (stored.kind === 'composite')
        this.rules.set(stored.alarm.AlarmName, parseAlarmRule(stored.alarm.AlarmRule));
    }
    for (const [arn, tags] of Object.entries(initial.tags)) this.tags.set(arn, [...tags]);
  }

  snapshot(): AlarmsState {
    return { alarms: [...this.alarms.values()], tags: Object.fromEntries(this.tags) };
  }

  arnOf(name: string): string {
    return alarmArn(this.region, this.accountId, name);
  }

  /** An alarm named by name or by this account's alarm ARN. */
  private resolve(nameOrArn: string): string {
    const prefix = this.arnOf('');
    return nameOrArn.startsWith(prefix) ? nameOrArn.slice(prefix.length) : nameOrArn;
  }

  get(name: string): StoredAlarm | undefined {
    return this.alarms.get(name);
  }

  private initialState(): AlarmState {
    const at = this.now().toISOString();
    return {
      StateValue: 'INSUFFICIENT_DATA',
      StateReason: 'Unchecked: Initial alarm creation',
      StateUpdatedTimestamp: at,
      StateTransitionedTimestamp: at,
    };
  }

  /** Create or update a metric alarm; an update keeps the state and (as in AWS) ignores tags. */
  putMetricAlarm(spec: MetricAlarmSpec, tags: readonly Tag[]): BusEntry[] {
    const existing = this.alarms.get(spec.AlarmName);
    if (existing?.kind === 'composite') {
      throw cloudWatchErrors.invalidParameterValue(
        `An alarm named ${spec.AlarmName} already exists as a composite alarm.`,
      );
    }
    const alarm: MetricAlarm = {
      ...spec,
      AlarmArn: this.arnOf(spec.AlarmName),
      AlarmConfigurationUpdatedTimestamp: this.now().toISOString(),
      ...(existing !== undefined ? stateFields(existing.alarm) : this.initialState()),
    };
    this.alarms.set(alarm.AlarmName, { kind: 'metric', alarm });
    if (existing === undefined && tags.length > 0) this.tags.set(alarm.AlarmArn, [...tags]);
    return [];
  }

  /** Create or update a composite alarm, then evaluate its rule (a change emits an event). */
  putCompositeAlarm(spec: CompositeAlarmSpec, tags: readonly Tag[]): BusEntry[] {
    const existing = this.alarms.get(spec.AlarmName);
    if (existing?.kind === 'metric') {
      throw cloudWatchErrors.invalidParameterValue(
        `An alarm named ${spec.AlarmName} already exists as a metric alarm.`,
      );
    }
    let rule: AlarmRule;
    try {
      rule = parseAlarmRule(spec.AlarmRule);
    } catch (error) {
      throw cloudWatchErrors.invalidParameterValue((error as Error).message);
    }
    const children = referencedAlarms(rule).map((ref) => this.resolve(ref));
    const missing = [
      ...new Set(children.filter((name) => !this.alarms.has(name) && name !== spec.AlarmName)),
    ];
    if (missing.length > 0) {
      throw cloudWatchErrors.validation(
        `Could not save the composite alarm as alarms [${missing.join(', ')}] in the alarm rule do not exist`,
      );
    }
    if (this.reaches(children, spec.AlarmName)) {
      throw cloudWatchErrors.validation(
        `The alarm rule of ${spec.AlarmName} would make it depend on itself.`,
      );
    }
    const alarm: CompositeAlarm = {
      ...spec,
      AlarmArn: this.arnOf(spec.AlarmName),
      AlarmConfigurationUpdatedTimestamp: this.now().toISOString(),
      ...(existing !== undefined ? stateFields(existing.alarm) : this.initialState()),
    };
    this.alarms.set(alarm.AlarmName, { kind: 'composite', alarm });
    this.rules.set(alarm.AlarmName, rule);
    if (existing === undefined && tags.length > 0) this.tags.set(alarm.AlarmArn, [...tags]);
    const events: BusEntry[] = [];
    const changed = this.evaluateComposite(alarm.AlarmName, undefined, events);
    if (changed) this.propagate(alarm.AlarmName, events);
    return events;
  }

  /** Whether following composite references from `names` leads to `target`. */
  private reaches(names: readonly string[], target: string): boolean {
    const seen = new Set<string>();
    const stack = [...names];
    while (stack.length > 0) {
      const name = stack.pop() ?? '';
      if (name === target) return true;
      if (seen.has(name)) continue;
      seen.add(name);
      const rule = this.rules.get(name);
      if (rule !== undefined) stack.push(...referencedAlarms(rule).map((ref) => this.resolve(ref)));
    }
    return false;
  }

  /** SetAlarmState: change the state; a new value emits events, for this alarm and the composites it flips. */
  setAlarmState(name: string, value: AlarmStateValue, reason: string, reasonData?: string): BusEntry[] {
    const stored = this.alarms.get(name);
    if (stored === undefined) throw cloudWatchErrors.alarmNotFound(`Alarm ${name} not found`);
    if (reasonData !== undefined) {
      try {
        JSON.parse(reasonData);
      } catch {
        throw cloudWatchErrors.invalidFormat('StateReasonData is not valid JSON.');
      }
    }
    const events: BusEntry[] = [];
    if (this.transition(name, value, reason, reasonData, events)) this.propagate(name, events);
    return events;
  }

  /** Put an alarm in a state; returns whether the value changed (and then records the event). */
  private transition(
    name: string,
    value: AlarmStateValue,
    reason: string,
    reasonData: string | undefined,
    events: BusEntry[],
  ): boolean {
    const stored = this.alarms.get(name);
    if (stored === undefined) return false;
    const previous = stateFields(stored.alarm);
    const at = this.now();
    const iso = at.toISOString();
    const changed = previous.StateValue !== value;
    const state: AlarmState = {
      StateValue: value,
      StateReason: reason,
      ...(reasonData !== undefined ? { StateReasonData: reasonData } : {}),
      StateUpdatedTimestamp: iso,
      StateTransitionedTimestamp: changed ? iso : previous.StateTransitionedTimestamp,
    };
    const { StateReasonData: _dropped, ...rest } = stored.alarm;
    const next: StoredAlarm =
      stored.kind === 'metric'
        ? { kind: 'metric', alarm: { ...(rest as MetricAlarm), ...state } }
        : { kind: 'composite', alarm: { ...(rest as CompositeAlarm), ...state } };
    this.alarms.set(name, next);
    if (changed) events.push(alarmStateChangeEntry(next, previous, at));
    return changed;
  }

  /** Re-evaluate one composite alarm; `trigger` is the child whose change caused it. */
  private evaluateComposite(name: string, trigger: string | undefined, events: BusEntry[]): boolean {
    const rule = this.rules.get(name);
    if (rule === undefined) return false;
    const stateOf = (ref: string) => this.alarms.get(this.resolve(ref))?.alarm.StateValue;
    const value: AlarmStateValue = evaluateAlarmRule(rule, stateOf) ? 'ALARM' : 'OK';
    const triggering = (
      trigger !== undefined ? [trigger] : satisfiedAlarms(rule, stateOf).map((ref) => this.resolve(ref))
    )
      .map((child) => this.alarms.get(child)?.alarm)
      .filter((child) => child !== undefined);
    const first = triggering[0];
    const reason =
      trigger !== undefined && first !== undefined
        ? `${first.AlarmArn} transitioned to ${first.StateValue} at ${reasonTime(new Date(first.StateUpdatedTimestamp))}`
        : `Alarm rule evaluated to ${value === 'ALARM' ? 'TRUE' : 'FALSE'}`;
    const reasonData = JSON.stringify({
      triggeringAlarms: triggering.map((child) => ({
        arn: child.AlarmArn,
        state: { value: child.StateValue, timestamp: eventTimestamp(child.StateUpdatedTimestamp) },
      })),
    });
    const current = this.alarms.get(name)?.alarm.StateValue;
    if (current === value) return false;
    return this.transition(name, value, reason, reasonData, events);
  }

  /** Walk up from a changed alarm through the composite alarms that name it. */
  private propagate(changed: string, events: BusEntry[]): void {
    const queue = [changed];
    let steps = 0;
    while (queue.length > 0 && steps++ < MAX_PROPAGATION_STEPS) {
      const child = queue.shift() ?? '';
      for (const [parent, rule] of this.rules) {
        const names = referencedAlarms(rule).map((ref) => this.resolve(ref));
        if (names.includes(child) && this.evaluateComposite(parent, child, events)) queue.push(parent);
      }
    }
  }

  /** Delete alarms: all must exist, or none is deleted. */
  deleteAlarms(names: readonly string[]): void {
    const missing = names.filter((name) => !this.alarms.has(name));
    if (missing.length > 0)
      throw cloudWatchErrors.alarmNotFound(`Alarms [${missing.join(', ')}] do not exist`);
    for (const name of names) {
      this.alarms.delete(name);
      this.rules.delete(name);
      this.tags.delete(this.arnOf(name));
    }
  }

  /** Alarms matching the DescribeAlarms filters, sorted by name. */
  describe(filter: AlarmFilter): StoredAlarm[] {
    let candidates = [...this.alarms.values()];
    if (filter.childrenOf !== undefined) {
      const rule = this.rules.get(filter.childrenOf);
      const children = new Set(
        rule === undefined ? [] : referencedAlarms(rule).map((ref) => this.resolve(ref)),
      );
      candidates = candidates.filter((s) => children.has(s.alarm.AlarmName));
    }
    if (filter.parentsOf !== undefined) {
      const child = filter.parentsOf;
      candidates = candidates.filter((s) => {
        const rule = this.rules.get(s.alarm.AlarmName);
        return rule !== undefined && referencedAlarms(rule).some((ref) => this.resolve(ref) === child);
      });
    }
    const names = filter.names === undefined ? undefined : new Set(filter.names);
    return candidates
      .filter((s) => filter.types.has(s.kind === 'metric' ? 'MetricAlarm' : 'CompositeAlarm'))
      .filter((s) => names === undefined || names.has(s.alarm.AlarmName))
      .filter((s) => filter.namePrefix === undefined || s.alarm.AlarmName.startsWith(filter.namePrefix))
      .filter((s) => filter.stateValue === undefined || s.alarm.StateValue === filter.stateValue)
      .filter(
        (s) =>
          filter.actionPrefix === undefined ||
          [...s.alarm.AlarmActions, ...s.alarm.OKActions, ...s.alarm.InsufficientDataActions].some((a) =>
            a.startsWith(filter.actionPrefix ?? ''),
          ),
      )
      .sort((a, b) =>
        a.alarm.AlarmName < b.alarm.AlarmName ? -1 : a.alarm.AlarmName > b.alarm.AlarmName ? 1 : 0,
      );
  }

  // ---- tags ----

  private alarmByArn(arn: string): StoredAlarm {
    const prefix = this.arnOf('');
    if (!/^arn:aws[\w-]*:cloudwatch:[\w-]+:\d{12}:(alarm|insight-rule):.+$/.test(arn)) {
      throw cloudWatchErrors.invalidParameterValue(`Invalid ResourceARN: ${arn}`);
    }
    const stored = arn.startsWith(prefix) ? this.alarms.get(arn.slice(prefix.length)) : undefined;
    if (stored === undefined) {
      const id = arn.split(':').slice(6).join(':');
      throw cloudWatchErrors.resourceNotFound('alarm', id, `${id} not found`);
    }
    return stored;
  }

  listTags(arn: string): readonly Tag[] {
    this.alarmByArn(arn);
    return this.tags.get(arn) ?? [];
  }

  tagResource(arn: string, tags: readonly Tag[]): void {
    this.alarmByArn(arn);
    const byKey = new Map((this.tags.get(arn) ?? []).map((t) => [t.Key, t]));
    for (const tag of tags) byKey.set(tag.Key, tag);
    this.tags.set(arn, [...byKey.values()]);
  }

  untagResource(arn: string, keys: readonly string[]): void {
    this.alarmByArn(arn);
    const remove = new Set(keys);
    this.tags.set(
      arn,
      (this.tags.get(arn) ?? []).filter((t) => !remove.has(t.Key)),
    );
  }
}
