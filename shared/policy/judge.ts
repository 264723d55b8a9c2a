/**
 * The judge: compliance and consistency findings for one changed resource (its own rules and
 * the rules of its immediate neighbours that read it) or for a whole mesh (the periodic audit).
 * Both work on a {@link MeshIndex} built once, so judging one event never re-judges the mesh
 * and an audit is linear in the mesh's size.
 */

import { formatResourceKey, type ResourceRef, refOf } from '../domain/resource-key';
import { type MeshSnapshot, snapshotResources } from '../domain/snapshot';
import type { MeshResource } from '../providers/appmesh/model';
import { RULES, type Rule, type RuleContext } from '../providers/appmesh/rules';
import type { CompiledExemption, CompiledMeshPolicy, CompiledPolicy } from './compile';
import { type ExemptionMatch, exemptionFor, expiredExemptions } from './exemptions';
import { buildMeshIndex, MeshIndex, routeShapeOf } from './mesh-index';
import { nodesReachedFromService, precomputeRoutingLoops } from './routing-loops';
import type { RuleId } from './rule-ids';

/** One rule a resource fails. */
export interface Finding {
  readonly ruleId: RuleId;
  readonly category: 'compliance' | 'consistency';
  readonly resource: ResourceRef;
  readonly resourceKey: string;
  /** The rule's sentence: names the resource and says what to do. */
  readonly message: string;
  /** `exempted`: an active exemption covers it; it must not be acted on. */
  readonly status: 'violation' | 'exempted';
  /** The exemption that covers it, or that covered it until it expired. */
  readonly exemption?: {
    readonly index: number;
    readonly resource: string;
    readonly expires: string;
    readonly reason: string;
    readonly expired: boolean;
  };
}

/** Inputs the rules need besides the snapshot and the policy. */
export interface JudgeOptions {
  /**
   * Issuing CA ARN by ACM certificate ARN, for `tls.allowed-ca`; the caller fetches them (ACM
   * DescribeCertificate). A certificate missing here is reported as of unknown issuer.
   */
  readonly certificateAuthorities?: ReadonlyMap<string, string>;
  /**
   * Broken TLS handshakes by caller resource key, one sentence each, for `tls.handshake`; the
   * caller reads the certificates and judges the handshakes (shared/certificates/handshake).
   */
  readonly brokenHandshakes?: ReadonlyMap<string, readonly string[]>;
}

/** What a full audit found. */
export interface MeshJudgement {
  readonly meshName: string;
  /** False when no policy entry governs the mesh (only consistency rules ran). */
  readonly governed: boolean;
  readonly findings: readonly Finding[];
  readonly violations: number;
  /** Exemptions of the mesh's entry that have expired: renew or remove them. */
  readonly expiredExemptions: readonly CompiledExemption[];
}

/** A resource to judge, and which rules to run on it (all that are enabled, or some). */
interface Subject {
  readonly resource: MeshResource;
  readonly only?: readonly RuleId[];
}

const EMPTY_ISSUERS: ReadonlyMap<string, string> = new Map();

function contextOf(
  index: MeshIndex,
  mesh: CompiledMeshPolicy | undefined,
  options: JudgeOptions,
): RuleContext {
  const issuers = options.certificateAuthorities ?? EMPTY_ISSUERS;
  return {
    index,
    compliance: mesh?.compliance ?? {},
    certificateAuthorityOf: (arn) => issuers.get(arn),
    ...(options.brokenHandshakes === undefined
      ? {}
      : {
          brokenHandshakesOf: (caller: ResourceRef) =>
            options.brokenHandshakes?.get(formatResourceKey(caller)) ?? [],
        }),
  };
}

function exemptionOf(match: ExemptionMatch): NonNullable<Finding['exemption']> {
  const e = match.exemption;
  return {
    index: e.index,
    resource: e.resource.source,
    expires: e.expires,
    reason: e.reason,
    expired: match.expired,
  };
}

function judgeSubject(
  subject: Subject,
  rules: readonly Rule[],
  ctx: RuleContext,
  mesh: CompiledMeshPolicy | undefined,
  nowMs: number,
  out: Finding[],
): void {
  const { resource, only } = subject;
  let resourceKey: string | undefined;
  for (const rule of rules) {
    if (only !== undefined && !only.includes(rule.id)) continue;
    if (!rule.kinds.includes(resource.kind)) continue;
    const failures = rule.check(resource, ctx);
    if (failures.length === 0) continue;
    resourceKey ??= formatResourceKey(resource);
    const match = exemptionFor(mesh, resourceKey, rule.id, nowMs);
    const status = match !== undefined && !match.expired ? 'exempted' : 'violation';
    for (const message of failures) {
      out.push({
        ruleId: rule.id,
        category: rule.category,
        resource: refOf(resource),
        resourceKey,
        message,
        status,
        ...(match === undefined ? {} : { exemption: exemptionOf(match) }),
      });
    }
  }
}

function enabledRules(mesh: CompiledMeshPolicy | undefined): readonly Rule[] {
  const compliance = mesh?.compliance ?? {};
  return RULES.filter((r) => r.enabled(compliance));
}

/**
 * The resources whose findings a change to `ref` can alter: the resource itself (all rules)
 * and, for its neighbours, only the rules that read it. Works for a deleted resource too: the
 * reverse edges are kept by name.
 */
function subjectsOf(ref: ResourceRef, index: MeshIndex): Subject[] {
  const self = index.get(ref);
  const subjects: Subject[] = self === undefined ? [] : [{ resource: self }];
  const add = (resources: readonly MeshResource[], only: readonly RuleId[]) => {
    for (const resource of resources) subjects.push({ resource, only });
  };
  switch (ref.kind) {
    case 'virtual-node':
      add(index.routesTargeting(ref.name), ['consistency.target-port']);
      add(index.servicesProvidedByNode(ref.name), ['consistency.provider-exists']);
      break;
    case 'virtual-service': {
      // A new provider can close a loop through a node calling this service, but only through
      // a caller the service now reaches: search those, not every caller of a hub service.
      const callers = index.nodesCallingService(ref.name);
      add(callers, ['consistency.backend-exists']);
      const reached = new Set(
        nodesReachedFromService(
          index,
          ref.name,
          callers.map((n) => n.name),
        ),
      );
      add(
        callers.filter((n) => reached.has(n.name)),
        ['consistency.no-routing-loop'],
      );
      add(index.gatewayRoutesTargeting(ref.name), ['consistency.backend-exists']);
      break;
    }
    case 'virtual-router':
      add(index.routesOf(ref.name), ['consistency.route-protocol']);
      add(index.servicesProvidedByRouter(ref.name), ['consistency.provider-exists']);
      break;
    case 'route': {
      // A new target can close a loop; the target is on any loop it closes.
      const targets = self?.kind === 'route' ? (routeShapeOf(self.spec)?.weightedTargets ?? []) : [];
      const nodes = [...new Set(targets.map((t) => t.virtualNode))].flatMap((name) => {
        const node = index.nodes.get(name);
        return node === undefined ? [] : [node];
      });
      add(nodes, ['consistency.no-routing-loop']);
      break;
    }
    default:
      break;
  }
  return subjects;
}

/**
 * Judge one changed (created, updated or deleted) resource against the snapshot after the
 * change: its own rules, and its neighbours' rules that read it (a route's router listener,
 * its targets' listeners, a service's callers, ...). Cost depends on the neighbourhood, not on
 * the mesh's size (a routing-loop search reads only what the changed node reaches).
 */
export function judgeResource(
  ref: ResourceRef,
  index: MeshIndex,
  policy: CompiledPolicy,
  now: Date,
  options: JudgeOptions = {},
): Finding[] {
  if (ref.meshName !== index.meshName) {
    throw new RangeError(`judgeResource: ${formatResourceKey(ref)} is not in mesh ${index.meshName}`);
  }
  const mesh = policy.forMesh(index.meshName);
  const ctx = contextOf(index, mesh, options);
  const rules = enabledRules(mesh);
  const findings: Finding[] = [];
  for (const subject of subjectsOf(ref, index))
    judgeSubject(subject, rules, ctx, mesh, now.getTime(), findings);
  return findings;
}

/** Audit a whole mesh: every enabled rule on every resource, in one linear pass. */
export function judgeMesh(
  snapshot: MeshSnapshot | MeshIndex,
  policy: CompiledPolicy,
  now: Date,
  options: JudgeOptions = {},
): MeshJudgement {
  const index = snapshot instanceof MeshIndex ? snapshot : buildMeshIndex(snapshot);
  precomputeRoutingLoops(index);
  const mesh = policy.forMesh(index.meshName);
  const ctx = contextOf(index, mesh, options);
  const rules = enabledRules(mesh);
  const nowMs = now.getTime();
  const findings: Finding[] = [];
  for (const resource of snapshotResources(index.snapshot))
    judgeSubject({ resource }, rules, ctx, mesh, nowMs, findings);
  return {
    meshName: index.meshName,
    governed: mesh !== undefined,
    findings,
    violations: findings.filter((f) => f.status === 'violation').length,
    expiredExemptions: expiredExemptions(mesh, nowMs),
  };
}

/** A finding as one line for logs, Slack and the CLI, with its exemption state. */
export function describeFinding(finding: Pick<Finding, 'ruleId' | 'message' | 'exemption'>): string {
  const e = finding.exemption;
  const note =
    e === undefined
      ? ''
      : e.expired
        ? ` [exemption ${e.index} expired ${e.expires}: ${e.reason}]`
        : ` [exempt until ${e.expires}: ${e.reason}]`;
  return `${finding.ruleId}: ${finding.message}${note}`;
}
