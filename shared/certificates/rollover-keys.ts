/** Store keys and approval ids of CA rollovers: one place, so every module agrees on them. */

/** The rotation store key of a rollover. */
export function rolloverKey(rolloverId: string): string {
  return `ROTATION#ROLLOVER#${rolloverId}`;
}

/** The approval id of a rollover's `attempt`-th approval (the first keeps the original form). */
export function rolloverApprovalId(rolloverId: string, attempt: number): string {
  return attempt <= 1 ? `ca-rollover-${rolloverId}` : `ca-rollover-${rolloverId}-${attempt}`;
}

/** The store key of a mesh's list of open rollovers. */
export function openRolloversKey(meshName: string): string {
  return `ROTATION#ROLLOVERS#${meshName}`;
}

/** The store key of a mesh's every rollover, ended ones included (which CA succeeded which). */
export function rolloverHistoryKey(meshName: string): string {
  return `ROTATION#ROLLOVER-HISTORY#${meshName}`;
}
