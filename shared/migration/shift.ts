/**
 * `migrate shift --percent`: move a mesh's traffic to VPC Lattice in steps where the split
 * between App Mesh and Lattice sits outside the mesh (DNS weights, a load balancer, a virtual
 * gateway, a client-side switch; a route inside the mesh is shifted by meshwarden itself, see
 * shift-route.ts). This says what to set for a percent, and which alarms watch both sides: the ones
 * the guard binds to each App Mesh route and to the Lattice rule replacing it. While any of them
 * is in ALARM it suggests no step, and says which and why. Pure decisions over reads through
 * ports (the plan, the policy, CloudWatch).
 */
import { routePolicyOf } from '../deployments/route-policy';
import { BadRequestError } from '../errors';
import type { CompiledPolicy } from '../policy/compile';
import type { AlarmInfo, AlarmSource } from '../ports';
import type { KnownIds } from './apply-changes';
import type { MigrationPlan } from './plan-model';
import { routeMappings } from './policy-entry';

/** The usual ladder of a shift; a step given outside it is taken as given. */
export const SHIFT_STEPS = [10, 25, 50, 100] as const;

export interface WatchedAlarm {
  readonly name: string;
  readonly state: AlarmInfo['state'] | 'MISSING';
  readonly stateReason: string;
  /** The route keys (both sides) it is bound to. */
  readonly boundTo: readonly string[];
}

export type ShiftAdvice =
  | {
      readonly kind: 'step';
      readonly percent: number;
      readonly next: number | undefined;
      readonly lines: readonly string[];
      readonly alarms: readonly WatchedAlarm[];
    }
  | { readonly kind: 'refused'; readonly lines: readonly string[]; readonly alarms: readonly WatchedAlarm[] };

export interface ShiftDeps {
  readonly policy: CompiledPolicy;
  readonly alarms: AlarmSource;
}

/** The percent to shift: a whole number 0..100. */
export function parsePercent(text: string): number {
  const n = Number(text);
  if (!/^\d{1,3}$/.test(text) || !Number.isInteger(n) || n < 0 || n > 100)
    throw new BadRequestError(
      `--percent ${text}: a whole number 0..100 (the share of traffic on VPC Lattice)`,
    );
  return n;
}

/** Every alarm bound to any of the keys (policy and tag), with the keys it is bound to. */
export async function watchedAlarms(deps: ShiftDeps, keys: readonly string[]): Promise<WatchedAlarm[]> {
  const bound = new Map<string, Set<string>>();
  const bind = (alarm: string, key: string) => {
    const set = bound.get(alarm) ?? new Set<string>();
    set.add(key);
    bound.set(alarm, set);
  };
  const byName = new Map<string, AlarmInfo>();
  for (const key of keys) {
    for (const alarm of routePolicyOf(deps.policy, key).alarms) bind(alarm, key);
    for (const info of await deps.alarms.taggedFor(key)) {
      byName.set(info.name, info);
      bind(info.name, key);
    }
  }
  const unknown = [...bound.keys()].filter(
    (n) => !byName.has(n) && ![...byName.values()].some((a) => a.arn === n),
  );
  for (const info of unknown.length === 0 ? [] : await deps.alarms.describe(unknown)) {
    byName.set(info.name, info);
    // A policy may name an alarm by its ARN: fold it into the name.
    if (!bound.has(info.name) && bound.has(info.arn)) {
      bound.set(info.name, bound.get(info.arn) ?? new Set());
      bound.delete(info.arn);
    }
  }
  return [...bound.entries()]
    .map(([name, keysOf]) => {
      const info = byName.get(name);
      return {
        name,
        state: info?.state ?? ('MISSING' as const),
        stateReason: info?.stateReason ?? 'no such alarm in CloudWatch',
        boundTo: [...keysOf].sort(),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * What to do to put `percent` of the mesh's traffic on Lattice, or why not now. `known` are the
 * ids of what `migrate apply` created (from reading Lattice), for the target groups.
 */
export async function adviseShift(
  deps: ShiftDeps,
  plan: MigrationPlan,
  known: KnownIds,
  percent: number,
): Promise<ShiftAdvice> {
  const mappings = routeMappings(plan, known);
  const keys = [...new Set(mappings.flatMap((m) => [m.appMeshKey, m.latticeKey]))];
  const alarms = await watchedAlarms(deps, keys);
  const firing = alarms.filter((a) => a.state === 'ALARM');
  if (firing.length > 0) {
    return {
      kind: 'refused',
      alarms,
      lines: [
        `No step now: ${firing.length === 1 ? 'an alarm' : `${firing.length} alarms`} watching the two sides ${firing.length === 1 ? 'is' : 'are'} in ALARM.`,
        ...firing.map((a) => `  ${a.name} (bound to ${a.boundTo.join(', ')}): ${a.stateReason}`),
        'Wait until they are OK (the guard rolls a deployment back on either side meanwhile), or shift back.',
      ],
    };
  }
  const next = SHIFT_STEPS.find((s) => s > percent);
  const sn = plan.serviceNetwork.name;
  const lines = [
    `Shift mesh ${plan.meshName} to VPC Lattice service network ${sn}: ${percent}% on Lattice, ${100 - percent}% on App Mesh.`,
    'The split sits in front of the two (DNS weighted records, a load balancer, or a client-side switch); set it per service:',
    ...plan.services.map((s) => {
      const from = s.source.find((r) => r.kind === 'virtual-service')?.name ?? s.customDomainName ?? s.name;
      return `  ${from} -> Lattice service ${s.name}${s.customDomainName === undefined ? '' : ` (${s.customDomainName})`}: App Mesh ${100 - percent}, VPC Lattice ${percent}`;
    }),
    alarms.length === 0
      ? 'No alarm is bound to these routes on either side: bind some (policy deployments.routes or the meshwarden:route tag) before shifting.'
      : 'Watch these alarms for a bake time before the next step (the guard watches both sides and rolls back a deployment on either):',
    ...alarms.map((a) => `  ${a.name} ${a.state}: bound to ${a.boundTo.join(', ')}`),
    ...alarms
      .filter((a) => a.state !== 'OK')
      .map((a) => `  note: ${a.name} is ${a.state} (${a.stateReason}); a step is safer once it reports OK`),
    next === undefined
      ? 'This is the last step: when it has baked, App Mesh can be retired.'
      : `Next step: meshwarden migrate shift --mesh ${plan.meshName} --to vpc-lattice --percent ${next}`,
  ];
  return { kind: 'step', percent, next, lines, alarms };
}
