import { MESHWARDEN_DETAIL_TYPES } from '../events/patterns';
import type { DomainEvent, Notification } from '../ports';
import type { Deployment, RouteRecord, Weights } from './model';
import { formatWeights } from './weights';

/** The detail every deployment event carries: the whole deployment, so a reader needs nothing else. */
function detailOf(record: RouteRecord, deployment: Deployment, extra: Record<string, unknown> = {}) {
  return {
    routeKey: record.routeKey,
    meshName: record.meshName,
    virtualRouterName: record.virtualRouterName,
    routeName: record.routeName,
    deploymentId: deployment.deploymentId,
    status: deployment.status,
    deployment,
    ...extra,
  };
}

function resources(record: RouteRecord): string[] {
  return record.routeArn === undefined ? [] : [record.routeArn];
}

/** A deployment event of the given detail type. */
export function deploymentEvent(
  detailType: (typeof MESHWARDEN_DETAIL_TYPES)[keyof typeof MESHWARDEN_DETAIL_TYPES],
  record: RouteRecord,
  deployment: Deployment,
  extra: Record<string, unknown> = {},
): DomainEvent {
  return { detailType, detail: detailOf(record, deployment, extra), resources: resources(record) };
}

/** `DeploymentRolledBack`: weights before and after, and the reason (alarm, metric, threshold, time). */
export function rolledBackEvent(
  record: RouteRecord,
  deployment: Deployment,
  before: Weights | undefined,
  after: Weights | undefined,
): DomainEvent {
  return deploymentEvent(MESHWARDEN_DETAIL_TYPES.deploymentRolledBack, record, deployment, {
    reason: deployment.rollback,
    weightsBefore: before,
    weightsAfter: after,
  });
}

/** The chat message for a rollback, in plain words. */
export function rollbackNotification(
  record: RouteRecord,
  deployment: Deployment,
  after: Weights | undefined,
): Notification {
  const reason = deployment.rollback;
  const fields: Record<string, string> = {
    route: record.routeKey,
    deployment: deployment.deploymentId,
    'stable target': deployment.stableTarget,
    weights: formatWeights(after),
    'started by': deployment.startedBy.label,
  };
  let why = 'it was rolled back';
  if (reason?.kind === 'alarm') {
    fields.alarm = reason.alarmName;
    if (reason.metric !== undefined) fields.metric = reason.metric;
    if (reason.threshold !== undefined) fields.threshold = String(reason.threshold);
    fields['alarm time'] = reason.stateChangedAt;
    why = `alarm ${reason.alarmName} went to ALARM: ${reason.stateReason}`;
  } else if (reason?.kind === 'alarm-at-open') {
    fields.alarm = reason.alarmName;
    why = `alarm ${reason.alarmName} was already in ALARM when the deployment opened: ${reason.stateReason}`;
  } else if (reason?.kind === 'step-check') {
    fields.alarm = reason.alarmName;
    why = `alarm ${reason.alarmName} was in ALARM before the next step: ${reason.stateReason}`;
  } else if (reason?.kind === 'target-deleted') {
    why = `its canary target ${reason.virtualNode} was deleted`;
  } else if (reason?.kind === 'abort') {
    why = `${reason.by} aborted it${reason.note === undefined ? '' : `: ${reason.note}`}`;
  } else if (reason?.kind === 'approval-rejected') {
    why = `${reason.by} rejected its last step`;
  }
  return {
    meshName: record.meshName,
    kind: 'rollback',
    title: `Rolled back ${record.routeKey}`,
    text: `All traffic of ${record.routeKey} is back on ${deployment.stableTarget}: ${why}.`,
    fields,
  };
}

/** The chat message when a deployment ends without a rollback or cannot be rolled back. */
export function deploymentNotification(
  record: RouteRecord,
  deployment: Deployment,
  text: string,
): Notification {
  return {
    meshName: record.meshName,
    kind: 'deployment',
    title: `Deployment ${deployment.deploymentId} of ${record.routeKey}: ${deployment.status}`,
    text,
    fields: {
      route: record.routeKey,
      'stable target': deployment.stableTarget,
      weights: formatWeights(record.lastWeights),
    },
  };
}
