import { createHash, randomBytes } from 'node:crypto';
import { conflict, invalidRequest, type LatticeResourceType, notFound } from './errors';
import type { LatticeKind, LatticeRecord } from './records';
import type { LatticeStore } from './store';
import { maxResults, validate } from './validation';

/** One call as the operations see it: who, where, and the request's members by location. */
export interface Call {
  readonly operation: string;
  readonly region: string;
  readonly account: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly body: Readonly<Record<string, unknown>>;
  readonly now: Date;
}

/** One operation: its answer (undefined for no body), or a thrown AwsError. */
export type Operation = (call: Call) => unknown;

/** The id prefix, ARN resource segment and error name of each kind. */
export const KIND_INFO: Readonly<
  Record<LatticeKind, { prefix: string; label: string; resourceType: LatticeResourceType }>
> = {
  servicenetwork: { prefix: 'sn', label: 'Service network', resourceType: 'SERVICE_NETWORK' },
  service: { prefix: 'svc', label: 'Service', resourceType: 'SERVICE' },
  listener: { prefix: 'listener', label: 'Listener', resourceType: 'LISTENER' },
  rule: { prefix: 'rule', label: 'Rule', resourceType: 'RULE' },
  targetgroup: { prefix: 'tg', label: 'Target group', resourceType: 'TARGET_GROUP' },
  servicenetworkserviceassociation: {
    prefix: 'snsa',
    label: 'Service network service association',
    resourceType: 'SERVICE_NETWORK_SERVICE_ASSOCIATION',
  },
  servicenetworkvpcassociation: {
    prefix: 'snva',
    label: 'Service network VPC association',
    resourceType: 'SERVICE_NETWORK_VPC_ASSOCIATION',
  },
};

/** A new resource id: the kind's prefix and 17 lowercase hex digits, as VPC Lattice writes them. */
export function newId(kind: LatticeKind): string {
  return `${KIND_INFO[kind].prefix}-${randomBytes(9).toString('hex').slice(0, 17)}`;
}

/** `arn:aws:vpc-lattice:<region>:<account>:<path>`. */
export function latticeArn(call: Pick<Call, 'region' | 'account'>, path: string): string {
  return `arn:aws:vpc-lattice:${call.region}:${call.account}:${path}`;
}

/** Top-level kinds: their ARN path is `<kind>/<id>`. */
export function topLevelArn(call: Pick<Call, 'region' | 'account'>, kind: LatticeKind, id: string): string {
  return latticeArn(call, `${kind}/${id}`);
}

export const iso = (ms: number): string => new Date(ms).toISOString();

/**
 * Find a resource by the identifier a request gives: its id (in the caller's account and
 * region) or its full ARN. `arnOfId` builds the ARN an id stands for.
 */
export function resolve<K extends LatticeKind>(
  store: LatticeStore,
  kind: K,
  identifier: string,
  arnOfId: (id: string) => string,
  region: string,
): Extract<LatticeRecord, { kind: K }> {
  const arn = identifier.startsWith('arn:') ? identifier : arnOfId(identifier);
  const record = store.getOf(kind, arn);
  // Each Region has its own resources: an ARN of another Region names nothing here.
  if (record === undefined || record.region !== region) {
    const { label, resourceType } = KIND_INFO[kind];
    throw notFound(resourceType, identifier, `${label} ${identifier} not found`);
  }
  return record;
}

/** The kind of resource an ARN names, from the prefix of its last id. */
export function kindOfArn(arn: string): LatticeKind | undefined {
  const last = arn.split('/').at(-1) ?? '';
  const prefix = last.slice(0, last.lastIndexOf('-'));
  return (Object.keys(KIND_INFO) as LatticeKind[]).find((k) => KIND_INFO[k].prefix === prefix);
}

/** JSON with sorted keys, so the same request always has the same fingerprint. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Replay the answer of an earlier successful call with the same client token and the same
 * parameters, or compute and remember it. The same token with other parameters is a
 * ConflictException, as the API reference says a retry with changed parameters fails.
 */
export function idempotent(
  store: LatticeStore,
  call: Call,
  resourceType: LatticeResourceType,
  compute: () => unknown,
): unknown {
  const token = call.body.clientToken;
  if (typeof token !== 'string') return compute();
  const key = `${call.operation}\n${call.region}\n${token}`;
  const { clientToken: _token, ...members } = call.body;
  const fingerprint = createHash('sha256')
    .update(canonical({ params: call.params, members }))
    .digest('hex');
  const now = call.now.getTime();
  const prior = store.recall(key, now);
  if (prior !== undefined) {
    if (prior.fingerprint === fingerprint) return prior.response;
    throw conflict(
      resourceType,
      token,
      `The client token ${token} was already used for a ${call.operation} request with different parameters. Use a new client token.`,
    );
  }
  const response = compute();
  store.remember({ key, fingerprint, response, at: now });
  return response;
}

interface TokenBody {
  /** What was listed, so a token cannot be replayed against another list. */
  readonly s: string;
  /** The sort key of the last item returned. */
  readonly k: string;
}

/**
 * One page of a List* call. Items are ordered by creation (then id); the token names the
 * last key returned, so resources created or deleted between pages neither repeat nor vanish.
 */
export function paginate<T extends { createdAt: number; id: string }>(
  items: readonly T[],
  call: Call,
  scope: string,
): { items: T[]; nextToken?: string } {
  const rawLimit = call.query.get('maxResults');
  const limit =
    rawLimit === null
      ? 100
      : validate(maxResults, /^-?\d+$/.test(rawLimit) ? Number(rawLimit) : rawLimit, 'maxResults');
  const keyOf = (item: T) => `${String(item.createdAt).padStart(15, '0')}:${item.id}`;
  const sorted = [...items].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  const token = call.query.get('nextToken');
  let after: string | undefined;
  if (token !== null) {
    let body: unknown;
    try {
      body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    } catch {
      body = undefined;
    }
    const valid =
      typeof body === 'object' &&
      body !== null &&
      (body as TokenBody).s === scope &&
      typeof (body as TokenBody).k === 'string';
    if (!valid) throw invalidRequest('The nextToken is invalid or does not belong to this list request');
    after = (body as TokenBody).k;
  }
  const remaining = after === undefined ? sorted : sorted.filter((item) => keyOf(item) > after);
  const page = remaining.slice(0, limit);
  const last = page.at(-1);
  if (remaining.length > limit && last !== undefined) {
    const next: TokenBody = { s: scope, k: keyOf(last) };
    return { items: page, nextToken: Buffer.from(JSON.stringify(next), 'utf8').toString('base64url') };
  }
  return { items: page };
}
