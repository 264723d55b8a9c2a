import { createHash, randomUUID } from 'node:crypto';
import { badRequest, conflict, notFound, resourceInUse, tooManyTags } from './errors';
import { paginate } from './pagination';
import { KINDS, type KindName, labelOf, lineage, type ResourceKind } from './resource-kinds';
import type { RouteAction } from './routes';
import { arnOf, type MeshStore, type ResourceAddress, type ResourceRecord } from './store';
import {
  accountId,
  createBody,
  parseLimit,
  type TagRef,
  tagResourceBody,
  untagResourceBody,
  updateBody,
  validate,
} from './validation';

/** One call as the operations see it: who, where, and the request's members by location. */
export interface Call {
  readonly operation: string;
  readonly region: string;
  readonly callerAccount: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly body: Readonly<Record<string, unknown>>;
  readonly now: Date;
}

const MAX_TAGS = 50;
const LIST_LIMIT = 100;

function seconds(ms: number): number {
  return ms / 1000;
}

/** The names along a record's lineage, in the order the wire shapes list them. */
function namesOf(record: ResourceRecord): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of lineage(KINDS[record.kind])) out[k.nameMember] = record.names[k.nameMember] ?? '';
  return out;
}

/** `MeshData`, `RouteData`, ...: the payload of Create/Describe/Update/Delete answers. */
function dataOf(record: ResourceRecord, status: 'ACTIVE' | 'DELETED' = 'ACTIVE'): Record<string, unknown> {
  return {
    ...namesOf(record),
    spec: record.spec,
    metadata: {
      arn: record.arn,
      version: record.version,
      uid: record.uid,
      createdAt: seconds(record.createdAt),
      lastUpdatedAt: seconds(record.lastUpdatedAt),
      meshOwner: record.meshOwner,
      resourceOwner: record.resourceOwner,
    },
    status: { status },
  };
}

/** `MeshRef`, `RouteRef`, ...: one item of a List* answer. */
function refOf(record: ResourceRecord): Record<string, unknown> {
  return {
    ...namesOf(record),
    meshOwner: record.meshOwner,
    resourceOwner: record.resourceOwner,
    arn: record.arn,
    version: record.version,
    createdAt: seconds(record.createdAt),
    lastUpdatedAt: seconds(record.lastUpdatedAt),
  };
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

/** Where a resource sits, for messages: "under VirtualRouter r in mesh m". */
function placeOf(kind: ResourceKind, names: Readonly<Record<string, string>>): string {
  const parents = lineage(kind)
    .slice(0, -1)
    .reverse()
    .map((k) => `${k.name === 'mesh' ? 'mesh' : k.label} ${names[k.nameMember] ?? ''}`);
  return parents.length === 0 ? '' : ` under ${parents.join(' in ')}`;
}

/** "VirtualNode with name x is not present under mesh m for account a", as App Mesh words it. */
function notPresent(kind: ResourceKind, names: Readonly<Record<string, string>>, owner: string): string {
  return `${kind.label} with name ${names[kind.nameMember] ?? ''} is not present${placeOf(kind, names)} for account ${owner}`;
}

/** "Route r1 under VirtualRouter vr in mesh m", the subject of conflict and in-use messages. */
function subjectOf(kind: ResourceKind, names: Readonly<Record<string, string>>): string {
  return `${kind.label} ${names[kind.nameMember] ?? ''}${placeOf(kind, names)}`;
}

/**
 * The App Mesh operations over the store: the five verbs, written once for all seven kinds,
 * and the three tag calls.
 */
export class AppMeshOperations {
  constructor(private readonly store: MeshStore) {}

  run(action: RouteAction, call: Call): unknown {
    switch (action.verb) {
      case 'create':
        return this.create(KINDS[action.kind], call);
      case 'describe':
        return dataOf(this.existing(KINDS[action.kind], call));
      case 'update':
        return this.update(KINDS[action.kind], call);
      case 'delete':
        return this.delete(KINDS[action.kind], call);
      case 'list':
        return this.list(KINDS[action.kind], call);
      case 'tagResource':
        return this.tagResource(call);
      case 'untagResource':
        return this.untagResource(call);
      case 'listTagsForResource':
        return this.listTagsForResource(call);
    }
  }

  // Addressing

  /** The owning account: `meshOwner` where the operation takes it, else the caller's own. */
  private ownerOf(kind: ResourceKind, call: Call, verb: RouteAction['verb']): string {
    const takesOwner = kind.name !== 'mesh' || verb === 'describe';
    const raw = takesOwner ? call.query.get('meshOwner') : null;
    return raw === null ? call.callerAccount : validate(accountId, raw, 'meshOwner');
  }

  /** Validate every name along the lineage: path parameters, plus the body member on create. */
  private address(
    kind: ResourceKind,
    call: Call,
    names: Record<string, string>,
    owner: string,
  ): ResourceAddress {
    for (const k of lineage(kind)) validate(k.nameSchema, names[k.nameMember], k.nameMember);
    return { region: call.region, meshOwner: owner, kind: kind.name, names };
  }

  /** Throw NotFoundException for the first missing resource above `address`. */
  private requireAncestors(address: ResourceAddress): void {
    for (const k of lineage(KINDS[address.kind]).slice(0, -1)) {
      const ancestor = { ...address, kind: k.name };
      if (this.store.get(arnOf(ancestor)) === undefined) {
        throw notFound(notPresent(k, address.names, address.meshOwner));
      }
    }
  }

  private existing(kind: ResourceKind, call: Call, verb: RouteAction['verb'] = 'describe'): ResourceRecord {
    const address = this.address(kind, call, { ...call.params }, this.ownerOf(kind, call, verb));
    this.requireAncestors(address);
    const record = this.store.get(arnOf(address));
    if (record === undefined) throw notFound(notPresent(kind, address.names, address.meshOwner));
    return record;
  }

  /** Resources a spec names (a virtual service's provider) must exist in the same mesh. */
  private requireReferences(kind: ResourceKind, spec: unknown, address: ResourceAddress): void {
    for (const ref of kind.references?.(spec) ?? []) {
      const target = KINDS[ref.kind];
      const names = { meshName: address.names.meshName ?? '', [target.nameMember]: ref.name };
      if (this.store.get(arnOf({ ...address, kind: ref.kind, names })) === undefined) {
        throw notFound(notPresent(target, names, address.meshOwner));
      }
    }
  }

  /**
   * Replay the answer of an earlier call with the same client token, or compute and remember
   * it. The same token with a different request is a ConflictException, as App Mesh answers.
   */
  private idempotent(call: Call, compute: () => unknown): unknown {
    const token = call.body.clientToken;
    if (typeof token !== 'string') return compute();
    // Keyed without the resource name, so a token reused for another resource is a conflict too.
    const key = `${call.operation}\n${call.region}\n${call.callerAccount}\n${token}`;
    const { clientToken: _token, ...members } = call.body;
    const fingerprint = createHash('sha256')
      .update(canonical({ params: call.params, meshOwner: call.query.get('meshOwner'), members }))
      .digest('hex');
    const now = call.now.getTime();
    const prior = this.store.recall(key, now);
    if (prior !== undefined) {
      if (prior.fingerprint === fingerprint) return prior.response;
      throw conflict(
        `The request contains a client token (${token}) that was used for a previous ${call.operation} call with different parameters. Try the request again with a new client token.`,
      );
    }
    const response = compute();
    this.store.remember({ key, fingerprint, response, at: now });
    this.store.save();
    return response;
  }

  // The five verbs

  private create(kind: ResourceKind, call: Call): unknown {
    const body = validate(
      createBody(kind.nameMember, kind.nameSchema, kind.spec, kind.specRequired),
      call.body,
      'request',
    );
    const name = body[kind.nameMember] as string;
    const owner = this.ownerOf(kind, call, 'create');
    const address = this.address(kind, call, { ...call.params, [kind.nameMember]: name }, owner);
    const arn = arnOf(address);
    return this.idempotent(call, () => {
      this.requireAncestors(address);
      const spec = body.spec ?? {};
      this.requireReferences(kind, spec, address);
      if (this.store.get(arn) !== undefined) {
        throw conflict(`${subjectOf(kind, address.names)} already exists for account ${owner}`);
      }
      const at = call.now.getTime();
      const record: ResourceRecord = {
        kind: kind.name,
        arn,
        region: address.region,
        meshOwner: owner,
        resourceOwner: call.callerAccount,
        names: address.names,
        uid: randomUUID(),
        createdAt: at,
        spec,
        version: 1,
        lastUpdatedAt: at,
        tags: (body.tags as TagRef[] | undefined) ?? [],
      };
      this.store.put(record);
      this.store.save();
      return dataOf(record);
    });
  }

  private update(kind: ResourceKind, call: Call): unknown {
    const body = validate(updateBody(kind.spec, kind.specRequired), call.body, 'request');
    const record = this.existing(kind, call, 'update');
    return this.idempotent(call, () => {
      const spec = body.spec ?? {};
      this.requireReferences(kind, spec, record);
      record.spec = spec;
      record.version += 1;
      record.lastUpdatedAt = call.now.getTime();
      this.store.save();
      return dataOf(record);
    });
  }

  private delete(kind: ResourceKind, call: Call): unknown {
    const record = this.existing(kind, call, 'delete');
    this.refuseIfInUse(kind, record);
    this.store.delete(record.arn);
    this.store.save();
    return dataOf(record, 'DELETED');
  }

  /** A resource with resources under it, or named by another's spec, cannot be deleted. */
  private refuseIfInUse(kind: ResourceKind, record: ResourceRecord): void {
    const own = lineage(kind);
    const sameMesh = (r: ResourceRecord) => r.names.meshName === record.names.meshName;
    const children = this.store.find(
      record.region,
      record.meshOwner,
      (r) =>
        r.arn !== record.arn &&
        sameMesh(r) &&
        own.every((k) => r.names[k.nameMember] === record.names[k.nameMember]),
    );
    if (children.length > 0) {
      const counts = new Map<KindName, number>();
      for (const child of children) counts.set(child.kind, (counts.get(child.kind) ?? 0) + 1);
      const what = [...counts].map(([k, n]) => `${n} ${KINDS[k].label}${n === 1 ? '' : 's'}`).join(', ');
      throw resourceInUse(`${subjectOf(kind, record.names)} still has ${what}; delete them first`);
    }
    const ownName = record.names[kind.nameMember];
    const referrers = this.store.find(
      record.region,
      record.meshOwner,
      (r) =>
        sameMesh(r) &&
        (KINDS[r.kind].references?.(r.spec) ?? []).some(
          (ref) => ref.kind === kind.name && ref.name === ownName,
        ),
    );
    const referrer = referrers[0];
    if (referrer !== undefined) {
      const referrerKind = KINDS[referrer.kind];
      throw resourceInUse(
        `${subjectOf(kind, record.names)} is in use: it is the provider of ${referrerKind.label} ${referrer.names[referrerKind.nameMember] ?? ''}`,
      );
    }
  }

  private list(kind: ResourceKind, call: Call): unknown {
    const limit = parseLimit(call.query.get('limit'), LIST_LIMIT);
    const owner = this.ownerOf(kind, call, 'list');
    const parents = lineage(kind).slice(0, -1);
    for (const k of parents) validate(k.nameSchema, call.params[k.nameMember], k.nameMember);
    const parentKind = parents.at(-1);
    if (parentKind !== undefined) {
      this.requireAncestors({
        region: call.region,
        meshOwner: owner,
        kind: kind.name,
        names: { ...call.params },
      });
    }
    const records = this.store.find(
      call.region,
      owner,
      (r) =>
        r.kind === kind.name && parents.every((k) => r.names[k.nameMember] === call.params[k.nameMember]),
    );
    const scope = `${call.operation}:${call.region}:${owner}:${parents.map((k) => call.params[k.nameMember]).join('/')}`;
    const page = paginate(records, (r) => r.names[kind.nameMember] ?? '', {
      scope,
      limit,
      nextToken: call.query.get('nextToken'),
      defaultLimit: LIST_LIMIT,
    });
    return {
      [kind.listMember]: page.items.map(refOf),
      ...(page.nextToken === undefined ? {} : { nextToken: page.nextToken }),
    };
  }

  // Tags

  private tagged(call: Call): ResourceRecord {
    const arn = call.query.get('resourceArn');
    if (arn === null || arn === '')
      throw badRequest('1 validation error detected: resourceArn must be given');
    const record = this.store.get(arn);
    if (record === undefined) throw notFound(`There is no App Mesh resource with the ARN ${arn}`);
    return record;
  }

  private tagResource(call: Call): unknown {
    const { tags } = validate(tagResourceBody, call.body, 'request');
    const record = this.tagged(call);
    const merged = new Map(record.tags.map((t) => [t.key, t.value]));
    for (const tag of tags) merged.set(tag.key, tag.value);
    if (merged.size > MAX_TAGS) {
      throw tooManyTags(
        `${labelOf(record.kind)} ${record.arn} would have ${merged.size} tags; at most ${MAX_TAGS} are allowed`,
      );
    }
    record.tags = [...merged].map(([key, value]) => ({ key, value }));
    this.store.save();
    return {};
  }

  private untagResource(call: Call): unknown {
    const { tagKeys } = validate(untagResourceBody, call.body, 'request');
    const record = this.tagged(call);
    const drop = new Set(tagKeys);
    record.tags = record.tags.filter((t) => !drop.has(t.key));
    this.store.save();
    return {};
  }

  private listTagsForResource(call: Call): unknown {
    const limit = parseLimit(call.query.get('limit'), MAX_TAGS);
    const record = this.tagged(call);
    const page = paginate(record.tags, (t) => t.key, {
      scope: `ListTagsForResource:${record.arn}`,
      limit,
      nextToken: call.query.get('nextToken'),
      defaultLimit: MAX_TAGS,
    });
    return { tags: page.items, ...(page.nextToken === undefined ? {} : { nextToken: page.nextToken }) };
  }
}
