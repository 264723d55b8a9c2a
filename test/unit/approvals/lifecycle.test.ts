import { describe, expect, it } from 'vitest';
import type { Approval } from '../../../shared/approvals/approval';
import { executeDecision } from '../../../shared/approvals/execute';
import { sweepApprovals } from '../../../shared/approvals/expire';
import { clientTokenFor, reapplyChange } from '../../../shared/approvals/reapply-change';
import { requestApproval } from '../../../shared/approvals/request';
import { formatResourceKey, type ResourceKind, type ResourceRef } from '../../../shared/domain/resource-key';
import { BadRequestError, NotFoundError } from '../../../shared/errors';
import type { ApprovalDecidedDetail, ApprovalRequestedDetail } from '../../../shared/events/approvals';
import type { MeshProvider, MeshWriteOptions } from '../../../shared/ports';
import type { MeshResource, MeshResourceOf } from '../../../shared/providers/appmesh/model';
import {
  APPROVAL_ID,
  approvalsPolicy,
  MemoryApprovalStore,
  NOW,
  pendingApproval,
  RecordingChat,
  RecordingPublisher,
  recordingLog,
} from './support';

/** A mesh provider holding resources by key and recording every write. */
class FakeMeshes implements MeshProvider {
  readonly resources = new Map<string, MeshResource>();
  readonly writes: { op: string; key: string; clientToken?: string }[] = [];
  failNext: Error | undefined;

  readMesh(): never {
    throw new Error('not used');
  }
  async describe(ref: ResourceRef) {
    return this.resources.get(formatResourceKey(ref)) as never;
  }
  async create<K extends ResourceKind>(resource: MeshResourceOf<K>, options: MeshWriteOptions) {
    this.fail();
    this.writes.push({ op: 'create', key: formatResourceKey(resource), clientToken: options.clientToken });
    this.resources.set(formatResourceKey(resource), resource as MeshResource);
    return resource;
  }
  async update<K extends ResourceKind>(resource: MeshResourceOf<K>, options: MeshWriteOptions) {
    this.fail();
    this.writes.push({ op: 'update', key: formatResourceKey(resource), clientToken: options.clientToken });
    this.resources.set(formatResourceKey(resource), resource as MeshResource);
    return resource;
  }
  async delete(ref: ResourceRef) {
    this.fail();
    const key = formatResourceKey(ref);
    if (!this.resources.delete(key)) throw new NotFoundError(`${key} not found`);
    this.writes.push({ op: 'delete', key });
  }
  async listTags() {
    return {};
  }
  async tagResource() {}
  async untagResource() {}
  private fail() {
    const error = this.failNext;
    this.failNext = undefined;
    if (error) throw error;
  }
}

const ROUTE_KEY = 'prod/route/web-router/web-route';
/** The version the revert left the route at. */
const BASE_VERSION = 3;
const METADATA = {
  arn: 'arn:aws:appmesh:us-east-1:000000000000:mesh/prod/virtualRouter/web-router/route/web-route',
  uid: 'u-1',
  version: BASE_VERSION,
  createdAt: '2026-03-10T09:00:00.000Z',
  lastUpdatedAt: '2026-03-10T09:00:00.000Z',
  meshOwner: '000000000000',
  resourceOwner: '000000000000',
};
const route = (weights: [number, number]): MeshResource => ({
  kind: 'route',
  meshName: 'prod',
  parentName: 'web-router',
  name: 'web-route',
  spec: {
    httpRoute: {
      match: { prefix: '/' },
      action: {
        weightedTargets: [
          { virtualNode: 'web-v1', weight: weights[0] },
          { virtualNode: 'web-v2', weight: weights[1] },
        ],
      },
    },
  },
});

const heldUpdate = {
  type: 'reapply-change' as const,
  resourceKey: ROUTE_KEY,
  operation: 'UpdateRoute',
  proposed: { ...route([50, 50]) },
  base: { ...route([90, 10]) },
  baseVersion: BASE_VERSION,
};

const request: ApprovalRequestedDetail = {
  approvalId: APPROVAL_ID,
  meshName: 'prod',
  action: heldUpdate,
  title: 'UpdateRoute prod/web-router/web-route',
  reason: 'bob may change nothing',
  requestedBy: { arn: 'arn:aws:iam::000000000000:user/bob', label: 'bob' },
  diff: '- 90/10\n+ 50/50',
  expiresAt: '2026-03-12T00:00:00.000Z',
};

function decided(
  decision: ApprovalDecidedDetail['decision'],
  action = request.action,
): ApprovalDecidedDetail {
  return {
    approvalId: APPROVAL_ID,
    meshName: 'prod',
    action,
    decision,
    ...(decision === 'expired' ? {} : { decidedBy: { slackUserId: 'U0PLATFORM1', identity: 'priya' } }),
    decidedAt: NOW.toISOString(),
  };
}

/** The held update as stored once a person decided it. */
function decidedApproval(
  status: 'approved' | 'rejected' | 'expired',
  overrides: Partial<Approval> = {},
): Approval {
  return pendingApproval({
    action: request.action,
    status,
    decidedAt: NOW.toISOString(),
    ...(status === 'expired' ? {} : { decidedBy: { slackUserId: 'U0PLATFORM1', identity: 'priya' } }),
    ...overrides,
  });
}

function world(approval?: Approval) {
  const store = new MemoryApprovalStore();
  if (approval) void store.create(approval);
  const chat = new RecordingChat();
  const meshes = new FakeMeshes();
  meshes.resources.set(ROUTE_KEY, { ...route([90, 10]), metadata: METADATA });
  const publisher = new RecordingPublisher();
  const base = { store, chat, publisher, now: () => NOW, log: recordingLog() };
  return { store, chat, meshes, publisher, base, policy: approvalsPolicy() };
}

describe('requestApproval', () => {
  it('stores the approval with its expiry cut to the policy, posts it in the mesh channel, and remembers the message', async () => {
    const w = world();
    const outcome = await requestApproval({ ...w.base, policy: w.policy }, request);
    expect(outcome).toBe('posted');
    expect(w.chat.posted).toEqual([
      { channel: 'C0APPROVALS', approval: expect.objectContaining({ approvalId: APPROVAL_ID }) },
    ]);
    expect(w.store.items.get(APPROVAL_ID)).toMatchObject({
      status: 'pending',
      expiresAt: '2026-03-10T11:16:05.000Z',
      message: { channel: 'C0APPROVALS' },
    });
  });

  it('a redelivered request posts nothing again', async () => {
    const w = world();
    await requestApproval({ ...w.base, policy: w.policy }, request);
    const outcome = await requestApproval({ ...w.base, policy: w.policy }, request);
    expect(outcome).toBe('already-posted');
    expect(w.chat.posted).toHaveLength(1);
  });

  it('a mesh without approvals section: stored, not posted, logged as an error', async () => {
    const w = world();
    const outcome = await requestApproval(
      { ...w.base, policy: w.policy },
      { ...request, meshName: 'staging' },
    );
    expect(outcome).toBe('no-channel');
    expect(w.chat.posted).toEqual([]);
    expect(w.base.log.lines).toContainEqual({
      level: 'error',
      message: expect.stringMatching(/no approvals channel/),
    });
  });
});

describe('executeDecision', () => {
  it('approved reapply-change: writes what the change changed, with a token from the approval id, then updates the message', async () => {
    const w = world(decidedApproval('approved'));
    const result = await executeDecision({ ...w.base, meshes: w.meshes }, decided('approved'));
    expect(result).toMatchObject({ kind: 'handled', execution: { outcome: 'applied' } });
    expect(w.meshes.writes).toEqual([
      { op: 'update', key: ROUTE_KEY, clientToken: clientTokenFor(APPROVAL_ID) },
    ]);
    expect(w.meshes.resources.get(ROUTE_KEY)?.spec).toEqual(route([50, 50]).spec);
    expect(w.chat.updated).toEqual([
      expect.objectContaining({
        status: 'approved',
        execution: expect.objectContaining({ outcome: 'applied' }),
      }),
    ]);
    expect(w.store.items.get(APPROVAL_ID)?.execution?.outcome).toBe('applied');
  });

  it('a redelivered decision does not apply twice', async () => {
    const w = world(decidedApproval('approved'));
    await executeDecision({ ...w.base, meshes: w.meshes }, decided('approved'));
    await executeDecision({ ...w.base, meshes: w.meshes }, decided('approved'));
    expect(w.meshes.writes).toHaveLength(1);
  });

  it('a failed re-apply is shown in the message and recorded, then rethrown for a retry', async () => {
    const w = world(decidedApproval('approved'));
    w.meshes.failNext = new BadRequestError('route spec invalid');
    await expect(executeDecision({ ...w.base, meshes: w.meshes }, decided('approved'))).rejects.toThrow(
      'route spec invalid',
    );
    expect(w.store.items.get(APPROVAL_ID)?.execution).toMatchObject({
      outcome: 'failed',
      detail: 'Re-applying failed: route spec invalid',
    });
    expect(w.chat.updated[0]?.execution?.outcome).toBe('failed');
  });

  it('rejected: nothing written, message updated', async () => {
    const w = world(decidedApproval('rejected'));
    await executeDecision({ ...w.base, meshes: w.meshes }, decided('rejected'));
    expect(w.meshes.writes).toEqual([]);
    expect(w.chat.updated).toEqual([expect.objectContaining({ status: 'rejected' })]);
  });

  it('expired: nothing written, message updated and the thread told', async () => {
    const w = world(decidedApproval('expired'));
    await executeDecision({ ...w.base, meshes: w.meshes }, decided('expired'));
    expect(w.meshes.writes).toEqual([]);
    expect(w.chat.replies).toEqual([
      { message: expect.anything(), text: expect.stringMatching(/expired at .* nothing was applied/) },
    ]);
  });

  it('other action types are left to their owners: only the message is updated', async () => {
    const promote = {
      type: 'promote-deployment' as const,
      routeKey: 'prod/web-router/web-route',
      deploymentId: 'd1',
      toWeight: 100,
    };
    const w = world(decidedApproval('approved', { action: promote }));
    const result = await executeDecision({ ...w.base, meshes: w.meshes }, decided('approved', promote));
    expect(result).toEqual({ kind: 'handled' });
    expect(w.meshes.writes).toEqual([]);
    expect(w.chat.updated).toHaveLength(1);
  });
});

describe('reapplyChange', () => {
  const bob = { approvalId: APPROVAL_ID, requestedBy: request.requestedBy };

  it('a held delete is deleted again while the resource is at the version the revert left; already gone is fine', async () => {
    const meshes = new FakeMeshes();
    meshes.resources.set(ROUTE_KEY, { ...route([90, 10]), metadata: METADATA });
    const action = {
      type: 'reapply-change' as const,
      resourceKey: ROUTE_KEY,
      operation: 'DeleteRoute',
      baseVersion: BASE_VERSION,
    };
    expect((await reapplyChange(meshes, action, bob)).detail).toMatch(/^Deleted/);
    expect(await reapplyChange(meshes, action, bob)).toMatchObject({ kind: 'nothing' });
  });

  it('creates a resource that no longer exists (a held create reverted by deleting it)', async () => {
    const meshes = new FakeMeshes();
    const { base: _b, baseVersion: _v, ...create } = { ...heldUpdate, operation: 'CreateRoute' };
    const done = await reapplyChange(meshes, create, bob);
    expect(done.detail).toMatch(/^Created/);
    expect(meshes.writes[0]?.op).toBe('create');
  });

  it('refuses a proposed resource whose names disagree with the key, or without spec', async () => {
    const meshes = new FakeMeshes();
    meshes.resources.set(ROUTE_KEY, route([90, 10]));
    const bad = { type: 'reapply-change' as const, resourceKey: ROUTE_KEY, operation: 'UpdateRoute' };
    await expect(
      reapplyChange(meshes, { ...bad, proposed: { name: 'other', spec: {} } }, bob),
    ).rejects.toThrow(/proposed.name/);
    await expect(reapplyChange(meshes, { ...bad, proposed: { kind: 'route' } }, bob)).rejects.toThrow(
      /proposed.spec/,
    );
    expect(meshes.writes).toEqual([]);
  });

  it('client tokens fit App Mesh (at most 36 characters) and differ per approval', () => {
    const a = clientTokenFor('x'.repeat(64));
    expect(a.length).toBeLessThanOrEqual(36);
    expect(a).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(clientTokenFor('a')).not.toBe(clientTokenFor('b'));
  });
});

describe('sweepApprovals', () => {
  it('expires what is past its expiry (publishing ApprovalDecided: expired), leaves the rest', async () => {
    const w = world();
    await w.store.create(pendingApproval({ approvalId: 'old', expiresAt: '2026-03-10T10:00:00.000Z' }));
    await w.store.create(pendingApproval({ approvalId: 'young' }));
    const result = await sweepApprovals({ ...w.base, publisher: w.publisher });
    expect(result).toEqual({ expired: ['old'], republished: [] });
    expect(w.publisher.events).toEqual([
      {
        detailType: 'ApprovalDecided',
        detail: expect.objectContaining({ approvalId: 'old', decision: 'expired' }),
      },
    ]);
    expect(w.store.items.get('young')?.status).toBe('pending');
  });

  it('publishes a decision whose publishing failed, once it is a minute old', async () => {
    const w = world();
    const decidedAt = new Date(NOW.getTime() - 61_000).toISOString();
    await w.store.create(
      pendingApproval({
        status: 'approved',
        decidedAt,
        decidedBy: { slackUserId: 'U0PLATFORM1', identity: 'priya' },
      }),
    );
    const result = await sweepApprovals({ ...w.base, publisher: w.publisher });
    expect(result.republished).toEqual([APPROVAL_ID]);
    expect(w.store.items.get(APPROVAL_ID)?.published).toBe(true);
  });
});
