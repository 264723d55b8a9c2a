/**
 * Pure decisions of the deployment guard: (what happened, the record, the route as it is
 * now, the policy) -> what to do. No I/O here; the use cases apply the decisions.
 */
import { createHash } from 'node:crypto';
import type { WeightedRoute } from '../domain/weighted-route';
import type { AlarmInfo } from '../ports';
import type { Tags } from '../providers/appmesh/model';
import {
  type Actor,
  type Deployment,
  isGuarded,
  type ProgressState,
  type RequestedDeployment,
  type RouteRecord,
  type Weights,
  withNote,
} from './model';
import type { RoutePolicy } from './route-policy';
import { allTo, formatWeights, heaviest, percentOf, sameWeights, withTraffic } from './weights';

/** The route tag that names the stable target, when the policy does not. */
export const STABLE_TARGET_TAG = 'meshwarden:stable';

/** A short stable hash, for ids and tokens derived from event ids. */
export function shortHash(text: string, length = 16): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/** App Mesh clientToken (<= 36 of [A-Za-z0-9_-]) for a write decided by one event. */
export function clientTokenFor(purpose: string, eventId: string, deploymentId: string): string {
  return `mw-${createHash('sha256').update(`${purpose}:${eventId}:${deploymentId}`).digest('base64url').slice(0, 32)}`;
}

function deploymentIdFor(eventId: string, at: string): string {
  return `dep-${at.replace(/[^0-9]/g, '').slice(0, 14)}-${shortHash(eventId, 8)}`;
}

function addMinutes(iso: string, minutes: number): string {
  return new Date(Date.parse(iso) + minutes * 60_000).toISOString();
}

/** What the provider call CloudTrail recorded did to the route (App Mesh Create/Update/DeleteRoute, a Lattice rule or listener call). */
export type RouteOperation = 'create' | 'update' | 'delete';

export interface RouteChangeInput {
  readonly record: RouteRecord | undefined;
  readonly base: Omit<RouteRecord, 'version' | 'lastWeights' | 'observedAt' | 'deployment' | 'requested'>;
  readonly operation: RouteOperation;
  /** The route as it is now (undefined: gone). Events arrive late: this, not the event, decides. */
  readonly route: WeightedRoute | undefined;
  /**
   * The weights the event's call wrote, as the provider's answer in its record says; undefined
   * when it does not say. Only compared with `route`: when they differ, a later write replaced
   * this one, and the event's operation and caller say nothing about the weights there now.
   */
  readonly written?: Weights;
  /**
   * A later write replaced the event's, as the provider's versions tell (App Mesh: the route is
   * past the version the call's answer reported, or is another resource under the same name);
   * undefined when the record does not say. Decides as `written` does, without the weights.
   */
  readonly replaced?: boolean;
  readonly actor: Actor;
  /** The caller is one of meshwarden's own roles. */
  readonly self: boolean;
  readonly eventId: string;
  /** CloudTrail's eventTime of the change. */
  readonly eventTime: string;
  readonly now: string;
  readonly policy: RoutePolicy;
}

/** What a route change means. */
export type RouteChangeOutcome =
  | { readonly kind: 'unchanged' }
  /** The event's write is no longer on the route: the later write's own event decides. */
  | { readonly kind: 'stale' }
  | { readonly kind: 'observed' }
  | { readonly kind: 'opened'; readonly deployment: Deployment }
  | { readonly kind: 'rebaselined'; readonly deployment: Deployment; readonly by: 'person' | 'meshwarden' }
  | { readonly kind: 'promoted'; readonly deployment: Deployment }
  | { readonly kind: 'ended'; readonly deployment: Deployment };

export interface RouteChangeDecision {
  readonly outcome: RouteChangeOutcome;
  /** The record to store; undefined when nothing changes. */
  readonly record: RouteRecord | undefined;
  /** A finished deployment replaced by a new one: keep it in the history. */
  readonly archive?: Deployment;
  /** A pending step schedule that no longer applies. */
  readonly cancelStep?: string;
  /** The next step to schedule. */
  readonly scheduleStep?: NonNullable<ProgressState['next']>;
  /** A requested deployment (`migrate shift`) this change did not open, and why: for the log. */
  readonly declinedRequest?: string;
}

/** End a deployment; `weights`: what the route's weights became, when the move that ended it is known. */
function end(deployment: Deployment, at: string, reason: string, weights?: Weights): Deployment {
  const { next: _next, ...progress } = deployment.progress ?? { steps: [], bakeMinutes: [], stepIndex: -1 };
  return {
    ...withNote(deployment, at, `Ended: ${reason}`, weights),
    status: 'ended',
    ended: { at, reason },
    ...(deployment.progress === undefined ? {} : { progress }),
  };
}

/**
 * Mark a deployment promoted (all weight on its canary) with its rollback window; its baseline
 * holds the promoted weights.
 */
export function promote(deployment: Deployment, at: string, windowMinutes: number, text: string): Deployment {
  const { next: _next, ...progress } = deployment.progress ?? { steps: [], bakeMinutes: [], stepIndex: -1 };
  return {
    ...withNote(deployment, at, text, deployment.baseline),
    status: 'promoted',
    promotedAt: at,
    rollbackWindowEndsAt: addMinutes(at, windowMinutes),
    ...(deployment.progress === undefined ? {} : { progress }),
  };
}

/** Schedule token of a step: unique per deployment, step and the moment it was planned. */
export function stepToken(deploymentId: string, stepIndex: number, plannedAt: string): string {
  return shortHash(`${deploymentId}:${stepIndex}:${plannedAt}`, 24);
}

/** Plan the step after `stepIndex`, due after that step's bake time. */
export function planNextStep(
  progress: ProgressState,
  deploymentId: string,
  from: string,
): ProgressState['next'] | undefined {
  const nextIndex = progress.stepIndex + 1;
  if (nextIndex >= progress.steps.length) return undefined;
  const bake = progress.bakeMinutes[Math.max(0, progress.stepIndex)] ?? 10;
  return {
    stepIndex: nextIndex,
    dueAt: addMinutes(from, bake),
    token: stepToken(deploymentId, nextIndex, from),
  };
}

/**
 * The stable target of a new deployment.
 *
 * Rule: once a deployment of this route was promoted, its canary held the weight, so the
 * stable target of every later deployment is what held the weight before it (the heaviest
 * node of the weights seen last), whatever the policy or the route's tag says: they name
 * the stable target of before that promotion, and rolling back to it would send all traffic
 * to the node the promotion replaced. `previous` carries that memory forward: a deployment
 * opened this way keeps source `promoted`, so after its own rollback or end the next one
 * again takes what held the weight. Otherwise: the policy's, else the tag's, else the
 * heaviest before.
 */
function stableOf(
  policy: RoutePolicy,
  tags: Tags | undefined,
  before: Weights | undefined,
  now: Weights,
  previous: Deployment | undefined,
): { node: string | undefined; source: Deployment['stableSource'] } {
  const promotedBefore = previous?.status === 'promoted' || previous?.stableSource === 'promoted';
  if (promotedBefore && before !== undefined) return { node: heaviest(before), source: 'promoted' };
  if (policy.stableTarget !== undefined) return { node: policy.stableTarget, source: 'policy' };
  const tagged = tags?.[STABLE_TARGET_TAG];
  if (tagged !== undefined) return { node: tagged, source: 'tag' };
  return { node: heaviest(before ?? now), source: 'most-weight-before' };
}

/**
 * A deployment for weights meshwarden itself restored (a revert of a person's change) onto a
 * route with no guarded deployment: whatever shares traffic must be guarded, or a firing alarm
 * would find nothing to roll back. The stable target is the one of the route's latest
 * deployment when it still has a share, else the heaviest node.
 */
function guardRestored(
  input: RouteChangeInput,
  weights: Weights,
  previous: Deployment | undefined,
): Deployment | undefined {
  const known = previous?.stableTarget;
  const stable = known !== undefined && (weights[known] ?? 0) > 0 ? known : heaviest(weights);
  if (stable === undefined) return undefined;
  const source = previous?.stableTarget === stable ? previous.stableSource : 'most-weight-before';
  return newDeployment(
    input,
    weights,
    stable,
    source,
    `meshwarden (change control) restored ${formatWeights(weights)}: guarded with stable target ${stable}`,
  );
}

/** A deployment in progress from `input`'s event, at `weights`, with its first note. */
function newDeployment(
  input: RouteChangeInput,
  weights: Weights,
  stable: string,
  source: Deployment['stableSource'],
  note: string,
): Deployment {
  return {
    deploymentId: deploymentIdFor(input.eventId, input.eventTime),
    status: 'in-progress',
    stableTarget: stable,
    stableSource: source,
    canaryTargets: Object.keys(weights).filter((n) => n !== stable),
    weightsBefore: input.record?.lastWeights,
    baseline: weights,
    startedBy: input.actor,
    startedAt: input.eventTime,
    openedByEventId: input.eventId,
    updatedAt: input.now,
    notes: [{ at: input.now, text: note, weights }],
    weightsInNotes: true,
  };
}

/** Whether a node is on the stable side of a deployment: its stable target, or one of its stable split. */
function onStableSide(deployment: Deployment, node: string): boolean {
  return node === deployment.stableTarget || Object.hasOwn(deployment.stableWeights ?? {}, node);
}

/** The canaries of a deployment at these weights: every node not on its stable side. */
function canariesOf(deployment: Deployment, weights: Weights): string[] {
  return Object.keys(weights).filter((n) => !onStableSide(deployment, n));
}

/**
 * The stable split of recorded weights for a shift to `canary`: every target but the canary,
 * which may be there at 0 (the bridge of an earlier, rolled back shift).
 */
export function stableSplitOf(recorded: Weights, canary: string): Weights {
  return Object.fromEntries(Object.entries(recorded).filter(([n, w]) => !(n === canary && w === 0)));
}

/**
 * Why a requested deployment's stable split is not one the guard can restore, or undefined. The
 * request is the CLI's, stored with the person's credentials; the split a rollback restores must
 * be the guard's own: the weights it last recorded for the route before the shift (the bridge of
 * an earlier shift at 0 or absent), with the stable target among them.
 */
function splitMismatch(requested: RequestedDeployment, before: Weights | undefined): string | undefined {
  if (before === undefined) return 'the guard recorded no weights of the route before it';
  const canary = requested.canaryTarget;
  if (!sameWeights(stableSplitOf(before, canary), requested.stableWeights))
    return `its stable split ${formatWeights(requested.stableWeights)} is not the route's weights the guard last recorded, ${formatWeights(before)}`;
  if ((requested.stableWeights[requested.stableTarget] ?? 0) === 0)
    return `its stable target ${requested.stableTarget} has no weight in its stable split`;
  if (Object.hasOwn(requested.stableWeights, canary)) return `its canary ${canary} is in its stable split`;
  return undefined;
}

/** The requested deployment, opened, or why it was not (the weights are its, its split is not). */
type RequestedOpening =
  | { readonly kind: 'opened'; readonly deployment: Deployment }
  | { readonly kind: 'declined'; readonly reason: string };

/**
 * The deployment a person asked for ahead of their write (`migrate shift`), when this change is
 * that write: the weights are exactly the requested first step, and it has not expired. It opens
 * only when its stable split is the guard's own record of the route (see {@link splitMismatch}).
 */
function openRequested(input: RouteChangeInput, weights: Weights): RequestedOpening | undefined {
  const requested = input.record?.requested;
  if (requested === undefined || Date.parse(requested.expiresAt) <= Date.parse(input.now)) return undefined;
  if (!sameWeights(weights, requested.weights)) return undefined;
  const mismatch = splitMismatch(requested, input.record?.lastWeights);
  if (mismatch !== undefined)
    return {
      kind: 'declined',
      reason: `Not the deployment ${requested.requestedBy} asked for (${requested.purpose}): ${mismatch}. Guarded as an ordinary deployment instead.`,
    };
  const share = percentOf(weights, requested.canaryTarget);
  const opened: Deployment = {
    ...newDeployment(
      input,
      weights,
      requested.stableTarget,
      'requested',
      `Opened by ${input.actor.label} (${requested.purpose}, asked for by ${requested.requestedBy}): ${formatWeights(input.record?.lastWeights)} -> ${formatWeights(weights)}; steps ${requested.steps.join(', ')} to ${requested.canaryTarget}${requested.watches.length === 0 ? '' : `; also watching the alarms of ${requested.watches.join(', ')}`}`,
    ),
    canaryTargets: [requested.canaryTarget],
    stableWeights: requested.stableWeights,
    watches: requested.watches,
  };
  let stepIndex = -1;
  for (const [i, step] of requested.steps.entries()) if (step <= share) stepIndex = i;
  const progress: ProgressState = { steps: requested.steps, bakeMinutes: requested.bakeMinutes, stepIndex };
  const next = planNextStep(progress, opened.deploymentId, input.now);
  return {
    kind: 'opened',
    deployment: { ...opened, progress: next === undefined ? progress : { ...progress, next } },
  };
}

/** The deployment a person's weight move opens, if any; `declined`: a requested one it is not, and why. */
function open(
  input: RouteChangeInput,
  weights: Weights,
): { readonly deployment: Deployment | undefined; readonly declined?: string } {
  const requested = input.self ? undefined : openRequested(input, weights);
  if (requested?.kind === 'opened') return { deployment: requested.deployment };
  const ordinary = openOrdinary(input, weights);
  if (requested === undefined) return { deployment: ordinary };
  return {
    deployment: ordinary === undefined ? undefined : withNote(ordinary, input.now, requested.reason),
    declined: requested.reason,
  };
}

function openOrdinary(input: RouteChangeInput, weights: Weights): Deployment | undefined {
  const before = input.record?.lastWeights;
  const { node: stable, source } = stableOf(
    input.policy,
    input.route?.tags,
    before,
    weights,
    input.record?.deployment,
  );
  if (stable === undefined || !Object.hasOwn(weights, stable)) return undefined;
  if (percentOf(weights, stable) === 100) return undefined;
  const opened = newDeployment(
    input,
    weights,
    stable,
    source,
    `Opened by ${input.actor.label}: ${formatWeights(before)} -> ${formatWeights(weights)}; stable target ${stable} (${source})`,
  );
  const canaries = opened.canaryTargets;
  const deploymentId = opened.deploymentId;
  const canaryShare = canaries.length === 1 ? percentOf(weights, canaries[0] as string) : undefined;
  if (canaryShare === 100) {
    return promote(
      opened,
      input.now,
      input.policy.rollbackWindowMinutes,
      'All weight on the canary at once: promoted',
    );
  }
  const plan = input.policy.progressive;
  if (plan === undefined || canaryShare === undefined) return opened;
  let stepIndex = -1;
  for (const [i, step] of plan.steps.entries()) if (step <= canaryShare) stepIndex = i;
  const progress: ProgressState = { steps: plan.steps, bakeMinutes: plan.bakeMinutes, stepIndex };
  const next = planNextStep(progress, deploymentId, input.now);
  return { ...opened, progress: next === undefined ? progress : { ...progress, next } };
}

/**
 * Decide what a route change means for the route's deployment.
 *
 * - The route is gone: its deployment ends ("route deleted").
 * - The event's write is no longer on the route (CloudTrail delivered it after a later write,
 *   or out of order): nothing. Its create or its caller would be taken for the weights of the
 *   later write (a canary recorded as created, or opened in the wrong name, or taken for a
 *   restore of meshwarden's); that write's own event decides, whenever it arrives.
 * - The weights did not move (a match change, or the echo of meshwarden's own write): nothing.
 * - No deployment is guarded and a person moved weight onto a second target: a deployment
 *   opens. CreateRoute only records the weights (nothing moved), and meshwarden's own writes
 *   never open one.
 * - A guarded deployment whose weights are back where they were before it: it is over
 *   (typically change control reverted the change that opened it).
 * - A person changed the weights mid-deployment: the person wins. The deployment takes the
 *   new weights as its baseline, stops its automatic steps, and says so.
 */
export function decideRouteChange(input: RouteChangeInput): RouteChangeDecision {
  const { record, route, now } = input;
  const deployment = record?.deployment;
  const guarded = deployment !== undefined && isGuarded(deployment, new Date(now));
  const pending = guarded ? deployment.progress?.next?.token : undefined;
  const cancel = pending === undefined ? {} : { cancelStep: pending };
  if (route === undefined) {
    if (record === undefined || record.lastWeights === undefined)
      return { outcome: { kind: 'unchanged' }, record: undefined };
    const base = { ...record, lastWeights: undefined, observedAt: now };
    if (!guarded) return { outcome: { kind: 'observed' }, record: base };
    const ended = end(deployment, now, `route deleted by ${input.actor.label}`);
    return {
      outcome: { kind: 'ended', deployment: ended },
      record: { ...base, deployment: ended },
      ...cancel,
    };
  }
  const weights = route.weights;
  if (
    input.replaced === true ||
    (weights !== undefined && input.written !== undefined && !sameWeights(weights, input.written))
  ) {
    return { outcome: { kind: 'stale' }, record: undefined };
  }
  if (weights === undefined || sameWeights(weights, record?.lastWeights)) {
    return { outcome: { kind: 'unchanged' }, record: undefined };
  }
  const observed: RouteRecord = {
    ...input.base,
    version: record?.version ?? 0,
    lastWeights: weights,
    observedAt: now,
    ...(deployment === undefined ? {} : { deployment }),
  };
  if (!guarded) {
    if (input.self && withTraffic(weights).length > 1) {
      const resumed = guardRestored(input, weights, deployment);
      if (resumed !== undefined) {
        return {
          outcome: { kind: 'opened', deployment: resumed },
          record: { ...observed, deployment: resumed },
          ...(deployment === undefined ? {} : { archive: deployment }),
        };
      }
    }
    if (input.self || input.operation === 'create')
      return { outcome: { kind: 'observed' }, record: observed };
    const { deployment: opened, declined } = open(input, weights);
    const told = declined === undefined ? {} : { declinedRequest: declined };
    if (opened === undefined) return { outcome: { kind: 'observed' }, record: observed, ...told };
    const archive = deployment === undefined ? {} : { archive: deployment };
    const schedule = opened.progress?.next === undefined ? {} : { scheduleStep: opened.progress.next };
    return {
      outcome:
        opened.status === 'promoted'
          ? { kind: 'promoted', deployment: opened }
          : { kind: 'opened', deployment: opened },
      record: { ...observed, deployment: opened },
      ...archive,
      ...schedule,
      ...told,
    };
  }
  const who = input.self ? 'meshwarden (change control)' : input.actor.label;
  if (deployment.weightsBefore !== undefined && sameWeights(weights, deployment.weightsBefore)) {
    const ended = end(
      deployment,
      now,
      `weights are back at their baseline ${formatWeights(weights)} (set by ${who})`,
      weights,
    );
    return {
      outcome: { kind: 'ended', deployment: ended },
      record: { ...observed, deployment: ended },
      ...cancel,
    };
  }
  const stable = deployment.stableTarget;
  const backOnStableSide =
    deployment.stableWeights !== undefined &&
    Object.hasOwn(weights, stable) &&
    canariesOf(deployment, weights).every((n) => (weights[n] ?? 0) === 0);
  if (Object.hasOwn(weights, stable) && (percentOf(weights, stable) === 100 || backOnStableSide)) {
    const ended = end(
      deployment,
      now,
      `${who} put all weight back on the stable ${backOnStableSide ? `side ${Object.keys(deployment.stableWeights ?? {}).join(', ')}` : `target ${stable}`}`,
      weights,
    );
    return {
      outcome: { kind: 'ended', deployment: ended },
      record: { ...observed, deployment: ended },
      ...cancel,
    };
  }
  // After a promotion, or once its stable target is gone, the deployment is over: a person's
  // move opens a new one (stable: what held the weight before it), so an alarm rolls back
  // to what served the traffic, never to what the promotion replaced.
  const superseded = deployment.status === 'promoted' || !Object.hasOwn(weights, stable);
  if (superseded && input.self && Object.hasOwn(weights, stable)) {
    // Change control undid the change that promoted it: the canary and the stable target share
    // the traffic again, so the deployment is guarded again rather than over.
    const { promotedAt: _p, rollbackWindowEndsAt: _w, ...unpromoted } = deployment;
    const resumed: Deployment = {
      ...withNote(
        unpromoted,
        now,
        `meshwarden (change control) restored ${formatWeights(weights)}, undoing the promotion; the deployment is guarded again`,
        weights,
      ),
      status: 'in-progress',
      baseline: weights,
      canaryTargets: canariesOf(deployment, weights),
    };
    return {
      outcome: { kind: 'rebaselined', deployment: resumed, by: 'meshwarden' },
      record: { ...observed, deployment: resumed },
      ...cancel,
    };
  }
  if (superseded) {
    const why =
      deployment.status === 'promoted'
        ? `superseded: ${who} moved the weights after promotion (${formatWeights(weights)})`
        : `stable target ${stable} was removed from the route by ${who}`;
    const ended = end(deployment, now, why, weights);
    // `record` still holds the weights before this move and the promoted deployment.
    const { deployment: opened, declined } = input.self ? { deployment: undefined } : open(input, weights);
    const told = declined === undefined ? {} : { declinedRequest: declined };
    if (opened === undefined) {
      return {
        outcome: { kind: 'ended', deployment: ended },
        record: { ...observed, deployment: ended },
        ...cancel,
        ...told,
      };
    }
    const schedule = opened.progress?.next === undefined ? {} : { scheduleStep: opened.progress.next };
    return {
      outcome:
        opened.status === 'promoted'
          ? { kind: 'promoted', deployment: opened }
          : { kind: 'opened', deployment: opened },
      record: { ...observed, deployment: opened },
      archive: ended,
      ...cancel,
      ...schedule,
      ...told,
    };
  }
  const canaries = withTraffic(weights).filter((n) => !onStableSide(deployment, n));
  const single = canaries.length === 1 ? (canaries[0] as string) : undefined;
  if (single !== undefined && percentOf(weights, single) === 100) {
    const promoted = promote(
      { ...deployment, baseline: weights },
      now,
      input.policy.rollbackWindowMinutes,
      `${who} put all weight on ${single}: promoted`,
    );
    return {
      outcome: { kind: 'promoted', deployment: promoted },
      record: { ...observed, deployment: promoted },
      ...cancel,
    };
  }
  const text = input.self
    ? `meshwarden (change control) set ${formatWeights(weights)}; the deployment takes them as its baseline`
    : `${who} changed the weights mid-deployment to ${formatWeights(weights)}: the person wins; the deployment takes them as its baseline${deployment.progress === undefined ? '' : ' and stops its automatic steps'}`;
  const progress = deployment.progress;
  const { next: _next, ...rest } = progress ?? { steps: [], bakeMinutes: [], stepIndex: -1 };
  const rebased: Deployment = {
    ...withNote(deployment, now, text, weights),
    // Its automatic steps stop, so it waits for no approval any more (that one is closed).
    status: deployment.status === 'awaiting-approval' ? 'in-progress' : deployment.status,
    baseline: weights,
    canaryTargets: canariesOf(deployment, weights),
    ...(progress === undefined ? {} : { progress: { ...rest, paused: text } }),
  };
  return {
    outcome: { kind: 'rebaselined', deployment: rebased, by: input.self ? 'meshwarden' : 'person' },
    record: { ...observed, deployment: rebased },
    ...cancel,
  };
}

/** How to roll a route back to its stable target. */
export type RollbackPlan =
  | { readonly kind: 'write'; readonly before: Weights; readonly after: Weights }
  | { readonly kind: 'route-gone' }
  | { readonly kind: 'already-stable'; readonly weights: Weights }
  | { readonly kind: 'stable-missing' }
  | { readonly kind: 'unreadable' };

/**
 * Every weight to the stable side: the stable target, or the stable split where the deployment
 * has one (the port writes them keeping the rest of the route as read).
 */
export function planRollback(deployment: Deployment, route: WeightedRoute | undefined): RollbackPlan {
  if (route === undefined) return { kind: 'route-gone' };
  const weights = route.weights;
  if (weights === undefined) return { kind: 'unreadable' };
  if (!Object.hasOwn(weights, deployment.stableTarget)) return { kind: 'stable-missing' };
  const split = deployment.stableWeights;
  const after =
    split === undefined || !Object.keys(split).every((n) => Object.hasOwn(weights, n))
      ? allTo(weights, deployment.stableTarget)
      : Object.fromEntries(Object.keys(weights).map((n) => [n, split[n] ?? 0]));
  if (sameWeights(weights, after)) return { kind: 'already-stable', weights };
  return { kind: 'write', before: weights, after };
}

/** What to do at a scheduled step. */
export type StepDecision =
  | { readonly kind: 'stale'; readonly why: string }
  | { readonly kind: 'rollback'; readonly alarm: AlarmInfo }
  | { readonly kind: 'wait'; readonly alarms: readonly string[] }
  | { readonly kind: 'request-approval'; readonly toWeight: number }
  | { readonly kind: 'apply'; readonly toWeight: number; readonly last: boolean };

/**
 * Before each step every bound alarm is checked: ALARM rolls back, INSUFFICIENT_DATA waits or
 * proceeds as the policy says, and the last step may need an approval first.
 */
export function decideStep(
  deployment: Deployment,
  step: { readonly stepIndex: number; readonly token: string; readonly approved: boolean },
  alarms: readonly AlarmInfo[],
  policy: RoutePolicy,
  now: Date,
): StepDecision {
  const progress = deployment.progress;
  if (
    !isGuarded(deployment, now) ||
    deployment.status === 'rolling-back' ||
    deployment.status === 'promoted'
  ) {
    return { kind: 'stale', why: `deployment is ${deployment.status}` };
  }
  if (progress === undefined) return { kind: 'stale', why: 'deployment is not progressive' };
  if (progress.paused !== undefined)
    return { kind: 'stale', why: 'automatic steps stopped: a person changed the weights' };
  if (!step.approved && progress.next?.token !== step.token)
    return { kind: 'stale', why: 'a newer step was planned' };
  const toWeight = progress.steps[step.stepIndex];
  if (toWeight === undefined) return { kind: 'stale', why: `no step ${step.stepIndex}` };
  const firing = alarms.find((a) => a.state === 'ALARM');
  if (firing !== undefined) return { kind: 'rollback', alarm: firing };
  const unknown = alarms.filter((a) => a.state === 'INSUFFICIENT_DATA').map((a) => a.name);
  if (unknown.length > 0 && policy.progressive?.onInsufficientData !== 'proceed')
    return { kind: 'wait', alarms: unknown };
  const last = step.stepIndex === progress.steps.length - 1;
  // An approval once given stays given: a recheck after a wait must not ask again (the same
  // approval id is decided already, so nobody could answer a new request).
  const approved = step.approved || progress.approved !== undefined;
  if (last && policy.progressive?.approvalBeforeLastStep === true && !approved) {
    return { kind: 'request-approval', toWeight };
  }
  return { kind: 'apply', toWeight, last };
}

/**
 * `total` shared among `split`'s nodes in its proportion, in whole numbers that add up to it
 * (largest remainders first, ties to the node listed first).
 */
export function shareOf(split: Weights, total: number): Weights {
  const entries = Object.entries(split);
  const sum = entries.reduce((s, [, w]) => s + w, 0);
  if (sum === 0) return Object.fromEntries(entries.map(([n]) => [n, 0]));
  const exact = entries.map(([n, w]) => ({ n, exact: (w * total) / sum }));
  const out = Object.fromEntries(exact.map((e) => [e.n, Math.floor(e.exact)]));
  let left = total - Object.values(out).reduce((s, w) => s + w, 0);
  const byRemainder = [...exact].sort(
    (a, b) => b.exact - Math.floor(b.exact) - (a.exact - Math.floor(a.exact)),
  );
  for (const e of byRemainder) {
    if (left <= 0) break;
    out[e.n] = (out[e.n] ?? 0) + 1;
    left--;
  }
  return out;
}

/**
 * Weights for a step: the canary gets `toWeight` percent, the stable side the rest (the stable
 * target, or the stable split in its proportion), others 0.
 */
export function stepWeights(deployment: Deployment, current: Weights, toWeight: number): Weights | undefined {
  if (deployment.canaryTargets.length !== 1) return undefined;
  const canary = deployment.canaryTargets[0] as string;
  if (!Object.hasOwn(current, canary) || !Object.hasOwn(current, deployment.stableTarget)) return undefined;
  const split = deployment.stableWeights;
  if (split !== undefined) {
    if (!Object.keys(split).every((n) => Object.hasOwn(current, n))) return undefined;
    const stableShare = shareOf(split, 100 - toWeight);
    return Object.fromEntries(
      Object.keys(current).map((n) => [n, n === canary ? toWeight : (stableShare[n] ?? 0)]),
    );
  }
  return Object.fromEntries(
    Object.keys(current).map((n) => [
      n,
      n === canary ? toWeight : n === deployment.stableTarget ? 100 - toWeight : 0,
    ]),
  );
}
