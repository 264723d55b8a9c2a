import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Deployment, RouteRecord } from '../../deployments/model';
import { ConflictError } from '../../errors';
import type { DeploymentStore } from '../../ports';
import { accountKey } from './account-keys';
import { TABLE } from './table';

/**
 * The deployment guard's items in meshwarden's table, within one account's part of it
 * (`<account>#...`, see account-keys.ts):
 * - `DEPLOY#ROUTES` / `<routeKey>`: one record per route (weights last seen, latest deployment),
 *   so listing every guarded route is one Query and the rollback path one read.
 * - `DEPLOY#HISTORY#<routeKey>` / `<startedAt>#<deploymentId>`: finished deployments, kept
 *   for a year (TTL `expiration`).
 */
const routesPk = (account: string) => accountKey(account, 'DEPLOY#ROUTES');
const historyPk = (account: string, routeKey: string) => accountKey(account, `DEPLOY#HISTORY#${routeKey}`);
const HISTORY_DAYS = 365;

interface RouteItem {
  readonly record: RouteRecord;
  readonly version: number;
}

function recordOf(item: Record<string, unknown> | undefined): RouteRecord | undefined {
  if (item === undefined) return undefined;
  const { record, version } = item as unknown as RouteItem;
  return { ...record, version };
}

/** DynamoDB DeploymentStore: conditional writes on `version` (dynalite has no transactions). */
export class DynamoDbDeploymentStore implements DeploymentStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** The account whose routes this store keeps deployments of (its keys name it). */
    private readonly account: string,
  ) {}

  async get(routeKey: string): Promise<RouteRecord | undefined> {
    const out = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { [TABLE.partitionKey]: routesPk(this.account), [TABLE.sortKey]: routeKey },
        ConsistentRead: true,
      }),
    );
    return recordOf(out.Item);
  }

  async list(): Promise<RouteRecord[]> {
    const records: RouteRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
          ExpressionAttributeValues: { ':pk': routesPk(this.account) },
          ConsistentRead: true,
          ...(start === undefined ? {} : { ExclusiveStartKey: start }),
        }),
      );
      for (const item of out.Items ?? []) {
        const record = recordOf(item);
        if (record !== undefined) records.push(record);
      }
      start = out.LastEvaluatedKey;
    } while (start !== undefined);
    return records;
  }

  async save(record: RouteRecord): Promise<RouteRecord> {
    const version = record.version + 1;
    const { version: _v, ...body } = record;
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            [TABLE.partitionKey]: routesPk(this.account),
            [TABLE.sortKey]: record.routeKey,
            version,
            status: record.deployment?.status ?? 'none',
            record: body,
          },
          ...(record.version === 0
            ? {
                ConditionExpression: 'attribute_not_exists(#pk)',
                ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
              }
            : {
                ConditionExpression: '#version = :expected',
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':expected': record.version },
              }),
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new ConflictError(`the record of ${record.routeKey} changed since version ${record.version}`, {
          cause: error,
        });
      }
      throw error;
    }
    return { ...record, version };
  }

  async archive(routeKey: string, deployment: Deployment): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          [TABLE.partitionKey]: historyPk(this.account, routeKey),
          [TABLE.sortKey]: `${deployment.startedAt}#${deployment.deploymentId}`,
          deployment,
          [TABLE.ttlAttribute]: Math.floor(Date.now() / 1000) + HISTORY_DAYS * 86_400,
        },
      }),
    );
  }

  async history(routeKey: string, limit: number): Promise<Deployment[]> {
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
        ExpressionAttributeValues: { ':pk': historyPk(this.account, routeKey) },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (out.Items ?? []).map((item) => (item as { deployment: Deployment }).deployment);
  }
}
