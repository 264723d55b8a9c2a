/** Key prefixes of change control's items in the state table (one table, told apart by prefix). */
export const CHANGE_CONTROL_KEYS = {
  lastKnownGood: (resourceKey: string) => ({ pk: `LKG#${resourceKey}`, sk: 'LKG' }),
  judged: (resourceKey: string) => ({ pk: `JUDGED#${resourceKey}`, sk: 'JUDGED' }),
  audit: (meshName: string, eventTime: string, eventId: string) => ({
    pk: `AUDIT#${meshName}`,
    sk: `${eventTime}#${eventId}`,
  }),
  auditPartition: (meshName: string) => `AUDIT#${meshName}`,
  webIdentity: (assumedRoleArn: string) => ({ pk: `WEBID#${assumedRoleArn}`, sk: 'SESSION' }),
} as const;
