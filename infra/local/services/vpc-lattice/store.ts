import { StateFile } from '../../state-file';
import type { LatticeKind, LatticeRecord, PolicyRecord } from './records';

/** A remembered answer of a call with a client token, replayed for the same token and request. */
export interface IdempotencyEntry {
  readonly key: string;
  readonly fingerprint: string;
  readonly response: unknown;
  readonly at: number;
}

interface PersistedState {
  readonly formatVersion: 1;
  readonly resources: LatticeRecord[];
  readonly authPolicies: PolicyRecord[];
  readonly resourcePolicies: PolicyRecord[];
  readonly idempotency: IdempotencyEntry[];
}

/** How long a client token is remembered. */
const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

type RecordOf<K extends LatticeKind> = Extract<LatticeRecord, { kind: K }>;

/**
 * Every VPC Lattice resource of one account, in every region, keyed by ARN, with the auth and
 * resource policies and the remembered client tokens; persisted as one JSON file.
 */
export class LatticeStore {
  private readonly file: StateFile<PersistedState>;
  private readonly resources = new Map<string, LatticeRecord>();
  readonly authPolicies = new Map<string, PolicyRecord>();
  readonly resourcePolicies = new Map<string, PolicyRecord>();
  private readonly idempotency = new Map<string, IdempotencyEntry>();

  constructor(dataDir: string | undefined) {
    this.file = new StateFile<PersistedState>(dataDir, 'vpc-lattice', () => ({
      formatVersion: 1,
      resources: [],
      authPolicies: [],
      resourcePolicies: [],
      idempotency: [],
    }));
    const state = this.file.load();
    for (const record of state.resources) this.resources.set(record.arn, record);
    for (const policy of state.authPolicies) this.authPolicies.set(policy.resourceArn, policy);
    for (const policy of state.resourcePolicies) this.resourcePolicies.set(policy.resourceArn, policy);
    for (const entry of state.idempotency) this.idempotency.set(entry.key, entry);
  }

  get(arn: string): LatticeRecord | undefined {
    return this.resources.get(arn);
  }

  /** The record with this ARN if it is of `kind`. */
  getOf<K extends LatticeKind>(kind: K, arn: string): RecordOf<K> | undefined {
    const record = this.resources.get(arn);
    return record?.kind === kind ? (record as RecordOf<K>) : undefined;
  }

  put(record: LatticeRecord): void {
    this.resources.set(record.arn, record);
  }

  /** Forget a resource with its tags and policies. */
  delete(arn: string): void {
    this.resources.delete(arn);
    this.authPolicies.delete(arn);
    this.resourcePolicies.delete(arn);
  }

  /** Records of one kind in one region that match `filter`. */
  find<K extends LatticeKind>(
    kind: K,
    region: string,
    filter: (record: RecordOf<K>) => boolean = () => true,
  ): RecordOf<K>[] {
    const out: RecordOf<K>[] = [];
    for (const record of this.resources.values()) {
      if (record.kind === kind && record.region === region && filter(record as RecordOf<K>)) {
        out.push(record as RecordOf<K>);
      }
    }
    return out;
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

  /**
   * Run a call against the state: on success the state is saved; on any error it is put back
   * as it was, so that a call failing half-way changes nothing.
   */
  transaction<T>(work: () => T): T {
    const before = structuredClone(this.snapshot());
    try {
      const result = work();
      this.save();
      return result;
    } catch (error) {
      this.restore(before);
      throw error;
    }
  }

  private snapshot(): PersistedState {
    return {
      formatVersion: 1,
      resources: [...this.resources.values()],
      authPolicies: [...this.authPolicies.values()],
      resourcePolicies: [...this.resourcePolicies.values()],
      idempotency: [...this.idempotency.values()],
    };
  }

  private restore(state: PersistedState): void {
    this.resources.clear();
    this.authPolicies.clear();
    this.resourcePolicies.clear();
    this.idempotency.clear();
    for (const record of state.resources) this.resources.set(record.arn, record);
    for (const policy of state.authPolicies) this.authPolicies.set(policy.resourceArn, policy);
    for (const policy of state.resourcePolicies) this.resourcePolicies.set(policy.resourceArn, policy);
    for (const entry of state.idempotency) this.idempotency.set(entry.key, entry);
  }

  save(): void {
    this.file.save(this.snapshot());
  }
}
