/**
 * `migrate shift --route`: shift one App Mesh route's traffic to VPC Lattice through a bridge
 * virtual node, with the deployment guard doing the stepping. It checks everything before the
 * first write (the plan, Lattice, both sides' alarms, the guard's own record of the route's
 * weights, and whether change control would keep the bridge this person creates:
 * bridge-judgement.ts), then, audited: creates the bridge (idempotent by client token; the
 * person's write, judged by change control like any other), asks the guard for the deployment
 * (the record's `requested`: the steps, the stable split, and the VPC Lattice rule whose alarms
 * guard it too), and writes the first step's weights. The guard opens that deployment when it
 * observes the write and its stable split is the guard's own record of the route, steps it on its
 * schedule, and rolls it back to the App Mesh split when an alarm of either side fires: there is
 * no second rollback here.
 */
import type { GovernanceDecisionDetail } from '../change-control/decision-record';
import { shortHash, stableSplitOf } from '../deployments/decide';
import { isGuarded, type RequestedDeployment, type RouteRecord } from '../deployments/model';
import { formatWeights, sameWeights, weightsOf } from '../deployments/weights';
import { formatResourceKey } from '../domain/resource-key';
import { asError, ConflictError } from '../errors';
import type { Principal } from '../events/principal';
import type { CompiledPolicy } from '../policy/compile';
import type { AlarmSource, AuditLog, AuditRecord, DeploymentStore, MeshProvider } from '../ports';
import type { MeshResourceOf } from '../providers/appmesh/model';
import type { KnownIds } from './apply-changes';
import { judgeBridge } from './bridge-judgement';
import { type BridgeShiftPlan, bridgeClientToken, bridgeNameOf, planBridgeShift } from './bridge-shift';
import type { ExistingLattice } from './lattice-target';
import type { MigrationPlan } from './plan-model';
import { type WatchedAlarm, watchedAlarms } from './shift';

type VirtualNode = MeshResourceOf<'virtual-node'>;

/** How long the guard waits for the route write a requested deployment is opened by. */
const REQUEST_TTL_MINUTES = 15;

export interface ShiftRouteDeps {
  /** App Mesh, as the person running the shift: every write is theirs, judged by change control. */
  readonly meshes: MeshProvider;
  /** The deployment guard's records. */
  readonly deployments: DeploymentStore;
  readonly alarms: AlarmSource;
  readonly policy: CompiledPolicy;
  readonly audit: AuditLog;
  /** Who runs the shift (their caller identity), as the audit trail names them. */
  readonly who: GovernanceDecisionDetail['principal'];
  /** The same caller as change control will see them: whose bridge create it judges. */
  readonly caller: Principal;
  readonly now: () => Date;
  readonly newEventId: () => string;
}

export interface ShiftRouteRequest {
  readonly plan: MigrationPlan;
  readonly known: KnownIds;
  readonly existing: ExistingLattice;
  readonly virtualRouterName: string;
  readonly routeName: string;
  readonly steps: readonly number[];
  readonly bakeMinutes: number;
}

export type ShiftRouteResult =
  | {
      readonly kind: 'refused';
      readonly problems: readonly string[];
      readonly alarms?: readonly WatchedAlarm[];
    }
  | {
      readonly kind: 'shifted';
      readonly shift: BridgeShiftPlan;
      readonly createdBridge: boolean;
      readonly alarms: readonly WatchedAlarm[];
      readonly eventId: string;
    };

function auditRecordOf(
  deps: ShiftRouteDeps,
  shift: BridgeShiftPlan,
  meshName: string,
  eventId: string,
  eventTime: string,
  outcome: AuditRecord['outcome'],
  error?: string,
): AuditRecord {
  const [, router, route] = shift.appMeshKey.split('/');
  const decision: GovernanceDecisionDetail = {
    eventId,
    eventTime,
    meshName,
    resourceKey: formatResourceKey({ kind: 'route', meshName, parentName: router, name: route ?? '' }),
    operation: 'MigrateShiftToVpcLattice',
    principal: deps.who,
    changeControl: 'allow',
    action: 'none',
    ruleIds: [],
    findings: [],
    plan: `shift ${shift.appMeshKey} to VPC Lattice rule ${shift.latticeKey} in steps ${shift.steps.join(', ')} through bridge ${shift.bridgeName} (${shift.domainName}); the guard watches both`,
    reasons: [
      ...(shift.createBridge === undefined ? [] : [`create virtual node ${shift.bridgeName}`]),
      `first step: ${formatWeights(shift.firstWeights)} (from ${formatWeights(shift.stableWeights)})`,
    ],
    diff: '',
    resourceVersion: null,
    migration: { target: 'vpc-lattice', latticeRule: shift.latticeKey, bridge: shift.bridgeName },
  };
  return {
    meshName,
    eventId,
    eventTime,
    decision,
    outcome,
    published: false,
    ...(error === undefined ? {} : { error }),
  };
}

/** Create the bridge unless a create raced ours with the same node. */
async function createBridge(deps: ShiftRouteDeps, bridge: MeshResourceOf<'virtual-node'>): Promise<void> {
  try {
    await deps.meshes.create(bridge, { clientToken: bridgeClientToken(bridge) });
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    const now = await deps.meshes.describe(bridge);
    if (JSON.stringify(now?.spec) !== JSON.stringify(bridge.spec)) throw error;
  }
}

/** Shift one route (see the module comment); refuses, with every reason, before any write. */
export async function shiftRoute(
  deps: ShiftRouteDeps,
  request: ShiftRouteRequest,
): Promise<ShiftRouteResult> {
  const meshName = request.plan.meshName;
  const route = await deps.meshes.describe({
    kind: 'route',
    meshName,
    parentName: request.virtualRouterName,
    name: request.routeName,
  });
  if (route === undefined)
    return {
      kind: 'refused',
      problems: [
        `route ${request.virtualRouterName}/${request.routeName} does not exist in mesh ${meshName}`,
      ],
    };
  const names = [...new Set(Object.keys(weightsOf(route.spec) ?? {}))];
  const read = async (name: string): Promise<readonly [string, VirtualNode | undefined]> => [
    name,
    await deps.meshes.describe({ kind: 'virtual-node', meshName, name }),
  ];
  const [nodes, bridges] = await Promise.all([
    Promise.all(names.map(read)),
    Promise.all(names.map((n) => read(bridgeNameOf(n)))),
  ]);
  const present = (entries: readonly (readonly [string, VirtualNode | undefined])[]) =>
    new Map(entries.filter((e): e is readonly [string, VirtualNode] => e[1] !== undefined));
  const bridgeNodes = present(bridges);
  const decision = planBridgeShift({
    plan: request.plan,
    known: request.known,
    existing: request.existing,
    route,
    nodes: present(nodes),
    existingBridge: (name) => bridgeNodes.get(name),
    steps: request.steps,
  });
  if (decision.kind === 'refused') return decision;
  const shift = decision.shift;

  const alarms = await watchedAlarms(deps, [shift.appMeshKey, shift.latticeKey]);
  const firing = alarms.filter((a) => a.state === 'ALARM');
  if (firing.length > 0)
    return {
      kind: 'refused',
      alarms,
      problems: firing.map(
        (a) => `alarm ${a.name} (bound to ${a.boundTo.join(', ')}) is in ALARM: ${a.stateReason}`,
      ),
    };
  const record = await deps.deployments.get(shift.appMeshKey);
  const now = deps.now();
  if (record?.deployment !== undefined && isGuarded(record.deployment, now))
    return {
      kind: 'refused',
      problems: [
        `${shift.appMeshKey} has a deployment the guard watches (${record.deployment.deploymentId}, ${record.deployment.status}): promote, abort or let it finish first (meshwarden deployments)`,
      ],
    };
  // The guard restores a requested stable split only when it is the guard's own record of the
  // route (decide.ts): this request is stored with the person's credentials, so it is checked.
  const recorded = record?.lastWeights;
  if (record === undefined || recorded === undefined)
    return {
      kind: 'refused',
      problems: [
        `the deployment guard has recorded no weights of ${shift.appMeshKey} yet (it records a route when it sees it created or changed): a rollback restores the split the guard recorded itself, so it would not open this shift; shift once meshwarden deployments status ${shift.appMeshKey} shows its weights`,
      ],
    };
  if (!sameWeights(stableSplitOf(recorded, shift.bridgeName), shift.stableWeights))
    return {
      kind: 'refused',
      problems: [
        `the deployment guard last recorded ${formatWeights(recorded)} for ${shift.appMeshKey}, not ${formatWeights(weightsOf(route.spec))} as read now: try again once it has seen the route's latest change (meshwarden deployments status ${shift.appMeshKey})`,
      ],
    };

  if (shift.createBridge !== undefined) {
    const judged = judgeBridge({
      policy: deps.policy,
      caller: deps.caller,
      bridge: shift.createBridge,
      snapshot: await deps.meshes.readMesh(meshName),
      now,
    });
    if (judged.kind === 'refused') return { kind: 'refused', alarms, problems: judged.problems };
  }

  const eventId = deps.newEventId();
  const at = now.toISOString();
  await deps.audit.put(auditRecordOf(deps, shift, meshName, eventId, at, 'pending'));
  const requested: RequestedDeployment = {
    weights: shift.firstWeights,
    stableTarget: shift.stableTarget,
    stableWeights: shift.stableWeights,
    canaryTarget: shift.bridgeName,
    steps: shift.steps,
    bakeMinutes: shift.steps.map(() => request.bakeMinutes),
    watches: [shift.latticeKey],
    requestedBy: deps.who.label,
    requestedAt: at,
    expiresAt: new Date(now.getTime() + REQUEST_TTL_MINUTES * 60_000).toISOString(),
    purpose: `migrate shift to VPC Lattice service ${shift.latticeService}`,
  };
  let asked: RouteRecord | undefined;
  try {
    if (shift.createBridge !== undefined) await createBridge(deps, shift.createBridge);
    asked = await deps.deployments.save({ ...record, requested });
    // The person's write, not meshwarden's: the guard opens the requested deployment on it.
    await deps.meshes.update(
      { ...route, spec: shift.routeSpec },
      { clientToken: `mw-shift-${shortHash(`${eventId}:${shift.appMeshKey}`, 24)}` },
    );
  } catch (error) {
    const message = asError(error).message;
    if (asked !== undefined) {
      // The route write failed: take the request back so no later write opens it.
      const { requested: _r, ...without } = asked;
      await deps.deployments.save(without).catch(() => undefined);
    }
    await deps.audit.put(auditRecordOf(deps, shift, meshName, eventId, at, 'failed', message));
    throw error;
  }
  await deps.audit.put(auditRecordOf(deps, shift, meshName, eventId, at, 'applied'));
  return { kind: 'shifted', shift, createdBridge: shift.createBridge !== undefined, alarms, eventId };
}
