/**
 * The policy after a migration: the App Mesh entry kept, and before it a VPC Lattice entry for
 * the new service network with the change-control rules and exemptions said in Lattice's terms
 * (policy-rules.ts), the same approvals and deployment settings, its alarm bindings re-keyed from App Mesh routes
 * (`<mesh>/<router>/<route>`) to the Lattice rules that replace them
 * (`<service-network>/<service>/<listener>/<rule>`), stable targets from virtual nodes to the
 * target group ids apply created. Alarms bound by tag to an App Mesh route are bound by name to
 * its rule, so the guard watches the same alarms on both sides. Pure: the text in, the text out.
 */
import { isMap, isSeq, parseDocument } from 'yaml';
import { formatRouteId } from '../domain/weighted-route';
import { BadRequestError } from '../errors';
import { compileGlob } from '../policy/glob';
import { parsePolicy } from '../policy/load';
import { type KnownIds, refKey } from './apply-changes';
import type { MigrationPlan, PlannedAction } from './plan-model';
import { carryRules } from './policy-rules';

/** An App Mesh route and the Lattice rule (or listener default action) that replaces it. */
export interface RouteMapping {
  readonly appMeshKey: string;
  readonly latticeKey: string;
  /** Target group id by the virtual node it replaces, for the rule's targets. */
  readonly targetGroupOfNode: ReadonlyMap<string, string>;
}

function targetGroupsOf(
  plan: MigrationPlan,
  action: PlannedAction,
  known: KnownIds,
): ReadonlyMap<string, string> {
  const byNode = new Map<string, string>();
  if (!('forward' in action)) return byNode;
  for (const t of action.forward.targetGroups) {
    const group = plan.targetGroups.find((g) => g.name === t.targetGroupName);
    const id = known.get(refKey({ kind: 'target-group', name: t.targetGroupName }))?.id;
    if (group !== undefined && id !== undefined && !byNode.has(group.virtualNode))
      byNode.set(group.virtualNode, id);
  }
  return byNode;
}

/** Every App Mesh route the plan turns into a Lattice rule or default action. */
export function routeMappings(plan: MigrationPlan, known: KnownIds): RouteMapping[] {
  const mappings: RouteMapping[] = [];
  const sn = plan.serviceNetwork.name;
  for (const service of plan.services) {
    for (const listener of service.listeners) {
      const items = [
        { name: 'default', source: listener.source, action: listener.defaultAction },
        ...listener.rules.map((r) => ({ name: r.name, source: r.source, action: r.action })),
      ];
      for (const item of items) {
        for (const source of item.source) {
          if (source.kind !== 'route' || source.parentName === undefined) continue;
          mappings.push({
            appMeshKey: formatRouteId({
              provider: 'appmesh',
              meshName: source.meshName,
              virtualRouterName: source.parentName,
              routeName: source.name,
            }),
            latticeKey: formatRouteId({
              provider: 'vpc-lattice',
              serviceNetwork: sn,
              service: service.name,
              listener: listener.name,
              rule: item.name,
            }),
            targetGroupOfNode: targetGroupsOf(plan, item.action, known),
          });
        }
      }
    }
  }
  return mappings;
}

type RawEntry = Record<string, unknown>;

/** The Lattice entry's `deployments` from the App Mesh entry's, re-keyed. */
function rekeyedDeployments(
  raw: RawEntry | undefined,
  mappings: readonly RouteMapping[],
  taggedAlarms: ReadonlyMap<string, readonly string[]>,
): RawEntry | undefined {
  const routes: RawEntry[] = [];
  const byKey = new Map<string, RawEntry>();
  for (const entry of (raw?.routes ?? []) as RawEntry[]) {
    const glob = compileGlob(String(entry.route));
    for (const m of mappings) {
      if (!glob.test(m.appMeshKey) || byKey.has(m.latticeKey)) continue;
      const { stableTarget, ...rest } = entry;
      const stable = typeof stableTarget === 'string' ? m.targetGroupOfNode.get(stableTarget) : undefined;
      const rekeyed: RawEntry = {
        ...rest,
        route: m.latticeKey,
        ...(stable === undefined ? {} : { stableTarget: stable }),
      };
      byKey.set(m.latticeKey, rekeyed);
      routes.push(rekeyed);
    }
  }
  for (const m of mappings) {
    const tagged = taggedAlarms.get(m.appMeshKey) ?? [];
    if (tagged.length === 0) continue;
    const entry = byKey.get(m.latticeKey);
    if (entry === undefined) {
      const added: RawEntry = { route: m.latticeKey, alarms: [...tagged] };
      byKey.set(m.latticeKey, added);
      routes.push(added);
    } else {
      const alarms = (entry.alarms ?? []) as string[];
      entry.alarms = [...alarms, ...tagged.filter((a) => !alarms.includes(a))];
    }
  }
  if (raw === undefined && routes.length === 0) return undefined;
  return {
    ...(raw?.rollbackWindowMinutes === undefined ? {} : { rollbackWindowMinutes: raw.rollbackWindowMinutes }),
    routes,
  };
}

export interface TranslatedPolicy {
  /** The whole policy file: the Lattice entry first, every other entry (and comment) as it was. */
  readonly text: string;
  /** The new entry alone. */
  readonly entry: RawEntry;
  /** What the new entry does not carry over from the App Mesh entry, one line each. */
  readonly notCarried: readonly string[];
}

/**
 * The policy text with the Lattice entry added. Refused (BadRequestError) when no entry governs
 * the mesh, or when the result would not be a valid policy that still governs the mesh by its
 * App Mesh entry (a service network named like a governed mesh would take its place).
 */
export function translatePolicy(input: {
  readonly policyText: string;
  readonly fileName: string;
  readonly plan: MigrationPlan;
  readonly known: KnownIds;
  /** Alarm names bound by the `meshwarden:route` tag, by App Mesh route key. */
  readonly taggedAlarms: ReadonlyMap<string, readonly string[]>;
}): TranslatedPolicy {
  const { plan } = input;
  const policy = parsePolicy(input.policyText, input.fileName);
  const governing = policy.forMesh(plan.meshName);
  if (governing === undefined || governing.document.provider === 'vpc-lattice')
    throw new BadRequestError(`${input.fileName}: no App Mesh entry governs mesh ${plan.meshName}`);
  const doc = parseDocument(input.policyText);
  const meshes = doc.get('meshes');
  if (!isSeq(meshes)) throw new BadRequestError(`${input.fileName}: meshes is not a list`);
  const source = meshes.items[governing.index];
  if (!isMap(source)) throw new BadRequestError(`${input.fileName}: meshes[${governing.index}] is not a map`);
  const raw = source.toJSON() as RawEntry;
  const sn = plan.serviceNetwork.name;
  const deployments = rekeyedDeployments(
    raw.deployments as RawEntry | undefined,
    routeMappings(plan, input.known),
    input.taggedAlarms,
  );
  const rules = carryRules(raw, plan);
  const entry: RawEntry = {
    mesh: sn,
    provider: 'vpc-lattice',
    serviceNetwork: sn,
    changeControl: rules.changeControl,
    ...(rules.exemptions.length === 0 ? {} : { exemptions: rules.exemptions }),
    ...(deployments === undefined ? {} : { deployments }),
    ...(raw.approvals === undefined ? {} : { approvals: raw.approvals }),
  };
  const existing = meshes.items.findIndex(
    (item) => isMap(item) && item.get('provider') === 'vpc-lattice' && item.get('serviceNetwork') === sn,
  );
  if (existing === -1) meshes.items.unshift(doc.createNode(entry));
  else meshes.items[existing] = doc.createNode(entry);
  const text = doc.toString();
  const after = parsePolicy(text, input.fileName);
  const stillGoverned = after.forMesh(plan.meshName);
  if (stillGoverned === undefined || stillGoverned.document.provider === 'vpc-lattice')
    throw new BadRequestError(
      `service network ${sn} is named like mesh ${plan.meshName}: its policy entry would govern the mesh too; choose another --service-network`,
    );
  return { text, entry, notCarried: rules.notCarried };
}
