import { randomBytes } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../../../shared/adapters/dynamodb/client';
import { CHUNK_BYTES, packValue } from '../../../../shared/adapters/dynamodb/large-value';
import { DynamoLastKnownGoodStore } from '../../../../shared/adapters/dynamodb/last-known-good-store';
import type { LastKnownGood } from '../../../../shared/ports';
import type { MeshResource } from '../../../../shared/providers/appmesh/model';

const documents = mockClient(DynamoDBDocumentClient);
const TABLE = 'state';
const ACCOUNT = '111111111111';
const KEY = 'prod/route/web-router/web-route';

function route(prefix: string, version = 2): MeshResource {
  return {
    kind: 'route',
    meshName: 'prod',
    parentName: 'web-router',
    name: 'web-route',
    spec: {
      httpRoute: { match: { prefix }, action: { weightedTargets: [{ virtualNode: 'a', weight: 1 }] } },
    },
    metadata: {
      arn: 'arn',
      uid: 'u-1',
      version,
      createdAt: 'c',
      lastUpdatedAt: 'u',
      status: 'ACTIVE',
      meshOwner: '0',
      resourceOwner: '0',
    },
  } as MeshResource;
}

function record(resource: MeshResource): LastKnownGood {
  return { resourceKey: KEY, resource, version: 2, eventId: 'e', recordedAt: 'now', source: 'event' };
}

const store = () =>
  new DynamoLastKnownGoodStore(createDocumentClient({ region: 'us-east-1' }), TABLE, ACCOUNT);
const huge = () => `/${randomBytes(1024 * 1024).toString('hex')}`;

describe('large values in DynamoDB items (mocked DynamoDB)', () => {
  beforeEach(() => documents.reset());

  it('keeps a small value inline as JSON text, as before', () => {
    const packed = packValue({ pk: 'p', sk: 's' }, 'resource', { a: 1 });

    expect(packed).toEqual({ attributes: { resource: '{"a":1}' }, chunks: [] });
  });

  it('writes the chunks of a value too large for one item before the head that names them', async () => {
    const order: string[] = [];
    documents.on(BatchWriteCommand).callsFake(() => {
      order.push('chunks');
      return {};
    });
    documents.on(PutCommand).callsFake(() => {
      order.push('head');
      return {};
    });

    await store().put(record(route(huge())));

    expect(order[0]).toBe('chunks');
    expect(order.at(-1)).toBe('head');
    const head = documents.commandCalls(PutCommand)[0]?.args[0].input.Item ?? {};
    expect(head.resource).toBeUndefined();
    expect(head.resourceChunks).toBeGreaterThan(1);
    const chunks = documents
      .commandCalls(BatchWriteCommand)
      .flatMap((c) => c.args[0].input.RequestItems?.[TABLE] ?? [])
      .map((r) => r.PutRequest?.Item as { data: Uint8Array });
    expect(chunks).toHaveLength(head.resourceChunks as number);
    for (const chunk of chunks) expect(chunk.data.length).toBeLessThanOrEqual(CHUNK_BYTES);
  });

  it('reads a chunked value back exactly', async () => {
    const resource = route(huge());
    const head = packValue({ pk: `${ACCOUNT}#LKG#${KEY}`, sk: 'LKG' }, 'resource', resource);
    documents.on(GetCommand).resolves({
      Item: {
        pk: `${ACCOUNT}#LKG#${KEY}`,
        sk: 'LKG',
        version: 2,
        eventId: 'e',
        recordedAt: 'now',
        source: 'event',
        ...head.attributes,
      },
    });
    documents.on(QueryCommand).resolves({ Items: head.chunks as Record<string, unknown>[] });

    const found = await store().get(KEY);

    expect(found?.resource).toEqual(resource);
  });

  it('refuses to return a value whose chunks are missing', async () => {
    const head = packValue({ pk: `${ACCOUNT}#LKG#${KEY}`, sk: 'LKG' }, 'resource', route(huge()));
    documents
      .on(GetCommand)
      .resolves({ Item: { pk: `${ACCOUNT}#LKG#${KEY}`, sk: 'LKG', version: 2, ...head.attributes } });
    documents.on(QueryCommand).resolves({ Items: head.chunks.slice(1) as Record<string, unknown>[] });

    await expect(store().get(KEY)).rejects.toThrow(/names \d+ chunks/);
  });

  it('deletes the new chunks when a newer last known good refused the write', async () => {
    documents.on(BatchWriteCommand).resolves({});
    documents
      .on(PutCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'newer', $metadata: {} }));

    await store().put(record(route(huge())));

    const deletes = documents
      .commandCalls(BatchWriteCommand)
      .flatMap((c) => c.args[0].input.RequestItems?.[TABLE] ?? [])
      .filter((r) => r.DeleteRequest !== undefined);
    const puts = documents
      .commandCalls(BatchWriteCommand)
      .flatMap((c) => c.args[0].input.RequestItems?.[TABLE] ?? [])
      .filter((r) => r.PutRequest !== undefined);
    expect(deletes.length).toBe(puts.length);
    expect(deletes.length).toBeGreaterThan(0);
  });

  it("deletes the replaced value's chunks after the head stopped naming them", async () => {
    const old = packValue({ pk: `${ACCOUNT}#LKG#${KEY}`, sk: 'LKG' }, 'resource', route(huge()));
    documents.on(BatchWriteCommand).resolves({});
    documents
      .on(PutCommand)
      .resolves({ Attributes: { pk: `${ACCOUNT}#LKG#${KEY}`, sk: 'LKG', ...old.attributes } });
    documents.on(DeleteCommand).resolves({});

    await store().put(record(route('/small', 3)));

    const deleted = documents
      .commandCalls(BatchWriteCommand)
      .flatMap((c) => c.args[0].input.RequestItems?.[TABLE] ?? [])
      .map((r) => r.DeleteRequest?.Key?.sk);
    expect(deleted).toEqual(old.chunks.map((c) => c.sk));
  });
});
