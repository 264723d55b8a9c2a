import {
  AppMeshClient,
  DescribeVirtualNodeCommand,
  UpdateVirtualNodeCommand,
} from '@aws-sdk/client-app-mesh';
import { BatchWriteCommand, type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../../infra/local/demo/seed';
import type { BusEvent, LocalRequest, LocalResponse } from '../../../infra/local/types';
import { createDocumentClient } from '../../../shared/adapters/dynamodb/client';
import { DynamoMeshStateStore, meshStatePartition } from '../../../shared/adapters/dynamodb/mesh-state-store';
import type { MeshSnapshot } from '../../../shared/domain/snapshot';
import type { MeshResource } from '../../../shared/providers/appmesh/model';
import { startSeededLocalAws, type TestLocalAws } from '../../support/local-aws';

const MESH = 'cachetest';

function node(
  name: string,
  uid: string,
  version: number,
  createdAt = '2026-01-01T00:00:00.000Z',
): MeshResource {
  return {
    kind: 'virtual-node',
    meshName: MESH,
    name,
    spec: { listeners: [{ portMapping: { port: 8080 + version, protocol: 'http' } }] },
    tags: { v: String(version) },
    metadata: {
      arn: `arn:aws:appmesh:us-east-1:000000000000:mesh/${MESH}/virtualNode/${name}`,
      uid,
      version,
      createdAt,
      lastUpdatedAt: createdAt,
      status: 'ACTIVE',
      meshOwner: '000000000000',
      resourceOwner: '000000000000',
    },
  };
}

function snapshotOf(nodes: MeshResource[], takenAt = '2026-06-01T00:00:00.000Z'): MeshSnapshot {
  return {
    meshName: MESH,
    takenAt,
    mesh: { kind: 'mesh', meshName: MESH, name: MESH, spec: {} },
    virtualNodes: nodes.filter((n) => n.kind === 'virtual-node'),
    virtualServices: [],
    virtualRouters: [],
    routes: [],
    virtualGateways: [],
    gatewayRoutes: [],
  };
}

async function clearPartition(
  documents: DynamoDBDocumentClient,
  table: string,
  account: string,
  meshName: string,
) {
  const out = await documents.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': meshStatePartition(account, meshName) },
    }),
  );
  const keys = (out.Items ?? []).map((i) => ({ DeleteRequest: { Key: { pk: i.pk, sk: i.sk } } }));
  for (let i = 0; i < keys.length; i += 25) {
    await documents.send(new BatchWriteCommand({ RequestItems: { [table]: keys.slice(i, i + 25) } }));
  }
}

describe('mesh state cache in local AWS', () => {
  let local: TestLocalAws;
  let documents: DynamoDBDocumentClient;
  let store: DynamoMeshStateStore;
  let table: string;
  const seen: BusEvent[] = [];
  /** App Mesh calls meshwarden made, counted at the edge (reads included). */
  const meshwardenCalls: string[] = [];

  beforeAll(async () => {
    local = await startSeededLocalAws();
    local.aws.bus.onActivity((activity) => {
      if (activity.kind === 'event') seen.push(activity.event);
    });
    const original = local.aws.timeline.apiCall.bind(local.aws.timeline);
    local.aws.timeline.apiCall = (req: LocalRequest, res: LocalResponse, operation: string | undefined) => {
      if (req.service === 'appmesh' && req.caller.label.includes('meshwarden')) {
        meshwardenCalls.push(operation ?? '?');
      }
      original(req, res, operation);
    };
    table = local.aws.functionEnv.MESHWARDEN_TABLE ?? '';
    documents = createDocumentClient(local.clientConfig('admin'));
    store = new DynamoMeshStateStore(documents, table, local.aws.accountId, () => 1);
  }, 60_000);
  afterAll(() => local.aws.close());

  const decisionsFor = (resourceKey: string) =>
    seen.filter(
      (e) =>
        e['detail-type'] === 'GovernanceDecision' &&
        (e.detail as { resourceKey?: string }).resourceKey === resourceKey,
    );

  describe('the DynamoDB store', () => {
    it('fills in batches of 25 and loads every item back', async () => {
      const nodes = Array.from({ length: 60 }, (_, i) => node(`n${i}`, `uid-${i}`, 1));

      await store.fill(snapshotOf(nodes));
      const loaded = await store.load(MESH);

      expect(loaded).toHaveLength(61);
      expect(loaded.find((r) => r.name === 'n42')).toEqual(nodes[42]);
    });

    it('never lets an older version of the same incarnation overwrite a newer one', async () => {
      await store.put(node('ordered', 'u1', 3));
      await store.put(node('ordered', 'u1', 2));
      await store.put(node('ordered', 'u1', 3));

      const loaded = (await store.load(MESH)).find((r) => r.name === 'ordered');
      expect(loaded?.metadata?.version).toBe(3);
      expect(loaded?.tags).toEqual({ v: '3' });
    });

    it('lets a later incarnation replace an earlier one, never the reverse', async () => {
      await store.put(node('reborn', 'old', 7, '2026-01-01T00:00:00.000Z'));
      await store.put(node('reborn', 'new', 1, '2026-02-01T00:00:00.000Z'));
      await store.put(node('reborn', 'old', 8, '2026-01-01T00:00:00.000Z'));

      const loaded = (await store.load(MESH)).find((r) => r.name === 'reborn');
      expect(loaded?.metadata).toMatchObject({ uid: 'new', version: 1 });
    });

    it('forgets only the incarnation it was told to', async () => {
      await store.put(node('kept', 'current', 1));
      await store.remove(node('kept', 'current', 1), 'deleted-one');
      const afterWrongUid = (await store.load(MESH)).some((r) => r.name === 'kept');
      await store.remove(node('kept', 'current', 1), 'current');

      expect(afterWrongUid).toBe(true);
      expect((await store.load(MESH)).some((r) => r.name === 'kept')).toBe(false);
    });

    it('refreshes completely: writes what differs, forgets what the read did not find', async () => {
      const fresh = [node('n1', 'uid-1', 2), node('n2', 'uid-2', 1)];

      const counts = await store.refresh(snapshotOf(fresh));
      const loaded = await store.load(MESH);

      expect(loaded.map((r) => r.name).sort()).toEqual([MESH, 'n1', 'n2']);
      expect(loaded.find((r) => r.name === 'n1')?.metadata?.version).toBe(2);
      expect(counts).toEqual({ written: 1, removed: 60 });
    });

    it('keeps a resource created after the audit read started', async () => {
      await store.put(node('newborn', 'nb', 1, '2026-07-01T00:00:00.000Z'));

      await store.refresh(snapshotOf([node('n1', 'uid-1', 2), node('n2', 'uid-2', 1)]));

      expect((await store.load(MESH)).some((r) => r.name === 'newborn')).toBe(true);
    });
  });

  describe('mesh-change with the cache', () => {
    it('judges correctly on a cold cache (reverts a denied node change) and fills the cache', async () => {
      await clearPartition(documents, table, local.aws.accountId, DEMO.mesh);
      const alice = new AppMeshClient(local.clientConfig('oidcDeveloper'));
      const admin = new AppMeshClient(local.clientConfig('admin'));
      const ref = { meshName: DEMO.mesh, virtualNodeName: DEMO.stableNode };
      const { virtualNode: before } = await admin.send(new DescribeVirtualNodeCommand(ref));
      const listeners = (before?.spec?.listeners ?? []).map((l) => ({
        ...l,
        tls: l.tls === undefined ? undefined : { ...l.tls, mode: 'PERMISSIVE' as const },
      }));
      meshwardenCalls.length = 0;

      await alice.send(new UpdateVirtualNodeCommand({ ...ref, spec: { ...before?.spec, listeners } }));
      await local.aws.drain();

      const { virtualNode: after } = await admin.send(new DescribeVirtualNodeCommand(ref));
      expect(after?.spec).toEqual(before?.spec);
      expect(decisionsFor(`prod/virtual-node/${DEMO.stableNode}`).at(-1)?.detail).toMatchObject({
        action: 'revert',
        outcome: 'applied',
      });
      // The cold read lists and describes the whole mesh.
      expect(meshwardenCalls.length).toBeGreaterThan(20);
      const cached = await store.load(DEMO.mesh);
      expect(cached.find((r) => r.name === DEMO.stableNode)?.metadata?.version).toBe(
        after?.metadata?.version,
      );
    });

    it('judges a second event with a handful of App Mesh calls (warm cache)', async () => {
      // A node change: the deployment guard also reacts to route changes, with calls of its own
      // that the edge cannot tell apart from mesh-change's (both sign as meshwarden's role).
      const admin = new AppMeshClient(local.clientConfig('admin'));
      const ref = { meshName: DEMO.mesh, virtualNodeName: DEMO.canaryNode };
      const { virtualNode: before } = await admin.send(new DescribeVirtualNodeCommand(ref));
      meshwardenCalls.length = 0;

      await admin.send(new UpdateVirtualNodeCommand({ ...ref, spec: before?.spec }));
      await local.aws.drain();

      const decision = decisionsFor(`prod/virtual-node/${DEMO.canaryNode}`).at(-1)?.detail;
      expect(decision).toMatchObject({ operation: 'UpdateVirtualNode', action: 'keep' });
      // Describe + ListTags of the changed node: the neighbours come from the cache (cold: 31).
      expect(meshwardenCalls).toEqual(['DescribeVirtualNode', 'ListTagsForResource']);
      const cached = (await store.load(DEMO.mesh)).find((r) => r.name === DEMO.canaryNode);
      expect(cached?.metadata?.version).toBe((before?.metadata?.version ?? 0) + 1);
    });
  });
});
