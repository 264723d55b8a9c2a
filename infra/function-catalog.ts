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
 * EventBridge's retries of a rule target it cannot invoke (throttled, function being
 * updated); after them the event goes to the target's DLQ.
 */
export const RULE_DELIVERY_RETRY = { retryAttempts: 8, maxEventAgeSeconds: 2 * 60 * 60 } as const;

/**
 * Lambda's retries of an asynchronous invocation whose handler threw (two is Lambda's
 * maximum); after them the event goes to the function's failure destination. An event older
 * than six hours is stale for a governance decision. The local bus applies this policy to
 * handler failures, which is what it emulates.
 */
export const ASYNC_INVOKE_RETRY = { retryAttempts: 2, maxEventAgeSeconds: 6 * 60 * 60 } as const;
