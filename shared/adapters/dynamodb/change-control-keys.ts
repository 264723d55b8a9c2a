import { accountKey } from './account-keys';
import { TABLE } from './table';

/**
 * Key prefixes of change control's items in the state table (one table, told apart by prefix),
 * within one account's part of it.
 */
export function changeControlKeys(account: string) {
  return {
    lastKnownGood: (resourceKey: string) => ({ pk: accountKey(account, `LKG#${resourceKey}`), sk: 'LKG' }),
    judged: (resourceKey: string) => ({ pk: accountKey(account, `JUDGED#${resourceKey}`), sk: 'JUDGED' }),
    audit: (meshName: string, eventTime: string, eventId: string) => ({
      pk: accountKey(account, `AUDIT#${meshName}`),
      sk: `${eventTime}#${eventId}`,
    }),
    auditPartition: (meshName: string) => accountKey(account, `AUDIT#${meshName}`),
    /** The account's partition of the time-ordered audit index: its decisions on every mesh. */
    auditTimeline: accountKey(account, TABLE.auditIndex.partition),
    meshState: (meshName: string) => accountKey(account, `MESHSTATE#${meshName}`),
  } as const;
}

/** Web identity sessions are keyed by their assumed-role ARN, which names its account already. */
export const WEB_IDENTITY_KEYS = {
  webIdentity: (assumedRoleArn: string) => ({ pk: `WEBID#${assumedRoleArn}`, sk: 'SESSION' }),
} as const;
