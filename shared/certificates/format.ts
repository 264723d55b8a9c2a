/** How `meshwarden certs` shows an inventory: a table for people, JSON for tools. */
import type { InventoryEntry } from './inventory';
import type { SweepItem } from './sweep';

const DAY_MS = 86_400_000;
/** Within this many days a certificate is shown as expiring soon. */
export const SOON_DAYS = 30;

/** A status word: expired ones loudest, then soon, then fine; unreadable ones say so. */
export function statusOf(entry: InventoryEntry, now: Date): string {
  if (entry.facts === undefined) return '?? UNKNOWN';
  const left = (Date.parse(entry.facts.notAfter) - now.getTime()) / DAY_MS;
  if (left <= 0) return '!! EXPIRED';
  if (left <= SOON_DAYS) return '! SOON';
  return 'ok';
}

function daysLeft(entry: InventoryEntry, now: Date): string {
  if (entry.facts === undefined) return '';
  return String(Math.trunc((Date.parse(entry.facts.notAfter) - now.getTime()) / DAY_MS));
}

function pad(rows: readonly string[][]): string[] {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) =>
    r
      .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

/** The inventory as table lines, soonest expiry first (the order the inventory has). */
export function inventoryTable(
  meshName: string,
  entries: readonly InventoryEntry[],
  now: Date,
  what: 'mesh' | 'service network' = 'mesh',
): string[] {
  const header = ['STATUS', 'DAYS', 'NOT AFTER', 'TYPE', 'NAMES / SUBJECT', 'ISSUER', 'USED BY', 'ID'];
  const rows = entries.map((e) => [
    statusOf(e, now),
    daysLeft(e, now),
    e.facts?.notAfter.slice(0, 10) ?? '',
    e.type === 'leaf' ? (e.origin ?? 'leaf') : 'trust',
    e.facts ? (e.facts.sans.length > 0 ? e.facts.sans.join(',') : e.facts.subject) : (e.problem ?? ''),
    e.facts?.issuer ?? '',
    [
      ...new Set(
        e.usedBy.map(
          (u) =>
            `${u.resourceKey}${u.role === 'listener' ? (u.port === undefined ? '' : `:${u.port}`) : `(${u.role})`}`,
        ),
      ),
    ].join(' '),
    e.id,
  ]);
  const expired = entries.filter((e) => statusOf(e, now) === '!! EXPIRED').length;
  const lines = [
    `${what} ${meshName}: ${entries.length} certificate(s) and trust(s)`,
    ...pad([header, ...rows]),
  ];
  if (expired > 0)
    lines.push(`!! ${expired} EXPIRED: clients refuse these now; run \`meshwarden certs rotate\``);
  return lines;
}

/** A rotation run as lines: what happened to each certificate and why. */
export function sweepLines(items: readonly SweepItem[]): string[] {
  if (items.length === 0) return ['no certificate matched'];
  return pad([
    ['ACTION', 'ID', 'REASON'],
    ...items.map((i) => [
      i.action + (i.resumedFrom ? ` (resumed from ${i.resumedFrom})` : ''),
      i.id,
      i.reason,
    ]),
  ]);
}
