/** `meshwarden certs rollover status`: a rollover as lines for a terminal. Pure. */
import type { RolloverPhase } from './ca-rollover';
import type { RolloverStatus } from './rollover-lifecycle';

/** What a person can do next, per phase. */
const NEXT: Partial<Record<RolloverPhase, string>> = {
  'trust-new': 'certs rollover --from OLD --to NEW continues phase 1',
  reissue: 'certs rollover --from OLD --to NEW re-issues what is left',
  'awaiting-restart': 'restart each proxy, then certs rollover confirm-restart --proxy KEY',
  'awaiting-approval': 'an approver decides in Slack; approved removes the old CA',
  halted: 'certs rollover resume (fresh approval) or certs rollover abort (back to the old CA)',
  aborting: 'certs rollover abort continues the abort',
  aborted: 'certs rollover --from OLD --to NEW starts it again',
};

function minutesUntil(iso: string, now: Date): string {
  const minutes = Math.round((Date.parse(iso) - now.getTime()) / 60_000);
  return minutes >= 0 ? `in ${minutes} min` : `${-minutes} min ago`;
}

export function rolloverStatusLines(status: RolloverStatus, now: Date): string[] {
  const { record, approval, blockers } = status;
  const lines = [
    `rollover ${record.rolloverId} (mesh ${record.meshName})`,
    `  from ${record.oldCaArn}`,
    `  to   ${record.newCaArn}`,
    `  phase ${record.phase} since ${record.updatedAt}${record.abortedFrom ? ` (aborted in ${record.abortedFrom})` : ''}; approval attempt ${record.attempt ?? 1}`,
    '  history:',
    `    ${record.startedAt}  started`,
    ...(record.history ?? []).map((h) => `    ${h.at}  ${h.phase.padEnd(17)} ${h.note ?? ''}`.trimEnd()),
  ];
  if ((record.restarts ?? []).length > 0) {
    lines.push(`  restarts (deadline ${record.restartDeadline ?? '-'}):`);
    for (const w of record.restarts ?? [])
      lines.push(
        `    ${w.proxy}  secret ${w.secretName}${w.versionId ? ` version ${w.versionId}` : ''}: ${w.confirmedAt ? `confirmed by ${w.confirmedBy ?? '?'} at ${w.confirmedAt}` : 'WAITING'}`,
      );
  }
  lines.push(
    approval
      ? approval.status === 'pending'
        ? `  approval ${approval.approvalId}: pending, expires ${approval.expiresAt} (${minutesUntil(approval.expiresAt, now)})`
        : `  approval ${approval.approvalId}: ${approval.status} (it was open until ${approval.expiresAt})`
      : `  approval ${record.approvalId}: not asked`,
  );
  lines.push(blockers.length > 0 ? '  blockers:' : '  blockers: none');
  for (const b of blockers) lines.push(`    - ${b}`);
  const next = NEXT[record.phase];
  if (next) lines.push(`  next: ${next}`);
  return lines;
}
