/** What the local scheduler persists: schedule groups and schedules, as the API describes them. */

export const DEFAULT_GROUP = 'default';

/** The target as the API takes and returns it (wire member names). */
export interface ScheduleTarget {
  readonly Arn: string;
  readonly RoleArn: string;
  readonly Input?: string;
  readonly RetryPolicy: { readonly MaximumEventAgeInSeconds: number; readonly MaximumRetryAttempts: number };
  readonly DeadLetterConfig?: { readonly Arn?: string };
  readonly EventBridgeParameters?: { readonly DetailType: string; readonly Source: string };
}

export interface StoredSchedule {
  readonly name: string;
  readonly groupName: string;
  readonly arn: string;
  description?: string;
  scheduleExpression: string;
  timezone?: string;
  /** Epoch milliseconds. */
  startDate?: number;
  endDate?: number;
  state: 'ENABLED' | 'DISABLED';
  flexibleTimeWindow: { Mode: 'OFF' | 'FLEXIBLE'; MaximumWindowInMinutes?: number };
  target: ScheduleTarget;
  actionAfterCompletion: 'NONE' | 'DELETE';
  kmsKeyArn?: string;
  readonly clientToken: string;
  readonly createdAt: number;
  modifiedAt: number;
  /** When the schedule fires next; absent once a one-time schedule has fired or a rate one has ended. */
  nextDueAt?: number;
}

export interface StoredGroup {
  readonly name: string;
  readonly arn: string;
  readonly clientToken?: string;
  readonly tags: { Key: string; Value: string }[];
  readonly createdAt: number;
  modifiedAt: number;
}

export interface SchedulerState {
  groups: StoredGroup[];
  schedules: StoredSchedule[];
}
