import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  ResourceNotFoundException,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import type { StepInvocation, StepScheduler } from '../../ports';

/** `source`-like marker of the input a step schedule delivers to the guard function. */
export const STEP_INPUT_KIND = 'meshwarden.deployment-step';

export interface StepSchedulerConfig {
  /** The schedule group (meshwarden's own). */
  readonly groupName: string;
  /** The role EventBridge Scheduler invokes the function with. */
  readonly roleArn: string;
  /** Where Scheduler puts invocations it could not deliver. */
  readonly deadLetterArn: string | undefined;
  /** The function to invoke: the guard itself (its ARN is known only inside an invocation). */
  readonly targetArn: () => string;
}

/** Marker of the input the recovery schedule delivers to the guard function. */
export const RECOVERY_INPUT_KIND = 'meshwarden.deployment-recovery';

/** The one recovery schedule: every minute while a rollback is unfinished (`rolling-back`). */
export const RECOVERY_SCHEDULE_NAME = 'mw-rollback-recovery';

/** Schedule name of a step: `mw-step-<token>` (Scheduler names are at most 64 characters). */
export function scheduleNameOf(token: string): string {
  return `mw-step-${token}`;
}

/** `at(yyyy-mm-ddThh:mm:ss)`, UTC, rounded up to the second. */
export function atExpression(at: Date): string {
  const rounded = new Date(Math.ceil(at.getTime() / 1000) * 1000);
  return `at(${rounded.toISOString().slice(0, 19)})`;
}

/**
 * One-time EventBridge Scheduler schedules (`at()`) that invoke the guard for a step, deleted
 * by Scheduler after they fire. The input carries the step and Scheduler's execution id (the
 * invocation's id, the same on Scheduler's own retries).
 */
export class EventBridgeStepScheduler implements StepScheduler {
  constructor(
    private readonly client: SchedulerClient,
    private readonly config: () => StepSchedulerConfig,
  ) {}

  async schedule(step: StepInvocation, at: Date): Promise<void> {
    const config = this.config();
    const input = {
      kind: STEP_INPUT_KIND,
      id: '<aws.scheduler.execution-id>',
      scheduledAt: '<aws.scheduler.scheduled-time>',
      ...step,
    };
    try {
      await this.client.send(
        new CreateScheduleCommand({
          Name: scheduleNameOf(step.token),
          GroupName: config.groupName,
          ScheduleExpression: atExpression(at),
          ScheduleExpressionTimezone: 'UTC',
          FlexibleTimeWindow: { Mode: 'OFF' },
          ActionAfterCompletion: 'DELETE',
          ClientToken: step.token,
          Description: `meshwarden: step ${step.stepIndex + 1} of ${step.deploymentId} (${step.routeKey})`,
          Target: {
            Arn: config.targetArn(),
            RoleArn: config.roleArn,
            Input: JSON.stringify(input),
            RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
            ...(config.deadLetterArn === undefined
              ? {}
              : { DeadLetterConfig: { Arn: config.deadLetterArn } }),
          },
        }),
      );
    } catch (error) {
      // The same token made it already (a retried invocation): the step is scheduled.
      if (!(error instanceof ConflictException)) throw error;
    }
  }

  async ensureRecovery(): Promise<void> {
    const config = this.config();
    const input = {
      kind: RECOVERY_INPUT_KIND,
      id: '<aws.scheduler.execution-id>',
      scheduledAt: '<aws.scheduler.scheduled-time>',
    };
    try {
      await this.client.send(
        new CreateScheduleCommand({
          Name: RECOVERY_SCHEDULE_NAME,
          GroupName: config.groupName,
          ScheduleExpression: 'rate(1 minute)',
          FlexibleTimeWindow: { Mode: 'OFF' },
          Description: 'meshwarden: finish unfinished rollbacks every minute until every route is safe',
          Target: {
            Arn: config.targetArn(),
            RoleArn: config.roleArn,
            Input: JSON.stringify(input),
            RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
            ...(config.deadLetterArn === undefined
              ? {}
              : { DeadLetterConfig: { Arn: config.deadLetterArn } }),
          },
        }),
      );
    } catch (error) {
      // It runs already (another failed rollback made it).
      if (!(error instanceof ConflictException)) throw error;
    }
  }

  async removeRecovery(): Promise<void> {
    try {
      await this.client.send(
        new DeleteScheduleCommand({ Name: RECOVERY_SCHEDULE_NAME, GroupName: this.config().groupName }),
      );
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
  }

  async cancel(token: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteScheduleCommand({ Name: scheduleNameOf(token), GroupName: this.config().groupName }),
      );
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
  }
}
