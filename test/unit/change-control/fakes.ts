/**
 * In-memory ports for change-control unit tests: a mesh store with App Mesh-like versions and
 * ARNs, and the state stores. Each records the calls made to it so tests assert after acting.
 */

import {
  formatResourceKey,
  type ResourceKind,
  type ResourceRef,
  refOf,
} from '../../../shared/domain/resource-key';
import { type MeshSnapshot, snapshotResources, sortByKey } from '../../../shared/domain/snapshot';
import { ConflictError, NotFoundError } from '../../../shared/errors';
import type { WebIdentitySession } from '../../../shared/events/sts-web-identity';
import type {
  AlarmCatalog,
  AuditLog,
  AuditRecord,
  CertificateIssuers,
  ChatNotifier,
  DecisionCommitter,
  DecisionWrites,
  DomainEvent,
  EventPublisher,
  JudgedVersion,
  JudgedVersionStore,
  LastKnownGood,
  LastKnownGoodStore,
  ListedAlarm,
  MeshProvider,
  MeshStateStore,
  MeshWriteOptions,
  Notification,
  WebIdentitySessionStore,
} from '../../../shared/ports';
import type { MeshResource, MeshResourceOf, Tags } from '../../../shared/providers/appmesh/model';

export interface ProviderCall {
  readonly op: string;
  readonly key: string;
  readonly clientToken?: string;
}

function arnOf(ref: ResourceRef): string {
  const base = `arn:aws:appmesh:us-east-1:000000000000:mesh/${ref.meshName}`;
  const seg: Record<string, string> = {
    'virtual-node': 'virtualNode',
    'virtual-service': 'virtualService',
    'virtual-router': 'virtualRouter',
    'virtual-gateway': 'virtualGateway',
  };
  if (ref.kind === 'mesh') return base;
  if (ref.kind === 'route') return `${base}/virtualRouter/${ref.parentName}/route/${ref.name}`;
  if (ref.kind === 'gateway-route')
    return `${base}/virtualGateway/${ref.parentName}/gatewayRoute/${ref.name}`;
  return `${base}/${seg[ref.kind]}/${ref.name}`;
}

/** A mesh in memory: whole-spec writes bump the version, as App Mesh does. */
export class MemoryMesh implements MeshProvider {
  readonly resources = new Map<string, MeshResource>();
  readonly calls: ProviderCall[] = [];
  private incarnations = 0;
  /** Make the next write throw this. */
  failNextWrite: Error | undefined;
  /** Called at the start of every call, before it acts: lets a test make another write land in between. */
  onCall: ((call: ProviderCall) => void) | undefined;

  private record(call: ProviderCall): void {
    this.calls.push(call);
    this.onCall?.(call);
  }

  constructor(resources: readonly MeshResource[] = []) {
    for (const r of resources) this.put(r, r.metadata?.version ?? 1);
  }

  /** Store a resource as if someone wrote it; returns the stored copy. */
  put(resource: MeshResource, version?: number): MeshResource {
    const key = formatResourceKey(resource);
    const previous = this.resources.get(key);
    const next = version ?? (previous?.metadata?.version ?? 0) + 1;
    // A new incarnation (created, or recreated after a delete) gets a new uid, as in App Mesh.
    const uid = previous?.metadata?.uid ?? `${key}#${++this.incarnations}`;
    const stored = {
      ...structuredClone(resource),
      tags: structuredClone(resource.tags ?? previous?.tags ?? {}),
      metadata: {
        arn: arnOf(resource),
        uid,
        version: next,
        createdAt: '2026-01-01T00:00:00.000Z',
        lastUpdatedAt: '2026-01-01T00:00:00.000Z',
        status: 'ACTIVE',
        meshOwner: '000000000000',
        resourceOwner: '000000000000',
      },
    } as MeshResource;
    this.resources.set(key, stored);
    return stored;
  }

  remove(ref: ResourceRef): void {
    this.resources.delete(formatResourceKey(ref));
  }

  private checkFailure(): void {
    const failure = this.failNextWrite;
    if (failure !== undefined) {
      this.failNextWrite = undefined;
      throw failure;
    }
  }

  async readMesh(meshName: string): Promise<MeshSnapshot> {
    this.record({ op: 'readMesh', key: meshName });
    const all = [...this.resources.values()]
      .filter((r) => r.meshName === meshName)
      .map((r) => structuredClone(r));
    const mesh = all.find((r) => r.kind === 'mesh');
    if (mesh === undefined || mesh.kind !== 'mesh') throw new NotFoundError(`mesh ${meshName}`);
    const of = <K extends MeshResource['kind']>(kind: K) =>
      sortByKey(all.filter((r) => r.kind === kind)) as Extract<MeshResource, { kind: K }>[];
    return {
      meshName,
      takenAt: '2026-01-01T00:00:00.000Z',
      mesh,
      virtualNodes: of('virtual-node'),
      virtualServices: of('virtual-service'),
      virtualRouters: of('virtual-router'),
      routes: of('route'),
      virtualGateways: of('virtual-gateway'),
      gatewayRoutes: of('gateway-route'),
    } as MeshSnapshot;
  }

  async describe<K extends MeshResource['kind']>(ref: ResourceRef<K>) {
    this.record({ op: 'describe', key: formatResourceKey(ref) });
    const found = this.resources.get(formatResourceKey(ref));
    return found === undefined ? undefined : (structuredClone(found) as never);
  }

  async create<K extends ResourceKind>(
    resource: MeshResourceOf<K>,
    options: MeshWriteOptions,
  ): Promise<MeshResourceOf<K>> {
    this.record({ op: 'create', key: formatResourceKey(resource), clientToken: options.clientToken });
    this.checkFailure();
    if (this.resources.has(formatResourceKey(resource))) throw new ConflictError('exists');
    const { metadata: _m, ...rest } = resource;
    return this.put(
      { ...rest, tags: resource.tags ?? {} } as MeshResource,
      1,
    ) as unknown as MeshResourceOf<K>;
  }

  async update<K extends ResourceKind>(
    resource: MeshResourceOf<K>,
    options: MeshWriteOptions,
  ): Promise<MeshResourceOf<K>> {
    this.record({ op: 'update', key: formatResourceKey(resource), clientToken: options.clientToken });
    this.checkFailure();
    const key = formatResourceKey(resource);
    const previous = this.resources.get(key);
    if (previous === undefined) throw new NotFoundError(key);
    return this.put({
      ...refOf(resource),
      spec: resource.spec,
      tags: previous.tags,
    } as MeshResource) as unknown as MeshResourceOf<K>;
  }

  async delete(ref: ResourceRef): Promise<void> {
    this.record({ op: 'delete', key: formatResourceKey(ref) });
    this.checkFailure();
    if (!this.resources.delete(formatResourceKey(ref))) throw new NotFoundError(formatResourceKey(ref));
  }

  private byArn(arn: string): MeshResource {
    const found = [...this.resources.values()].find((r) => r.metadata?.arn === arn);
    if (found === undefined) throw new NotFoundError(arn);
    return found;
  }

  async listTags(arn: string): Promise<Tags> {
    this.record({ op: 'listTags', key: arn });
    return { ...(this.byArn(arn).tags ?? {}) };
  }

  async tagResource(arn: string, tags: Tags): Promise<void> {
    this.record({ op: 'tagResource', key: arn });
    const r = this.byArn(arn);
    this.resources.set(formatResourceKey(r), { ...r, tags: { ...(r.tags ?? {}), ...tags } } as MeshResource);
  }

  async untagResource(arn: string, tagKeys: readonly string[]): Promise<void> {
    this.record({ op: 'untagResource', key: arn });
    const r = this.byArn(arn);
    const tags = Object.fromEntries(Object.entries(r.tags ?? {}).filter(([k]) => !tagKeys.includes(k)));
    this.resources.set(formatResourceKey(r), { ...r, tags } as MeshResource);
  }

  writes(): ProviderCall[] {
    return this.calls.filter((c) => !['readMesh', 'describe', 'listTags'].includes(c.op));
  }
}

export class MemoryLastKnownGood implements LastKnownGoodStore {
  readonly records = new Map<string, LastKnownGood>();
  async get(key: string) {
    const r = this.records.get(key);
    return r === undefined ? undefined : structuredClone(r);
  }
  async put(record: LastKnownGood) {
    const existing = this.records.get(record.resourceKey);
    if (existing === undefined || existing.version <= record.version)
      this.records.set(record.resourceKey, structuredClone(record));
  }
  async putIfAbsent(record: LastKnownGood) {
    if (this.records.has(record.resourceKey)) return false;
    this.records.set(record.resourceKey, structuredClone(record));
    return true;
  }
  async delete(key: string) {
    this.records.delete(key);
  }
}

export class MemoryJudged implements JudgedVersionStore {
  readonly versions = new Map<string, JudgedVersion>();
  async get(key: string) {
    return this.versions.get(key);
  }
  async record(key: string, judged: JudgedVersion, _eventId: string) {
    const known = this.versions.get(key);
    if (known === undefined || known.uid !== judged.uid || known.version < judged.version)
      this.versions.set(key, judged);
  }
}

export class MemoryAudit implements AuditLog {
  readonly records = new Map<string, AuditRecord>();
  /** Every put, in order: proves the record was written before the effect. */
  readonly puts: AuditRecord[] = [];
  async get(meshName: string, eventTime: string, eventId: string) {
    return this.records.get(`${meshName}#${eventTime}#${eventId}`);
  }
  async put(record: AuditRecord) {
    this.puts.push(structuredClone(record));
    this.records.set(`${record.meshName}#${record.eventTime}#${record.eventId}`, structuredClone(record));
  }
  async list(meshName: string, limit: number) {
    return [...this.records.values()].filter((r) => r.meshName === meshName).slice(0, limit);
  }
}

/**
 * A decision's writes to the memory stores, all or nothing: refused (false, nothing written) where
 * a store would keep a newer last known good or judged version, as a transaction is refused.
 */
export class MemoryDecisionCommitter implements DecisionCommitter {
  /** Every commit that landed, in order. */
  readonly commits: DecisionWrites[] = [];

  constructor(
    private readonly stores: { audit: MemoryAudit; lkg: MemoryLastKnownGood; judged: MemoryJudged },
  ) {}

  async commit(writes: DecisionWrites): Promise<boolean> {
    const change = writes.lastKnownGood;
    if (change !== undefined && 'put' in change) {
      const stored = this.stores.lkg.records.get(change.put.resourceKey);
      const sameIncarnation = stored?.resource.metadata?.uid === change.put.resource.metadata?.uid;
      if (stored !== undefined && sameIncarnation && stored.version > change.put.version) return false;
    }
    if (writes.judged !== undefined) {
      const known = this.stores.judged.versions.get(writes.judged.resourceKey);
      if (known?.uid === writes.judged.version.uid && known.version >= writes.judged.version.version) {
        return false;
      }
    }
    await this.stores.audit.put(writes.audit);
    if (change !== undefined) {
      if ('put' in change) await this.stores.lkg.put(change.put);
      else await this.stores.lkg.delete(change.delete);
    }
    if (writes.judged !== undefined) {
      const { resourceKey, version, eventId } = writes.judged;
      await this.stores.judged.record(resourceKey, version, eventId);
    }
    this.commits.push(structuredClone(writes));
    return true;
  }
}

export class MemorySessions implements WebIdentitySessionStore {
  readonly sessions = new Map<string, { session: WebIdentitySession; expiresAt: Date }>();
  async put(session: WebIdentitySession, expiresAt: Date) {
    this.sessions.set(session.assumedRoleArn, { session, expiresAt });
  }
  async get(arn: string, at: Date) {
    const found = this.sessions.get(arn);
    return found === undefined || found.expiresAt <= at ? undefined : found.session;
  }
}

export class RecordingPublisher implements EventPublisher {
  readonly published: DomainEvent[] = [];
  failNext: Error | undefined;
  async publish(events: readonly DomainEvent[]) {
    const failure = this.failNext;
    if (failure !== undefined) {
      this.failNext = undefined;
      throw failure;
    }
    this.published.push(...structuredClone(events));
  }
  ofType(detailType: string) {
    return this.published.filter((e) => e.detailType === detailType);
  }
}

/** CloudWatch's alarms as a fixed list. */
export class FixedAlarms implements AlarmCatalog {
  constructor(readonly alarms: ListedAlarm[] = []) {}
  async listAlarms() {
    return structuredClone(this.alarms);
  }
}

/** Keeps every notification told. */
export class RecordingNotifier implements ChatNotifier {
  readonly notifications: Notification[] = [];
  async notify(notification: Notification) {
    this.notifications.push(structuredClone(notification));
  }
}

export class FixedIssuers implements CertificateIssuers {
  constructor(private readonly issuer: string | undefined) {}
  async issuersOf(arns: readonly string[]) {
    return new Map(this.issuer === undefined ? [] : arns.map((a) => [a, this.issuer as string] as const));
  }
}

/**
 * The mesh state cache in memory, with the adapter's conditional semantics: same incarnation,
 * a version not older; another incarnation, one not created earlier.
 */
export class MemoryMeshState implements MeshStateStore {
  readonly items = new Map<string, MeshResource>();
  readonly calls: { op: string; key: string }[] = [];

  async load(meshName: string): Promise<MeshResource[]> {
    this.calls.push({ op: 'load', key: meshName });
    return [...this.items.values()].filter((r) => r.meshName === meshName).map((r) => structuredClone(r));
  }

  async put(resource: MeshResource): Promise<void> {
    const key = formatResourceKey(resource);
    this.calls.push({ op: 'put', key });
    const before = this.items.get(key)?.metadata;
    const now = resource.metadata;
    const newer =
      before === undefined ||
      now === undefined ||
      (before.uid === now.uid ? before.version <= now.version : before.createdAt <= now.createdAt);
    if (newer) this.items.set(key, structuredClone(resource));
  }

  async remove(ref: ResourceRef, uid?: string): Promise<void> {
    const key = formatResourceKey(ref);
    this.calls.push({ op: 'remove', key });
    const before = this.items.get(key);
    if (uid === undefined || before?.metadata?.uid === uid) this.items.delete(key);
  }

  async fill(snapshot: MeshSnapshot): Promise<void> {
    this.calls.push({ op: 'fill', key: snapshot.meshName });
    for (const r of snapshotResources(snapshot)) this.items.set(formatResourceKey(r), structuredClone(r));
  }

  async refresh(snapshot: MeshSnapshot): Promise<{ written: number; removed: number }> {
    this.calls.push({ op: 'refresh', key: snapshot.meshName });
    const read = snapshotResources(snapshot);
    const present = new Set(read.map((r) => formatResourceKey(r)));
    let removed = 0;
    for (const [key, r] of this.items) {
      if (r.meshName === snapshot.meshName && !present.has(key)) {
        this.items.delete(key);
        removed += 1;
      }
    }
    for (const r of read) this.items.set(formatResourceKey(r), structuredClone(r));
    return { written: read.length, removed };
  }
}
