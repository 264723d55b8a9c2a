import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbService } from '../../../infra/local/services/dynamodb/dynamodb-service';
import { startTestEdge, type TestEdge } from '../../support/local-edge';

const TABLE = 'meshwarden-state';

/** Settle a call that should fail, so the error is asserted after acting. */
const failureOf = (call: Promise<unknown>): Promise<unknown> =>
  call.then(
    () => new Error('expected the call to fail'),
    (error: unknown) => error,
  );

async function startDynamo(dataDir: string) {
  const edge = await startTestEdge((context) => [new DynamoDbService(context)], { dataDir });
  const ddb = new DynamoDBClient({ ...edge.clientConfig, maxAttempts: 1 });
  return { edge, ddb, doc: DynamoDBDocumentClient.from(ddb) };
}

describe('local DynamoDB (dynalite behind the edge)', () => {
  let dataDir: string;
  let edge: TestEdge;
  let ddb: DynamoDBClient;
  let doc: DynamoDBDocumentClient;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'dynamodb-'));
    ({ edge, ddb, doc } = await startDynamo(dataDir));
    await ddb.send(
      new CreateTableCommand({
        TableName: TABLE,
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
  });
  afterAll(async () => {
    await edge.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('puts and gets an item through the document client', async () => {
    // Prepare
    const item = { pk: 'mesh#prod', sk: 'spec#v1', weights: { blue: 90, green: 10 }, tags: ['a', 'b'] };

    // Act
    await doc.send(new PutCommand({ TableName: TABLE, Item: item }));
    const out = await doc.send(new GetCommand({ TableName: TABLE, Key: { pk: 'mesh#prod', sk: 'spec#v1' } }));

    // Assess
    expect(out.Item).toEqual(item);
  });

  it('refuses a conditional put on an existing key with ConditionalCheckFailedException', async () => {
    // Prepare
    const key = { pk: 'approval#1', sk: 'decision' };
    await doc.send(
      new PutCommand({
        TableName: TABLE,
        Item: { ...key, by: 'priya' },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );

    // Act
    const second = await failureOf(
      doc.send(
        new PutCommand({
          TableName: TABLE,
          Item: { ...key, by: 'omar' },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      ),
    );
    const stored = await doc.send(new GetCommand({ TableName: TABLE, Key: key }));

    // Assess
    expect(second).toBeInstanceOf(ConditionalCheckFailedException);
    expect(stored.Item?.by).toBe('priya');
  });

  it('applies an update expression with a condition on the current value', async () => {
    // Prepare
    const key = { pk: 'deploy#1', sk: 'state' };
    await doc.send(new PutCommand({ TableName: TABLE, Item: { ...key, step: 1 } }));

    // Act
    await doc.send(
      new UpdateCommand({
        TableName: TABLE,
        Key: key,
        UpdateExpression: 'SET step = step + :one',
        ConditionExpression: 'step = :expected',
        ExpressionAttributeValues: { ':one': 1, ':expected': 1 },
      }),
    );
    const stale = await failureOf(
      doc.send(
        new UpdateCommand({
          TableName: TABLE,
          Key: key,
          UpdateExpression: 'SET step = step + :one',
          ConditionExpression: 'step = :expected',
          ExpressionAttributeValues: { ':one': 1, ':expected': 1 },
        }),
      ),
    );

    // Assess
    expect(stale).toBeInstanceOf(ConditionalCheckFailedException);
    expect((await doc.send(new GetCommand({ TableName: TABLE, Key: key }))).Item?.step).toBe(2);
  });

  it('queries by partition key in sort key order', async () => {
    // Prepare
    for (const sk of ['audit#3', 'audit#1', 'audit#2']) {
      await doc.send(new PutCommand({ TableName: TABLE, Item: { pk: 'mesh#audit', sk } }));
    }

    // Act
    const out = await doc.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'mesh#audit' },
      }),
    );

    // Assess
    expect(out.Items?.map((i) => i.sk)).toEqual(['audit#1', 'audit#2', 'audit#3']);
  });

  it('answers ResourceNotFoundException for a table that does not exist', async () => {
    const error = await failureOf(
      doc.send(new GetCommand({ TableName: 'no-such-table', Key: { pk: 'x', sk: 'y' } })),
    );

    expect(error).toBeInstanceOf(ResourceNotFoundException);
  });

  it('says plainly which operations dynalite does not implement', async () => {
    // Act
    const ttl = await failureOf(
      ddb.send(
        new UpdateTimeToLiveCommand({
          TableName: TABLE,
          TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        }),
      ),
    );
    const described = await ddb.send(new DescribeTimeToLiveCommand({ TableName: TABLE }));

    // Assess
    expect(ttl).toMatchObject({
      name: 'UnknownOperationException',
      message: expect.stringContaining('UpdateTimeToLive'),
    });
    expect(described.TimeToLiveDescription?.TimeToLiveStatus).toBe('DISABLED');
  });

  it('keeps tables and items on disk across a restart', async () => {
    // Prepare
    await doc.send(new PutCommand({ TableName: TABLE, Item: { pk: 'persist', sk: '1', value: 'kept' } }));
    await edge.close();

    // Act
    ({ edge, ddb, doc } = await startDynamo(dataDir));
    const out = await doc.send(new GetCommand({ TableName: TABLE, Key: { pk: 'persist', sk: '1' } }));

    // Assess
    expect(out.Item?.value).toBe('kept');
  });
});
