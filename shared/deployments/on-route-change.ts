import { formatResourceKey } from '../domain/resource-key';
import {
  formatRouteId,
  type RouteProviderName,
  type WeightedRoute,
  type Weights,
} from '../domain/weighted-route';
import { ConfigError, ConflictError, MeshwardenError } from '../errors';
import type { UserIdentity } from '../events/cloudtrail-identity';
import { MESHWARDEN_DETAIL_TYPES } from '../events/patterns';
import { derivePrincipal, isSelfPrincipal } from '../events/principal';
import type { DomainEvent, LastKnownGood } from '../ports';
import { type AppMeshApiCallEvent, writtenRouteOf } from '../providers/appmesh/cloudtrail';
import type { MeshResourceOf } from '../providers/appmesh/model';
import { appMeshWeightedRoute, replacedSince } from '../providers/appmesh/weighted-routes';
import { closeApprovalsOf } from './approvals';
import { decideRouteChange, type RouteChangeDecision, type RouteOperation } from './decide';
import type { GuardDeps } from './deps';
import { deploymentEvent, deploymentNotification } from './events';
import { type Actor, type Deployment, formatRouteKey, isGuarded, type RouteRecord, withNote } from './model';
import { type RollbackResult, rollBack, saveDeployment } from './rollback';
import { routePolicyOf } from './route-policy';
import { recordNamesOf, routeRefOf } from './route-port';
import { boundAlarms } from './steps';

/** What a CloudTrail route change did to the route's record. */
export interface RouteChangeResult {
  readonly routeKey: string;
  readonly outcome: RouteChangeDecision['outcome']['kind'] | 'ignored';
  readonly deploymentId?: string;
  /** A deployment that opened while a bound alarm was in ALARM, rolled back at once. */
  readonly rollback?: RollbackResult;
  /** A requested deployment (`migrate shift`) the change did not open, and why (the handler logs it). */
  readonly declinedRequest?: string;
}

/** meshwarden's own write is not in its ledger yet: retry the event, then it can be attributed. */
export class OwnWriteNotRecordedError extends MeshwardenError {
  constructor(routeKey: string, version: number) {
    super(
      `meshwarden's write of ${routeKey} (version ${version}) is not recorded as last known good yet; the event is retried`,
    );
    this.name = 'OwnWriteNotRecordedError';
  }
}

/**
 * A self write is a person's change when meshwarden made it for them: the last known good
 * recorded for this very version of the route is an approved re-apply on their behalf. The
 * writer records it right after App Mesh answers, so its CloudTrail record can (locally, or
 * with a fast delivery) arrive first: then the event is retried rather than taken as
 * meshwarden's, which would leave a re-applied canary unguarded.
 */
async function onBehalfOf(
  deps: GuardDeps,
  caller: { actor: Actor; self: boolean },
  route: MeshResourceOf<'route'> | undefined,
  event: AppMeshApiCallEvent,
): Promise<{ actor: Actor; self: boolean }> {
  if (route === undefined) return caller;
  const key = formatResourceKey(route);
  const written = writtenRouteOf(event.detail)?.version;
  const pending = (k: LastKnownGood | undefined) =>
    k !== undefined &&
    written !== undefined &&
    k.resource.metadata?.uid === route.metadata?.uid &&
    k.version < written;
  let known = await deps.lastKnownGood.get(key);
  // The writer records within milliseconds of App Mesh's answer: wait that long before
  // handing the event back to EventBridge's retries.
  for (let wait = 25; pending(known) && wait <= 400; wait *= 2) {
    await new Promise((resolve) => setTimeout(resolve, wait));
    known = await deps.lastKnownGood.get(key);
  }
  if (pending(known)) throw new OwnWriteNotRecordedError(key, written as number);
  const person = known?.ownWrite?.onBehalfOf;
  if (
    known?.source !== 'own-write' ||
    known.ownWrite?.purpose !== 'reapply' ||
    person === undefined ||
    route.metadata === undefined ||
    known.version !== (written ?? route.metadata.version)
  )
    return caller;
  return { actor: { arn: person.arn, label: person.label }, self: false };
}

/**
 * A deployment that opens while an alarm bound to its route is already in ALARM would send
 * traffic to a canary the alarm says is failing (no new ALARM event will come): roll it back
 * at once, saying which alarm.
 */
async function rollBackIfAlarming(
  deps: GuardDeps,
  record: RouteRecord,
  deployment: Deployment,
  eventId: string,
): Promise<RollbackResult | undefined> {
  const policy = routePolicyOf(deps.policy, record.routeKey);
  const firing = (await boundAlarms(deps, record.routeKey, policy, deployment)).find(
    (a) => a.state === 'ALARM',
  );
  if (firing === undefined) return undefined;
  return rollBack(deps, record, {
    kind: 'alarm-at-open',
    alarmName: firing.name,
    stateReason: firing.stateReason,
    eventId: `${eventId}:${deployment.deploymentId}`,
  });
}

/** Who made a CloudTrail-recorded call, and whether it was one of meshwarden's own roles. */
export function actorOf(
  event: { readonly detail: { readonly userIdentity: UserIdentity } },
  selfRoleArns: readonly string[],
): { actor: Actor; self: boolean } {
  const principal = derivePrincipal(event.detail.userIdentity);
  const self = isSelfPrincipal(principal, selfRoleArns);
  const label = self
    ? 'meshwarden'
    : (principal.sessionName ??
      principal.userName ??
      principal.roleName ??
      principal.arn ??
      principal.invokedBy ??
      'unknown');
  return { actor: { arn: principal.arn ?? principal.invokedBy ?? 'unknown', label }, self };
}

function eventsOf(decision: RouteChangeDecision, record: RouteRecord): DomainEvent[] {
  const o = decision.outcome;
  switch (o.kind) {
    case 'opened':
      return [deploymentEvent(MESHWARDEN_DETAIL_TYPES.deploymentOpened, record, o.deployment)];
    case 'promoted':
      return [deploymentEvent(MESHWARDEN_DETAIL_TYPES.deploymentPromoted, record, o.deployment)];
    case 'rebaselined':
      return [
        deploymentEvent(MESHWARDEN_DETAIL_TYPES.deploymentUpdated, record, o.deployment, {
          change: 'rebaselined',
          by: o.by,
        }),
      ];
    case 'ended':
      return [
        deploymentEvent(MESHWARDEN_DETAIL_TYPES.deploymentEnded, record, o.deployment, {
          reason: o.deployment.ended?.reason,
        }),
      ];
    default:
      return [];
  }
}

/** A route change to observe, whichever provider's CloudTrail record told of it. */
export interface RouteObservation {
  readonly routeKey: string;
  /** The record's name fields (see RouteRecord). */
  readonly names: Pick<RouteRecord, 'meshName' | 'virtualRouterName' | 'routeName'>;
  readonly operation: RouteOperation;
  readonly caller: { readonly actor: Actor; readonly self: boolean };
  readonly eventId: string;
  readonly eventTime: string;
  /** Read the route as it is now (the event may be late). */
  readonly read: () => Promise<WeightedRoute | undefined>;
  /** The weights the call wrote, when its record says (see RouteChangeInput.written). */
  readonly written?: Weights;
  /**
   * Whether a later write replaced the call's on the route as read, when its record says (see
   * RouteChangeInput.replaced); throws when the route does not show the call's write yet.
   */
  readonly replacedIn?: (route: WeightedRoute) => boolean | undefined;
  /** Who the change is for when meshwarden's own role made it (App Mesh: an approved re-apply). */
  readonly onBehalfOf?: (
    caller: { actor: Actor; self: boolean },
    route: WeightedRoute | undefined,
  ) => Promise<{ actor: Actor; self: boolean }>;
}

const OPERATIONS: Readonly<Record<string, RouteOperation>> = {
  CreateRoute: 'create',
  UpdateRoute: 'update',
  DeleteRoute: 'delete',
};

/**
 * A route was created, updated or deleted (CloudTrail). The event may be late, so the route is
 * read as it is now and compared with the record; the decision is stored with a conditional
 * write, and decided again on what is there if another writer came first.
 */
export async function onRouteChange(deps: GuardDeps, event: AppMeshApiCallEvent): Promise<RouteChangeResult> {
  const params = event.detail.requestParameters ?? {};
  const { meshName, virtualRouterName, routeName } = params;
  if (meshName === undefined || virtualRouterName === undefined || routeName === undefined) {
    return { routeKey: '', outcome: 'ignored' };
  }
  const name = { meshName, virtualRouterName, routeName };
  const written = writtenRouteOf(event.detail);
  return observeRouteChange(deps, {
    routeKey: formatRouteKey(name),
    names: name,
    operation: OPERATIONS[event.detail.eventName] ?? 'update',
    caller: actorOf(event, deps.selfRoleArns),
    eventId: event.id,
    eventTime: event.detail.eventTime,
    read: async () => {
      const route = await deps.meshes.describe({
        kind: 'route',
        meshName,
        parentName: virtualRouterName,
        name: routeName,
      });
      return route === undefined ? undefined : appMeshWeightedRoute(route);
    },
    ...(written === undefined ? {} : { replacedIn: (route) => replacedSince(written, route) }),
    onBehalfOf: (caller, route) =>
      onBehalfOf(deps, caller, route?.raw as MeshResourceOf<'route'> | undefined, event),
  });
}

/**
 * A route change on a provider other than App Mesh (its CloudTrail record): the provider says
 * which governed routes the call changed, each is observed as an App Mesh route change is. A
 * delete names no route; it ends the recorded routes it took (found by their ARNs).
 */
export async function onProviderRouteChange(
  deps: GuardDeps,
  provider: Exclude<RouteProviderName, 'appmesh'>,
  event: {
    readonly id: string;
    readonly detail: { readonly userIdentity: UserIdentity; readonly eventTime: string };
  },
): Promise<RouteChangeResult[]> {
  const routes = deps.providers?.[provider];
  if (routes === undefined)
    throw new ConfigError(
      `the deployment guard governs no ${provider} service network; the event is refused`,
    );
  const changes = await routes.routesChangedBy(event.detail);
  const caller = actorOf(event, deps.selfRoleArns);
  const common = { caller, eventId: event.id, eventTime: event.detail.eventTime };
  const results: RouteChangeResult[] = [];
  for (const change of changes) {
    if (change.operation === 'delete') {
      const taken = (await deps.store.list()).filter(
        (r) => r.routeArn !== undefined && change.covers(r.routeArn) && r.lastWeights !== undefined,
      );
      for (const record of taken) {
        const ref = routeRefOf(record);
        results.push(
          await observeRouteChange(deps, {
            ...common,
            routeKey: record.routeKey,
            names: recordNamesOf(ref.id),
            operation: 'delete',
            read: () => routes.read(ref, { tags: true }),
          }),
        );
      }
      continue;
    }
    const ref = change.ref;
    results.push(
      await observeRouteChange(deps, {
        ...common,
        routeKey: formatRouteId(ref.id),
        names: recordNamesOf(ref.id),
        operation: change.operation,
        read: () => routes.read(ref, { tags: true }),
        written: change.written,
      }),
    );
  }
  return results;
}

/**
 * Observe one route change: read the route, decide with the record, store the decision
 * (conditionally, deciding again on a conflict), then schedule, publish, notify, and roll back
 * at once a deployment that opens while a bound alarm is in ALARM.
 */
export async function observeRouteChange(
  deps: GuardDeps,
  observation: RouteObservation,
): Promise<RouteChangeResult> {
  const { routeKey, caller } = observation;
  const event = { id: observation.eventId };
  const policy = routePolicyOf(deps.policy, routeKey);
  for (let attempt = 0; ; attempt++) {
    const [record, route] = await Promise.all([deps.store.get(routeKey), observation.read()]);
    const replaced = route === undefined ? undefined : observation.replacedIn?.(route);
    // A replaced write decides nothing, so whom meshwarden wrote it for does not matter.
    const { actor, self } =
      caller.self && observation.onBehalfOf !== undefined && replaced !== true
        ? await observation.onBehalfOf(caller, route)
        : caller;
    const now = deps.now().toISOString();
    const decision = decideRouteChange({
      record,
      base: { routeKey, ...observation.names, routeArn: route?.arn ?? record?.routeArn },
      operation: observation.operation,
      route,
      written: observation.written,
      ...(replaced === undefined ? {} : { replaced }),
      actor,
      self,
      eventId: event.id,
      eventTime: observation.eventTime,
      now,
      policy,
    });
    if (decision.record === undefined) {
      // A redelivery of the event that opened the deployment (its first try failed after
      // saving it, e.g. reading the alarms): the check for a firing alarm must still happen.
      const opened = record?.deployment;
      if (
        record !== undefined &&
        opened?.openedByEventId === event.id &&
        (opened.status === 'in-progress' || opened.status === 'promoted')
      ) {
        const rollback = await rollBackIfAlarming(deps, record, opened, event.id);
        if (rollback !== undefined) return { routeKey, outcome: decision.outcome.kind, rollback };
      }
      return { routeKey, outcome: decision.outcome.kind };
    }
    let saved: RouteRecord;
    try {
      saved = await deps.store.save(decision.record);
    } catch (error) {
      if (!(error instanceof ConflictError) || attempt >= 4) throw error;
      continue;
    }
    if (decision.archive !== undefined) await deps.store.archive(routeKey, decision.archive);
    if (decision.cancelStep !== undefined) await deps.scheduler.cancel(decision.cancelStep);
    const next = decision.scheduleStep;
    const deployment = saved.deployment;
    if (next !== undefined && deployment !== undefined) {
      await deps.scheduler.schedule(
        { routeKey, deploymentId: deployment.deploymentId, stepIndex: next.stepIndex, token: next.token },
        new Date(next.dueAt),
      );
    }
    const events = eventsOf(decision, saved);
    if (events.length > 0) await deps.publisher.publish(events);
    const o = decision.outcome;
    if (o.kind === 'ended' || o.kind === 'rebaselined') {
      const text = o.deployment.notes[o.deployment.notes.length - 1]?.text ?? o.kind;
      await deps.notifier.notify(deploymentNotification(saved, o.deployment, text));
    }
    const ended = o.kind === 'ended' ? o.deployment : decision.archive;
    if (ended !== undefined) await closeApprovalsOf(deps, saved, ended, ended.ended?.reason ?? 'it ended');
    // Someone else took over the pace: its automatic steps stopped, so an approval of its last
    // step would apply nothing; close it rather than leave it open to an "Approved" that does nothing.
    if (o.kind === 'rebaselined' && o.deployment.progress?.approved === undefined)
      await closeApprovalsOf(deps, saved, o.deployment, `was taken over by ${actor.label}'s weight change`);
    const opened = o.kind === 'opened' || o.kind === 'promoted' ? o.deployment : undefined;
    const rollback =
      opened === undefined ? undefined : await rollBackIfAlarming(deps, saved, opened, event.id);
    return {
      routeKey,
      outcome: o.kind,
      ...(o.kind === 'unchanged' || o.kind === 'stale' || o.kind === 'observed'
        ? {}
        : { deploymentId: o.deployment.deploymentId }),
      ...(rollback === undefined ? {} : { rollback }),
      ...(decision.declinedRequest === undefined ? {} : { declinedRequest: decision.declinedRequest }),
    };
  }
}

/**
 * A virtual node was deleted. A guarded deployment that sends it traffic as a canary is rolled
 * back to its stable target; one whose stable target is gone cannot be, and ends (people are told).
 */
export async function onVirtualNodeDeleted(
  deps: GuardDeps,
  event: AppMeshApiCallEvent,
): Promise<{ routeKey: string; result: RollbackResult }[]> {
  const meshName = event.detail.requestParameters?.meshName;
  const node = event.detail.requestParameters?.virtualNodeName;
  if (meshName === undefined || node === undefined) return [];
  const now = deps.now();
  const affected = (await deps.store.list()).filter(
    (r) =>
      r.meshName === meshName &&
      r.deployment !== undefined &&
      isGuarded(r.deployment, now) &&
      (r.deployment.stableTarget === node || r.deployment.canaryTargets.includes(node)),
  );
  const results: { routeKey: string; result: RollbackResult }[] = [];
  for (const record of affected) {
    const deployment = record.deployment as Deployment;
    if (deployment.stableTarget === node) {
      const at = now.toISOString();
      const reason = `stable target ${node} was deleted by ${actorOf(event, deps.selfRoleArns).actor.label}; there is nothing to roll back to`;
      const saved = await saveDeployment(deps, record, deployment.deploymentId, (r, d) => ({
        ...r,
        deployment: { ...withNote(d, at, `Ended: ${reason}`), status: 'ended', ended: { at, reason } },
      }));
      const ended = saved.deployment as Deployment;
      await deps.publisher.publish([
        deploymentEvent(MESHWARDEN_DETAIL_TYPES.deploymentEnded, saved, ended, { reason }),
      ]);
      await deps.notifier.notify(deploymentNotification(saved, ended, reason));
      results.push({ routeKey: record.routeKey, result: { kind: 'ended', reason, record: saved } });
      continue;
    }
    const result = await rollBack(deps, record, {
      kind: 'target-deleted',
      virtualNode: node,
      eventId: event.id,
    });
    results.push({ routeKey: record.routeKey, result });
  }
  return results;
}
