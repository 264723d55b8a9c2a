import { randomUUID } from 'node:crypto';
import type { FunctionDefinition } from '../function-catalog';
import { MEMBER_BASELINE_PATTERNS } from '../stacks/member-account-stack';
import type { LocalEventBus } from './bus/event-bus';
import { matchesPattern } from './bus/pattern';
import type { BusEntry, BusEvent } from './types';

export interface MemberForwardingOptions {
  readonly bus: LocalEventBus;
  readonly region: string;
  readonly centralAccount: string;
  /** Accounts with meshwarden's member stack: their matching events reach the central bus. */
  readonly memberAccounts: readonly string[];
  /** meshwarden's bus in the central account, where member accounts forward to. */
  readonly centralBus: string;
  readonly catalog: readonly FunctionDefinition[];
}

/**
 * Where an account's events go. The central account's land on the local bus as before. Another
 * account's default bus is not modelled as a bus of its own: what its member stack's rules would
 * forward (the baseline, and every pattern a central function listens to on a default bus) is
 * put on meshwarden's central bus keeping its account, as EventBridge forwards across accounts;
 * the rest stays in that account, where nothing local listens. An account without the member
 * stack forwards nothing.
 */
export function memberForwarding(
  options: MemberForwardingOptions,
): (entries: readonly BusEntry[]) => Promise<string[]> {
  const patterns = [
    ...MEMBER_BASELINE_PATTERNS.map((p) => p.pattern),
    ...options.catalog.flatMap((f) =>
      f.triggers.flatMap((t) => (t.kind === 'pattern' && t.bus === 'default' ? [t.pattern.pattern] : [])),
    ),
  ] as Record<string, unknown>[];
  const forwarded = (entry: BusEntry, account: string): boolean => {
    // Patterns match the envelope as the member's bus would stamp it.
    const event: Omit<BusEvent, 'id' | 'time'> = {
      version: '0',
      'detail-type': entry.detailType,
      source: entry.source,
      account,
      region: options.region,
      resources: [...(entry.resources ?? [])],
      detail: entry.detail,
    };
    return patterns.some((pattern) => matchesPattern(pattern, event));
  };
  return async (entries) => {
    const ids: (string | undefined)[] = [];
    const central: BusEntry[] = [];
    for (const entry of entries) {
      const account = entry.account ?? options.centralAccount;
      if (account === options.centralAccount) {
        central.push(entry);
        ids.push(undefined);
      } else if (options.memberAccounts.includes(account) && forwarded(entry, account)) {
        central.push({ ...entry, eventBusName: options.centralBus });
        ids.push(undefined);
      } else {
        ids.push(randomUUID());
      }
    }
    const put = central.length === 0 ? [] : await options.bus.putEvents(central);
    let next = 0;
    return ids.map((id) => id ?? (put[next++] as string));
  };
}
