/**
 * What the HTTP API answers with: JSON views of stored records, shaped for a page and a CI
 * job (stable field names, ISO-8601 times, no internal bookkeeping such as versions or chunks).
 */
import type { Approval } from '../approvals/approval';
import type { Deployment, RouteRecord, Weights } from '../deployments/model';
import type { AuditRecord, LastKnownGood } from '../ports';

/** One deployment with its weight history: before, each recorded step and note, now. */
export function deploymentView(
  record: RouteRecord & { deployment: Deployment },
  history: readonly Deployment[] = [],
) {
  const d = record.deployment;
  return {
    id: d.deploymentId,
    routeKey: record.routeKey,
    meshName: record.meshName,
    status: d.status,
    stableTarget: d.stableTarget,
    canaryTargets: d.canaryTargets,
    startedAt: d.startedAt,
    startedBy: d.startedBy,
    updatedAt: d.updatedAt,
    weights: { before: d.weightsBefore ?? null, baseline: d.baseline, current: record.lastWeights ?? null },
    ...(d.progress === undefined
      ? {}
      : {
          progress: {
            steps: d.progress.steps,
            stepIndex: d.progress.stepIndex,
            nextDueAt: d.progress.next?.dueAt ?? null,
            approvalId: d.progress.approvalId ?? null,
            approvedBy: d.progress.approved?.by ?? null,
          },
        }),
    ...(d.promotedAt === undefined ? {} : { promotedAt: d.promotedAt }),
    ...(d.rollback === undefined ? {} : { rollback: d.rollback }),
    ...(d.ended === undefined ? {} : { ended: d.ended }),
    // The story, oldest first: every weight change the guard made or saw is a note.
    history: d.notes,
    weightHistory: weightHistoryOf(d, record),
    ...(history.length === 0
      ? {}
      : {
          earlier: history.map((h) => ({
            id: h.deploymentId,
            status: h.status,
            startedAt: h.startedAt,
            ended: h.ended ?? null,
          })),
        }),
  };
}

/** One decision of the audit trail: who, what, the rules broken with their sentences, the diff, the outcome. */
export function decisionView(record: AuditRecord) {
  const d = record.decision as Record<string, unknown>;
  return {
    meshName: record.meshName,
    eventId: record.eventId,
    eventTime: record.eventTime,
    resourceKey: d.resourceKey ?? null,
    operation: d.operation ?? null,
    principal: d.principal ?? null,
    changeControl: d.changeControl ?? null,
    action: d.action ?? null,
    ruleIds: d.ruleIds ?? [],
    findings: d.findings ?? [],
    reasons: d.reasons ?? [],
    plan: d.plan ?? null,
    diff: d.diff ?? '',
    outcome: record.outcome,
    ...(record.error === undefined ? {} : { error: record.error }),
    ...(typeof d.approvalId === 'string' ? { approvalId: d.approvalId } : {}),
  };
}

/** One approval: what is asked, by whom, until when, and what became of it. */
export function approvalView(a: Approval) {
  return {
    id: a.approvalId,
    meshName: a.meshName,
    type: a.action.type,
    resource: approvalResource(a),
    title: a.title,
    reason: a.reason,
    requestedBy: a.requestedBy,
    requestedAt: a.requestedAt,
    expiresAt: a.expiresAt,
    diff: a.diff,
    status: a.status,
    ...(a.decidedBy === undefined ? {} : { decidedBy: a.decidedBy.identity }),
    ...(a.decidedAt === undefined ? {} : { decidedAt: a.decidedAt }),
    ...(a.execution === undefined ? {} : { execution: a.execution }),
  };
}

/** What an approval acts on, as the api policy's resource globs name it. */
export function approvalResource(a: Pick<Approval, 'meshName' | 'action'>): string {
  switch (a.action.type) {
    case 'reapply-change':
    case 'reapply-lattice-change':
      return a.action.resourceKey;
    case 'promote-deployment':
      return a.action.routeKey;
    case 'finish-ca-rollover':
      return `${a.meshName}/ca-rollover/${a.action.rolloverId}`;
  }
}

export function lastKnownGoodView(lkg: LastKnownGood | undefined) {
  if (lkg === undefined) return null;
  return { version: lkg.version, recordedAt: lkg.recordedAt, source: lkg.source, eventId: lkg.eventId };
}

/** `web-v1 90 / web-v2 10`, as the guard's notes write weights (formatWeights). */
const WEIGHTS_TEXT = /[A-Za-z0-9_.-]+ \d+(?: \/ [A-Za-z0-9_.-]+ \d+)*/g;

/**
 * The deployment's weights over time, oldest first, for a chart: the weights before it opened,
 * then the weights each note led to, then the weights last seen on the route. A note carries
 * them (`weights`) where it moved them; only a deployment opened before notes carried weights
 * has them read back from its notes' text.
 */
export function weightHistoryOf(
  d: Deployment,
  record: Pick<RouteRecord, 'lastWeights' | 'observedAt'>,
): { at: string; weights: Weights }[] {
  const targets = new Set([d.stableTarget, ...d.canaryTargets, ...Object.keys(d.weightsBefore ?? {})]);
  const points: { at: string; weights: Weights }[] = [];
  const push = (at: string, weights: Weights) => {
    const last = points.at(-1);
    if (last !== undefined && JSON.stringify(last.weights) === JSON.stringify(weights) && last.at === at)
      return;
    points.push({ at, weights });
  };
  if (d.weightsBefore !== undefined) push(d.startedAt, d.weightsBefore);
  for (const note of d.notes) {
    const after = note.weights ?? (d.weightsInNotes === true ? undefined : weightsInText(note.text, targets));
    if (after !== undefined) push(note.at, after);
  }
  const last = points.at(-1);
  if (record.lastWeights !== undefined && (last === undefined || record.observedAt >= last.at))
    push(record.observedAt, record.lastWeights);
  return points;
}

/**
 * The weights an older note's text led to: the last weights it names (`a -> b`). Only weights of
 * the deployment's own targets count, so other numbers in a note (an alarm's threshold) are not
 * taken for weights.
 */
function weightsInText(text: string, targets: ReadonlySet<string>): Weights | undefined {
  return [...text.matchAll(WEIGHTS_TEXT)]
    .map((m) => parseWeightsText(m[0]))
    .filter((w) => Object.keys(w).length > 0 && Object.keys(w).every((node) => targets.has(node)))
    .at(-1);
}

function parseWeightsText(text: string): Weights {
  const weights: Record<string, number> = {};
  for (const part of text.split(' / ')) {
    const [node, weight] = part.split(' ');
    if (node !== undefined && weight !== undefined) weights[node] = Number(weight);
  }
  return weights;
}
