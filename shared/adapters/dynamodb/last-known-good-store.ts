import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { MeshResource } from '../../domain/mesh';
import type { LastKnownGood, LastKnownGoodStore } from '../../ports';
import { CHANGE_CONTROL_KEYS } from './change-control-keys';

interface Item {
  readonly resource: string;
  readonly version: number;
  readonly eventId: string;
  readonly recordedAt: string;
  readonly source: LastKnownGood['source'];
  readonly ownWrite?: LastKnownGood['ownWrite'];
}

/**
 * Last known good specs as `LKG#<resource key>` items. The resource is stored as JSON text so
 * it comes back exactly as written (DynamoDB would drop empty lists and maps' key order).
 */
export class DynamoLastKnownGoodStore implements LastKnownGoodStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(resourceKey: string): Promise<LastKnownGood | undefined> {
    const out = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: CHANGE_CONTROL_KEYS.lastKnownGood(resourceKey),
        ConsistentRead: true,
      }),
    );
    const item = out.Item as Item | undefined;
    if (item === undefined) return undefined;
    return {
      resourceKey,
      resource: JSON.parse(item.resource) as MeshResource,
      version: item.version,
      eventId: item.eventId,
      recordedAt: item.recordedAt,
      source: item.source,
      ...(item.ownWrite === undefined ? {} : { ownWrite: item.ownWrite }),
    };
  }

  private item(record: LastKnownGood): Record<string, unknown> {
    return {
      ...CHANGE_CONTROL_KEYS.lastKnownGood(record.resourceKey),
      resource: JSON.stringify(record.resource),
      version: record.version,
      eventId: record.eventId,
      recordedAt: record.recordedAt,
      source: record.source,
      ...(record.ownWrite === undefined ? {} : { ownWrite: record.ownWrite }),
      uid: record.resource.metadata?.uid ?? '',
    };
  }

  async put(record: LastKnownGood): Promise<void> {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: this.item(record),
          // A late event must not replace a newer last known good of the same incarnation; a
          // recreated resource (new uid) restarts its versions at 1.
          ConditionExpression:
            'attribute_not_exists(pk) OR attribute_not_exists(uid) OR uid <> :uid OR version <= :v',
          ExpressionAttributeValues: { ':v': record.version, ':uid': record.resource.metadata?.uid ?? '' },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async putIfAbsent(record: LastKnownGood): Promise<boolean> {
    // Read first: most resources have a record already, and a read is cheaper than a refused write.
    const existing = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: CHANGE_CONTROL_KEYS.lastKnownGood(record.resourceKey),
        ProjectionExpression: 'pk',
      }),
    );
    if (existing.Item !== undefined) return false;
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: this.item(record),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async delete(resourceKey: string): Promise<void> {
    await this.client.send(
      new DeleteCommand({ TableName: this.tableName, Key: CHANGE_CONTROL_KEYS.lastKnownGood(resourceKey) }),
    );
  }
}
