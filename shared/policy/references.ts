/**
 * Resolves the policy's references to live things (routes, virtual nodes and services,
 * resources, alarms, private CAs, certificate files) against what exists, and reports each
 * one that resolves to nothing. The schema cannot catch these: `stableTarget: web-v9` is a
 * well-formed name, and a route glob that matches nothing is a valid glob. Yet each one
 * quietly disarms a guard (no deployment opens, no alarm rolls back, an exemption covers
 * nothing), so `policy validate --mesh` and the daily audit say so, with the line that wrote it.
 *
 * Pure: the caller reads the meshes and alarms; nothing here does I/O. A glob is dangling only
 * when it matches nothing at all; a glob that matches some resources and not others is how
 * globs are meant to be used.
 */
import { collectReferences } from '../certificates/references';
import { formatResourceKey, RESOURCE_KINDS, type ResourceKind } from '../domain/resource-key';
import { type MeshSnapshot, snapshotResources } from '../domain/snapshot';
import type { ListedAlarm } from '../ports';
import type { MeshResource } from '../providers/appmesh/model';
import { formatPath } from '../validation';
import {
  type CompiledMeshPolicy,
  type CompiledPolicy,
  compileResourceSelector,
  type PolicySource,
} from './compile';
import { compileGlob, globSyntaxError } from './glob';
import type { PolicyIssue } from './load';
import { routeShapeOf } from './mesh-index';

/** What kind of reference dangles. */
export type DanglingKind =
  /** A mesh no entry of the policy governs. */
  | 'ungoverned-mesh'
  /** `deployments.routes[].route` matches no route, or only routes an earlier entry decides. */
  | 'deployment-route'
  /** `deployments.routes[].stableTarget` is a target of none of the routes the entry decides. */
  | 'stable-target'
  /** `deployments.routes[].alarms[]` names no existing alarm. */
  | 'alarm'
  /** An alarm's `meshwarden:route` tag names a route that does not exist. */
  | 'alarm-route-tag'
  /** `exemptions[].resource` matches no resource. */
  | 'exemption'
  /** A change-control resource selector matches no resource. */
  | 'change-control-resource'
  /** An `accessGraph` node glob or service glob matches nothing. */
  | 'access-graph'
  /** `allowedCertificateAuthorities` or `issuingCaArn` names no existing private CA. */
  | 'certificate-authority'
  /** `certificates.rules[].resources` or `certificates.secrets[].file|sds` matches nothing. */
  | 'certificates';

/** One reference of the policy that resolves to nothing, with where it was written. */
export interface DanglingReference extends PolicyIssue {
  readonly kind: DanglingKind;
  /** The meshes it was resolved against. */
  readonly meshes: readonly string[];
}

/** What exists: the references are resolved against this. */
export interface LiveState {
  /** The meshes to resolve against, read whole. Only the policy entries governing them are resolved. */
  readonly meshes: readonly MeshSnapshot[];
  /** Every CloudWatch alarm of the account and region, with its `meshwarden:route` tag. */
  readonly alarms: readonly ListedAlarm[];
  /** ARNs of the private CAs that exist; undefined when they were not read (CA references are then not checked). */
  readonly certificateAuthorities?: readonly string[];
}

const NO_SOURCE: PolicySource = { file: '(policy)', position: () => ({ line: 1, col: 1 }) };

const KIND_LABEL: Readonly<Record<ResourceKind, string>> = {
  mesh: 'mesh',
  'virtual-node': 'virtual node',
  'virtual-service': 'virtual service',
  'virtual-router': 'virtual router',
  route: 'route',
  'virtual-gateway': 'virtual gateway',
  'gateway-route': 'gateway route',
};

interface LiveRoute {
  readonly key: string;
  readonly targets: readonly string[];
}

/** The live facts of the meshes one policy entry governs, indexed for matching. */
interface Governed {
  readonly names: readonly string[];
  readonly label: string;
  readonly resources: readonly MeshResource[];
  readonly resourceKeys: readonly string[];
  readonly routes: readonly LiveRoute[];
  readonly routeKeys: ReadonlySet<string>;
  readonly nodeNames: readonly string[];
  readonly serviceNames: readonly string[];
  readonly certificateFiles: readonly string[];
  readonly sdsNames: readonly string[];
}

function governedBy(snapshots: readonly MeshSnapshot[]): Governed {
  const resources = snapshots.flatMap(snapshotResources);
  const routes = snapshots.flatMap((s) =>
    s.routes.map((r) => ({
      key: `${s.meshName}/${r.parentName ?? ''}/${r.name}`,
      targets: (routeShapeOf(r.spec)?.weightedTargets ?? []).map((t) => t.virtualNode),
    })),
  );
  const files = new Set<string>();
  const sds = new Set<string>();
  for (const snapshot of snapshots) {
    const { leaves, trusts } = collectReferences(snapshot, undefined);
    for (const { id } of [...leaves, ...trusts]) {
      if (id.startsWith('file:')) files.add(id.slice('file:'.length));
      else if (id.startsWith('sds:')) sds.add(id.slice('sds:'.length));
    }
  }
  const names = snapshots.map((s) => s.meshName);
  return {
    names,
    label: `${names.length === 1 ? 'mesh' : 'meshes'} ${names.join(', ')}`,
    resources,
    resourceKeys: resources.map(formatResourceKey),
    routes,
    routeKeys: new Set(routes.map((r) => r.key)),
    nodeNames: snapshots.flatMap((s) => s.virtualNodes.map((n) => n.name)),
    serviceNames: snapshots.flatMap((s) => s.virtualServices.map((n) => n.name)),
    certificateFiles: [...files],
    sdsNames: [...sds],
  };
}

function matchesAny(pattern: string, values: readonly string[]): boolean {
  if (globSyntaxError(pattern) !== undefined) return false;
  const glob = compileGlob(pattern);
  return values.some((v) => glob.test(v));
}

function looksLikeGlob(value: string): boolean {
  return /[*?{}]/.test(value);
}

type Path = readonly PropertyKey[];

/** Collects the dangling references of one entry, positioned in the source. */
class Report {
  readonly found: DanglingReference[] = [];

  constructor(
    private readonly source: PolicySource,
    private readonly meshes: readonly string[],
  ) {}

  add(kind: DanglingKind, path: Path, message: string, target: 'value' | 'key' = 'value'): void {
    this.found.push({
      kind,
      meshes: this.meshes,
      file: this.source.file,
      ...this.source.position(path, target),
      path: formatPath(path),
      message,
    });
  }
}

function resolveChangeControl(entry: CompiledMeshPolicy, live: Governed, report: Report): void {
  for (const [i, rule] of entry.document.changeControl.allow.entries()) {
    for (const [j, selector] of rule.resources.entries()) {
      const predicate = compileResourceSelector(selector);
      if (live.resources.some((r) => predicate.test(r.kind, r.name, r.parentName))) continue;
      const path = ['meshes', entry.index, 'changeControl', 'allow', i, 'resources', j];
      const kindGlob = compileGlob(selector.kind);
      const ofKind = live.resources.filter((r) => kindGlob.test(r.kind));
      const kinds = RESOURCE_KINDS.filter((k) => kindGlob.test(k))
        .map((k) => KIND_LABEL[k])
        .join(' or ');
      if (ofKind.length === 0) {
        report.add('change-control-resource', [...path, 'kind'], `no ${kinds} exists in ${live.label}`);
      } else if (
        selector.parent !== undefined &&
        !ofKind.some(
          (r) => r.parentName !== undefined && compileGlob(selector.parent ?? '').test(r.parentName),
        )
      ) {
        report.add(
          'change-control-resource',
          [...path, 'parent'],
          `"${selector.parent}" is the parent of no ${kinds} in ${live.label}`,
        );
      } else {
        report.add(
          'change-control-resource',
          [...path, selector.name === undefined ? 'kind' : 'name'],
          `"${selector.name ?? '*'}" matches no ${kinds}${selector.parent === undefined ? '' : ` of "${selector.parent}"`} in ${live.label}`,
        );
      }
    }
  }
}

function resolveCompliance(
  entry: CompiledMeshPolicy,
  live: Governed,
  state: LiveState,
  report: Report,
): void {
  const compliance = entry.document.compliance;
  const base = ['meshes', entry.index, 'compliance'];
  const cas = state.certificateAuthorities;
  if (cas !== undefined) {
    for (const [i, pattern] of (compliance.tls?.allowedCertificateAuthorities ?? []).entries()) {
      if (!matchesAny(pattern, cas)) {
        report.add(
          'certificate-authority',
          [...base, 'tls', 'allowedCertificateAuthorities', i],
          `"${pattern}" matches no private CA (AWS Private CA) that exists`,
        );
      }
    }
  }
  for (const [node, services] of Object.entries(compliance.accessGraph ?? {})) {
    const path = [...base, 'accessGraph', node];
    if (!matchesAny(node, live.nodeNames)) {
      report.add('access-graph', path, `"${node}" matches no virtual node in ${live.label}`, 'key');
    }
    for (const [i, service] of services.entries()) {
      if (!matchesAny(service, live.serviceNames)) {
        report.add('access-graph', [...path, i], `"${service}" matches no virtual service in ${live.label}`);
      }
    }
  }
}

function resolveExemptions(entry: CompiledMeshPolicy, live: Governed, report: Report): void {
  for (const [i, exemption] of entry.document.exemptions.entries()) {
    if (!matchesAny(exemption.resource, live.resourceKeys)) {
      report.add(
        'exemption',
        ['meshes', entry.index, 'exemptions', i, 'resource'],
        `"${exemption.resource}" matches no resource in ${live.label} (keys read <mesh>/<kind>/<name>, routes <mesh>/route/<virtual-router>/<route>): the exemption covers nothing`,
      );
    }
  }
}

function alarmExists(reference: string, alarms: readonly ListedAlarm[]): boolean {
  return alarms.some((a) => a.name === reference || a.arn === reference);
}

function resolveDeployments(
  entry: CompiledMeshPolicy,
  live: Governed,
  state: LiveState,
  report: Report,
): void {
  const section = entry.document.deployments;
  if (section === undefined) return;
  // The guard takes the first entry whose glob matches a route: routes decided by an earlier
  // entry are not this entry's, whatever its glob says.
  const decidedBy = new Map<string, number>();
  for (const [i, guarded] of section.routes.entries()) {
    const path = ['meshes', entry.index, 'deployments', 'routes', i];
    const glob = compileGlob(guarded.route);
    const matched = live.routes.filter((r) => glob.test(r.key));
    const own = matched.filter((r) => !decidedBy.has(r.key));
    for (const r of own) decidedBy.set(r.key, i);
    if (matched.length === 0) {
      report.add(
        'deployment-route',
        [...path, 'route'],
        `"${guarded.route}" matches no route in ${live.label} (route keys read <mesh>/<virtual-router>/<route>): its alarms and stable target guard nothing`,
      );
    } else if (own.length === 0) {
      const earlier = [...new Set(matched.map((r) => decidedBy.get(r.key)))].map((k) => `routes[${k}]`);
      report.add(
        'deployment-route',
        [...path, 'route'],
        `every route "${guarded.route}" matches is decided by an earlier entry (${earlier.join(', ')}): this entry never applies`,
      );
    } else if (
      guarded.stableTarget !== undefined &&
      !own.some((r) => r.targets.includes(guarded.stableTarget ?? ''))
    ) {
      const routes = own.map((r) => `${r.key} (targets: ${r.targets.join(', ') || 'none'})`).join('; ');
      report.add(
        'stable-target',
        [...path, 'stableTarget'],
        `"${guarded.stableTarget}" is not a target of ${routes}: no deployment opens on ${own.length === 1 ? 'it' : 'them'}`,
      );
    }
    for (const [j, alarm] of guarded.alarms.entries()) {
      if (alarmExists(alarm, state.alarms)) continue;
      report.add(
        'alarm',
        [...path, 'alarms', j],
        `no CloudWatch alarm named "${alarm}" exists${looksLikeGlob(alarm) ? ' (alarm names are matched exactly, not as globs)' : ''}: it can never roll back`,
      );
    }
  }
}

/** An alarm tagged for a route of these meshes that does not exist binds to nothing. */
function resolveAlarmTags(entry: CompiledMeshPolicy, live: Governed, state: LiveState, report: Report): void {
  const meshes = new Set(live.names);
  const where = entry.document.deployments === undefined ? 'mesh' : 'deployments';
  for (const alarm of state.alarms) {
    const tag = alarm.routeTag;
    if (tag === undefined) continue;
    const parts = tag.split('/');
    if (!meshes.has(parts[0] ?? '')) continue;
    if (parts.length !== 3 || parts.some((p) => p.length === 0)) {
      report.add(
        'alarm-route-tag',
        ['meshes', entry.index, where],
        `alarm "${alarm.name}" is tagged meshwarden:route=${tag}, which is not <mesh>/<virtual-router>/<route>: it guards nothing`,
        'key',
      );
    } else if (!live.routeKeys.has(tag)) {
      report.add(
        'alarm-route-tag',
        ['meshes', entry.index, where],
        `alarm "${alarm.name}" is tagged meshwarden:route=${tag}, a route that does not exist: it guards nothing`,
        'key',
      );
    }
  }
}

function resolveCertificates(
  entry: CompiledMeshPolicy,
  live: Governed,
  state: LiveState,
  report: Report,
): void {
  const section = entry.document.certificates;
  if (section === undefined) return;
  const base = ['meshes', entry.index, 'certificates'];
  for (const [i, rule] of section.rules.entries()) {
    if (!matchesAny(rule.resources, live.resourceKeys)) {
      report.add(
        'certificates',
        [...base, 'rules', i, 'resources'],
        `"${rule.resources}" matches no resource in ${live.label}: the rule applies to nothing`,
      );
    }
    const cas = state.certificateAuthorities;
    if (cas !== undefined && rule.issuingCaArn !== undefined && !cas.includes(rule.issuingCaArn)) {
      report.add(
        'certificate-authority',
        [...base, 'rules', i, 'issuingCaArn'],
        `no private CA ${rule.issuingCaArn} exists: renewals under this rule cannot be issued`,
      );
    }
  }
  for (const [i, mapping] of section.secrets.entries()) {
    if (mapping.file !== undefined && !matchesAny(mapping.file, live.certificateFiles)) {
      report.add(
        'certificates',
        [...base, 'secrets', i, 'file'],
        `"${mapping.file}" matches no certificate file a listener or client policy of ${live.label} uses`,
      );
    }
    if (mapping.sds !== undefined && !matchesAny(mapping.sds, live.sdsNames)) {
      report.add(
        'certificates',
        [...base, 'secrets', i, 'sds'],
        `"${mapping.sds}" matches no SDS secret a listener or client policy of ${live.label} uses`,
      );
    }
  }
}

/**
 * Every reference of the policy entries governing `state.meshes` that resolves to nothing, in
 * source order. Several meshes governed by one entry are resolved together: a reference is
 * dangling only when it resolves in none of them.
 */
export function resolvePolicyReferences(policy: CompiledPolicy, state: LiveState): DanglingReference[] {
  const source = policy.source ?? NO_SOURCE;
  const found: DanglingReference[] = [];
  const byEntry = new Map<number, { entry: CompiledMeshPolicy; snapshots: MeshSnapshot[] }>();
  for (const snapshot of state.meshes) {
    const entry = policy.forMesh(snapshot.meshName);
    if (entry === undefined) {
      const report = new Report(source, [snapshot.meshName]);
      report.add(
        'ungoverned-mesh',
        ['meshes'],
        `no entry's mesh glob (${policy.document.meshes.map((m) => m.mesh).join(', ')}) matches mesh "${snapshot.meshName}": nothing of the policy applies to it`,
        'key',
      );
      found.push(...report.found);
      continue;
    }
    const group = byEntry.get(entry.index) ?? { entry, snapshots: [] };
    group.snapshots.push(snapshot);
    byEntry.set(entry.index, group);
  }
  for (const { entry, snapshots } of byEntry.values()) {
    const live = governedBy(snapshots);
    const report = new Report(source, live.names);
    resolveChangeControl(entry, live, report);
    resolveCompliance(entry, live, state, report);
    resolveExemptions(entry, live, report);
    resolveDeployments(entry, live, state, report);
    resolveAlarmTags(entry, live, state, report);
    resolveCertificates(entry, live, state, report);
    found.push(...report.found);
  }
  return found.sort((a, b) => a.line - b.line || a.col - b.col || a.message.localeCompare(b.message));
}
