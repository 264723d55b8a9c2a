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
import type {
  AuditLog,
  AuditRecord,
  ChatNotifier,
  DomainEvent,
  EventPublisher,
  JudgedVersion,
  JudgedVersionStore,
  LastKnownGoodStore,
  MeshStateStore,
} from '../ports';
import { applyRevert } from './apply-revert';
import { type AssessDeps, assessChange, type Judged, precheck } from './assess';
import { meshChangeOf } from './change';
import { failedCallDecision, type GovernanceDecisionDetail, judgedDecision } from './decision-record';
import { renderDiff } from './diff';
import { revertedResource, settleHold } from './hold';
import { describeResource, recordMeshState } from './mesh-state';
import { notifyDecision } from './notify-decision';
import { holdApprovalId, revertClientToken } from './tokens';

export interface JudgeChangeDeps extends AssessDeps {
  readonly lastKnownGood: LastKnownGoodStore;
  readonly judgedVersions: JudgedVersionStore;
  readonly audit: AuditLog;
  readonly publisher: EventPublisher;
  /** The mesh state cache; the judged resource's new state is written to it after each decision. */
  readonly meshState?: MeshStateStore;
  /** How long an approval request stays open. */
  readonly approvalTtlSeconds?: number;
  /** Where reverts, holds and reports are told (the mesh's Slack channel). */
  readonly notifier?: ChatNotifier;
  /** Called when telling the channel failed; the decision stands (see notify-decision.ts). */
  readonly onNotifyFailure?: (error: unknown) => void;
}

/** What the handler returns (kept by idempotency for a redelivered event). */
export interface JudgeChangeResult {
  readonly eventId: string;
  readonly status: 'skipped' | 'decided' | 'already-decided';
  readonly reason?: string;
  readonly action?: GovernanceDecisionDetail['action'];
  readonly outcome?: AuditRecord['outcome'];
}

const DEFAULT_APPROVAL_TTL_SECONDS = 24 * 60 * 60;

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

/** Keep the outcome of an allowed, compliant change: it becomes the last known good. */
async function keep(deps: JudgeChangeDeps, judged: Judged): Promise<void> {
  if (judged.current === undefined) {
    await deps.lastKnownGood.delete(judged.resourceKey);
    return;
  }
  await deps.lastKnownGood.put({
    resourceKey: judged.resourceKey,
    resource: judged.current,
    version: judged.current.metadata?.version ?? 0,
    eventId: judged.change.eventId,
    recordedAt: deps.now().toISOString(),
    source: 'event',
  });
}

/** Judge one App Mesh CloudTrail event and act on it. */
export async function judgeChange(
  deps: JudgeChangeDeps,
  event: AppMeshApiCallEvent,
): Promise<JudgeChangeResult> {
  const change = meshChangeOf(event);
  const eventId = change.eventId;
  const early = precheck(deps, change);
  if (early !== undefined) return { eventId, status: 'skipped', reason: early.explanation };

  // A retry after a failure between the effect and the publish: publish what was decided, once,
  // rather than judging the state meshwarden itself just wrote.
  const existing = await deps.audit.get(change.ref.meshName, change.eventTime, eventId);
  if (existing?.published === true) return { eventId, status: 'already-decided', outcome: existing.outcome };
  if (existing !== undefined && (existing.outcome === 'applied' || existing.outcome === 'no-effect')) {
    await publishAndClose(deps, existing, existing.approval as ApprovalRequestedDetail | undefined);
    return { eventId, status: 'already-decided', outcome: existing.outcome };
  }

  const assessment = await assessChange(deps, change);
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

  const { decision } = assessment;
  const approvalId = decision.action === 'hold' ? holdApprovalId(eventId) : undefined;
  const detail = judgedDecision(assessment, approvalId);
  const approval =
    approvalId === undefined
      ? undefined
      : approvalRequest(
          assessment,
          approvalId,
          deps.now(),
          deps.approvalTtlSeconds ?? DEFAULT_APPROVAL_TTL_SECONDS,
        );
  const pending: AuditRecord = {
    meshName: change.ref.meshName,
    eventId,
    eventTime: change.eventTime,
    decision: detail,
    outcome: 'pending',
    published: false,
    ...(approval === undefined ? {} : { approval: { ...approval } }),
  };
  await deps.audit.put(pending);

  let judgedVersion = judgedOf(assessment.current);
  let outcome: AuditRecord['outcome'] = 'no-effect';
  let held = approval;
  try {
    if (decision.action === 'keep') {
      await keep(deps, assessment);
    } else if (decision.action === 'revert' || decision.action === 'hold') {
      const result = await applyRevert(deps.meshes, decision.plan, revertClientToken(eventId), eventId);
      judgedVersion = result.written ?? judgedVersion;
      outcome = 'applied';
      // The request names the version the revert left: a re-apply writes only at that version.
      if (held !== undefined) held = settleHold(held, decision.plan, result, assessment.current);
    }
  } catch (error) {
    await deps.audit.put({ ...pending, outcome: 'failed', error: (error as Error).message });
    throw error;
  }
  // After a revert the resource's new version is meshwarden's own write: never judge it again.
  if (judgedVersion !== undefined) {
    await deps.judgedVersions.record(assessment.resourceKey, judgedVersion, eventId);
  }
  const done: AuditRecord = { ...pending, outcome, ...(held === undefined ? {} : { approval: { ...held } }) };
  await deps.audit.put(done);
  await publishAndClose(deps, done, held);
  // Last, so a failing cache write cannot leave the decision unpublished; a retry then finds
  // the event decided, and this resource stays cached as before until its next event or the
  // audit (the staleness accepted in mesh-state.ts).
  if (deps.meshState !== undefined) {
    const after =
      outcome === 'applied' ? await describeResource(deps.meshes, change.ref) : assessment.current;
    await recordMeshState(
      deps.meshState,
      change.ref,
      after,
      assessment.current?.metadata?.uid ?? assessment.formerUid,
    );
  }
  return { eventId, status: 'decided', action: decision.action, outcome };
}
