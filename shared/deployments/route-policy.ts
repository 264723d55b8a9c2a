import { governingNameOf, parseRouteId } from '../domain/weighted-route';
import type { CompiledPolicy } from '../policy/compile';
import { compileGlob, type Glob } from '../policy/glob';
import type { GuardedRoutePolicy } from '../policy/sections/deployments';
import type { RouteKey } from './model';

/** What the policy says about one route, resolved. */
export interface RoutePolicy {
  /** Alarm names or ARNs bound to the route by the policy. */
  readonly alarms: readonly string[];
  readonly stableTarget: string | undefined;
  readonly rollbackWindowMinutes: number;
  /** Whether `deployments promote --force` may skip the approval gate. */
  readonly allowForcePromote: boolean;
  readonly progressive:
    | {
        readonly steps: readonly number[];
        readonly bakeMinutes: readonly number[];
        readonly onInsufficientData: 'wait' | 'proceed';
        readonly approvalBeforeLastStep: boolean;
        /** How long a step waits on INSUFFICIENT_DATA before it stops and tells people. */
        readonly waitDeadlineMinutes: number;
      }
    | undefined;
}

/** An alarm bound to a route outside the policy file (the CDK config's alarmBindings). */
export interface StaticAlarmBinding {
  readonly alarmName: string;
  readonly routeKey: RouteKey;
}

/** Without a `deployments` section a route is still guarded by tag-bound alarms. */
const DEFAULT_WINDOW_MINUTES = 30;

const compiled = new WeakMap<GuardedRoutePolicy, Glob>();

function globOf(entry: GuardedRoutePolicy): Glob {
  let glob = compiled.get(entry);
  if (glob === undefined) {
    glob = compileGlob(entry.route);
    compiled.set(entry, glob);
  }
  return glob;
}

/**
 * The policy for a route: the first `deployments.routes` entry whose glob matches its key, in
 * the entry governing its mesh (App Mesh) or service network (VPC Lattice).
 */
export function routePolicyOf(policy: CompiledPolicy, routeKey: RouteKey): RoutePolicy {
  const section = policy.forMesh(governingNameOf(parseRouteId(routeKey)))?.document.deployments;
  const window = section?.rollbackWindowMinutes ?? DEFAULT_WINDOW_MINUTES;
  const entry = section?.routes.find((r) => globOf(r).test(routeKey));
  if (entry === undefined) {
    return {
      alarms: [],
      stableTarget: undefined,
      rollbackWindowMinutes: window,
      allowForcePromote: false,
      progressive: undefined,
    };
  }
  const p = entry.progressive;
  return {
    alarms: entry.alarms,
    stableTarget: entry.stableTarget,
    rollbackWindowMinutes: window,
    allowForcePromote: entry.allowForcePromote,
    progressive:
      p === undefined
        ? undefined
        : {
            steps: p.steps.map((s) => (typeof s === 'number' ? s : s.weight)),
            bakeMinutes: p.steps.map((s) =>
              typeof s === 'number' ? p.bakeMinutes : (s.bakeMinutes ?? p.bakeMinutes),
            ),
            onInsufficientData: p.onInsufficientData,
            approvalBeforeLastStep: p.approvalBeforeLastStep,
            waitDeadlineMinutes: p.waitDeadlineMinutes,
          },
  };
}

/** The VPC Lattice service networks the policy governs (its `provider: vpc-lattice` entries). */
export function governedServiceNetworks(policy: Pick<CompiledPolicy, 'meshes'>): string[] {
  return [
    ...new Set(
      policy.meshes.flatMap((m) =>
        m.document.provider === 'vpc-lattice' && m.document.serviceNetwork !== undefined
          ? [m.document.serviceNetwork]
          : [],
      ),
    ),
  ];
}

/** The alarm's name from its ARN (`arn:aws:cloudwatch:REGION:ACCOUNT:alarm:NAME`). */
export function alarmNameOfArn(arn: string): string | undefined {
  const marker = ':alarm:';
  const at = arn.indexOf(marker);
  return at < 0 ? undefined : arn.slice(at + marker.length);
}

/** Whether the policy's alarm list names this alarm (by name, or by ARN). */
export function policyNamesAlarm(
  alarms: readonly string[],
  alarmName: string,
  alarmArn: string | undefined,
): boolean {
  return alarms.some((a) => a === alarmName || (alarmArn !== undefined && a === alarmArn));
}
