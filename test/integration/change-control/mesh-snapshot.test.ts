import {
  AppMeshClient,
  DescribeVirtualNodeCommand,
  UpdateVirtualNodeCommand,
} from '@aws-sdk/client-app-mesh';
import {
  BatchWriteCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEMO } from '../../../infra/local/demo/seed';
import type { BusEvent, LocalRequest, LocalResponse } from '../../../infra/local/types';
import { createDocumentClient } from '../../../shared/adapters/dynamodb/client';
import {
  DynamoMeshSnapshotStore,
  meshSnapshotPartition,
} from '../../../shared/adapters/dynamodb/mesh-snapshot-store';
import { DynamoMeshStateStore, meshStatePartition } from '../../../shared/adapters/dynamodb/mesh-state-store';
import { startSeededLocalAws, type TestLocalAws } from '../../support/local-aws';
import { loadEvent } from '../../support/sample-events';

/**
 * The first event on a cold mesh state cache, after the daily audit left its snapshot: judged
 * from the verified snapshot plus fresh reads of what changed, with a handful of App Mesh calls
 * instead of a whole read of the mesh (App Mesh calls are deterministic, so they are counted).
 */
describe('mesh-change on a cold cache, from the audit snapshot', () => {
  let local: TestLocalAws;
  let documents: DynamoDBDocumentClient;
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
  }, 60_000);
  afterAll(() => local.aws.close());

  async function clearPartition(pk: string): Promise<void> {
    const out = await documents.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
      }),
    );
    const keys = (out.Items ?? []).map((i) => ({ DeleteRequest: { Key: { pk: i.pk, sk: i.sk } } }));
    for (let i = 0; i < keys.length; i += 25) {
      await documents.send(new BatchWriteCommand({ RequestItems: { [table]: keys.slice(i, i + 25) } }));
    }
  }

  /** The daily audit runs (leaving its snapshot), then the cache is lost. */
  beforeEach(async () => {
    await local.aws.functions.invoke('mesh-audit', loadEvent('scheduler/daily-audit'));
    await local.aws.drain();
    await clearPartition(meshStatePartition(local.aws.accountId, DEMO.mesh));
  });

  /** The admin rewrites a node unchanged (allowed and compliant: kept). */
  async function touchNode(name: string): Promise<number> {
    const admin = new AppMeshClient(local.clientConfig('admin'));
    const ref = { meshName: DEMO.mesh, virtualNodeName: name };
    const { virtualNode } = await admin.send(new DescribeVirtualNodeCommand(ref));
    meshwardenCalls.length = 0;
    await admin.send(new UpdateVirtualNodeCommand({ ...ref, spec: virtualNode?.spec }));
    await local.aws.drain();
    return (virtualNode?.metadata?.version ?? 0) + 1;
  }

  const lastDecision = (name: string) =>
    seen
      .filter(
        (e) =>
          e['detail-type'] === 'GovernanceDecision' &&
          (e.detail as { resourceKey?: string }).resourceKey === `${DEMO.mesh}/virtual-node/${name}`,
      )
      .at(-1)?.detail;

  it('judges the first event with at most 4 App Mesh calls and leaves the cache warm', async () => {
    const version = await touchNode(DEMO.canaryNode);

    expect(lastDecision(DEMO.canaryNode)).toMatchObject({ operation: 'UpdateVirtualNode', action: 'keep' });
    // Only the changed node is read, fresh; its neighbours come from the snapshot.
    expect(meshwardenCalls).toEqual(['DescribeVirtualNode', 'ListTagsForResource']);
    expect(meshwardenCalls.length).toBeLessThanOrEqual(4);
    const cached = await new DynamoMeshStateStore(documents, table, local.aws.accountId).load(DEMO.mesh);
    expect(cached.some((r) => r.kind === 'mesh')).toBe(true);
    expect(cached.find((r) => r.name === DEMO.canaryNode)?.metadata?.version).toBe(version);
  });

  it('reads a neighbour changed after the snapshot fresh, not from the snapshot', async () => {
    // The stable node changes after the audit; then the cache is lost again.
    const stableVersion = await touchNode(DEMO.stableNode);
    await clearPartition(meshStatePartition(local.aws.accountId, DEMO.mesh));

    await touchNode(DEMO.canaryNode);

    expect(lastDecision(DEMO.canaryNode)).toMatchObject({ action: 'keep' });
    // The changed node and the neighbour marked changed since the snapshot, read together.
    expect([...meshwardenCalls].sort()).toEqual([
      'DescribeVirtualNode',
      'DescribeVirtualNode',
      'ListTagsForResource',
      'ListTagsForResource',
    ]);
    const cached = await new DynamoMeshStateStore(documents, table, local.aws.accountId).load(DEMO.mesh);
    expect(cached.find((r) => r.name === DEMO.stableNode)?.metadata?.version).toBe(stableVersion);
  });

  it('does not trust a snapshot missing an item: the mesh is read whole', async () => {
    const items = await documents.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :r)',
        ExpressionAttributeValues: {
          ':pk': meshSnapshotPartition(local.aws.accountId, DEMO.mesh),
          ':r': 'R#',
        },
      }),
    );
    const victim = items.Items?.find((i) => String(i.sk).includes('virtual-service'));
    await documents.send(new DeleteCommand({ TableName: table, Key: { pk: victim?.pk, sk: victim?.sk } }));

    await touchNode(DEMO.canaryNode);

    expect(lastDecision(DEMO.canaryNode)).toMatchObject({ action: 'keep' });
    expect(meshwardenCalls.filter((c) => c.startsWith('List')).length).toBeGreaterThan(4);
    expect(meshwardenCalls.length).toBeGreaterThan(20);
  });

  it('does not trust a snapshot whose resource was altered after it was written', async () => {
    const store = new DynamoMeshSnapshotStore(documents, table, local.aws.accountId);
    expect(await store.load(DEMO.mesh)).toBeDefined();
    const items = await documents.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :r)',
        ExpressionAttributeValues: {
          ':pk': meshSnapshotPartition(local.aws.accountId, DEMO.mesh),
          ':r': 'R#',
        },
      }),
    );
    const item = items.Items?.find((i) => String(i.sk).includes(DEMO.stableNode));
    const altered = String(item?.resourceJson).replace('"STRICT"', '"PERMISSIVE"');
    expect(altered).not.toBe(item?.resourceJson);
    await documents.send(
      new BatchWriteCommand({
        RequestItems: { [table]: [{ PutRequest: { Item: { ...item, resourceJson: altered } } }] },
      }),
    );

    expect(await store.load(DEMO.mesh)).toBeUndefined();
  });
});
