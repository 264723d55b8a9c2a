import { describe, expect, it } from 'vitest';
import { executeDecision, reaskApprovalId } from '../../../shared/approvals/execute';
import { formatResourceKey, type ResourceKind, type ResourceRef } from '../../../shared/domain/resource-key';
import {
  type ApprovalDecidedDetail,
  type ApprovalRequestedDetail,
  approvalRequestedDetail,
} from '../../../shared/events/approvals';
import type { MeshProvider, MeshWriteOptions } from '../../../shared/ports';
import type { MeshResource, MeshResourceOf, RouteSpec, Tags } from '../../../shared/providers/appmesh/model';
import {
  APPROVAL_ID,
  MemoryApprovalStore,
  NOW,
  pendingApproval,
  RecordingChat,
  RecordingPublisher,
  recordingLog,
} from './support';

/**
 * Only a recorded human decision applies a held change, and only the change itself: the
 * executor acts on the approval it stored (never on what an ApprovalDecided event claims),
 * and writes the held change's diff onto the resource as it is, at the version it was held at.
 */

const ROUTE_KEY = 'prod/route/web-router/web-route';
const ARN = 'arn:aws:appmesh:us-east-1:000000000000:mesh/prod/virtualRouter/web-router/route/web-route';
const BOB = { arn: 'arn:aws:iam::000000000000:user/bob', label: 'bob' };
const PRIYA = { slackUserId: 'U0PLATFORM1', identity: 'priya' };

interface RouteShape {
  readonly weights: readonly [number, number];
  readonly maxRetries: number;
  readonly timeoutSeconds: number;
}

function spec(shape: RouteShape): RouteSpec {
  return {
    priority: 1,
    httpRoute: {
      match: { prefix: '/' },
      action: {
        weightedTargets: [
          { virtualNode: 'web-v1', weight: shape.weights[0] },
          { virtualNode: 'web-v2', weight: shape.weights[1] },
        ],
      },
      retryPolicy: { maxRetries: shape.maxRetries, perRetryTimeout: { value: 2, unit: 's' } },
      timeout: { perRequest: { value: shape.timeoutSeconds, unit: 's' } },
    },
  };
}

function route(shape: RouteShape, tags: Tags = { team: 'web' }): MeshResource {
  return {
    kind: 'route',
    meshName: 'prod',
    parentName: 'web-router',
    name: 'web-route',
    spec: spec(shape),
    tags,
  };
}

/** A mesh provider over one route, with App Mesh's versions: every update is one version more. */
class VersionedMesh implements MeshProvider {
  resource: MeshResource | undefined;
  version = 0;
  readonly writes: { op: string; options?: MeshWriteOptions; value?: unknown }[] = [];

  constructor(initial: MeshResource | undefined, version: number) {
    this.resource = initial;
    this.version = version;
  }
  /** A person's write through the provider's API (not meshwarden's). */
  personUpdates(next: MeshResource): void {
    this.resource = { ...next, tags: this.resource?.tags ?? {} };
    this.version += 1;
  }
  readMesh(): never {
    throw new Error('not used');
  }
  async describe(_ref: ResourceRef) {
    if (this.resource === undefined) return undefined as never;
    return structuredClone({
      ...this.resource,
      metadata: {
        arn: ARN,
        uid: 'uid-1',
        version: this.version,
        createdAt: '2026-03-10T09:00:00.000Z',
        lastUpdatedAt: '2026-03-10T09:00:00.000Z',
        meshOwner: '000000000000',
        resourceOwner: '000000000000',
      },
    }) as never;
  }
  async create<K extends ResourceKind>(resource: MeshResourceOf<K>, options: MeshWriteOptions) {
    this.writes.push({ op: 'create', options });
    this.resource = resource as MeshResource;
    this.version = 1;
    return resource;
  }
  async update<K extends ResourceKind>(resource: MeshResourceOf<K>, options: MeshWriteOptions) {
    this.writes.push({ op: 'update', options, value: resource.spec });
    this.resource = { ...(resource as MeshResource), tags: this.resource?.tags ?? {} };
    this.version += 1;
    return resource;
  }
  async delete(ref: ResourceRef) {
    this.writes.push({ op: 'delete', value: formatResourceKey(ref) });
    this.resource = undefined;
  }
  async listTags() {
    return this.resource?.tags ?? {};
  }
  async tagResource(arn: string, tags: Tags) {
    this.writes.push({ op: 'tag', value: { arn, tags } });
    if (this.resource) this.resource = { ...this.resource, tags: { ...this.resource.tags, ...tags } };
  }
  async untagResource(arn: string, keys: readonly string[]) {
    this.writes.push({ op: 'untag', value: { arn, keys } });
    if (this.resource) {
      const tags = { ...this.resource.tags };
      for (const k of keys) delete tags[k];
      this.resource = { ...this.resource, tags };
    }
  }
}

const BEFORE: RouteShape = { weights: [90, 10], maxRetries: 2, timeoutSeconds: 15 };
/** bob's held change: the request timeout, 15 s -> 30 s. */
const BOBS: RouteShape = { ...BEFORE, timeoutSeconds: 30 };
/** The version the revert of bob's change left. */
const REVERTED_AT = 4;

const heldTimeout = {
  type: 'reapply-change' as const,
  resourceKey: ROUTE_KEY,
  operation: 'UpdateRoute',
  proposed: { ...route(BOBS) },
  base: { ...route(BEFORE) },
  baseVersion: REVERTED_AT,
};

function stored(overrides: Parameters<typeof pendingApproval>[0] = {}) {
  return pendingApproval({
    action: heldTimeout,
    requestedBy: BOB,
    status: 'approved',
    decidedBy: PRIYA,
    decidedAt: NOW.toISOString(),
    ...overrides,
  });
}

function decidedEvent(overrides: Partial<ApprovalDecidedDetail> = {}): ApprovalDecidedDetail {
  return {
    approvalId: APPROVAL_ID,
    meshName: 'prod',
    action: heldTimeout,
    decision: 'approved',
    decidedBy: PRIYA,
    decidedAt: NOW.toISOString(),
    ...overrides,
  };
}

function world(mesh: VersionedMesh, approval?: ReturnType<typeof stored>) {
  const store = new MemoryApprovalStore();
  if (approval !== undefined) void store.create(approval);
  const chat = new RecordingChat();
  const publisher = new RecordingPublisher();
  const log = recordingLog();
  const deps = { store, chat, publisher, meshes: mesh, now: () => NOW, log };
  return { deps, store, chat, publisher, log };
}

describe('ApprovalDecided is a wake-up, not an order', () => {
  it('a forged approval for an approval id that never existed writes nothing, is refused once and logged', async () => {
    // Prepare: bob's own spec, 0/100, in an event that names an approval meshwarden never stored
    const mesh = new VersionedMesh(route(BEFORE), REVERTED_AT);
    const w = world(mesh);
    const forged = decidedEvent({
      approvalId: 'bob-made-this-up',
      action: { ...heldTimeout, proposed: { ...route({ ...BEFORE, weights: [0, 100] }) } },
    });

    // Act
    const result = await executeDecision(w.deps, forged);

    // Assess: refused (not thrown, so it is not retried into the DLQ), nothing written or posted
    expect(result).toMatchObject({ kind: 'refused', refusal: { reason: 'unknown-approval' } });
    expect(mesh.writes).toEqual([]);
    expect(w.chat.updated).toEqual([]);
    expect(w.log.lines).toContainEqual({
      level: 'error',
      message: expect.stringMatching(/bob-made-this-up refused/),
    });
  });

  it('refuses a decision the store does not hold: still pending, another decision, no person, another action', async () => {
    const cases = [
      {
        approval: stored({ status: 'pending', decidedBy: undefined, decidedAt: undefined }),
        reason: 'not-decided',
      },
      { approval: stored({ status: 'rejected' }), reason: 'decision-mismatch' },
      { approval: stored({ decidedBy: undefined }), reason: 'no-decider' },
      {
        approval: stored({ action: { ...heldTimeout, proposed: { ...route(BEFORE) } } }),
        reason: 'action-mismatch',
      },
    ] as const;
    for (const { approval, reason } of cases) {
      // Prepare
      const mesh = new VersionedMesh(route(BEFORE), REVERTED_AT);
      const w = world(mesh, approval);

      // Act
      const result = await executeDecision(w.deps, decidedEvent());

      // Assess
      expect(result).toMatchObject({ kind: 'refused', refusal: { reason } });
      expect(mesh.writes).toEqual([]);
      expect(w.store.items.get(APPROVAL_ID)?.execution).toBeUndefined();
    }
  });
});

describe('an approved held change re-applies only what it changed', () => {
  it('writes only bob’s timeout onto the route, as bob’s change (ownWrite on his behalf)', async () => {
    // Prepare: the route is where the revert left it
    const mesh = new VersionedMesh(route(BEFORE), REVERTED_AT);
    const w = world(mesh, stored());

    // Act
    const result = await executeDecision(w.deps, decidedEvent());

    // Assess
    expect(result).toMatchObject({ kind: 'handled', execution: { outcome: 'applied' } });
    expect(mesh.resource?.spec).toEqual(spec(BOBS));
    expect(mesh.writes).toEqual([
      {
        op: 'update',
        value: spec(BOBS),
        options: expect.objectContaining({
          ownWrite: { purpose: 'reapply', approvalId: APPROVAL_ID, cause: APPROVAL_ID, onBehalfOf: BOB },
        }),
      },
    ]);
  });

  it('the route moved on (admin set maxRetries and 100/0): nothing written, asked again with the diff against now', async () => {
    // Prepare: after the revert, the admin changed retries and weights
    const mesh = new VersionedMesh(route(BEFORE), REVERTED_AT);
    mesh.personUpdates(route({ ...BEFORE, maxRetries: 5, weights: [100, 0] }));
    const w = world(mesh, stored());

    // Act
    const result = await executeDecision(w.deps, decidedEvent());

    // Assess: no write; a fresh, valid request for bob's change against the current route
    expect(mesh.writes).toEqual([]);
    expect(mesh.resource?.spec).toEqual(spec({ ...BEFORE, maxRetries: 5, weights: [100, 0] }));
    expect(result).toMatchObject({ kind: 'handled', execution: { outcome: 'reasked' } });
    expect(w.publisher.events).toHaveLength(1);
    const asked = approvalRequestedDetail.parse(w.publisher.events[0]?.detail) as ApprovalRequestedDetail;
    expect(w.publisher.events[0]?.detailType).toBe('ApprovalRequested');
    expect(asked.approvalId).toBe(reaskApprovalId(APPROVAL_ID));
    expect(asked.requestedBy).toEqual(BOB);
    expect(asked.action).toMatchObject({
      type: 'reapply-change',
      baseVersion: REVERTED_AT + 1,
      reaskOf: APPROVAL_ID,
      base: { spec: spec({ ...BEFORE, maxRetries: 5, weights: [100, 0] }) },
      proposed: { spec: spec({ ...BOBS, maxRetries: 5, weights: [100, 0] }) },
    });
    expect(asked.diff).toBe('spec.httpRoute.timeout.perRequest.value: 15 -> 30');
    expect(w.chat.replies).toEqual([
      { message: expect.anything(), text: expect.stringMatching(/changed since .* Asked again/) },
    ]);
  });

  it('approving the request asked again applies bob’s timeout and keeps the admin’s retries and weights', async () => {
    // Prepare: the first approval was asked again; priya approves the new one
    const mesh = new VersionedMesh(route(BEFORE), REVERTED_AT);
    mesh.personUpdates(route({ ...BEFORE, maxRetries: 5, weights: [100, 0] }));
    const first = world(mesh, stored());
    await executeDecision(first.deps, decidedEvent());
    const again = approvalRequestedDetail.parse(first.publisher.events[0]?.detail);
    const w = world(mesh, stored({ approvalId: again.approvalId, action: again.action }));

    // Act
    await executeDecision(w.deps, decidedEvent({ approvalId: again.approvalId, action: again.action }));

    // Assess
    expect(mesh.resource?.spec).toEqual(spec({ ...BOBS, maxRetries: 5, weights: [100, 0] }));
  });

  it('a held TagResource is applied as a tag change: no spec write, the spec and version stay', async () => {
    // Prepare: bob tagged owner=bob; the revert removed the tag
    const mesh = new VersionedMesh(route(BEFORE), REVERTED_AT);
    const heldTag = {
      ...heldTimeout,
      operation: 'TagResource',
      base: { ...route(BEFORE) },
      proposed: { ...route(BEFORE, { team: 'web', owner: 'bob' }) },
    };
    const w = world(mesh, stored({ action: heldTag }));

    // Act
    const result = await executeDecision(w.deps, decidedEvent({ action: heldTag }));

    // Assess
    expect(mesh.writes).toEqual([{ op: 'tag', value: { arn: ARN, tags: { owner: 'bob' } } }]);
    expect(mesh.resource?.tags).toEqual({ team: 'web', owner: 'bob' });
    expect(mesh.version).toBe(REVERTED_AT);
    expect(result).toMatchObject({
      execution: { outcome: 'applied', detail: expect.stringMatching(/tag owner=bob/) },
    });
  });

  it('a held UntagResource is applied as an untag of the keys it removed, and nothing else', async () => {
    // Prepare: bob removed the team tag; the revert put it back
    const mesh = new VersionedMesh(route(BEFORE, { team: 'web', tier: 'front' }), REVERTED_AT);
    const heldUntag = {
      ...heldTimeout,
      operation: 'UntagResource',
      base: { ...route(BEFORE, { team: 'web', tier: 'front' }) },
      proposed: { ...route(BEFORE, { tier: 'front' }) },
    };
    const w = world(mesh, stored({ action: heldUntag }));

    // Act
    await executeDecision(w.deps, decidedEvent({ action: heldUntag }));

    // Assess
    expect(mesh.writes).toEqual([{ op: 'untag', value: { arn: ARN, keys: ['team'] } }]);
    expect(mesh.resource?.tags).toEqual({ tier: 'front' });
  });

  it('a held tag change applies after an unrelated spec change: it touches no spec', async () => {
    // Prepare: after the revert of bob's tag, the admin changed retries (a new version)
    const mesh = new VersionedMesh(route(BEFORE), REVERTED_AT);
    mesh.personUpdates(route({ ...BEFORE, maxRetries: 5 }));
    const heldTag = {
      ...heldTimeout,
      operation: 'TagResource',
      base: { ...route(BEFORE) },
      proposed: { ...route(BEFORE, { team: 'web', owner: 'bob' }) },
    };
    const w = world(mesh, stored({ action: heldTag }));

    // Act
    await executeDecision(w.deps, decidedEvent({ action: heldTag }));

    // Assess
    expect(mesh.writes).toEqual([{ op: 'tag', value: { arn: ARN, tags: { owner: 'bob' } } }]);
    expect(mesh.resource?.spec).toEqual(spec({ ...BEFORE, maxRetries: 5 }));
  });

  it('a held tag change whose tag someone changed since is asked again, not overwritten', async () => {
    // Prepare: after the revert, alice set owner=alice
    const mesh = new VersionedMesh(route(BEFORE, { team: 'web', owner: 'alice' }), REVERTED_AT);
    const heldTag = {
      ...heldTimeout,
      operation: 'TagResource',
      base: { ...route(BEFORE) },
      proposed: { ...route(BEFORE, { team: 'web', owner: 'bob' }) },
    };
    const w = world(mesh, stored({ action: heldTag }));

    // Act
    const result = await executeDecision(w.deps, decidedEvent({ action: heldTag }));

    // Assess
    expect(mesh.writes).toEqual([]);
    expect(result).toMatchObject({ execution: { outcome: 'reasked' } });
    expect(approvalRequestedDetail.parse(w.publisher.events[0]?.detail).diff).toBe(
      'tags.owner: "alice" -> "bob"',
    );
  });

  it('a request stored without its base (made before meshwarden kept one) is asked again, never written whole', async () => {
    // Prepare
    const mesh = new VersionedMesh(route({ ...BEFORE, maxRetries: 5 }), REVERTED_AT + 1);
    const legacy = {
      type: 'reapply-change' as const,
      resourceKey: ROUTE_KEY,
      operation: 'UpdateRoute',
      proposed: { ...route(BOBS) },
    };
    const w = world(mesh, stored({ action: legacy }));

    // Act
    const result = await executeDecision(w.deps, decidedEvent({ action: legacy }));

    // Assess: the fresh diff shows all that writing the old spec would change
    expect(mesh.writes).toEqual([]);
    expect(result).toMatchObject({ execution: { outcome: 'reasked' } });
    expect(approvalRequestedDetail.parse(w.publisher.events[0]?.detail).diff).toBe(
      'spec.httpRoute.retryPolicy.maxRetries: 5 -> 2\nspec.httpRoute.timeout.perRequest.value: 15 -> 30',
    );
  });
});

describe('an approval names the account of its mesh', () => {
  it("re-applies a member account's held change in that account, through its provider, never the central one", async () => {
    // Prepare: the same route in two accounts; the approval is the member account's.
    const central = new VersionedMesh(route(BEFORE), REVERTED_AT);
    const member = new VersionedMesh(route(BEFORE), REVERTED_AT);
    const w = world(central, stored({ account: '222222222222' }));
    const asked: string[] = [];
    const meshesIn = (account: string) => {
      asked.push(account);
      return member;
    };

    // Act
    const result = await executeDecision({ ...w.deps, meshesIn }, decidedEvent());

    // Assess
    expect(result).toMatchObject({ kind: 'handled', execution: { outcome: 'applied' } });
    expect(asked).toEqual(['222222222222']);
    expect(member.resource?.spec).toEqual(spec(BOBS));
    expect(central.writes).toEqual([]);
  });

  it('does not carry out an approval for an account the function cannot reach', async () => {
    // Prepare
    const central = new VersionedMesh(route(BEFORE), REVERTED_AT);
    const w = world(central, stored({ account: '222222222222' }));

    // Act
    const result = await executeDecision(w.deps, decidedEvent()).catch((error: unknown) => error);

    // Assess
    expect(String(result)).toContain('is for account 222222222222, which this function cannot reach');
    expect(central.writes).toEqual([]);
  });
});
