import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  IdempotentParameterMismatchException,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactGetCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_IDENTITIES, IdentityRegistry } from '../../../infra/local/edge/identities';
import { DynamoDbService } from '../../../infra/local/services/dynamodb/dynamodb-service';
import { startTestEdge, type TestEdge } from '../../support/local-edge';

const TABLE = 'transactions';
const OTHER = 'transactions-other';
const ACCOUNT = DEFAULT_IDENTITIES.accountId;

/** Settle a call that should fail, so the error is asserted after acting. */
const failureOf = (call: Promise<unknown>): Promise<unknown> =>
  call.then(
    () => new Error('expected the call to fail'),
    (error: unknown) => error,
  );

/** A role that may read and update the table, but not put into it. */
function identities(): IdentityRegistry {
  const registry = new IdentityRegistry(DEFAULT_IDENTITIES);
  registry.add({
    type: 'AssumedRole',
    accessKeyId: 'no-put',
    secretAccessKey: 'no-put-secret',
    roleName: 'NoPut',
    sessionName: 'no-put',
    policies: [
      {
        Statement: {
          Effect: 'Allow',
          Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:ConditionCheckItem'],
          Resource: `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/${TABLE}`,
        },
      },
    ],
  });
  return registry;
}

let counter = 0;
/** A fresh partition per test, so tests stand alone on one table. */
const partition = (name: string) => `${name}#${++counter}`;

describe('local DynamoDB transactions', () => {
  let edge: TestEdge;
  let ddb: DynamoDBClient;
  let doc: DynamoDBDocumentClient;
  // Moved forward by the token test; within the 15 minutes a signature stays valid.
  let clockOffsetMs = 0;

  beforeAll(async () => {
    edge = await startTestEdge((context) => [new DynamoDbService(context)], {
      identities: identities(),
      now: () => new Date(Date.now() + clockOffsetMs),
    });
    ddb = new DynamoDBClient({ ...edge.clientConfig, maxAttempts: 1 });
    doc = DynamoDBDocumentClient.from(ddb);
    for (const TableName of [TABLE, OTHER]) {
      await ddb.send(
        new CreateTableCommand({
          TableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'S' },
          ],
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
        }),
      );
    }
  });
  afterAll(async () => {
    await edge.close();
  });

  const get = async (TableName: string, pk: string, sk: string) =>
    (await doc.send(new GetCommand({ TableName, Key: { pk, sk }, ConsistentRead: true }))).Item;

  it('applies Put, Update, Delete and ConditionCheck across two tables together', async () => {
    // Prepare
    const pk = partition('all');
    await doc.send(new PutCommand({ TableName: TABLE, Item: { pk, sk: 'counter', n: 1 } }));
    await doc.send(new PutCommand({ TableName: TABLE, Item: { pk, sk: 'old' } }));
    await doc.send(new PutCommand({ TableName: OTHER, Item: { pk, sk: 'guard', open: true } }));

    // Act
    await doc.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: TABLE,
              Item: { pk, sk: 'new', v: 'x' },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          {
            Update: {
              TableName: TABLE,
              Key: { pk, sk: 'counter' },
              UpdateExpression: 'SET n = n + :one',
              ConditionExpression: 'n = :n',
              ExpressionAttributeValues: { ':one': 1, ':n': 1 },
            },
          },
          { Delete: { TableName: TABLE, Key: { pk, sk: 'old' } } },
          {
            ConditionCheck: {
              TableName: OTHER,
              Key: { pk, sk: 'guard' },
              ConditionExpression: '#o = :t',
              ExpressionAttributeNames: { '#o': 'open' },
              ExpressionAttributeValues: { ':t': true },
            },
          },
        ],
      }),
    );

    // Assess
    expect(await get(TABLE, pk, 'new')).toEqual({ pk, sk: 'new', v: 'x' });
    expect(await get(TABLE, pk, 'counter')).toEqual({ pk, sk: 'counter', n: 2 });
    expect(await get(TABLE, pk, 'old')).toBeUndefined();
    expect(await get(OTHER, pk, 'guard')).toEqual({ pk, sk: 'guard', open: true });
  });

  it('cancels the whole transaction when one condition fails, with reasons in item order', async () => {
    // Prepare
    const pk = partition('cancel');
    await doc.send(new PutCommand({ TableName: TABLE, Item: { pk, sk: 'taken', owner: 'bob' } }));

    // Act
    const error = await failureOf(
      doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: TABLE, Item: { pk, sk: 'a' } } },
            {
              Put: {
                TableName: TABLE,
                Item: { pk, sk: 'taken', owner: 'alice' },
                ConditionExpression: 'attribute_not_exists(pk)',
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
            {
              ConditionCheck: {
                TableName: TABLE,
                Key: { pk, sk: 'missing' },
                ConditionExpression: 'attribute_exists(pk)',
              },
            },
          ],
        }),
      ),
    );

    // Assess
    expect(error).toBeInstanceOf(TransactionCanceledException);
    const cancelled = error as TransactionCanceledException;
    expect(cancelled.message).toBe(
      'Transaction cancelled, please refer cancellation reasons for specific reasons [None, ConditionalCheckFailed, ConditionalCheckFailed]',
    );
    expect(cancelled.CancellationReasons).toEqual([
      { Code: 'None' },
      {
        Code: 'ConditionalCheckFailed',
        Message: 'The conditional request failed',
        Item: { pk: { S: pk }, sk: { S: 'taken' }, owner: { S: 'bob' } },
      },
      { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' },
    ]);
    expect(await get(TABLE, pk, 'a')).toBeUndefined();
    expect(await get(TABLE, pk, 'taken')).toEqual({ pk, sk: 'taken', owner: 'bob' });
  });

  it('rolls back the writes before one that fails as it is applied', async () => {
    // Prepare: `n` is a string, so adding to it fails only when the update runs.
    const pk = partition('rollback');
    await doc.send(new PutCommand({ TableName: TABLE, Item: { pk, sk: 'kept', v: 1 } }));
    await doc.send(new PutCommand({ TableName: TABLE, Item: { pk, sk: 'text', n: 'one' } }));

    // Act
    const error = await failureOf(
      doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: TABLE, Item: { pk, sk: 'kept', v: 2 } } },
            { Put: { TableName: TABLE, Item: { pk, sk: 'fresh' } } },
            {
              Update: {
                TableName: TABLE,
                Key: { pk, sk: 'text' },
                UpdateExpression: 'SET n = n + :one',
                ExpressionAttributeValues: { ':one': 1 },
              },
            },
          ],
        }),
      ),
    );

    // Assess
    expect(error).toBeInstanceOf(TransactionCanceledException);
    expect((error as TransactionCanceledException).CancellationReasons?.map((r) => r.Code)).toEqual([
      'None',
      'None',
      'ValidationError',
    ]);
    expect(await get(TABLE, pk, 'kept')).toEqual({ pk, sk: 'kept', v: 1 });
    expect(await get(TABLE, pk, 'fresh')).toBeUndefined();
    expect(await get(TABLE, pk, 'text')).toEqual({ pk, sk: 'text', n: 'one' });
  });

  it.each([
    ['no action', () => [], 'Member must have length greater than or equal to 1'],
    [
      'more than 100 actions',
      (pk: string) =>
        Array.from({ length: 101 }, (_, i) => ({ Put: { TableName: TABLE, Item: { pk, sk: `${i}` } } })),
      'Member must have length less than or equal to 100',
    ],
    [
      'two actions on one item',
      (pk: string) => [
        { Put: { TableName: TABLE, Item: { pk, sk: 'same' } } },
        {
          ConditionCheck: {
            TableName: TABLE,
            Key: { pk, sk: 'same' },
            ConditionExpression: 'attribute_exists(pk)',
          },
        },
      ],
      'Transaction request cannot include multiple operations on one item',
    ],
    [
      'an item over 400 KB',
      (pk: string) => [{ Put: { TableName: TABLE, Item: { pk, sk: 'big', data: 'x'.repeat(401 * 1024) } } }],
      'Item size has exceeded the maximum allowed size',
    ],
    [
      'items over 4 MB together',
      (pk: string) =>
        Array.from({ length: 11 }, (_, i) => ({
          Put: { TableName: TABLE, Item: { pk, sk: `${i}`, data: 'x'.repeat(390 * 1024) } },
        })),
      '4 MB',
    ],
    [
      'a condition expression that does not parse',
      (pk: string) => [
        { Put: { TableName: TABLE, Item: { pk, sk: 'a' }, ConditionExpression: 'attribute_exists(' } },
      ],
      'Invalid ConditionExpression',
    ],
  ])('refuses %s with a ValidationException and writes nothing', async (_name, items, message) => {
    // Prepare
    const pk = partition('invalid');

    // Act
    const error = await failureOf(doc.send(new TransactWriteCommand({ TransactItems: items(pk) as never })));

    // Assess
    expect(error).toMatchObject({ name: 'ValidationException', message: expect.stringContaining(message) });
    const left = await doc.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ConsistentRead: true,
      }),
    );
    expect(left.Items).toEqual([]);
  });

  it('answers the same token and request with the first result, without writing again', async () => {
    // Prepare
    const pk = partition('token');
    await doc.send(new PutCommand({ TableName: TABLE, Item: { pk, sk: 'count', n: 0 } }));
    const request = {
      ClientRequestToken: `token-${pk}`,
      TransactItems: [
        {
          Update: {
            TableName: TABLE,
            Key: { pk: { S: pk }, sk: { S: 'count' } },
            UpdateExpression: 'ADD n :one',
            ExpressionAttributeValues: { ':one': { N: '1' } },
          },
        },
      ],
    };

    // Act
    await ddb.send(new TransactWriteItemsCommand(request));
    await ddb.send(new TransactWriteItemsCommand(request));
    const mismatch = await failureOf(
      ddb.send(
        new TransactWriteItemsCommand({
          ...request,
          TransactItems: [{ Put: { TableName: TABLE, Item: { pk: { S: pk }, sk: { S: 'other' } } } }],
        }),
      ),
    );
    clockOffsetMs += 11 * 60 * 1000;
    await ddb.send(new TransactWriteItemsCommand(request));

    // Assess: twice within ten minutes is once; the token names a new request after that.
    expect(mismatch).toBeInstanceOf(IdempotentParameterMismatchException);
    expect(await get(TABLE, pk, 'count')).toEqual({ pk, sk: 'count', n: 2 });
    expect(await get(TABLE, pk, 'other')).toBeUndefined();
  });

  it('reads items together with TransactGetItems, with projections, in request order', async () => {
    // Prepare
    const pk = partition('get');
    await doc.send(new PutCommand({ TableName: TABLE, Item: { pk, sk: 'a', keep: 1, drop: 2 } }));
    await doc.send(new PutCommand({ TableName: OTHER, Item: { pk, sk: 'b', v: 'b' } }));

    // Act
    const out = await doc.send(
      new TransactGetCommand({
        TransactItems: [
          {
            Get: {
              TableName: TABLE,
              Key: { pk, sk: 'a' },
              ProjectionExpression: '#k',
              ExpressionAttributeNames: { '#k': 'keep' },
            },
          },
          { Get: { TableName: TABLE, Key: { pk, sk: 'missing' } } },
          { Get: { TableName: OTHER, Key: { pk, sk: 'b' } } },
        ],
      }),
    );
    const tooMany = await failureOf(
      doc.send(
        new TransactGetCommand({
          TransactItems: Array.from({ length: 101 }, (_, i) => ({
            Get: { TableName: TABLE, Key: { pk, sk: `${i}` } },
          })),
        }),
      ),
    );

    // Assess
    expect(out.Responses).toEqual([{ Item: { keep: 1 } }, {}, { Item: { pk, sk: 'b', v: 'b' } }]);
    expect(tooMany).toMatchObject({ name: 'ValidationException' });
  });

  it('never shows a transaction half-applied to concurrent reads and writes', async () => {
    // Each transaction moves one unit between two accounts of a pair; single writes touch a third
    // item of the partition. Any read of both accounts (TransactGet, or one BatchGet) must sum to the start.
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.record({ kind: fc.constant('move' as const), from: fc.boolean() }),
            fc.record({ kind: fc.constant('write' as const), value: fc.integer({ min: 0, max: 9 }) }),
            fc.constant({ kind: 'read' as const }),
          ),
          { minLength: 4, maxLength: 16 },
        ),
        async (steps) => {
          const pk = partition('concurrent');
          await doc.send(
            new TransactWriteCommand({
              TransactItems: [
                { Put: { TableName: TABLE, Item: { pk, sk: 'a', n: 10 } } },
                { Put: { TableName: OTHER, Item: { pk, sk: 'b', n: 10 } } },
              ],
            }),
          );
          const sums: number[] = [];
          await Promise.all(
            steps.map(async (step) => {
              if (step.kind === 'move') {
                const [from, to] = step.from ? [TABLE, OTHER] : [OTHER, TABLE];
                await doc.send(
                  new TransactWriteCommand({
                    TransactItems: [
                      {
                        Update: {
                          TableName: from,
                          Key: { pk, sk: from === TABLE ? 'a' : 'b' },
                          UpdateExpression: 'SET n = n - :one',
                          ExpressionAttributeValues: { ':one': 1 },
                        },
                      },
                      {
                        Update: {
                          TableName: to,
                          Key: { pk, sk: to === TABLE ? 'a' : 'b' },
                          UpdateExpression: 'SET n = n + :one',
                          ExpressionAttributeValues: { ':one': 1 },
                        },
                      },
                    ],
                  }),
                );
              } else if (step.kind === 'write') {
                await doc.send(
                  new UpdateCommand({
                    TableName: TABLE,
                    Key: { pk, sk: 'noise' },
                    UpdateExpression: 'SET v = :v',
                    ExpressionAttributeValues: { ':v': step.value },
                  }),
                );
              } else {
                const out = await doc.send(
                  new TransactGetCommand({
                    TransactItems: [
                      { Get: { TableName: TABLE, Key: { pk, sk: 'a' } } },
                      { Get: { TableName: OTHER, Key: { pk, sk: 'b' } } },
                    ],
                  }),
                );
                sums.push(Number(out.Responses?.[0]?.Item?.n) + Number(out.Responses?.[1]?.Item?.n));
                // One plain request reading both sides, which a torn commit would show.
                const batch = await doc.send(
                  new BatchGetCommand({
                    RequestItems: {
                      [TABLE]: { Keys: [{ pk, sk: 'a' }], ConsistentRead: true },
                      [OTHER]: { Keys: [{ pk, sk: 'b' }], ConsistentRead: true },
                    },
                  }),
                );
                sums.push(
                  Number(batch.Responses?.[TABLE]?.[0]?.n) + Number(batch.Responses?.[OTHER]?.[0]?.n),
                );
              }
            }),
          );
          const a = Number((await get(TABLE, pk, 'a'))?.n);
          const b = Number((await get(OTHER, pk, 'b'))?.n);
          const moves = steps.filter((s) => s.kind === 'move');
          const net = moves.reduce((sum, s) => sum + (s.kind === 'move' && s.from ? -1 : 1), 0);
          return sums.every((s) => s === 20) && a + b === 20 && a === 10 + net;
        },
      ),
      { numRuns: 25 },
    );
  });

  it('learns the key schema again when a table is recreated with another key', async () => {
    // Prepare: a transaction makes the table's key schema known, then the table is recreated.
    const TableName = 'transactions-recreated';
    const create = (key: string) =>
      ddb.send(
        new CreateTableCommand({
          TableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: key, AttributeType: 'S' }],
          KeySchema: [{ AttributeName: key, KeyType: 'HASH' }],
        }),
      );
    await create('id');
    await doc.send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName, Item: { id: 'a' } } }] }));
    await ddb.send(new DeleteTableCommand({ TableName }));
    await create('name');

    // Act
    await doc.send(
      new TransactWriteCommand({
        TransactItems: [{ Put: { TableName, Item: { name: 'b', id: 'ignored' } } }],
      }),
    );
    const missingKey = await failureOf(
      doc.send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName, Item: { id: 'c' } } }] })),
    );

    // Assess
    expect((await doc.send(new GetCommand({ TableName, Key: { name: 'b' } }))).Item).toEqual({
      name: 'b',
      id: 'ignored',
    });
    expect(missingKey).toMatchObject({
      name: 'ValidationException',
      message: 'One or more parameter values were invalid: Missing the key name in the item',
    });
  });

  it('authorizes a transaction per action: a role without PutItem may not put in one', async () => {
    // Prepare
    const pk = partition('iam');
    await doc.send(new PutCommand({ TableName: TABLE, Item: { pk, sk: 'seen', n: 0 } }));
    const restricted = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        ...edge.clientConfig,
        credentials: { accessKeyId: 'no-put', secretAccessKey: 'no-put-secret' },
        maxAttempts: 1,
      }),
    );
    const update = {
      Update: {
        TableName: TABLE,
        Key: { pk, sk: 'seen' },
        UpdateExpression: 'ADD n :one',
        ExpressionAttributeValues: { ':one': 1 },
      },
    };

    // Act
    const denied = await failureOf(
      restricted.send(
        new TransactWriteCommand({
          TransactItems: [update, { Put: { TableName: TABLE, Item: { pk, sk: 'new' } } }],
        }),
      ),
    );
    await restricted.send(new TransactWriteCommand({ TransactItems: [update] }));

    // Assess
    expect(denied).toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining('dynamodb:PutItem'),
    });
    expect(await get(TABLE, pk, 'new')).toBeUndefined();
    expect(await get(TABLE, pk, 'seen')).toEqual({ pk, sk: 'seen', n: 1 });
  });
});
