/**
 * EventBridge rule patterns and schedules: the single source the CDK stack and the local
 * bus both read. Patterns are plain data in EventBridge's pattern language, so they can be
 * handed unchanged to `events.Rule({ eventPattern })` (after the CDK key mapping), to
 * PutRule, or to a local matcher.
 */

/** A content filter in an EventBridge pattern (EventBridge user guide, "content filtering"). */
export type ContentFilter =
  | { readonly prefix: string | { readonly 'equals-ignore-case': string } }
  | { readonly suffix: string | { readonly 'equals-ignore-case': string } }
  | { readonly 'equals-ignore-case': string }
  | { readonly wildcard: string }
  | { readonly 'anything-but': PatternScalar | readonly PatternScalar[] | { readonly prefix: string } }
  | { readonly numeric: readonly (string | number)[] }
  | { readonly exists: boolean }
  | { readonly cidr: string };

/** A literal an EventBridge pattern can match exactly. */
export type PatternScalar = string | number | boolean | null;

/** One level of an EventBridge event pattern: each key holds candidates or a nested level. */
export interface EventPattern {
  readonly [field: string]:
    | readonly (PatternScalar | ContentFilter)[]
    | EventPattern
    | readonly EventPattern[];
}

/**
 * The state of an enabled EventBridge rule. An `ENABLED` rule never sees read-only management
 * events that CloudTrail delivers (`detail-type` "AWS API Call via CloudTrail" with
 * `detail.readOnly: true`); a rule that needs them must be
 * `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS` (EventBridge user guide, "Receiving read-only
 * management events from AWS services").
 */
export type EnabledRuleState = 'ENABLED' | 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';

/** A named rule pattern with what it is for. */
export interface NamedPattern {
  /** Stable kebab-case name; CDK construct ids and local rule names derive from it. */
  readonly name: string;
  readonly description: string;
  readonly pattern: EventPattern;
  /** The state of every rule made from this pattern; `ENABLED` when absent. */
  readonly state?: EnabledRuleState;
}

/** The state a rule made from the pattern gets, in the CDK stacks and on the local bus alike. */
export function ruleStateOf(pattern: NamedPattern): EnabledRuleState {
  return pattern.state ?? 'ENABLED';
}

/** A named schedule expression (EventBridge `cron(...)` / `rate(...)` syntax, UTC). */
export interface NamedSchedule {
  readonly name: string;
  readonly description: string;
  readonly expression: string;
}

/** `source` of every event meshwarden publishes on its own bus. */
export const MESHWARDEN_EVENT_SOURCE = 'meshwarden';

/**
 * `source` of what the CLI publishes with a person's credentials: the bus accepts
 * `meshwarden` only from meshwarden's function roles. Functions react to this source only
 * as a wake-up they check against stored state (see `caRolloverAwaitingApprovalPattern`).
 */
export const MESHWARDEN_CLI_EVENT_SOURCE = 'meshwarden.cli';

/** `detail-type`s meshwarden publishes that other meshwarden functions react to. */
export const MESHWARDEN_DETAIL_TYPES = {
  approvalRequested: 'ApprovalRequested',
  approvalDecided: 'ApprovalDecided',
  /** A renewed certificate was delivered; for a secret, the deploy pipeline restarts Envoy (it does not reload files). */
  certificateRotated: 'CertificateRotated',
  /** A certificate could not be renewed safely and was left as it was; people must act. */
  certificateRotationRefused: 'CertificateRotationRefused',
  /** A CA rollover finished a phase, or halted. */
  caRolloverProgressed: 'CaRolloverProgressed',
  /**
   * A CA rollover claims to wait for its approval: certificate rotation checks the stored
   * rollover and the mesh, then asks in Slack. Published by the function or the CLI.
   */
  caRolloverAwaitingApproval: 'CaRolloverAwaitingApproval',
  /** Change control judged one App Mesh change. */
  governanceDecision: 'GovernanceDecision',
  /** The periodic audit judged a whole mesh. */
  meshAudited: 'MeshAudited',
  /** A weighted route change opened a deployment. */
  deploymentOpened: 'DeploymentOpened',
  /** A deployment took new weights as its baseline, stepped, or asked for approval. */
  deploymentUpdated: 'DeploymentUpdated',
  /** A deployment reached 100% on its canary; its rollback window runs. */
  deploymentPromoted: 'DeploymentPromoted',
  /** All weight went back to the stable target, and why (alarm, metric, threshold, reason). */
  deploymentRolledBack: 'DeploymentRolledBack',
  /** A deployment is over without a rollback (route deleted, weights back at their baseline...). */
  deploymentEnded: 'DeploymentEnded',
  /** A bound alarm fired for a route with no guarded deployment: recorded, nothing changed. */
  deploymentAlarmAudited: 'DeploymentAlarmAudited',
  /** A rollback write failed after its retries: the route still sends traffic to the canary; retried every minute. */
  deploymentRollbackFailed: 'DeploymentRollbackFailed',
} as const;

/**
 * Alarm state changes into ALARM (roll back a weighted deployment) and back to OK (let a
 * paused progressive deployment resume). INSUFFICIENT_DATA decides nothing, so it is left out.
 */
export const alarmStateChangesPattern: NamedPattern = {
  name: 'alarm-state-changes',
  description: 'CloudWatch metric and composite alarms entering ALARM or returning to OK',
  pattern: {
    source: ['aws.cloudwatch'],
    'detail-type': ['CloudWatch Alarm State Change'],
    detail: { state: { value: ['ALARM', 'OK'] } },
  },
};

/** ACM's daily notice for certificates nearing expiry. */
export const acmApproachingExpirationPattern: NamedPattern = {
  name: 'acm-approaching-expiration',
  description: 'ACM Certificate Approaching Expiration notices, one per certificate per day',
  pattern: {
    source: ['aws.acm'],
    'detail-type': ['ACM Certificate Approaching Expiration'],
  },
};

/**
 * Successful OIDC federations, whose CloudTrail record is the only place the session tags of
 * an OIDC session appear (`requestParameters.principalTags`). CloudTrail marks
 * AssumeRoleWithWebIdentity `readOnly: true`, so EventBridge delivers it only to a rule that
 * opts in to read-only management events.
 */
export const webIdentitySessionsPattern: NamedPattern = {
  name: 'web-identity-sessions',
  description: 'Successful sts:AssumeRoleWithWebIdentity calls, to learn OIDC session tags',
  state: 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS',
  pattern: {
    source: ['aws.sts'],
    'detail-type': ['AWS API Call via CloudTrail'],
    detail: {
      eventSource: ['sts.amazonaws.com'],
      eventName: ['AssumeRoleWithWebIdentity'],
      errorCode: [{ exists: false }],
    },
  },
};

/** meshwarden's own decision on an approval, published on its bus after the first click wins. */
export const approvalDecidedPattern: NamedPattern = {
  name: 'approval-decided',
  description: 'meshwarden ApprovalDecided events from its own bus',
  pattern: {
    source: [MESHWARDEN_EVENT_SOURCE],
    'detail-type': [MESHWARDEN_DETAIL_TYPES.approvalDecided],
  },
};

/** meshwarden's own requests for a human decision, which the Slack approvals capability posts. */
export const approvalRequestedPattern: NamedPattern = {
  name: 'approval-requested',
  description: 'meshwarden ApprovalRequested events from its own bus',
  pattern: {
    source: [MESHWARDEN_EVENT_SOURCE],
    'detail-type': [MESHWARDEN_DETAIL_TYPES.approvalRequested],
  },
};

/** Approval decisions on CA rollovers, which certificate rotation carries out (phase 3). */
export const caRolloverDecidedPattern: NamedPattern = {
  name: 'ca-rollover-decided',
  description: 'meshwarden ApprovalDecided events for finish-ca-rollover actions',
  pattern: {
    source: [MESHWARDEN_EVENT_SOURCE],
    'detail-type': [MESHWARDEN_DETAIL_TYPES.approvalDecided],
    detail: { action: { type: ['finish-ca-rollover'] } },
  },
};

/**
 * A rollover waiting for its approval, from meshwarden or from the CLI (a person's
 * credentials cannot publish `source: meshwarden`). Only a wake-up: certificate rotation
 * asks for the approval only when the stored rollover and the mesh bear the claim out.
 */
export const caRolloverAwaitingApprovalPattern: NamedPattern = {
  name: 'ca-rollover-awaiting-approval',
  description: 'CA rollovers that reached their approval step, from meshwarden or its CLI',
  pattern: {
    source: [MESHWARDEN_EVENT_SOURCE, MESHWARDEN_CLI_EVENT_SOURCE],
    'detail-type': [MESHWARDEN_DETAIL_TYPES.caRolloverAwaitingApproval],
  },
};

/** Approval decisions on promoting a deployment past its gate, which the deployment guard carries out. */
export const deploymentApprovalDecidedPattern: NamedPattern = {
  name: 'deployment-approval-decided',
  description: 'meshwarden ApprovalDecided events for promote-deployment actions',
  pattern: {
    source: [MESHWARDEN_EVENT_SOURCE],
    'detail-type': [MESHWARDEN_DETAIL_TYPES.approvalDecided],
    detail: { action: { type: ['promote-deployment'] } },
  },
};

/** Daily drift audit of the mesh against the policy (05:00 UTC, before European office hours). */
export const DAILY_AUDIT_SCHEDULE: NamedSchedule = {
  name: 'daily-audit',
  description: 'Audit every mesh resource against the policy once a day',
  expression: 'cron(0 5 * * ? *)',
};

/** Daily certificate sweep, after the audit so both do not contend for API rate limits. */
export const DAILY_CERT_ROTATION_SCHEDULE: NamedSchedule = {
  name: 'daily-cert-rotation',
  description: 'Find mesh certificates nearing expiry and rotate them once a day',
  expression: 'cron(30 5 * * ? *)',
};

/** Every schedule. */
/**
 * Approvals past their expiry are closed (and decisions whose publishing failed are published)
 * every five minutes, so a request is closed at most five minutes late.
 */
export const APPROVAL_SWEEP_SCHEDULE: NamedSchedule = {
  name: 'approval-sweep',
  description: 'Close expired Slack approvals and publish unpublished decisions',
  expression: 'rate(5 minutes)',
};

export const SCHEDULES: readonly NamedSchedule[] = [
  DAILY_AUDIT_SCHEDULE,
  DAILY_CERT_ROTATION_SCHEDULE,
  APPROVAL_SWEEP_SCHEDULE,
];
