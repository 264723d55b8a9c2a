/**
 * The change-control rules and exemptions of the VPC Lattice entry after a migration, from the
 * App Mesh entry's, said in Lattice's terms: a Lattice entry may name only Lattice actions,
 * resource kinds and rules (the policy refuses App Mesh ones there, as they would match nothing).
 * Each App Mesh resource the plan turns into a Lattice resource is its counterpart: the mesh the
 * service network, a virtual service its service, a router (or node) listener its listener, a
 * route its rule, a virtual node its target group. What has no counterpart (virtual gateways,
 * gateway routes, App Mesh-only rules) is not carried, and said. Pure.
 */

import { formatResourceKey, RESOURCE_KINDS, type ResourceRef } from '../domain/resource-key';
import { APPMESH_WRITE_ACTIONS, LATTICE_WRITE_ACTIONS } from '../policy/actions';
import { compileGlob } from '../policy/glob';
import { formatLatticeResourceKey, type LatticeResourceKind } from '../providers/vpc-lattice/resource-key';
import type { MigrationPlan, SourceRef } from './plan-model';

/** A Lattice resource of the plan and the App Mesh resource it replaces. */
interface Counterpart {
  readonly appMesh: ResourceRef;
  readonly lattice: {
    readonly kind: LatticeResourceKind;
    readonly name: string;
    readonly parentName?: string;
  };
}

function appMeshRef(source: SourceRef): ResourceRef {
  return {
    kind: source.kind,
    meshName: source.meshName,
    name: source.name,
    ...(source.parentName === undefined ? {} : { parentName: source.parentName }),
  };
}

/** Every (App Mesh resource, Lattice resource) pair of the plan, once each. */
export function counterparts(plan: MigrationPlan): Counterpart[] {
  const out = new Map<string, Counterpart>();
  const add = (sources: readonly SourceRef[], lattice: Counterpart['lattice']) => {
    for (const source of sources) {
      const appMesh = appMeshRef(source);
      out.set(JSON.stringify([appMesh, lattice]), { appMesh, lattice });
    }
  };
  const meshRef = { kind: 'mesh' as const, meshName: plan.meshName, name: plan.meshName };
  out.set('mesh', { appMesh: meshRef, lattice: { kind: 'service-network', name: plan.serviceNetwork.name } });
  for (const service of plan.services) {
    add(service.source, { kind: 'service', name: service.name });
    for (const listener of service.listeners) {
      add(listener.source, { kind: 'listener', name: listener.name, parentName: service.name });
      for (const rule of listener.rules)
        add(rule.source, { kind: 'rule', name: rule.name, parentName: `${service.name}/${listener.name}` });
    }
  }
  for (const group of plan.targetGroups) add(group.source, { kind: 'target-group', name: group.name });
  return [...out.values()];
}

/** App Mesh nouns and the Lattice nouns whose calls do the same to the counterparts. */
const NOUNS: Readonly<Record<string, readonly string[]>> = {
  Mesh: ['ServiceNetwork'],
  VirtualService: ['Service'],
  VirtualRouter: ['Listener'],
  Route: ['Rule'],
  VirtualNode: ['TargetGroup'],
};

/** The Lattice calls that do what an App Mesh call did (none for gateways). */
function latticeActionsOf(action: string): string[] {
  if (action === 'TagResource' || action === 'UntagResource') return [action];
  const [, verb, noun] = /^(Create|Update|Delete)(.+)$/.exec(action) ?? [];
  const mapped = (NOUNS[noun ?? ''] ?? []).map((n) => `${verb}${n}`);
  if (verb === 'Update' && noun === 'Route') mapped.push('BatchUpdateRule');
  if (verb === 'Update' && noun === 'VirtualNode') mapped.push('RegisterTargets', 'DeregisterTargets');
  return mapped;
}

/** Lattice action globs for App Mesh ones: `*` stays, others become the calls they match. */
export function latticeActions(actions: readonly string[]): string[] {
  const globs = actions.map(compileGlob);
  if (APPMESH_WRITE_ACTIONS.every((a) => globs.some((g) => g.test(a)))) return ['*'];
  const wanted = new Set(
    APPMESH_WRITE_ACTIONS.filter((a) => globs.some((g) => g.test(a))).flatMap(latticeActionsOf),
  );
  return LATTICE_WRITE_ACTIONS.filter((a) => wanted.has(a));
}

export interface Selector {
  readonly kind: string;
  readonly name?: string;
  readonly parent?: string;
}

const isAll = (glob: string | undefined) => glob === undefined || glob === '*';

/**
 * Lattice selectors covering the counterparts of what an App Mesh selector covers. A name or
 * parent left open stays open (every rule of the listener, including ones added later); a
 * narrowed one names the counterparts the plan has.
 */
export function latticeSelectors(selector: Selector, pairs: readonly Counterpart[]): Selector[] {
  const kind = compileGlob(selector.kind);
  if (isAll(selector.name) && isAll(selector.parent) && RESOURCE_KINDS.every((k) => kind.test(k)))
    return [{ kind: '*', ...(selector.name === undefined ? {} : { name: selector.name }) }];
  const name = selector.name === undefined ? undefined : compileGlob(selector.name);
  const parent = selector.parent === undefined ? undefined : compileGlob(selector.parent);
  const out = new Map<string, Selector>();
  for (const { appMesh, lattice } of pairs) {
    if (!kind.test(appMesh.kind)) continue;
    if (name !== undefined && !name.test(appMesh.name)) continue;
    if (parent !== undefined && (appMesh.parentName === undefined || !parent.test(appMesh.parentName)))
      continue;
    const narrowed: Selector = {
      kind: lattice.kind,
      ...(isAll(selector.name) ? (selector.name === undefined ? {} : { name: '*' }) : { name: lattice.name }),
      ...(isAll(selector.parent) || lattice.parentName === undefined ? {} : { parent: lattice.parentName }),
    };
    out.set(JSON.stringify(narrowed), narrowed);
  }
  return [...out.values()];
}

/** App Mesh rules and the Lattice rules that judge the same on the counterparts. */
const RULES: Readonly<Record<string, string>> = {
  'tls.strict': 'lattice.https-only',
  'tls.allowed-ca': 'lattice.allowed-ca',
  'access.graph': 'lattice.access-graph',
  'route.max-targets': 'lattice.forward-limits',
  'route.weights-nonzero': 'lattice.weights-nonzero',
};

type Raw = Record<string, unknown>;

export interface CarriedRules {
  readonly changeControl: Raw;
  readonly exemptions: Raw[];
  /** What the Lattice entry does not carry, one line each, for the person applying. */
  readonly notCarried: string[];
}

/** The Lattice entry's changeControl and exemptions from the App Mesh entry's (raw, as written). */
export function carryRules(raw: Raw, plan: MigrationPlan): CarriedRules {
  const pairs = counterparts(plan);
  const notCarried: string[] = [];
  const changeControl = { ...(raw.changeControl as Raw) };
  const allow: Raw[] = [];
  for (const rule of (changeControl.allow ?? []) as Raw[]) {
    const actions = latticeActions(rule.actions as string[]);
    const resources = (rule.resources as Selector[]).flatMap((s) => latticeSelectors(s, pairs));
    if (actions.length === 0 || resources.length === 0) {
      notCarried.push(
        `changeControl.allow ${String(rule.id)}: ${actions.length === 0 ? 'its actions' : 'its resources'} have no VPC Lattice counterpart in the plan`,
      );
      continue;
    }
    allow.push({ ...rule, actions, resources });
  }
  if (changeControl.allow !== undefined) changeControl.allow = allow;

  const sn = plan.serviceNetwork.name;
  const exemptions: Raw[] = [];
  for (const exemption of (raw.exemptions ?? []) as Raw[]) {
    const resource = compileGlob(String(exemption.resource));
    const rules = (exemption.rules as string[]).map((r) => RULES[r]);
    const keys = new Set(
      pairs
        .filter((p) => resource.test(formatResourceKey(p.appMesh)))
        .map((p) => formatLatticeResourceKey({ provider: 'vpc-lattice', meshName: sn, ...p.lattice })),
    );
    const dropped = (exemption.rules as string[]).filter((r) => RULES[r] === undefined);
    if (dropped.length > 0)
      notCarried.push(
        `exemption of ${String(exemption.resource)} from ${dropped.join(', ')}: no VPC Lattice rule judges the same`,
      );
    const kept = [...new Set(rules.filter((r) => r !== undefined))];
    if (kept.length === 0) continue;
    if (keys.size === 0) {
      notCarried.push(`exemption of ${String(exemption.resource)}: no resource of the plan replaces it`);
      continue;
    }
    for (const key of keys) exemptions.push({ ...exemption, resource: key, rules: kept });
  }
  if (raw.compliance !== undefined)
    notCarried.push(
      'compliance: its settings judge App Mesh resources; the VPC Lattice rules read compliance.tls (minimumMode, allowedCertificateAuthorities), compliance.routes.maxWeightedTargets and compliance.accessGraph (callers as IAM principals): add what applies to the new entry',
    );
  return { changeControl, exemptions, notCarried };
}
