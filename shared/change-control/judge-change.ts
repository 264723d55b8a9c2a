/**
 * The mesh-change use case: for one App Mesh CloudTrail event, assess it (read now, judge,
 * decide), write the audit record, apply the effect, record what was judged and what is
 * last known good, and publish the decision. Audit before effect: the record is written
 * `pending` first and completed with the outcome; a failed effect is recorded and rethrown so
 * EventBridge retries it and finally dead-letters it.
 */
import type { MeshResource, ResourceMetadata } from '../domain/mesh';
import { refOf } from '../domain/resource-key';
import type { AppMeshApiCallEvent } from '../events/appmesh-api-call';
import type { ApprovalRequestedDetail } from '../events/approvals';
import { MESHWARDEN_DETAIL_TYPES } from '../events/patterns';
import { derivePrincipal, isSelfPrincipal } from '../events/principal';
import { describeFinding, judgeResource } from '../policy/judge';
import type {
  AuditLog,
  AuditRecord,
  ChatNotifier,
  DecisionCommitter,
  DomainEvent,
  EventPublisher,
  JudgedVersion,
  JudgedVersionStore,
  LastKnownGoodChange,
  LastKnownGoodStore,
  MeshSnapshotStore,
  MeshStateStore,
} from '../ports';
import { applyRevert, type WriteRace } from './apply-revert';
import { type AssessDeps, assessChange, type Judged, precheck } from './assess';
import { type MeshChange, meshChangeOf } from './change';
import { failedCallDecision, type GovernanceDecisionDetail, judgedDecision } from './decision-record';
import { renderDiff } from './diff';
import { revertedResource, settleHold } from './hold';
import { describeResource, readMeshState, recordMeshState } from './mesh-state';
import { notifyDecision } from './notify-decision';
import { holdApprovalId, revertClientToken } from './tokens';
import { isUnjudgeable, unjudgeableRecord } from './unjudgeable';

export interface JudgeChangeDeps extends AssessDeps {
  readonly lastKnownGood: LastKnownGoodStore;
  readonly judgedVersions: JudgedVersionStore;
  readonly audit: AuditLog;
  readonly publisher: EventPublisher;
  /** The mesh state cache; the judged resource's new state is written to it after each decision. */
  readonly meshState?: MeshStateStore;
  /** The audit's snapshots; every decided or own-written resource is marked changed in them. */
  readonly snapshots?: Pick<MeshSnapshotStore, 'load' | 'markChanged'>;
  /** How long an approval request stays open. */
  readonly approvalTtlSeconds?: number;
  /** Where reverts, holds and reports are told (the mesh's Slack channel). */
  readonly notifier?: ChatNotifier;
  /** Called when telling the channel failed; the decision stands (see notify-decision.ts). */
  readonly onNotifyFailure?: (error: unknown) => void;
  /**
   * Writes a decision's audit record with its state in one step; without it (or when it
   * declines) they are written one by one, the record `pending` before the effect.
   */
  readonly decisions?: DecisionCommitter;
}

/** What the handler returns (kept by idempotency for a redelivered event). */
export interface JudgeChangeResult {
  readonly eventId: string;
  readonly status: 'skipped' | 'decided' | 'already-decided' | 'unjudgeable';
  readonly reason?: string;
  readonly action?: GovernanceDecisionDetail['action'];
  readonly outcome?: AuditRecord['outcome'];
}

const DEFAULT_APPROVAL_TTL_SECONDS = 24 * 60 * 60;
/**
 * Largest ApprovalRequested detail offered for approval: EventBridge takes entries of at most
 * 256 KB, and a hold carries the whole proposed resource.
 */
export const MAX_APPROVAL_BYTES = 200 * 1024;

/** The resource without provider metadata: what a hold proposes to write back. */
function proposal(resource: MeshResource): Record<string, unknown> {
  const { metadata: _metadata, ...rest } = resource;
  return { ...rest, ...refOf(resource) };
}

function approvalRequest(
  judged: Judged,
  approvalId: string,
  now: Date,
  ttlSeconds: number,
): ApprovalRequestedDetail {
  const { change } = judged;
  const base = revertedResource(judged.decision.plan, judged.current);
  return {
    approvalId,
    meshName: change.ref.meshName,
    action: {
      type: 'reapply-change',
      resourceKey: judged.resourceKey,
      operation: change.operation,
      ...(change.verb === 'delete' || judged.current === undefined
        ? {}
        : { proposed: proposal(judged.current) }),
      // What the revert restores: the re-apply writes only the change from it (see hold.ts).
      ...(base === undefined ? {} : { base }),
    },
    title: `${change.operation} on ${judged.resourceKey} was reverted and waits for approval`,
    reason: judged.decision.reasons.join(' ').slice(0, 2000),
    requestedBy: {
      arn: judged.principal.arn ?? '(unknown)',
      label: judgedDecision(judged, approvalId).principal.label,
    },
    diff: renderDiff(judged.diff, 3000),
    expiresAt: new Date(now.getTime() + ttlSeconds * 1000).toISOString(),
  };
}

function eventsOf(record: AuditRecord, approval: ApprovalRequestedDetail | undefined): DomainEvent[] {
  const events: DomainEvent[] = [
    {
      detailType: MESHWARDEN_DETAIL_TYPES.governanceDecision,
      detail: { ...record.decision, outcome: record.outcome },
    },
  ];
  if (approval !== undefined) {
    events.push({ detailType: MESHWARDEN_DETAIL_TYPES.approvalRequested, detail: { ...approval } });
  }
  return events;
}

async function publishAndClose(
  deps: JudgeChangeDeps,
  record: AuditRecord,
  approval: ApprovalRequestedDetail | undefined,
): Promise<void> {
  await deps.publisher.publish(eventsOf(record, approval));
  await deps.audit.put({ ...record, published: true });
  try {
    await notifyDecision(deps.notifier, record);
  } catch (error) {
    deps.onNotifyFailure?.(error);
  }
}

function judgedOf(resource: { readonly metadata?: ResourceMetadata } | undefined): JudgedVersion | undefined {
  const metadata = resource?.metadata;
  return metadata === undefined ? undefined : { uid: metadata.uid, version: metadata.version };
}

/** What keeping an allowed, compliant change does: its outcome becomes the last known good. */
function keptLastKnownGood(deps: JudgeChangeDeps, judged: Judged): LastKnownGoodChange {
  if (judged.current === undefined) return { delete: judged.resourceKey };
  return {
    put: {
      resourceKey: judged.resourceKey,
      resource: judged.current,
      version: judged.current.metadata?.version ?? 0,
      eventId: judged.change.eventId,
      recordedAt: deps.now().toISOString(),
      source: 'event',
    },
  };
}

/** Keep the outcome of an allowed, compliant change: it becomes the last known good. */
async function keep(deps: JudgeChangeDeps, judged: Judged): Promise<void> {
  const change = keptLastKnownGood(deps, judged);
  if ('delete' in change) await deps.lastKnownGood.delete(change.delete);
  else await deps.lastKnownGood.put(change.put);
}

/** A revert's write that found the resource moved on, and the state it left, judged again. */
interface RaceRecord extends WriteRace {
  /** Open violations of the state the revert left (judged again because it includes others' writes). */
  readonly findings: readonly string[];
}

/**
 * Judge the state a raced or merged revert left: it holds someone else's write (kept by the
 * three-way merge, or overwritten by the revert), which the violating call's judgement never saw.
 */
async function judgeAgain(deps: JudgeChangeDeps, change: MeshChange, race: WriteRace): Promise<RaceRecord> {
  const state = await readMeshState(deps.meshes, deps.meshState, change.ref, deps.now(), deps.snapshots);
  const findings =
    state.index === undefined
      ? []
      : judgeResource(change.ref, state.index, deps.policy, deps.now()).filter(
          (f) => f.status === 'violation',
        );
  return { ...race, findings: findings.map((f) => describeFinding(f).slice(0, 1000)) };
}

function raceReason(race: RaceRecord): string {
  const what = race.raced
    ? `another write landed between meshwarden's read (version ${race.plannedVersion}) and its revert (version ${race.writtenVersion}) and was overwritten`
    : `the resource moved on after the violating call (now version ${race.plannedVersion}); only the leaves that call changed were restored onto it`;
  const judged =
    race.findings.length === 0
      ? 'the state left was judged again and breaks no rule'
      : `the state left was judged again and breaks: ${race.findings.join('; ')}`;
  return `${what}; ${judged}`;
}

/** Report a call that cannot be judged: audit record first, then the event, then the channel. */
async function reportUnjudgeable(
  deps: JudgeChangeDeps,
  event: AppMeshApiCallEvent,
  change: MeshChange | undefined,
  reason: string,
): Promise<JudgeChangeResult> {
  const record = unjudgeableRecord(event, change, reason);
  const existing = await deps.audit.get(record.meshName, record.eventTime, record.eventId);
  if (existing?.published === true && existing.decision.changeControl === 'unjudgeable') {
    return { eventId: record.eventId, status: 'already-decided', outcome: existing.outcome };
  }
  await deps.audit.put(record);
  await publishAndClose(deps, record, undefined);
  return {
    eventId: record.eventId,
    status: 'unjudgeable',
    action: 'report',
    reason: String(record.decision.unjudgeable),
    outcome: 'no-effect',
  };
}

/** True when the record is meshwarden's own write (the loop guard holds even for unparseable records). */
function isOwnWrite(deps: Pick<JudgeChangeDeps, 'selfRoleArns'>, event: AppMeshApiCallEvent): boolean {
  return isSelfPrincipal(derivePrincipal(event.detail.userIdentity), deps.selfRoleArns);
}

/**
 * Judge one App Mesh CloudTrail event and act on it. A call that cannot be judged (its resource
 * cannot be read from the record, or judging it fails for a reason no retry cures) is reported
 * as unjudgeable, never dropped; a transient failure propagates for EventBridge to retry.
 */
export async function judgeChange(
  deps: JudgeChangeDeps,
  event: AppMeshApiCallEvent,
): Promise<JudgeChangeResult> {
  let change: MeshChange;
  try {
    change = meshChangeOf(event);
  } catch (error) {
    if (!isUnjudgeable(error)) throw error;
    const params = event.detail.requestParameters as Record<string, unknown> | null | undefined;
    const meshName = params?.meshName;
    const ungoverned = typeof meshName === 'string' && !deps.governedMeshes.includes(meshName);
    if (event.detail.readOnly || isOwnWrite(deps, event) || ungoverned) {
      return { eventId: event.detail.eventID, status: 'skipped', reason: (error as Error).message };
    }
    return reportUnjudgeable(deps, event, undefined, (error as Error).message);
  }
  try {
    return await judgeParsed(deps, change);
  } catch (error) {
    if (!isUnjudgeable(error)) throw error;
    return reportUnjudgeable(deps, event, change, (error as Error).message);
  }
}

/**
 * After the decision is recorded: publish it and mark it published, and cache the resource's
 * new state. The cache write runs alongside the publish but is awaited after it, so a failing
 * cache write cannot leave the decision unpublished; a retry then finds the event decided, and
 * this resource stays cached as before until its next event or the audit (the staleness
 * accepted in mesh-state.ts).
 */
async function closeDecision(
  deps: JudgeChangeDeps,
  change: MeshChange,
  assessment: Judged,
  done: AuditRecord,
  held: ApprovalRequestedDetail | undefined,
): Promise<void> {
  const meshState = deps.meshState;
  const caching = Promise.all([
    meshState === undefined
      ? undefined
      : (async () => {
          const after =
            done.outcome === 'applied' ? await describeResource(deps.meshes, change.ref) : assessment.current;
          await recordMeshState(
            meshState,
            change.ref,
            after,
            assessment.current?.metadata?.uid ?? assessment.formerUid,
          );
        })(),
    deps.snapshots?.markChanged(change.ref, deps.now()),
  ]);
  caching.catch(() => undefined);
  await publishAndClose(deps, done, held);
  await caching;
}

async function judgeParsed(deps: JudgeChangeDeps, change: MeshChange): Promise<JudgeChangeResult> {
  const eventId = change.eventId;
  const early = precheck(deps, change);
  if (early !== undefined) {
    // meshwarden's own writes are not judged, but they change the resource: a snapshot taken
    // before them must not stand in for it.
    if (early.reason === 'own-write') await deps.snapshots?.markChanged(change.ref, deps.now());
    return { eventId, status: 'skipped', reason: early.explanation };
  }

  // A retry after a failure between the effect and the publish: publish what was decided, once,
  // rather than judging the state meshwarden itself just wrote.
  // The assessment only reads (and fills a cold cache), so it runs alongside the audit lookup;
  // when the event turns out decided already, it is dropped, failure included.
  const assessing = assessChange(deps, change);
  // Settled before any early return, so no read (or cold-cache fill) outlives the invocation.
  const dropped = assessing.then(
    () => undefined,
    () => undefined,
  );
  const existing = await deps.audit.get(change.ref.meshName, change.eventTime, eventId);
  if (existing?.published === true) {
    await dropped;
    return { eventId, status: 'already-decided', outcome: existing.outcome };
  }
  if (existing !== undefined && (existing.outcome === 'applied' || existing.outcome === 'no-effect')) {
    await dropped;
    await publishAndClose(deps, existing, existing.approval as ApprovalRequestedDetail | undefined);
    return { eventId, status: 'already-decided', outcome: existing.outcome };
  }

  const assessment = await assessing;
  if (assessment.status === 'skipped') {
    return { eventId, status: 'skipped', reason: assessment.explanation };
  }

  if (assessment.status === 'failed-call') {
    const record: AuditRecord = {
      meshName: change.ref.meshName,
      eventId,
      eventTime: change.eventTime,
      decision: failedCallDecision(assessment),
      outcome: 'no-effect',
      published: false,
    };
    await deps.audit.put(record);
    await publishAndClose(deps, record, undefined);
    return { eventId, status: 'decided', action: 'none', outcome: 'no-effect' };
  }

  let judged: Judged = assessment;
  let approvalId = judged.decision.action === 'hold' ? holdApprovalId(eventId) : undefined;
  let approval =
    approvalId === undefined
      ? undefined
      : approvalRequest(
          judged,
          approvalId,
          deps.now(),
          deps.approvalTtlSeconds ?? DEFAULT_APPROVAL_TTL_SECONDS,
        );
  if (approval !== undefined && Buffer.byteLength(JSON.stringify(approval)) > MAX_APPROVAL_BYTES) {
    // The change is still undone, and people are told why it cannot be offered for approval.
    approvalId = undefined;
    approval = undefined;
    judged = {
      ...judged,
      decision: {
        ...judged.decision,
        action: 'revert',
        reasons: [
          ...judged.decision.reasons,
          `the held change is too large to offer for approval (over ${MAX_APPROVAL_BYTES} bytes, EventBridge carries at most 256 KB); it is reverted, and re-applying it is for a person to do`,
        ],
      },
    };
  }
  const { decision } = judged;
  const detail = judgedDecision(judged, approvalId);
  const pending: AuditRecord = {
    meshName: change.ref.meshName,
    eventId,
    eventTime: change.eventTime,
    decision: detail,
    outcome: 'pending',
    published: false,
    ...(approval === undefined ? {} : { approval: { ...approval } }),
  };
  // A kept change's effect is state alone: its audit record, last known good and judged version
  // land together in one step, so the record is never without its effect nor the effect
  // without its record, and no `pending` record is needed in front.
  if (decision.action === 'keep' && deps.decisions !== undefined) {
    const done: AuditRecord = { ...pending, outcome: 'no-effect' };
    const judgedVersion = judgedOf(assessment.current);
    const committed = await deps.decisions.commit({
      audit: done,
      lastKnownGood: keptLastKnownGood(deps, assessment),
      ...(judgedVersion === undefined
        ? {}
        : { judged: { resourceKey: assessment.resourceKey, version: judgedVersion, eventId } }),
    });
    if (committed) {
      await closeDecision(deps, change, assessment, done, undefined);
      return { eventId, status: 'decided', action: decision.action, outcome: done.outcome };
    }
  }

  await deps.audit.put(pending);

  let judgedVersion = judgedOf(assessment.current);
  let outcome: AuditRecord['outcome'] = 'no-effect';
  let race: RaceRecord | undefined;
  let held = approval;
  try {
    if (decision.action === 'keep') {
      await keep(deps, assessment);
    } else if (decision.action === 'revert' || decision.action === 'hold') {
      const result = await applyRevert(
        deps.meshes,
        decision.plan,
        revertClientToken(eventId),
        eventId,
        assessment.current?.spec,
      );
      judgedVersion = result.written ?? judgedVersion;
      outcome = 'applied';
      if (result.race !== undefined && (result.race.merged || result.race.raced)) {
        race = await judgeAgain(deps, change, result.race);
      }
      // The request names the version the revert left: a re-apply writes only at that version.
      if (held !== undefined) held = settleHold(held, decision.plan, result, assessment.current);
    }
  } catch (error) {
    await deps.audit.put({ ...pending, outcome: 'failed', error: (error as Error).message });
    throw error;
  }
  const done: AuditRecord = {
    ...pending,
    outcome,
    ...(held === undefined ? {} : { approval: { ...held } }),
    // The race goes first, so the channel's short notice carries it.
    ...(race === undefined
      ? {}
      : { decision: { ...detail, race, reasons: [raceReason(race), ...detail.reasons] } }),
  };
  // After a revert the resource's new version is meshwarden's own write: never judge it again.
  const judgedRecord =
    judgedVersion === undefined
      ? undefined
      : { resourceKey: assessment.resourceKey, version: judgedVersion, eventId };
  const committed =
    (await deps.decisions?.commit({
      audit: done,
      ...(judgedRecord === undefined ? {} : { judged: judgedRecord }),
    })) ?? false;
  if (!committed) {
    if (judgedRecord !== undefined) {
      await deps.judgedVersions.record(judgedRecord.resourceKey, judgedRecord.version, eventId);
    }
    await deps.audit.put(done);
  }
  await closeDecision(deps, change, assessment, done, held);
  return { eventId, status: 'decided', action: decision.action, outcome };
}
