import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../../shared/adapters/dynamodb/client';
import { DynamoMeshStateStore } from '../../../shared/adapters/dynamodb/mesh-state-store';
import type { MeshSnapshot } from '../../../shared/domain/snapshot';
import type { MeshResourceOf } from '../../../shared/providers/appmesh/model';

const documents = mockClient(DynamoDBDocumentClient);
const TABLE = 'state';
const ACCOUNT = '111111111111';

function node(name: string): MeshResourceOf<'virtual-node'> {
  return { kind: 'virtual-node', meshName: 'prod', name, spec: { listeners: [] } };
}

function snapshot(count: number): MeshSnapshot {
  return {
    meshName: 'prod',
    takenAt: '2026-01-01T00:00:00.000Z',
    mesh: { kind: 'mesh', meshName: 'prod', name: 'prod', spec: {} },
    virtualNodes: Array.from({ length: count }, (_, i) => node(`n${i}`)),
    virtualServices: [],
    virtualRouters: [],
    routes: [],
    virtualGateways: [],
    gatewayRoutes: [],
  };
}

describe('DynamoMeshStateStore (mocked DynamoDB)', () => {
  beforeEach(() => documents.reset());
  const store = () =>
    new DynamoMeshStateStore(createDocumentClient({ region: 'us-east-1' }), TABLE, ACCOUNT, () => 0);

  it('fills with BatchWriteItem, 25 per call, and retries unprocessed items', async () => {
    documents
      .on(BatchWriteCommand)
      .resolvesOnce({
        UnprocessedItems: {
          [TABLE]: [{ PutRequest: { Item: { pk: '111111111111#MESHSTATE#prod', sk: 'prod/mesh' } } }],
        },
      })
      .resolves({});

    await store().fill(snapshot(29));

    const sizes = documents
      .commandCalls(BatchWriteCommand)
      .map((c) => c.args[0].input.RequestItems?.[TABLE]?.length);
    expect(sizes).toEqual([25, 1, 5]);
  });

  it('gives up with an error when items stay unprocessed', async () => {
    documents.on(BatchWriteCommand).callsFake((input: { RequestItems: Record<string, unknown[]> }) => ({
      UnprocessedItems: input.RequestItems,
    }));

    await expect(store().fill(snapshot(2))).rejects.toThrow(
      'left 3 mesh state items unprocessed after 8 attempts',
    );
  });

  it('reads every page of the partition and drops malformed items', async () => {
    documents
      .on(QueryCommand)
      .resolvesOnce({
        Items: [{ pk: '111111111111#MESHSTATE#prod', sk: 'prod/virtual-node/a', resource: node('a') }],
        LastEvaluatedKey: { pk: '111111111111#MESHSTATE#prod', sk: 'prod/virtual-node/a' },
      })
      .resolvesOnce({
        Items: [
          { pk: '111111111111#MESHSTATE#prod', sk: 'prod/virtual-node/b', resource: node('b') },
          { pk: '111111111111#MESHSTATE#prod', sk: 'prod/virtual-node/c', resource: 'not a resource' },
        ],
      });

    const loaded = await store().load('prod');

    expect(loaded.map((r) => r.name)).toEqual(['a', 'b']);
    expect(documents.commandCalls(QueryCommand)[1]?.args[0].input.ExclusiveStartKey).toEqual({
      pk: '111111111111#MESHSTATE#prod',
      sk: 'prod/virtual-node/a',
    });
  });

  it('treats a failed condition as "a newer state is cached" and rethrows anything else', async () => {
    documents
      .on(PutCommand)
      .rejectsOnce(new ConditionalCheckFailedException({ message: 'newer', $metadata: {} }))
      .rejects(new Error('throttled'));

    await expect(store().put(node('a'))).resolves.toBeUndefined();
    await expect(store().put(node('a'))).rejects.toThrow('throttled');
  });
});
