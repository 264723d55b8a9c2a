/**
 * The deployment guard's model. A weighted route whose weights move between its targets is
 * a deployment; one record per route holds the weights last seen and the route's latest
 * deployment. Everything is JSON, so the record is stored as is.
 */
import type { Weights } from '../domain/weighted-route';
import { BadRequestError } from '../errors';

export type { Weights } from '../domain/weighted-route';

/**
 * `<mesh>/<virtual-router>/<route>` (App Mesh) or `<service-network>/<service>/<listener>/<rule>`
 * (VPC Lattice): the form of the `meshwarden:route` alarm tag and policy globs (see
 * domain/weighted-route.ts).
 */
export type RouteKey = string;

/** The parts of a route key. */
export interface RouteName {
  readonly meshName: string;
  readonly virtualRouterName: string;
  readonly routeName: string;
}

const SEGMENT = /^[A-Za-z0-9_.-]{1,255}$/;

/** Format `<mesh>/<router>/<route>`. */
export function formatRouteKey(name: RouteName): RouteKey {
  return `${name.meshName}/${name.virtualRouterName}/${name.routeName}`;
}

/** Parse `<mesh>/<router>/<route>`, or throw a BadRequestError saying what is wrong. */
export function parseRouteKey(key: string): RouteName {
  const parts = key.split('/');
  const [meshName, virtualRouterName, routeName] = parts;
  if (
    parts.length !== 3 ||
    meshName === undefined ||
    virtualRouterName === undefined ||
    routeName === undefined ||
    ![meshName, virtualRouterName, routeName].every((p) => SEGMENT.test(p))
  ) {
    throw new BadRequestError(
      `Invalid route key ${JSON.stringify(key)}: expected "<mesh>/<virtual-router>/<route>" (App Mesh names)`,
    );
  }
  return { meshName, virtualRouterName, routeName };
}

/**
 * Where a deployment stands.
 * - `in-progress`: weight is on a canary; bound alarms roll it back.
 * - `awaiting-approval`: progressive, held before its last step until someone approves.
 * - `rolling-back`: a rollback was decided and recorded, its route write not yet confirmed.
 * - `promoted`: all weight on the canary; alarms still roll back until the window ends.
 * - `rolled-back`, `ended`: over. `ended` says why (route deleted, weights back where they were...).
 */
export type DeploymentStatus =
  | 'in-progress'
  | 'awaiting-approval'
  | 'rolling-back'
  | 'promoted'
  | 'rolled-back'
  | 'ended';

/** Statuses in which an alarm still rolls the deployment back. */
export const GUARDED_STATUSES: readonly DeploymentStatus[] = [
  'in-progress',
  'awaiting-approval',
  'rolling-back',
  'promoted',
];

/** Who changed a route, as CloudTrail said. */
export interface Actor {
  readonly arn: string;
  /** Readable: session or user name, or `meshwarden`. */
  readonly label: string;
}

/** Why a deployment was rolled back. */
export type RollbackReason =
  | {
      readonly kind: 'alarm';
      readonly alarmName: string;
      readonly alarmArn: string | undefined;
      readonly alarmType: 'metric' | 'composite';
      readonly stateReason: string;
      /** `namespace/name {dims}`, a math expression, or a composite alarm rule. */
      readonly metric: string | undefined;
      readonly threshold: number | undefined;
      /** When the alarm entered ALARM (the alarm's own timestamp). */
      readonly stateChangedAt: string;
      readonly eventId: string;
    }
  | {
      /** A bound alarm was already in ALARM when the deployment opened. */
      readonly kind: 'alarm-at-open';
      readonly alarmName: string;
      readonly stateReason: string;
      readonly eventId: string;
    }
  | {
      readonly kind: 'step-check';
      readonly alarmName: string;
      readonly stateReason: string;
      readonly eventId: string;
    }
  | { readonly kind: 'target-deleted'; readonly virtualNode: string; readonly eventId: string }
  | {
      readonly kind: 'abort';
      readonly by: string;
      readonly note: string | undefined;
      readonly eventId: string;
    }
  | { readonly kind: 'approval-rejected'; readonly by: string; readonly eventId: string };

/** One line of a deployment's story, for people, with the weights it led to where it moved them. */
export interface DeploymentNote {
  readonly at: string;
  readonly text: string;
  /**
   * The route's weights after what the note tells (a step, a rollback, a person's change), for
   * charts; absent when the note moved no weight. Notes of deployments opened before notes
   * carried weights have none (see `Deployment.weightsInNotes`).
   */
  readonly weights?: Weights;
}

/** The progressive plan of a deployment, when the policy opts its route in. */
export interface ProgressState {
  /** Canary weights, increasing, the last is 100. */
  readonly steps: readonly number[];
  readonly bakeMinutes: readonly number[];
  /** Index of the step the deployment is at (-1: before the first). */
  readonly stepIndex: number;
  /** The step check scheduled next (its schedule fires the function), if any. */
  readonly next?: { readonly stepIndex: number; readonly dueAt: string; readonly token: string };
  /** Set when a person changed the weights: automatic steps stop, the person owns the pace. */
  readonly paused?: string;
  readonly approvalId?: string;
  /** The last step's approval, once given: later checks of that step do not ask again. */
  readonly approved?: { readonly approvalId: string; readonly by: string };
  /** When the current wait on INSUFFICIENT_DATA began; its deadline counts from here. */
  readonly waitingSince?: string;
}

/** A deployment of one route. */
export interface Deployment {
  readonly deploymentId: string;
  readonly status: DeploymentStatus;
  readonly stableTarget: string;
  /**
   * Where the stable target came from. `promoted`: a deployment of this route was promoted
   * before, so the stable target is what held the weight before this one (see decide.ts).
   */
  readonly stableSource: 'policy' | 'tag' | 'most-weight-before' | 'promoted' | 'requested';
  readonly canaryTargets: readonly string[];
  /**
   * Where the stable side is several targets sharing the traffic (a migration shift moves weight
   * from all of a route's App Mesh targets to one bridge): their split. Steps give the stable
   * side its share in this proportion, and a rollback restores it; absent: all of the stable
   * side's share is `stableTarget`'s.
   */
  readonly stableWeights?: Weights;
  /**
   * Other routes whose bound alarms guard this deployment too (a migration shift: the VPC
   * Lattice rule that serves the bridge's traffic). Their alarms roll it back as its own do.
   */
  readonly watches?: readonly RouteKey[];
  /** Weights before the deployment opened; undefined when meshwarden had never seen the route. */
  readonly weightsBefore: Weights | undefined;
  /** The weights the deployment accepts as its baseline now (its last step, or a person's change). */
  readonly baseline: Weights;
  readonly startedBy: Actor;
  readonly startedAt: string;
  /** The CloudTrail event that opened it. */
  readonly openedByEventId: string;
  readonly updatedAt: string;
  readonly progress?: ProgressState;
  readonly promotedAt?: string;
  readonly rollbackWindowEndsAt?: string;
  readonly rollback?: RollbackReason & {
    readonly decidedAt: string;
    readonly completedAt?: string;
    /** The first failed attempt to write the rollback (people were told then), and the last error. */
    readonly failedAt?: string;
    readonly lastError?: string;
  };
  readonly ended?: { readonly at: string; readonly reason: string };
  readonly notes: readonly DeploymentNote[];
  /**
   * Set on deployments opened since every note that moves weight records them (`notes[].weights`).
   * Records written before lack it: their weight history is read back from the notes' text.
   */
  readonly weightsInNotes?: true;
}

/**
 * The guard's record of one route: the weights last seen and its latest deployment. The route
 * is known by its key; the name fields are App Mesh's, and for a VPC Lattice rule hold the
 * service network (`meshName`, what governs it), the service (`virtualRouterName`) and
 * `<listener>/<rule>` (`routeName`).
 */
export interface RouteRecord {
  readonly routeKey: RouteKey;
  readonly meshName: string;
  readonly virtualRouterName: string;
  readonly routeName: string;
  /** The route's ARN (a VPC Lattice rule's or listener's), so a read takes one call. */
  readonly routeArn: string | undefined;
  /** Optimistic concurrency: every write expects the version it read. 0 = not stored yet. */
  readonly version: number;
  /** Weights last seen on the route; undefined once the route is gone. */
  readonly lastWeights: Weights | undefined;
  readonly observedAt: string;
  readonly deployment?: Deployment;
  /** A deployment asked for ahead of the write that opens it (`migrate shift`). */
  readonly requested?: RequestedDeployment;
}

/**
 * A deployment someone asked meshwarden for before moving the weights themselves: when the
 * guard next observes exactly `weights` on the route, moved by that person (not by meshwarden),
 * it opens this deployment instead of one from the policy. Any other observed change drops it.
 */
export interface RequestedDeployment {
  /** The weights whose observation opens it (the first step). */
  readonly weights: Weights;
  readonly stableTarget: string;
  readonly stableWeights: Weights;
  readonly canaryTarget: string;
  /** Canary weights, increasing, the last is 100; `weights` is at the first. */
  readonly steps: readonly number[];
  readonly bakeMinutes: readonly number[];
  readonly watches: readonly RouteKey[];
  readonly requestedBy: string;
  readonly requestedAt: string;
  /** After this it opens nothing (the person's write never came, or came too late). */
  readonly expiresAt: string;
  /** Why, for the deployment's first note. */
  readonly purpose: string;
}

/** A deployment is guarded (alarms roll it back) in these statuses, within the window once promoted. */
export function isGuarded(deployment: Deployment, now: Date): boolean {
  if (!GUARDED_STATUSES.includes(deployment.status)) return false;
  if (deployment.status !== 'promoted') return true;
  const end = deployment.rollbackWindowEndsAt;
  return end !== undefined && now.getTime() < Date.parse(end);
}

/**
 * Append a note, keeping the last 50 so a record stays small. `weights`: what the route's
 * weights became by what the note tells, when it moved them.
 */
export function withNote(deployment: Deployment, at: string, text: string, weights?: Weights): Deployment {
  const note: DeploymentNote = weights === undefined ? { at, text } : { at, text, weights };
  return { ...deployment, updatedAt: at, notes: [...deployment.notes, note].slice(-50) };
}
