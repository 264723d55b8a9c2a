import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../../../shared/adapters/dynamodb/client';
import { coalescingGets } from '../../../../shared/adapters/dynamodb/coalescing-gets';

const documents = mockClient(DynamoDBDocumentClient);
const TABLE = 'state';
const get = (pk: string, consistent = true) =>
  new GetCommand({ TableName: TABLE, Key: { pk, sk: 'S' }, ConsistentRead: consistent });

describe('coalescingGets', () => {
  beforeEach(() => documents.reset());

  it('sends reads issued together as one consistent BatchGetItem and answers each with its own item', async () => {
    documents.on(BatchGetCommand).resolves({
      Responses: {
        [TABLE]: [
          { pk: 'b', sk: 'S', v: 2 },
          { pk: 'a', sk: 'S', v: 1 },
        ],
      },
    });
    const client = coalescingGets(createDocumentClient({ region: 'us-east-1' }));

    const [a, b, missing] = await Promise.all([
      client.send(get('a')),
      client.send(get('b', false)),
      client.send(get('c')),
    ]);

    expect(documents.commandCalls(GetCommand)).toHaveLength(0);
    const batches = documents.commandCalls(BatchGetCommand);
    expect(batches).toHaveLength(1);
    expect(batches[0]?.args[0].input.RequestItems?.[TABLE]).toEqual({
      Keys: [
        { pk: 'a', sk: 'S' },
        { pk: 'b', sk: 'S' },
        { pk: 'c', sk: 'S' },
      ],
      ConsistentRead: true,
    });
    expect(a.Item).toEqual({ pk: 'a', sk: 'S', v: 1 });
    expect(b.Item).toEqual({ pk: 'b', sk: 'S', v: 2 });
    expect(missing.Item).toBeUndefined();
  });

  it('reads keys the batch left unprocessed one by one', async () => {
    documents.on(BatchGetCommand).resolves({
      Responses: { [TABLE]: [{ pk: 'a', sk: 'S' }] },
      UnprocessedKeys: { [TABLE]: { Keys: [{ pk: 'b', sk: 'S' }] } },
    });
    documents.on(GetCommand).resolves({ Item: { pk: 'b', sk: 'S', late: true } });
    const client = coalescingGets(createDocumentClient({ region: 'us-east-1' }));

    const [, b] = await Promise.all([client.send(get('a')), client.send(get('b'))]);

    expect(b.Item).toEqual({ pk: 'b', sk: 'S', late: true });
    expect(documents.commandCalls(GetCommand)).toHaveLength(1);
  });

  it('fails every read of a failed batch, and sends a lone read and other commands unchanged', async () => {
    documents.on(BatchGetCommand).rejects(new Error('throttled'));
    documents.on(GetCommand).resolves({ Item: { pk: 'solo', sk: 'S' } });
    documents.on(PutCommand).resolves({});
    const client = coalescingGets(createDocumentClient({ region: 'us-east-1' }));

    const both = Promise.allSettled([client.send(get('a')), client.send(get('b'))]);
    const results = await both;
    const solo = await client.send(get('solo'));
    await client.send(new PutCommand({ TableName: TABLE, Item: { pk: 'p', sk: 'S' } }));

    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(solo.Item).toEqual({ pk: 'solo', sk: 'S' });
    expect(documents.commandCalls(GetCommand)).toHaveLength(1);
    expect(documents.commandCalls(PutCommand)).toHaveLength(1);
  });
});
