import { DAILY_AUDIT_SCHEDULE, type NamedPattern, type NamedSchedule } from '../shared/events/patterns';

/**
 * Every meshwarden function and what triggers it: the single list the CDK stack deploys
 * and the local runtime runs. Adding a function is one entry here plus its handler.
 */

/** Which bus a pattern trigger listens on: AWS's default bus (service events) or meshwarden's own. */
export type BusName = 'default' | 'meshwarden';

export type Trigger =
  | { readonly kind: 'pattern'; readonly bus: BusName; readonly pattern: NamedPattern }
  | { readonly kind: 'schedule'; readonly schedule: NamedSchedule }
  /** An API Gateway HTTP API route, e.g. `POST /slack/interactions`. */
  | { readonly kind: 'http'; readonly route: string };

/** The AWS permissions a function needs, by capability; the stack turns them into least-privilege statements. */
export type Capability =
  | 'mesh:read'
  | 'mesh:write'
  | 'events:publish'
  | 'table:read'
  | 'table:write'
  | 'alarms:read'
  | 'pca:issue'
  | 'acm:import'
  | 'secrets:read-slack'
  | 'secrets:write-certificates'
  | 'scheduler:manage';

export interface FunctionDefinition {
  /** kebab-case; the folder under `functions/` and the deployed function's name suffix. */
  readonly name: string;
  readonly description: string;
  readonly entry: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly triggers: readonly Trigger[];
  readonly capabilities: readonly Capability[];
}

export const FUNCTIONS: readonly FunctionDefinition[] = [
  {
    name: 'mesh-inventory',
    description: 'Reads every governed mesh whole on a schedule and publishes what it holds',
    entry: 'functions/mesh-inventory/handler.ts',
    timeoutSeconds: 120,
    memoryMb: 512,
    triggers: [{ kind: 'schedule', schedule: DAILY_AUDIT_SCHEDULE }],
    capabilities: ['mesh:read', 'events:publish'],
  },
];

/**
 * How EventBridge retries delivering to a function before the event goes to the target's
 * DLQ: the same for every rule target, in AWS and locally.
 */
export const TARGET_RETRY = { retryAttempts: 2, maxEventAgeSeconds: 3600 } as const;
