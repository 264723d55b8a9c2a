/**
 * The state of a VPC Lattice resource that change control keeps as last known good and writes
 * back whole, the ports it reads and writes through, and the pure revert plan. Lattice has no
 * resource versions: a rule, a listener's default action and an auth policy are each written
 * whole (UpdateRule with match, priority and action; UpdateListener with the default action;
 * PutAuthPolicy with the document), so restoring one is one read and one write.
 */

import { sameValue } from '../../../change-control/diff';
import type { LatticeResourceRef } from '../resource-key';
import type { LatticeCall } from './lattice-call';

/** What change control keeps and restores of a Lattice resource (SDK shapes, kept opaque here). */
export type LatticeResourceState =
  | {
      readonly type: 'rule';
      readonly name: string;
      readonly match: unknown;
      readonly priority: number | undefined;
      readonly action: unknown;
    }
  | { readonly type: 'listener'; readonly name: string; readonly defaultAction: unknown }
  /** `policy: null`: the owner exists and has no auth policy. */
  | { readonly type: 'auth-policy'; readonly policy: string | null };

/** A located resource: its key parts, and the ids Lattice knows it by. */
export interface LatticeTarget {
  readonly ref: LatticeResourceRef;
  readonly ids: {
    readonly serviceId?: string;
    readonly listenerId?: string;
    readonly ruleId?: string;
    /** auth-policy: the id of the service or service network it is attached to. */
    readonly ownerId?: string;
  };
}

/** Where a call's resource is, as far as change control is concerned. */
export type Located =
  | { readonly status: 'located'; readonly target: LatticeTarget }
  | { readonly status: 'ungoverned'; readonly explanation: string }
  /** The call names something meshwarden cannot place in a service network: reported, never dropped. */
  | { readonly status: 'unlocatable'; readonly reason: string; readonly serviceNetwork?: string };

/** The Lattice reads and writes change control makes (implemented in the provider folder). */
export interface LatticeChangeTargets {
  /** Find what a call changed, in which of the governed service networks, by reading Lattice. */
  locate(call: LatticeCall, governedNetworks: readonly string[]): Promise<Located>;
  /** The state now; undefined when the resource does not exist (or is of a kind not kept). */
  read(target: LatticeTarget): Promise<LatticeResourceState | undefined>;
  /** Write a state back whole. */
  write(target: LatticeTarget, state: LatticeResourceState): Promise<void>;
  /** Remove what a create made (DeleteRule), or an auth policy that was not there (DeleteAuthPolicy). */
  remove(target: LatticeTarget): Promise<void>;
  /** Every kept resource of a service network as it is now: the first sight of the network. */
  baseline(serviceNetwork: string): Promise<{ target: LatticeTarget; state: LatticeResourceState }[]>;
}

/** Last known good of one Lattice resource. */
export interface LatticeLastKnownGood {
  readonly resourceKey: string;
  readonly state: LatticeResourceState;
  /** The CloudTrail event judged, or `baseline:<time>` for a first sight. */
  readonly eventId: string;
  readonly recordedAt: string;
  readonly source: 'event' | 'baseline' | 'own-write';
}

/** Last known good states of one account's Lattice resources, by resource key. */
export interface LatticeLastKnownGoodStore {
  get(resourceKey: string): Promise<LatticeLastKnownGood | undefined>;
  put(record: LatticeLastKnownGood): Promise<void>;
  /** Store only when the resource has none yet; true when stored. */
  putIfAbsent(record: LatticeLastKnownGood): Promise<boolean>;
  delete(resourceKey: string): Promise<void>;
}

/** How a violating Lattice call is undone. */
export type LatticeRevertPlan =
  | { readonly type: 'write'; readonly state: LatticeResourceState; readonly description: string }
  | { readonly type: 'remove'; readonly description: string }
  | { readonly type: 'none'; readonly reason: string };

/** The kinds whose state is kept and can be written back. */
export const KEPT_KINDS: ReadonlySet<string> = new Set(['rule', 'listener', 'auth-policy']);

/**
 * Plan the revert of a call from the state now and the last known good: write the last known
 * good back whole, remove what a create made, or say why it cannot be undone (unrevertable).
 * Recreating deleted resources is out of scope: Lattice gives them new ids, and whatever
 * referred to the old ones would not follow.
 */
export function planLatticeRevert(
  call: Pick<LatticeCall, 'operation' | 'verb'>,
  key: string,
  current: LatticeResourceState | undefined,
  lastKnownGood: LatticeLastKnownGood | undefined,
): LatticeRevertPlan {
  const op = call.operation;
  if (op === 'CreateRule') {
    if (current === undefined) return { type: 'none', reason: `${key} no longer exists` };
    return { type: 'remove', description: `delete the rule ${key} that ${op} created (DeleteRule)` };
  }
  if (op === 'UpdateRule' || op === 'UpdateListener' || op === 'BatchUpdateRule') {
    if (current === undefined) return { type: 'none', reason: `${key} no longer exists` };
    if (lastKnownGood === undefined) {
      return { type: 'none', reason: `${key} has no last known good state to restore` };
    }
    const how =
      op === 'UpdateListener'
        ? 'UpdateListener with its default action'
        : 'UpdateRule with its match, priority and action';
    return {
      type: 'write',
      state: lastKnownGood.state,
      description: `restore ${key} to its last known good state (${how}, recorded ${lastKnownGood.recordedAt})`,
    };
  }
  if (op === 'PutAuthPolicy' || op === 'DeleteAuthPolicy') {
    if (lastKnownGood === undefined) {
      return { type: 'none', reason: `${key} has no last known good state to restore` };
    }
    if (lastKnownGood.state.type === 'auth-policy' && lastKnownGood.state.policy === null) {
      return op === 'DeleteAuthPolicy'
        ? { type: 'none', reason: `${key} had no auth policy, and has none now` }
        : { type: 'remove', description: `delete the auth policy ${key}, which had none (DeleteAuthPolicy)` };
    }
    return {
      type: 'write',
      state: lastKnownGood.state,
      description: `restore the auth policy ${key} to its last known good document (PutAuthPolicy, recorded ${lastKnownGood.recordedAt})`,
    };
  }
  if (call.verb === 'delete') {
    return {
      type: 'none',
      reason: `${op} deleted ${key}; recreating deleted VPC Lattice resources is not supported (they come back with new ids)`,
    };
  }
  return { type: 'none', reason: `reverting ${op} is not supported for VPC Lattice yet` };
}

/**
 * True when the state read now is what a write left (its response says what that was). Lattice
 * has no versions: this is how change control tells that nobody wrote the resource since.
 */
export function leftAsWritten(
  state: LatticeResourceState,
  response: Readonly<Record<string, unknown>>,
): boolean {
  if (state.type === 'rule') {
    return (
      response.action !== undefined &&
      sameValue(state.action, response.action) &&
      (response.priority === undefined || response.priority === state.priority)
    );
  }
  if (state.type === 'listener') {
    return response.defaultAction !== undefined && sameValue(state.defaultAction, response.defaultAction);
  }
  return typeof response.policy === 'string' && response.policy === state.policy;
}

/** True when two states hold the same rule (match, priority, action), default action or auth policy. */
export function sameLatticeState(
  a: LatticeResourceState | undefined,
  b: LatticeResourceState | undefined,
): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.type !== b.type) return false;
  if (a.type === 'rule' && b.type === 'rule') {
    return sameValue(
      { match: a.match, priority: a.priority, action: a.action },
      { match: b.match, priority: b.priority, action: b.action },
    );
  }
  if (a.type === 'listener' && b.type === 'listener') return sameValue(a.defaultAction, b.defaultAction);
  return a.type === 'auth-policy' && b.type === 'auth-policy' && a.policy === b.policy;
}
