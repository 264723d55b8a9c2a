/**
 * Assess one App Mesh change: read the state now, judge it, and decide, without writing
 * anything but the fill of a cold mesh state cache. `judgeChange` acts on the assessment;
 * `meshwarden explain` prints it.
 */
import type { MeshResource } from '../domain/mesh';
import { formatResourceKey } from '../domain/resource-key';
import { ValidationError } from '../errors';
import type { AppMeshApiCallEvent } from '../events/appmesh-api-call';
import { derivePrincipal, isSelfPrincipal, type Principal } from '../events/principal';
import {
  type ChangeDecision,
  decideChange,
  describePrincipal,
  violationActionOf,
} from '../policy/change-control';
import type { CompiledPolicy } from '../policy/compile';
import { type Finding, judgeResource } from '../policy/judge';
import type {
  CertificateIssuers,
  JudgedVersionStore,
  LastKnownGood,
  LastKnownGoodStore,
  MeshProvider,
  MeshSnapshotStore,
  MeshStateStore,
  WebIdentitySessionStore,
} from '../ports';
import { listenerCertificateArns } from './certificates';
import { type MeshChange, meshChangeOf } from './change';
import { type ActionDecision, decideAction } from './decide';
import { type DiffEntry, diffValues } from './diff';
import { readMeshState } from './mesh-state';
import { planRevert } from './revert-plan';

/** What assessing needs to read. */
export interface AssessDeps {
  readonly meshes: MeshProvider;
  readonly policy: CompiledPolicy;
  /** IAM role ARNs whose writes are meshwarden's own (the loop guard). */
  readonly selfRoleArns: readonly string[];
  /** The meshes meshwarden governs. */
  readonly governedMeshes: readonly string[];
  readonly lastKnownGood: Pick<LastKnownGoodStore, 'get'>;
  readonly judgedVersions: Pick<JudgedVersionStore, 'get'>;
  readonly sessions: Pick<WebIdentitySessionStore, 'get'>;
  readonly issuers: CertificateIssuers;
  /**
   * The mesh state cache: neighbours come from it and only the changed resource is described.
   * Without it (the read-only CLI) the whole mesh is read. A cold cache is filled on read.
   */
  readonly meshState?: Pick<MeshStateStore, 'load' | 'fill'>;
  /** The audit's verified snapshots: what a cold cache is filled from when it is safe to. */
  readonly snapshots?: Pick<MeshSnapshotStore, 'load'>;
  readonly now: () => Date;
}

/** Why an event needs no decision. */
export type SkipReason =
  | 'read-only'
  | 'own-write'
  | 'ungoverned-mesh'
  | 'already-judged'
  | 'superseded'
  | 'gone';

/** An event that needs no decision, and why. */
export interface Skipped {
  readonly status: 'skipped';
  readonly change: MeshChange;
  readonly reason: SkipReason;
  readonly explanation: string;
}

/** A failed call: audited, never acted on. */
export interface FailedCall {
  readonly status: 'failed-call';
  readonly change: MeshChange;
  readonly principal: Principal;
  readonly explanation: string;
}

/** A judged change and what to do about it. */
export interface Judged {
  readonly status: 'judged';
  readonly change: MeshChange;
  readonly principal: Principal;
  readonly resourceKey: string;
  readonly changeControl: ChangeDecision;
  readonly findings: readonly Finding[];
  readonly decision: ActionDecision;
  /** The resource as read now (undefined after a delete). */
  readonly current: MeshResource | undefined;
  readonly lastKnownGood: LastKnownGood | undefined;
  /** Last known good (or nothing) -> now. */
  readonly diff: readonly DiffEntry[];
  /** The incarnation the mesh state cache held before this event, if any. */
  readonly formerUid?: string | undefined;
}

export type Assessment = Skipped | FailedCall | Judged;

/**
 * Start a read now and await it later, if at all: a rejection is kept for whoever awaits it,
 * and one nobody awaits is not an unhandled rejection.
 */
function early<T>(read: Promise<T>): () => Promise<T> {
  read.catch(() => undefined);
  return () => read;
}

function skipped(change: MeshChange, reason: SkipReason, explanation: string): Skipped {
  return { status: 'skipped', change, reason, explanation };
}

/**
 * The caller, with the session tags of its web identity session when meshwarden saw the
 * AssumeRoleWithWebIdentity (in AWS the only place OIDC session tags appear).
 */
export async function principalOfChange(
  change: Pick<MeshChange, 'identity' | 'eventTime'>,
  sessions: Pick<WebIdentitySessionStore, 'get'>,
): Promise<Principal> {
  const identity = change.identity;
  if (
    identity.type !== 'AssumedRole' ||
    identity.sessionContext?.webIdFederationData?.federatedProvider === undefined
  ) {
    return derivePrincipal(identity);
  }
  const session = await sessions.get(identity.arn, new Date(change.eventTime));
  return derivePrincipal(identity, session === undefined ? {} : { webIdentitySession: session });
}

/** The comparable part of a resource: ref, spec and tags (no provider metadata). */
export function comparable(resource: MeshResource | undefined): unknown {
  if (resource === undefined) return undefined;
  const { metadata: _metadata, ...rest } = resource;
  return rest;
}

/**
 * The checks that need no reads: read-only calls, meshwarden's own writes (the loop guard)
 * and meshes meshwarden does not govern.
 */
export function precheck(
  deps: Pick<AssessDeps, 'selfRoleArns' | 'governedMeshes'>,
  change: MeshChange,
): Skipped | undefined {
  const key = formatResourceKey(change.ref);
  if (change.readOnly) return skipped(change, 'read-only', `${change.operation} changes nothing`);
  const caller = derivePrincipal(change.identity);
  if (isSelfPrincipal(caller, deps.selfRoleArns)) {
    return skipped(
      change,
      'own-write',
      `${change.operation} on ${key} is meshwarden's own write (${caller.roleArn ?? caller.arn})`,
    );
  }
  if (!deps.governedMeshes.includes(change.ref.meshName)) {
    return skipped(change, 'ungoverned-mesh', `mesh ${change.ref.meshName} is not governed by meshwarden`);
  }
  return undefined;
}

/** Read the state now and decide about one App Mesh CloudTrail event; writes nothing. */
export async function assessChange(
  deps: AssessDeps,
  event: AppMeshApiCallEvent | MeshChange,
): Promise<Assessment> {
  const change = 'detail' in event ? meshChangeOf(event) : event;
  const key = formatResourceKey(change.ref);
  const skip = precheck(deps, change);
  if (skip !== undefined) return skip;
  const principal = await principalOfChange(change, deps.sessions);
  if (change.errorCode !== undefined) {
    return {
      status: 'failed-call',
      change,
      principal,
      explanation: `${describePrincipal(principal)} attempted ${change.operation} on ${key} and it failed (${change.errorCode}${change.errorMessage ? `: ${change.errorMessage}` : ''}); nothing changed, nothing to do.`,
    };
  }
  if (principal.unidentified !== undefined) {
    // A change by a caller meshwarden cannot tell is not judged as anyone's: it is reported as
    // unjudgeable (audited, published, alarmed on), never allowed and never kept as good.
    throw new ValidationError(`the caller cannot be identified: ${principal.unidentified}`, [
      { path: 'detail.userIdentity', message: principal.unidentified },
    ]);
  }

  // The reads this judgement may need, started together rather than one after another: they
  // are independent, and each is a round trip. One that turns out not to be needed is dropped.
  const judgedRead = early(deps.judgedVersions.get(key));
  const goodRead = early(deps.lastKnownGood.get(key));
  const state = await readMeshState(deps.meshes, deps.meshState, change.ref, deps.now(), deps.snapshots);
  const { index, current } = state;
  if (index === undefined && change.ref.kind !== 'mesh') {
    return skipped(change, 'gone', `mesh ${change.ref.meshName} no longer exists`);
  }
  // Set when the resource moved on since the call: what the call left (the three-way "after").
  let after: unknown;
  let earlierGood: LastKnownGood | undefined;
  // Tagging changes no version, so the version checks apply to spec writes only.
  const versioned = change.verb === 'create' || change.verb === 'update' || change.verb === 'delete';
  if (current !== undefined && versioned) {
    const version = current.metadata?.version ?? 0;
    const judged = await judgedRead();
    if (judged !== undefined && judged.uid === current.metadata?.uid && version <= judged.version) {
      return skipped(
        change,
        'already-judged',
        `${key} version ${version} was already judged (up to ${judged.version})`,
      );
    }
    if (change.verb === 'delete') {
      // Recreated since its last known good (a new uid): delete and recreate are one replace,
      // judged here with the delete's caller. Otherwise the creation is judged on its own.
      const earlier = (await goodRead())?.resource.metadata?.uid;
      if (earlier === undefined || earlier === current.metadata?.uid) {
        return skipped(
          change,
          'superseded',
          `${key} exists again (version ${version}); its creation is judged on its own`,
        );
      }
    }
    if (change.resultVersion !== undefined && version > change.resultVersion) {
      // The resource moved on since this call. Its own leaves can still be judged and set back
      // (three-way, onto the later state) when the response reported what the call left and the
      // last known good predates the call; otherwise the later change is judged on its own.
      earlierGood = await goodRead();
      const mergeable =
        change.verb === 'update' &&
        change.resultSpec !== undefined &&
        earlierGood !== undefined &&
        earlierGood.resource.metadata?.uid === current.metadata?.uid &&
        earlierGood.version < change.resultVersion;
      if (!mergeable) {
        return skipped(
          change,
          'superseded',
          `${key} is at version ${version}, later than the version ${change.resultVersion} this call wrote; the later change is judged on its own`,
        );
      }
      after = change.resultSpec;
    }
  } else if (current === undefined && change.verb !== 'delete') {
    return skipped(change, 'gone', `${key} no longer exists; its deletion is judged on its own`);
  }

  const changeControl = decideChange(deps.policy, {
    principal,
    action: change.operation,
    resource: change.ref,
  });
  const certificates = current === undefined ? [] : listenerCertificateArns([current]);
  const certificateAuthorities =
    certificates.length === 0 ? new Map() : await deps.issuers.issuersOf(certificates);
  const findings =
    index === undefined
      ? []
      : judgeResource(change.ref, index, deps.policy, deps.now(), { certificateAuthorities });
  const lastKnownGood = earlierGood ?? (await goodRead());
  const mesh = deps.policy.forMesh(change.ref.meshName);
  const onViolation = mesh === undefined ? 'report' : violationActionOf(mesh, principal).onViolation;
  const revert = planRevert(change, current, lastKnownGood, index, after === undefined ? {} : { after });
  const decision = decideAction({ changeControl, findings, onViolation, revert });
  if (after !== undefined && decision.action === 'keep') {
    // Keeping would make the later, not yet judged state last known good before its own event.
    return skipped(
      change,
      'superseded',
      `${key} moved on since this allowed call; the later change is judged on its own`,
    );
  }
  return {
    status: 'judged',
    change,
    principal,
    resourceKey: key,
    changeControl,
    findings,
    decision,
    current,
    lastKnownGood,
    // What the call changed: last known good -> what it left (the state now, unless it moved on).
    diff: diffValues(
      comparable(lastKnownGood?.resource),
      after === undefined || current === undefined
        ? comparable(current)
        : { ...(comparable(current) as object), spec: after },
    ),
    formerUid: state.cached?.metadata?.uid,
  };
}
