import { type AlarmStateChangeEvent, alarmKindOf, parseAlarmReasonData } from '../events/cloudwatch-alarm';
import { MESHWARDEN_DETAIL_TYPES } from '../events/patterns';
import type { AlarmFacts } from '../ports';
import type { GuardDeps } from './deps';
import { isGuarded, type RollbackReason, type RouteRecord } from './model';
import { type RollbackResult, rollBack } from './rollback';
import { alarmNameOfArn, policyNamesAlarm, routePolicyOf } from './route-policy';
import { guardingRouteKeys } from './steps';

/** What the guard did for one route an alarm is bound to. */
export interface AlarmOutcome {
  readonly routeKey: string;
  readonly result: RollbackResult | { readonly kind: 'audited'; readonly why: string };
}

type FactsResult = { readonly facts?: AlarmFacts; readonly error?: unknown };

/** `namespace/name {k=v}`, a math expression, or the composite rule: what the alarm watches. */
export function metricOf(event: AlarmStateChangeEvent): string | undefined {
  const configuration = event.detail.configuration;
  if (configuration.alarmRule !== undefined) return configuration.alarmRule;
  const metrics = configuration.metrics ?? [];
  const shown = metrics.find((m) => m.returnData !== false) ?? metrics[0];
  if (shown === undefined) return undefined;
  if (shown.expression !== undefined) return shown.expression;
  const stat = shown.metricStat;
  if (stat === undefined) return undefined;
  const dims = Object.entries(stat.metric.dimensions ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return `${stat.metric.namespace}/${stat.metric.name}${dims === '' ? '' : ` {${dims}}`} ${stat.stat} over ${stat.period}s`;
}

function thresholdOf(event: AlarmStateChangeEvent, facts: AlarmFacts | undefined): number | undefined {
  try {
    return parseAlarmReasonData(event.detail.state)?.threshold ?? facts?.threshold;
  } catch {
    // reasonData is informative only; a malformed one must not stop a rollback.
    return facts?.threshold;
  }
}

/**
 * An alarm state change: when an alarm bound to a route (by the policy, by its
 * `meshwarden:route` tag, or by the deployment configuration) goes to ALARM, roll back that
 * route's guarded deployment. An alarm for a route with no guarded deployment is audited only,
 * and so is an alarm whose state changed before the deployment started (a redelivered or
 * late event never rolls back a later deployment).
 */
export async function onAlarmStateChange(
  deps: GuardDeps,
  event: AlarmStateChangeEvent,
): Promise<AlarmOutcome[]> {
  const startedAt = Date.now();
  if (event.detail.state.value !== 'ALARM') return [];
  const alarmName = event.detail.alarmName;
  const alarmArn = event.resources.find((r) => alarmNameOfArn(r) === alarmName) ?? event.resources[0];
  const [factsResult, records] = await Promise.all([
    alarmArn === undefined
      ? Promise.resolve<FactsResult>({})
      : deps.alarms.factsOf(alarmArn).then(
          (facts): FactsResult => ({ facts }),
          (error: unknown): FactsResult => ({ error }),
        ),
    deps.store.list(),
  ]);
  const facts = factsResult.facts;
  const now = deps.now();
  const boundTo = (key: string) =>
    facts?.routeTag === key ||
    deps.staticBindings.some((b) => b.alarmName === alarmName && b.routeKey === key) ||
    policyNamesAlarm(routePolicyOf(deps.policy, key).alarms, alarmName, alarmArn);
  // A guarded deployment is bound to its route's alarms and to those of the routes it watches.
  const bound = (record: RouteRecord) => {
    const guarded = record.deployment !== undefined && isGuarded(record.deployment, now);
    return guardingRouteKeys(record.routeKey, guarded ? record.deployment : undefined).some(boundTo);
  };
  const matching = records.filter(bound);
  // Without the tags an alarm bound only by tag would be missed: fail, so the event is retried.
  if (factsResult.error !== undefined && matching.length === 0) throw factsResult.error;
  const outcomes: AlarmOutcome[] = [];
  const audits: RouteRecord[] = [];
  const rollbacks = matching.map(async (record): Promise<AlarmOutcome> => {
    const deployment = record.deployment;
    if (deployment === undefined || !isGuarded(deployment, now)) {
      audits.push(record);
      return {
        routeKey: record.routeKey,
        result: {
          kind: 'audited',
          why: deployment === undefined ? 'no deployment' : `deployment is ${deployment.status}`,
        },
      };
    }
    const changedAt = Date.parse(event.detail.state.timestamp.replace(/\+0000$/, 'Z'));
    if (changedAt < Date.parse(deployment.startedAt) - 1000) {
      audits.push(record);
      return {
        routeKey: record.routeKey,
        result: { kind: 'audited', why: 'the alarm changed state before the deployment started' },
      };
    }
    const reason: RollbackReason = {
      kind: 'alarm',
      alarmName,
      alarmArn,
      alarmType: alarmKindOf(event),
      stateReason: event.detail.state.reason,
      metric: metricOf(event),
      threshold: thresholdOf(event, facts),
      stateChangedAt: event.detail.state.timestamp,
      eventId: event.id,
    };
    return { routeKey: record.routeKey, result: await rollBack(deps, record, reason, startedAt) };
  });
  outcomes.push(...(await Promise.all(rollbacks)));
  // Tag-bound to a route meshwarden has never seen (no record): audit that too.
  const tagged = facts?.routeTag;
  if (tagged !== undefined && !records.some((r) => r.routeKey === tagged)) {
    outcomes.push({ routeKey: tagged, result: { kind: 'audited', why: 'no deployment' } });
  }
  const audited = outcomes.filter((o) => o.result.kind === 'audited');
  if (audited.length > 0) {
    await deps.publisher.publish(
      audited.map((o) => ({
        detailType: MESHWARDEN_DETAIL_TYPES.deploymentAlarmAudited,
        detail: {
          routeKey: o.routeKey,
          alarmName,
          alarmArn,
          state: event.detail.state.value,
          stateReason: event.detail.state.reason,
          stateChangedAt: event.detail.state.timestamp,
          why: o.result.kind === 'audited' ? o.result.why : '',
          deploymentId: audits.find((r) => r.routeKey === o.routeKey)?.deployment?.deploymentId,
          eventId: event.id,
        },
        resources: alarmArn === undefined ? [] : [alarmArn],
      })),
    );
  }
  return outcomes;
}
