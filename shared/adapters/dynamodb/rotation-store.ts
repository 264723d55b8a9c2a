import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../../errors';
import type { RotationStore, VersionedRecord } from '../../ports';
import { certificateServiceError } from '../acm-pca/errors';
import { TABLE } from './table';

/** Rotation items carry one sort key: a certificate (or rollover) has one current record. */
const SORT_KEY = 'STATE';

/**
 * Rotation and rollover records in the state table (`ROTATION#...`). Writes are conditional on
 * the version (dynalite has no transactions, and none are needed: one item per certificate).
 */
export class DynamoRotationStore implements RotationStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get<R extends VersionedRecord>(key: string): Promise<R | undefined> {
    try {
      const { Item } = await this.client.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { [TABLE.partitionKey]: key, [TABLE.sortKey]: SORT_KEY },
          ConsistentRead: true,
        }),
      );
      if (Item === undefined) return undefined;
      const { [TABLE.partitionKey]: _pk, [TABLE.sortKey]: _sk, ...record } = Item;
      return record as R;
    } catch (error) {
      throw certificateServiceError(error, `DynamoDB GetItem ${key}`);
    }
  }

  async put<R extends VersionedRecord>(key: string, record: R): Promise<void> {
    const first = record.version === 1;
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...record, [TABLE.partitionKey]: key, [TABLE.sortKey]: SORT_KEY },
          ConditionExpression: first ? 'attribute_not_exists(#pk)' : '#version = :previous',
          ExpressionAttributeNames: first ? { '#pk': TABLE.partitionKey } : { '#version': 'version' },
          ...(first ? {} : { ExpressionAttributeValues: { ':previous': record.version - 1 } }),
        }),
      );
    } catch (error) {
      if (
        error instanceof ConditionalCheckFailedException ||
        (error as Error).name === 'ConditionalCheckFailedException'
      )
        throw new ConflictError(
          `${key} was written by another run (expected version ${record.version - 1})`,
          {
            cause: error,
          },
        );
      throw certificateServiceError(error, `DynamoDB PutItem ${key}`);
    }
  }
}
