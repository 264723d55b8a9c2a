/**
 * The mesh-change use case for VPC Lattice: for one Lattice CloudTrail event, find what it
 * changed (by reading Lattice), judge the call with the policy's `changeControl` section
 * (principals x actions x resources, the same judgement as App Mesh), and keep, revert or report
 * it. Audit before effect: the record is written `pending` first and completed with the outcome;
 * a failed effect is recorded and rethrown for EventBridge to retry.
 *
 * Hold reverts, like revert, and asks for approval to re-apply what the call left, read from
 * Lattice when the call was judged (lattice-hold.ts); the approvals capability re-applies it
 * when a person approves. meshwarden's own writes (its reverts and re-applies) are recognised
 * by role and skipped.
 */

import { approvalExpiresAt } from '../../../approvals/expiry';
import { principalOfChange } from '../../../change-control/assess';
import type { GovernanceDecisionDetail } from '../../../change-control/decision-record';
import { diffValues, renderDiff } from '../../../change-control/diff';
import { notifyDecision } from '../../../change-control/notify-decision';
import { holdApprovalId } from '../../../change-control/tokens';
import { isUnjudgeable, UNKNOWN_MESH } from '../../../change-control/unjudgeable';
import { ValidationError } from '../../../errors';
import type { ApprovalRequestedDetail } from '../../../events/approvals';
import { MESHWARDEN_DETAIL_TYPES } from '../../../events/patterns';
import { derivePrincipal, isSelfPrincipal, type Principal } from '../../../events/principal';
import { type ChangeDecision, decideChange, describePrincipal } from '../../../policy/change-control';
import type { CompiledPolicy } from '../../../policy/compile';
import type {
  AuditLog,
  AuditRecord,
  ChatNotifier,
  DomainEvent,
  EventPublisher,
  WebIdentitySessionStore,
} from '../../../ports';
import { formatLatticeResourceKey } from '../resource-key';
import { type LatticeCall, type LatticeCallDetail, latticeCallOf } from './lattice-call';
import { latticeHold } from './lattice-hold';
import {
  KEPT_KINDS,
  type LatticeChangeTargets,
  type LatticeLastKnownGood,
  type LatticeLastKnownGoodStore,
  type LatticeResourceState,
  type LatticeRevertPlan,
  type LatticeTarget,
  leftAsWritten,
  planLatticeRevert,
} from './lattice-state';

export interface JudgeLatticeChangeDeps {
  readonly lattice: LatticeChangeTargets;
  readonly policy: CompiledPolicy;
  /** IAM role ARNs whose writes are meshwarden's own (the loop guard). */
  readonly selfRoleArns: readonly string[];
  /** The service networks the policy's `provider: vpc-lattice` entries govern in this account. */
  readonly governedNetworks: readonly string[];
  readonly lastKnownGood: LatticeLastKnownGoodStore;
  readonly sessions: Pick<WebIdentitySessionStore, 'get'>;
  readonly audit: AuditLog;
  readonly publisher: EventPublisher;
  readonly notifier?: ChatNotifier;
  readonly onNotifyFailure?: (error: unknown) => void;
  readonly now: () => Date;
}

/** What the handler returns (kept by idempotency for a redelivered event). */
export interface JudgeLatticeChangeResult {
  readonly eventId: string;
  readonly status: 'skipped' | 'decided' | 'already-decided' | 'unjudgeable';
  readonly reason?: string;
  readonly action?: GovernanceDecisionDetail['action'];
  readonly outcome?: AuditRecord['outcome'];
  /** BatchUpdateRule: the decision about each rule it changed. */
  readonly rules?: readonly JudgeLatticeChangeResult[];
}

/** What meshwarden does about a judged Lattice call. */
export interface LatticeActionDecision {
  readonly action: 'keep' | 'revert' | 'hold' | 'report';
  readonly plan: LatticeRevertPlan;
  readonly reasons: readonly string[];
  /** Why the change could not be undone, when the policy wanted it undone. */
  readonly unrevertable?: string;
}

/**
 * Decide about a judged Lattice call: pure. Allowed calls are kept; denied ones get what the
 * policy says. Hold is revert plus an approval request, so what cannot be reverted cannot be
 * held either: a revert that cannot be planned is reported as unrevertable with its reason.
 */
export function decideLatticeAction(
  changeControl: ChangeDecision,
  revert: LatticeRevertPlan,
): LatticeActionDecision {
  const reasons = [changeControl.explanation];
  const none: LatticeRevertPlan = { type: 'none', reason: 'nothing to do' };
  if (changeControl.decision === 'allow') return { action: 'keep', plan: none, reasons };
  if (changeControl.onViolation === 'report') return { action: 'report', plan: none, reasons };
  if (revert.type === 'none') {
    return {
      action: 'report',
      plan: none,
      reasons: [...reasons, `unrevertable: ${revert.reason}`],
      unrevertable: revert.reason,
    };
  }
  return { action: changeControl.onViolation === 'hold' ? 'hold' : 'revert', plan: revert, reasons };
}

function principalOf(p: Principal): GovernanceDecisionDetail['principal'] {
  return { arn: p.arn ?? p.invokedBy ?? '(unknown)', label: describePrincipal(p), type: p.type };
}

function planText(decision: LatticeActionDecision): string {
  if (decision.action === 'keep') return 'keep the change as last known good';
  if (decision.action === 'hold' && decision.plan.type !== 'none') {
    return `${decision.plan.description}; then ask for approval to re-apply the change`;
  }
  if (decision.plan.type !== 'none') return decision.plan.description;
  return decision.unrevertable === undefined
    ? 'none: reported, the change is left in place'
    : `none: unrevertable (${decision.unrevertable})`;
}

/** Publish the decision (and a hold's approval request, once the revert is done), then mark it published. */
async function publishAndClose(deps: JudgeLatticeChangeDeps, record: AuditRecord): Promise<void> {
  const events: DomainEvent[] = [
    {
      detailType: MESHWARDEN_DETAIL_TYPES.governanceDecision,
      detail: { ...record.decision, outcome: record.outcome },
    },
  ];
  // Asked only once the revert is done, so no approval can race the revert it follows.
  if (record.approval !== undefined && record.outcome === 'applied') {
    events.push({ detailType: MESHWARDEN_DETAIL_TYPES.approvalRequested, detail: { ...record.approval } });
  }
  await deps.publisher.publish(events);
  await deps.audit.put({ ...record, published: true });
  try {
    await notifyDecision(deps.notifier, record);
  } catch (error) {
    deps.onNotifyFailure?.(error);
  }
}

/**
 * A hold's approval request, built before the revert from what the call left (read from Lattice
 * now). When the change cannot be offered for approval, it is still undone: the decision becomes
 * a revert, and the reasons say why re-applying it is for a person to do.
 */
function offerHold(
  deps: JudgeLatticeChangeDeps,
  call: LatticeCall,
  target: LatticeTarget,
  key: string,
  current: LatticeResourceState | undefined,
  decision: LatticeActionDecision,
  principal: Principal,
): { decision: LatticeActionDecision; approval?: ApprovalRequestedDetail } {
  if (decision.action !== 'hold') return { decision };
  const approvalId = holdApprovalId(call.eventId);
  const hold = latticeHold({
    call,
    target,
    resourceKey: key,
    current,
    plan: decision.plan,
    approvalId,
    reasons: decision.reasons,
    requestedBy: { arn: principal.arn ?? '(unknown)', label: describePrincipal(principal) },
    expiresAt: approvalExpiresAt(deps.policy, target.ref.meshName, deps.now()),
  });
  if (hold.ok) return { decision, approval: hold.request };
  return {
    decision: {
      ...decision,
      action: 'revert',
      reasons: [
        ...decision.reasons,
        `not held for approval: ${hold.reason}; the change is reverted, and re-applying it is for a person to do`,
      ],
    },
  };
}

function skipped(call: LatticeCall, reason: string): JudgeLatticeChangeResult {
  return { eventId: call.eventId, status: 'skipped', reason };
}

/** Report a call that cannot be judged: audit record first, then the event, then the channel. */
async function reportUnjudgeable(
  deps: JudgeLatticeChangeDeps,
  call: LatticeCall,
  serviceNetwork: string | undefined,
  resourceKey: string | undefined,
  reason: string,
): Promise<JudgeLatticeChangeResult> {
  const principal = derivePrincipal(call.identity);
  const bounded = reason.length > 1000 ? `${reason.slice(0, 1000)}...` : reason;
  const meshName = serviceNetwork ?? UNKNOWN_MESH;
  const existing = await deps.audit.get(meshName, call.eventTime, call.eventId);
  if (existing?.published === true) {
    return { eventId: call.eventId, status: 'already-decided', outcome: existing.outcome };
  }
  const decision: GovernanceDecisionDetail = {
    eventId: call.eventId,
    eventTime: call.eventTime,
    meshName,
    provider: 'vpc-lattice',
    resourceKey: resourceKey ?? '(unknown)',
    operation: call.operation,
    principal: principalOf(principal),
    changeControl: 'unjudgeable',
    action: 'report',
    ruleIds: ['unjudgeable'],
    findings: [],
    plan: 'none: the change could not be judged; it is reported so people look at it',
    reasons: [`${call.operation} could not be judged: ${bounded}`],
    diff: '',
    resourceVersion: null,
    unjudgeable: bounded,
  };
  const record: AuditRecord = {
    meshName,
    eventId: call.eventId,
    eventTime: call.eventTime,
    decision,
    outcome: 'no-effect',
    published: false,
  };
  await deps.audit.put(record);
  await publishAndClose(deps, record);
  return {
    eventId: call.eventId,
    status: 'unjudgeable',
    action: 'report',
    reason: bounded,
    outcome: 'no-effect',
  };
}

/**
 * Keep an allowed change: its state now becomes last known good (or none, after a delete).
 * Lattice has no versions: when the response says the call left something other than what
 * Lattice holds now, the resource moved on since, and the later write is judged on its own
 * rather than made good here. Returns whether it recorded.
 */
async function keep(
  deps: JudgeLatticeChangeDeps,
  key: string,
  call: LatticeCall,
  current: LatticeResourceState | undefined,
): Promise<boolean> {
  if (current === undefined) {
    await deps.lastKnownGood.delete(key);
    return true;
  }
  if (call.response !== undefined && call.verb !== 'delete' && !leftAsWritten(current, call.response)) {
    return false;
  }
  await deps.lastKnownGood.put({
    resourceKey: key,
    state: current,
    eventId: call.eventId,
    recordedAt: deps.now().toISOString(),
    source: 'event',
  });
  return true;
}

/**
 * meshwarden's own verified writes become last known good (a deployment guard's rollback, say):
 * a later violating change is then reverted to the rolled-back weights, never to the canary's.
 * Recorded only while the state read now is still what the write left; a later write by someone
 * else is judged on its own. Returns whether it recorded.
 */
async function recordOwnWrite(deps: JudgeLatticeChangeDeps, call: LatticeCall): Promise<boolean> {
  if (call.errorCode !== undefined || call.response === undefined || call.verb === 'delete') return false;
  if (call.kind === undefined || !KEPT_KINDS.has(call.kind)) return false;
  const located = await deps.lattice.locate(call, deps.governedNetworks);
  if (located.status !== 'located') return false;
  const current = await deps.lattice.read(located.target);
  if (current === undefined || !leftAsWritten(current, call.response)) return false;
  await deps.lastKnownGood.put({
    resourceKey: formatLatticeResourceKey(located.target.ref),
    state: current,
    eventId: call.eventId,
    recordedAt: deps.now().toISOString(),
    source: 'own-write',
  });
  return true;
}

async function applyPlan(
  lattice: LatticeChangeTargets,
  target: LatticeTarget,
  plan: LatticeRevertPlan,
): Promise<void> {
  if (plan.type === 'write') await lattice.write(target, plan.state);
  else if (plan.type === 'remove') await lattice.remove(target);
}

/**
 * Judge one VPC Lattice CloudTrail event and act on it. A call that cannot be judged is
 * reported as unjudgeable, never dropped; a transient failure propagates for EventBridge to retry.
 */
export async function judgeLatticeChange(
  deps: JudgeLatticeChangeDeps,
  detail: LatticeCallDetail,
): Promise<JudgeLatticeChangeResult> {
  const call = latticeCallOf(detail);
  const batch = call.readOnly ? [] : batchRules(call);
  if (batch.length > 1) {
    // One decision per rule, each audited and published under `<event id>#<rule id>`; a retry
    // finds the rules decided already and goes on with the rest.
    const rules: JudgeLatticeChangeResult[] = [];
    for (const rule of batch) rules.push(await judgeOneCall(deps, rule));
    const decided = rules.find((r) => r.action === 'revert') ?? rules.find((r) => r.status === 'decided');
    return {
      eventId: call.eventId,
      status: decided === undefined ? (rules[0]?.status ?? 'skipped') : 'decided',
      ...(decided?.action === undefined ? {} : { action: decided.action }),
      reason: `BatchUpdateRule judged rule by rule (${rules.length} rules)`,
      rules,
    };
  }
  return judgeOneCall(deps, call);
}

/**
 * The rules a successful BatchUpdateRule changed, each as a call of its own: the rules its
 * response lists as successful (those that failed changed nothing), with what the response says
 * each was left as; every named rule when the record carries no response.
 */
function batchRules(call: LatticeCall): LatticeCall[] {
  if (call.operation !== 'BatchUpdateRule' || call.errorCode !== undefined) return [];
  const named = call.ids.ruleIdentifiers ?? [];
  const successful = call.response?.successful;
  const written = Array.isArray(successful)
    ? successful.flatMap((item) => {
        const entry = item as Record<string, unknown> | null;
        const id = entry?.id ?? entry?.arn;
        return typeof id === 'string' && entry !== null ? [{ id, response: entry }] : [];
      })
    : named.map((id) => ({ id, response: undefined }));
  return written.map(({ id, response }) => {
    const { response: _batchResponse, ...rest } = call;
    return {
      ...rest,
      eventId: `${call.eventId}#${id.slice(-64)}`,
      ids: { ...call.ids, ruleIdentifier: id, ruleIdentifiers: [id] },
      ...(response === undefined ? {} : { response }),
    };
  });
}

async function judgeOneCall(
  deps: JudgeLatticeChangeDeps,
  call: LatticeCall,
): Promise<JudgeLatticeChangeResult> {
  if (call.readOnly) return skipped(call, `${call.operation} changes nothing`);
  if (deps.governedNetworks.length === 0) {
    return skipped(call, 'no VPC Lattice service network is governed in this account');
  }
  const caller = derivePrincipal(call.identity);
  if (isSelfPrincipal(caller, deps.selfRoleArns)) {
    const recorded = await recordOwnWrite(deps, call);
    return skipped(
      call,
      `${call.operation} is meshwarden's own write (${caller.roleArn ?? caller.arn})${recorded ? '; it is the last known good now' : ''}`,
    );
  }
  let located: Awaited<ReturnType<LatticeChangeTargets['locate']>>;
  try {
    located = await deps.lattice.locate(call, deps.governedNetworks);
  } catch (error) {
    if (!isUnjudgeable(error)) throw error;
    return reportUnjudgeable(deps, call, undefined, undefined, (error as Error).message);
  }
  if (located.status === 'ungoverned') return skipped(call, located.explanation);
  if (located.status === 'unlocatable') {
    // A failed call changed nothing: only a successful one must not go unjudged.
    if (call.errorCode !== undefined) return skipped(call, `${call.operation} failed (${call.errorCode})`);
    return reportUnjudgeable(deps, call, located.serviceNetwork, undefined, located.reason);
  }
  const { target } = located;
  const key = formatLatticeResourceKey(target.ref);
  try {
    return await judgeLocated(deps, call, target, key);
  } catch (error) {
    if (!isUnjudgeable(error)) throw error;
    return reportUnjudgeable(deps, call, target.ref.meshName, key, (error as Error).message);
  }
}

async function judgeLocated(
  deps: JudgeLatticeChangeDeps,
  call: LatticeCall,
  target: LatticeTarget,
  key: string,
): Promise<JudgeLatticeChangeResult> {
  const network = target.ref.meshName;
  const existing = await deps.audit.get(network, call.eventTime, call.eventId);
  if (existing?.published === true) {
    return { eventId: call.eventId, status: 'already-decided', outcome: existing.outcome };
  }
  if (existing !== undefined && (existing.outcome === 'applied' || existing.outcome === 'no-effect')) {
    // Decided and applied before a failure to publish: publish what was decided, once.
    await publishAndClose(deps, existing);
    return { eventId: call.eventId, status: 'already-decided', outcome: existing.outcome };
  }
  const principal = await principalOfChange(call, deps.sessions);
  const base = {
    eventId: call.eventId,
    eventTime: call.eventTime,
    meshName: network,
    provider: 'vpc-lattice',
    resourceKey: key,
    operation: call.operation,
    principal: principalOf(principal),
  } as const;
  if (call.errorCode !== undefined) {
    const record: AuditRecord = {
      meshName: network,
      eventId: call.eventId,
      eventTime: call.eventTime,
      decision: {
        ...base,
        changeControl: 'failed-call',
        action: 'none',
        ruleIds: [],
        findings: [],
        plan: 'none: the call failed',
        reasons: [
          `${describePrincipal(principal)} attempted ${call.operation} on ${key} and it failed (${call.errorCode}${call.errorMessage ? `: ${call.errorMessage}` : ''}); nothing changed, nothing to do.`,
        ],
        diff: '',
        resourceVersion: null,
      } satisfies GovernanceDecisionDetail,
      outcome: 'no-effect',
      published: false,
    };
    await deps.audit.put(record);
    await publishAndClose(deps, record);
    return { eventId: call.eventId, status: 'decided', action: 'none', outcome: 'no-effect' };
  }
  if (principal.unidentified !== undefined) {
    // Fail closed, as for App Mesh: a caller meshwarden cannot tell is judged as no one's.
    throw new ValidationError(`the caller cannot be identified: ${principal.unidentified}`, [
      { path: 'detail.userIdentity', message: principal.unidentified },
    ]);
  }

  const kept = KEPT_KINDS.has(target.ref.kind);
  const [current, lastKnownGood] = await Promise.all([
    kept ? deps.lattice.read(target) : Promise.resolve(undefined),
    kept ? deps.lastKnownGood.get(key) : Promise.resolve(undefined as LatticeLastKnownGood | undefined),
  ]);
  const changeControl = decideChange(deps.policy, {
    principal,
    action: call.operation,
    resource: target.ref,
  });
  const decided = decideLatticeAction(changeControl, planLatticeRevert(call, key, current, lastKnownGood));
  const { decision, approval } = offerHold(deps, call, target, key, current, decided, principal);
  const detail: GovernanceDecisionDetail = {
    ...base,
    changeControl: changeControl.decision,
    action: decision.action,
    ruleIds: changeControl.decision === 'deny' ? ['change-control'] : [],
    // The allow rule that matched: the rule id a kept change is kept by.
    ...(changeControl.basis.type === 'rule' ? { allowRule: changeControl.basis.ruleId } : {}),
    findings: [],
    plan: planText(decision),
    reasons: decision.reasons,
    diff: renderDiff(diffValues(lastKnownGood?.state, current)),
    resourceVersion: null,
    ...(decision.unrevertable === undefined ? {} : { unrevertable: decision.unrevertable }),
    ...(approval === undefined ? {} : { approvalId: approval.approvalId }),
  };
  // A hold's request is part of the record, so a retry after a failed publish asks, and asks once.
  const pending: AuditRecord = {
    meshName: network,
    eventId: call.eventId,
    eventTime: call.eventTime,
    decision: detail,
    outcome: 'pending',
    published: false,
    ...(approval === undefined ? {} : { approval: { ...approval } }),
  };
  await deps.audit.put(pending);
  let outcome: AuditRecord['outcome'] = 'no-effect';
  let movedOn = false;
  try {
    if (decision.action === 'keep') {
      if (kept) movedOn = !(await keep(deps, key, call, current));
    } else if (decision.action === 'revert' || decision.action === 'hold') {
      await applyPlan(deps.lattice, target, decision.plan);
      outcome = 'applied';
    }
  } catch (error) {
    await deps.audit.put({ ...pending, outcome: 'failed', error: (error as Error).message });
    throw error;
  }
  const done: AuditRecord = movedOn
    ? {
        ...pending,
        outcome,
        decision: {
          ...detail,
          plan: 'keep the change; not made last known good: the resource moved on since, and the later write is judged on its own',
        },
      }
    : { ...pending, outcome };
  await deps.audit.put(done);
  await publishAndClose(deps, done);
  return { eventId: call.eventId, status: 'decided', action: decision.action, outcome };
}
