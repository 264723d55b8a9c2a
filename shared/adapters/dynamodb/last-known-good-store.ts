import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { LastKnownGood, LastKnownGoodStore } from '../../ports';
import type { MeshResource } from '../../providers/appmesh/model';
import { changeControlKeys } from './change-control-keys';
import type { TransactItem } from './decision-committer';
import { deleteChunks, type PackedValue, packValue, unpackValue, writeChunks } from './large-value';

/**
 * A late event must not replace a newer last known good of the same incarnation; a recreated
 * resource (new uid) restarts its versions at 1.
 */
const NEWER_OR_SAME_INCARNATION =
  'attribute_not_exists(pk) OR attribute_not_exists(uid) OR uid <> :uid OR version <= :v';

interface Item {
  readonly version: number;
  readonly eventId: string;
  readonly recordedAt: string;
  readonly source: LastKnownGood['source'];
  readonly ownWrite?: LastKnownGood['ownWrite'];
}

/**
 * Last known good specs as `LKG#<resource key>` items. The resource is stored as JSON text so
 * it comes back exactly as written (DynamoDB would drop empty lists and maps' key order);
 * a resource too large for one item is compressed and, if need be, chunked (large-value.ts).
 */
export class DynamoLastKnownGoodStore implements LastKnownGoodStore {
  private readonly keys: ReturnType<typeof changeControlKeys>;

  /** `account`: the account whose meshes this store keeps state of (its keys name it). */
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    account: string,
  ) {
    this.keys = changeControlKeys(account);
  }

  async get(resourceKey: string): Promise<LastKnownGood | undefined> {
    const out = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: this.keys.lastKnownGood(resourceKey),
        ConsistentRead: true,
      }),
    );
    const item = out.Item as Item | undefined;
    if (item === undefined) return undefined;
    const resource = (await unpackValue(
      this.client,
      this.tableName,
      this.keys.lastKnownGood(resourceKey),
      item as unknown as Record<string, unknown>,
      'resource',
    )) as MeshResource | undefined;
    if (resource === undefined) return undefined;
    return {
      resourceKey,
      resource,
      version: item.version,
      eventId: item.eventId,
      recordedAt: item.recordedAt,
      source: item.source,
      ...(item.ownWrite === undefined ? {} : { ownWrite: item.ownWrite }),
    };
  }

  private packed(record: LastKnownGood): PackedValue {
    return packValue(this.keys.lastKnownGood(record.resourceKey), 'resource', record.resource);
  }

  private item(record: LastKnownGood, packed: PackedValue): Record<string, unknown> {
    return {
      ...this.keys.lastKnownGood(record.resourceKey),
      ...packed.attributes,
      version: record.version,
      eventId: record.eventId,
      recordedAt: record.recordedAt,
      source: record.source,
      ...(record.ownWrite === undefined ? {} : { ownWrite: record.ownWrite }),
      uid: record.resource.metadata?.uid ?? '',
    };
  }

  async put(record: LastKnownGood): Promise<void> {
    const key = this.keys.lastKnownGood(record.resourceKey);
    const packed = this.packed(record);
    await writeChunks(this.client, this.tableName, packed.chunks);
    try {
      const out = await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: this.item(record, packed),
          ReturnValues: 'ALL_OLD',
          ConditionExpression: NEWER_OR_SAME_INCARNATION,
          ExpressionAttributeValues: { ':v': record.version, ':uid': record.resource.metadata?.uid ?? '' },
        }),
      );
      await deleteChunks(this.client, this.tableName, key, 'resource', out.Attributes);
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      await deleteChunks(this.client, this.tableName, key, 'resource', packed.attributes);
    }
  }

  /**
   * `put` as one action of a transaction, or undefined when the resource needs chunks. Refused
   * (ConditionalCheckFailed) where `put` would keep the stored record, and where the stored
   * record names chunks, which only `put` can delete.
   */
  transactPut(record: LastKnownGood): TransactItem | undefined {
    const packed = this.packed(record);
    if (packed.chunks.length > 0) return undefined;
    return {
      Put: {
        TableName: this.tableName,
        Item: this.item(record, packed),
        ConditionExpression: `(${NEWER_OR_SAME_INCARNATION}) AND attribute_not_exists(resourceGen)`,
        ExpressionAttributeValues: { ':v': record.version, ':uid': record.resource.metadata?.uid ?? '' },
      },
    };
  }

  /** `delete` as one action of a transaction; refused where the stored record names chunks. */
  transactDelete(resourceKey: string): TransactItem {
    return {
      Delete: {
        TableName: this.tableName,
        Key: this.keys.lastKnownGood(resourceKey),
        ConditionExpression: 'attribute_not_exists(resourceGen)',
      },
    };
  }

  async putIfAbsent(record: LastKnownGood): Promise<boolean> {
    // Read first: most resources have a record already, and a read is cheaper than a refused write.
    const existing = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: this.keys.lastKnownGood(record.resourceKey),
        ProjectionExpression: 'pk',
      }),
    );
    if (existing.Item !== undefined) return false;
    const packed = this.packed(record);
    await writeChunks(this.client, this.tableName, packed.chunks);
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: this.item(record, packed),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const key = this.keys.lastKnownGood(record.resourceKey);
      await deleteChunks(this.client, this.tableName, key, 'resource', packed.attributes);
      return false;
    }
  }

  async delete(resourceKey: string): Promise<void> {
    const key = this.keys.lastKnownGood(resourceKey);
    const out = await this.client.send(
      new DeleteCommand({ TableName: this.tableName, Key: key, ReturnValues: 'ALL_OLD' }),
    );
    await deleteChunks(this.client, this.tableName, key, 'resource', out.Attributes);
  }
}
