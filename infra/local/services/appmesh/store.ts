import { StateFile } from '../../state-file';
import { KINDS, type KindName, lineage } from './resource-kinds';
import type { TagRef } from './validation';

/** One App Mesh resource as local AWS keeps it. Times are epoch milliseconds. */
export interface ResourceRecord {
  readonly kind: KindName;
  readonly arn: string;
  readonly region: string;
  /** The account that owns the mesh the resource lives in. */
  readonly meshOwner: string;
  /** The account that created the resource. */
  readonly resourceOwner: string;
  /** The resource's own name and those of the resources it lives under, by member name. */
  readonly names: Readonly<Record<string, string>>;
  readonly uid: string;
  readonly createdAt: number;
  spec: unknown;
  version: number;
  lastUpdatedAt: number;
  tags: TagRef[];
}

/** A remembered answer of a Create or Update call, replayed for the same client token and request. */
export interface IdempotencyEntry {
  readonly key: string;
  readonly fingerprint: string;
  readonly response: unknown;
  readonly at: number;
}

interface PersistedState {
  readonly formatVersion: 1;
  readonly resources: ResourceRecord[];
  readonly idempotency: IdempotencyEntry[];
}

/** How long a client token is remembered. */
const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/** Where a resource lives: region, owning account and the names along its lineage. */
export interface ResourceAddress {
  readonly region: string;
  readonly meshOwner: string;
  readonly kind: KindName;
  readonly names: Readonly<Record<string, string>>;
}

/** The ARN App Mesh gives a resource, e.g. `arn:aws:appmesh:r:a:mesh/m/virtualRouter/vr/route/x`. */
export function arnOf(address: ResourceAddress): string {
  const path = lineage(KINDS[address.kind])
    .map((k) => `${k.arnSegment}/${address.names[k.nameMember] ?? ''}`)
    .join('/');
  return `arn:aws:appmesh:${address.region}:${address.meshOwner}:${path}`;
}

/**
 * Every App Mesh resource of every region and account, keyed by ARN, persisted as one JSON
 * file. One mechanism for all seven kinds: a kind only changes the ARN and the names a
 * record carries.
 */
export class MeshStore {
  private readonly file: StateFile<PersistedState>;
  private readonly resources = new Map<string, ResourceRecord>();
  private readonly idempotency = new Map<string, IdempotencyEntry>();

  constructor(dataDir: string | undefined) {
    this.file = new StateFile<PersistedState>(dataDir, 'appmesh', () => ({
      formatVersion: 1,
      resources: [],
      idempotency: [],
    }));
    const state = this.file.load();
    for (const record of state.resources) this.resources.set(record.arn, record);
    for (const entry of state.idempotency) this.idempotency.set(entry.key, entry);
  }

  get(arn: string): ResourceRecord | undefined {
    return this.resources.get(arn);
  }

  put(record: ResourceRecord): void {
    this.resources.set(record.arn, record);
  }

  delete(arn: string): void {
    this.resources.delete(arn);
  }

  /** Resources in one region and owning account that match `filter`. */
  find(region: string, meshOwner: string, filter: (record: ResourceRecord) => boolean): ResourceRecord[] {
    return [...this.resources.values()].filter(
      (r) => r.region === region && r.meshOwner === meshOwner && filter(r),
    );
  }

  recall(key: string, now: number): IdempotencyEntry | undefined {
    const entry = this.idempotency.get(key);
    return entry !== undefined && now - entry.at < IDEMPOTENCY_TTL_MS ? entry : undefined;
  }

  remember(entry: IdempotencyEntry): void {
    for (const [key, old] of this.idempotency) {
      if (entry.at - old.at >= IDEMPOTENCY_TTL_MS) this.idempotency.delete(key);
    }
    this.idempotency.set(entry.key, entry);
  }

  save(): void {
    this.file.save({
      formatVersion: 1,
      resources: [...this.resources.values()],
      idempotency: [...this.idempotency.values()],
    });
  }
}
