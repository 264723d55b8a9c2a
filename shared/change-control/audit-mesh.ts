/**
 * The periodic audit: read each governed mesh whole, judge it against the policy, report
 * drift (open violations, expired exemptions), and record a last known good for every
 * compliant resource that has none yet, because CloudTrail delivery is best effort and a
 * resource never seen in an event would otherwise have nothing to be restored to. It also
 * resolves the policy's references against the meshes and alarms as they are today: a route
 * renamed or an alarm deleted since the policy was written disarms a guard without a word,
 * so each dangling reference is published and told in the mesh's channel.
 */

import { mapBounded } from '../bounded-map';
import { formatResourceKey, RESOURCE_KINDS, type ResourceKind } from '../domain/resource-key';
import type { MeshSnapshot } from '../domain/snapshot';
import { snapshotResources } from '../domain/snapshot';
import { NotFoundError } from '../errors';
import { MESHWARDEN_DETAIL_TYPES } from '../events/patterns';
import type { CompiledPolicy } from '../policy/compile';
import { formatPolicyIssue } from '../policy/issue';
import { describeFinding, judgeMesh } from '../policy/judge';
import { buildMeshIndex } from '../policy/mesh-index';
import { type DanglingKind, resolvePolicyReferences } from '../policy/references';
import type {
  AlarmCatalog,
  CertificateIssuers,
  ChatNotifier,
  EventPublisher,
  LastKnownGoodStore,
  MeshProvider,
  MeshSnapshotStore,
  MeshStateStore,
} from '../ports';
import type { MeshResource } from '../providers/appmesh/model';
import { listenerCertificateArns } from './certificates';

export interface AuditMeshDeps {
  readonly meshes: MeshProvider;
  readonly policy: CompiledPolicy;
  readonly issuers: CertificateIssuers;
  readonly lastKnownGood: Pick<LastKnownGoodStore, 'putIfAbsent'>;
  readonly publisher: EventPublisher;
  /** The mesh state cache change control judges against: the audit's whole read refreshes it. */
  readonly meshState?: Pick<MeshStateStore, 'refresh'>;
  /** Where the whole read is kept as the mesh's verified snapshot (for cold caches). */
  readonly snapshots?: Pick<MeshSnapshotStore, 'save'>;
  /** The alarms the policy's alarm references and the `meshwarden:route` tags resolve against. */
  readonly alarms: AlarmCatalog;
  /** Where dangling references are told (the mesh's channel, kind `audit`). */
  readonly notifier: ChatNotifier;
  readonly now: () => Date;
}

/** A reference of the policy that resolves to nothing in the audited mesh, where it was written. */
export interface DanglingReferenceRecord {
  readonly kind: DanglingKind;
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly path: string;
  readonly message: string;
}

/** What the audit of one mesh found. */
export interface MeshAuditReport {
  readonly meshName: string;
  readonly auditedAt: string;
  readonly status: 'found' | 'not-found';
  readonly governed: boolean;
  /** Resources per kind (the inventory). */
  readonly counts: Readonly<Record<ResourceKind, number>>;
  readonly violations: number;
  readonly exempted: number;
  /** Resource keys with open violations: the drift to fix. */
  readonly drifted: readonly string[];
  /** One line per open violation (at most {@link MAX_LISTED}). */
  readonly findings: readonly string[];
  readonly expiredExemptions: readonly string[];
  /** Compliant resources that got their first last known good from this audit. */
  readonly lastKnownGoodRecorded: number;
  /** References of the policy governing this mesh that resolve to nothing (at most {@link MAX_LISTED}). */
  readonly danglingReferences: readonly DanglingReferenceRecord[];
}

/** Findings listed in an event: EventBridge entries are at most 256 KB. */
export const MAX_LISTED = 200;
const WRITE_CONCURRENCY = 8;

function emptyCounts(): Record<ResourceKind, number> {
  return Object.fromEntries(RESOURCE_KINDS.map((kind) => [kind, 0])) as Record<ResourceKind, number>;
}

/** Audit one mesh; the judgement is pure, the reads and writes go through the ports. */
export async function auditOneMesh(deps: AuditMeshDeps, meshName: string): Promise<MeshAuditReport> {
  return (await auditAndKeep(deps, meshName)).report;
}

/** One mesh's report, and the snapshot it was made from (to resolve references against). */
async function auditAndKeep(
  deps: AuditMeshDeps,
  meshName: string,
): Promise<{ report: MeshAuditReport; snapshot?: MeshSnapshot }> {
  const now = deps.now();
  const counts = emptyCounts();
  let snapshot: Awaited<ReturnType<MeshProvider['readMesh']>>;
  try {
    snapshot = await deps.meshes.readMesh(meshName);
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    const report: MeshAuditReport = {
      meshName,
      auditedAt: now.toISOString(),
      status: 'not-found',
      governed: deps.policy.forMesh(meshName) !== undefined,
      counts,
      violations: 0,
      exempted: 0,
      drifted: [],
      findings: [],
      expiredExemptions: [],
      lastKnownGoodRecorded: 0,
      danglingReferences: [],
    };
    return { report };
  }
  // The audit reads every mesh whole anyway: make the cache equal to it, so a neighbour that
  // missed its own event is seen stale for at most one audit period.
  await deps.meshState?.refresh(snapshot);
  await deps.snapshots?.save(snapshot);
  const resources = snapshotResources(snapshot);
  for (const resource of resources) counts[resource.kind] += 1;
  const index = buildMeshIndex(snapshot);
  const certificateAuthorities = await deps.issuers.issuersOf(listenerCertificateArns(resources));
  const judgement = judgeMesh(index, deps.policy, now, { certificateAuthorities });
  const open = judgement.findings.filter((f) => f.status === 'violation');
  const drifted = new Set(open.map((f) => f.resourceKey));
  const compliant: MeshResource[] = resources.filter((r) => !drifted.has(formatResourceKey(r)));
  const stamp = `audit:${now.toISOString()}`;
  const recorded = await mapBounded(compliant, WRITE_CONCURRENCY, (resource) =>
    deps.lastKnownGood.putIfAbsent({
      resourceKey: formatResourceKey(resource),
      resource,
      version: resource.metadata?.version ?? 0,
      eventId: stamp,
      recordedAt: now.toISOString(),
      source: 'audit',
    }),
  );
  const report: MeshAuditReport = {
    meshName,
    auditedAt: now.toISOString(),
    status: 'found',
    governed: judgement.governed,
    counts,
    violations: judgement.violations,
    exempted: judgement.findings.length - judgement.violations,
    drifted: [...drifted].sort(),
    findings: open.slice(0, MAX_LISTED).map((f) => `${f.resourceKey} ${describeFinding(f)}`),
    expiredExemptions: judgement.expiredExemptions.map(
      (e) => `exemption ${e.index} (${e.resource.source}) expired ${e.expires}: ${e.reason}`,
    ),
    lastKnownGoodRecorded: recorded.filter(Boolean).length,
    danglingReferences: [],
  };
  return { report, snapshot };
}

/** Dangling references told in one notice; the event carries up to {@link MAX_LISTED}. */
const NOTICE_LINES = 20;

function danglingNotice(report: MeshAuditReport) {
  const lines = report.danglingReferences.map(formatPolicyIssue);
  const shown = lines.slice(0, NOTICE_LINES);
  const more = lines.length - shown.length;
  return {
    meshName: report.meshName,
    kind: 'audit' as const,
    title: `${lines.length} policy reference(s) resolve to nothing in mesh ${report.meshName}`,
    text: [
      'What these references guard is not guarded (no deployment opens, no alarm rolls back, an exemption covers nothing). Fix the policy or the mesh:',
      ...shown,
      ...(more > 0
        ? [
            `... and ${more} more (see the MeshAudited event, or run meshwarden policy validate --mesh ${report.meshName})`,
          ]
        : []),
    ].join('\n'),
    fields: {
      'dangling references': String(lines.length),
      'policy file': report.danglingReferences[0]?.file ?? '',
    },
  };
}

/**
 * Audit every governed mesh and publish one `MeshAudited` event each. A governed mesh that does
 * not exist is reported, not an error; any other failure propagates so the run is retried.
 */
export async function auditMeshes(
  deps: AuditMeshDeps,
  meshNames: readonly string[],
): Promise<MeshAuditReport[]> {
  const audited: { report: MeshAuditReport; snapshot?: MeshSnapshot }[] = [];
  for (const meshName of meshNames) audited.push(await auditAndKeep(deps, meshName));
  // All meshes at once: an entry governing several meshes dangles only when a reference
  // resolves in none of them.
  const snapshots = audited.flatMap((a) => (a.snapshot === undefined ? [] : [a.snapshot]));
  const dangling =
    snapshots.length === 0
      ? []
      : resolvePolicyReferences(deps.policy, { meshes: snapshots, alarms: await deps.alarms.listAlarms() });
  const reports = audited.map(({ report }) => ({
    ...report,
    danglingReferences: dangling
      .filter((d) => d.meshes.includes(report.meshName))
      .slice(0, MAX_LISTED)
      .map(({ kind, file, line, col, path, message }) => ({ kind, file, line, col, path, message })),
  }));
  await deps.publisher.publish(
    reports.map((report) => ({ detailType: MESHWARDEN_DETAIL_TYPES.meshAudited, detail: { ...report } })),
  );
  for (const report of reports) {
    if (report.danglingReferences.length > 0) await deps.notifier.notify(danglingNotice(report));
  }
  return reports;
}
