import type { AuditRecord, ChatNotifier, Notification } from '../ports';
import type { GovernanceDecisionDetail } from './decision-record';

const VERB: Readonly<Record<string, string>> = {
  revert: 'Reverted',
  hold: 'Held for approval',
  report: 'Reported',
};

/**
 * What change control tells the people on call about a decision that did not simply keep a
 * change: who did what to which resource, which rules it broke, what meshwarden did and how
 * that went. Kept changes and failed calls are in the audit log and on the bus, not in chat.
 */
export function decisionNotification(record: AuditRecord): Notification | undefined {
  const decision = record.decision as GovernanceDecisionDetail;
  const verb = VERB[decision.action];
  if (verb === undefined) return undefined;
  const broken = decision.ruleIds.length > 0 ? decision.ruleIds.join(', ') : 'none';
  const why = [...decision.findings, ...decision.reasons].slice(0, 5);
  return {
    meshName: record.meshName,
    kind: decision.action === 'hold' ? 'hold' : decision.action === 'report' ? 'report' : 'revert',
    title: `${verb}: ${decision.operation} on ${decision.resourceKey} by ${decision.principal.label}`,
    text: [...why, `meshwarden: ${decision.plan} (${record.outcome})`].join('\n'),
    fields: {
      who: decision.principal.label,
      rules: broken,
      outcome: String(record.outcome),
      event: decision.eventId,
    },
  };
}

/**
 * Tell the channel, after the decision is recorded and published. A chat failure is logged
 * by the caller, not retried: the decision itself is durable (audit record, GovernanceDecision
 * event), and a retry of the whole event would find it decided and stop before this point.
 */
export async function notifyDecision(notifier: ChatNotifier | undefined, record: AuditRecord): Promise<void> {
  const notification = decisionNotification(record);
  if (notifier === undefined || notification === undefined) return;
  await notifier.notify(notification);
}
