/**
 * Nothing escapes judgment: a mutating App Mesh call that meshwarden cannot judge (its resource
 * cannot be read from the record, its operation is unknown, or judging it failed for a reason
 * no retry will cure) is reported as unjudgeable, with the reason: an audit record first, then a
 * `GovernanceDecision` with action `report`, then the mesh's channel. It is never dead-lettered
 * silently nor kept as if it had been judged.
 */
import { formatResourceKey } from '../domain/resource-key';
import { ValidationError } from '../errors';
import { derivePrincipal } from '../events/principal';
import { describePrincipal } from '../policy/change-control';
import type { AuditRecord } from '../ports';
import type { AppMeshApiCallEvent } from '../providers/appmesh/cloudtrail';
import type { MeshChange } from './change';
import type { GovernanceDecisionDetail } from './decision-record';

/** The mesh an unparseable record is audited under when it names none. */
export const UNKNOWN_MESH = '(unknown)';

const MAX_REASON = 1000;

/** Errors no retry cures: the record or what it leads to cannot be judged as it is. */
export function isUnjudgeable(error: unknown): boolean {
  if (error instanceof ValidationError) return true;
  const name = (error as { name?: unknown } | null)?.name;
  // DynamoDB refuses an item it will never take (size, key, types) with ValidationException.
  return name === 'ValidationException';
}

function meshNameOf(event: AppMeshApiCallEvent, change: MeshChange | undefined): string {
  if (change !== undefined) return change.ref.meshName;
  const params = event.detail.requestParameters as Record<string, unknown> | null | undefined;
  const named = params?.meshName;
  return typeof named === 'string' && named.length > 0 && named.length <= 255 ? named : UNKNOWN_MESH;
}

/** The decision about an unjudgeable call: action `report`, the reason said plainly. */
export function unjudgeableDecision(
  event: AppMeshApiCallEvent,
  change: MeshChange | undefined,
  reason: string,
): GovernanceDecisionDetail {
  const d = event.detail;
  const principal = derivePrincipal(d.userIdentity);
  const bounded = reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON)}...` : reason;
  return {
    eventId: d.eventID,
    eventTime: d.eventTime,
    meshName: meshNameOf(event, change),
    resourceKey: change === undefined ? '(unknown)' : formatResourceKey(change.ref),
    operation: d.eventName,
    principal: {
      arn: principal.arn ?? principal.invokedBy ?? '(unknown)',
      label: describePrincipal(principal),
      type: principal.type,
    },
    changeControl: 'unjudgeable',
    action: 'report',
    ruleIds: ['unjudgeable'],
    findings: [],
    plan: 'none: the change could not be judged; it is reported so people look at it',
    reasons: [`${d.eventName} could not be judged: ${bounded}`],
    diff: '',
    resourceVersion: null,
    unjudgeable: bounded,
  };
}

/** The audit record of an unjudgeable call (see {@link unjudgeableDecision}). */
export function unjudgeableRecord(
  event: AppMeshApiCallEvent,
  change: MeshChange | undefined,
  reason: string,
): AuditRecord {
  const decision = unjudgeableDecision(event, change, reason);
  const d = event.detail;
  return {
    meshName: decision.meshName,
    eventId: d.eventID,
    eventTime: d.eventTime,
    decision,
    outcome: 'no-effect',
    published: false,
  };
}
