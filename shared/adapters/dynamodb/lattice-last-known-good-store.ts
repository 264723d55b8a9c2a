import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type {
  LatticeLastKnownGood,
  LatticeLastKnownGoodStore,
} from '../../providers/vpc-lattice/change-control/lattice-state';
import { accountKey } from './account-keys';

interface Item {
  readonly state: string;
  readonly eventId: string;
  readonly recordedAt: string;
  readonly source: LatticeLastKnownGood['source'];
}

/**
 * Last known good states of VPC Lattice resources as `LATTICE_LKG#<resource key>` items, per
 * account (the key names the service network first). The state is JSON text so it comes back
 * exactly as written; a Lattice rule, default action or auth policy (at most 10 KB) fits one item.
 */
export class DynamoLatticeLastKnownGoodStore implements LatticeLastKnownGoodStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly account: string,
  ) {}

  private key(resourceKey: string) {
    return { pk: accountKey(this.account, `LATTICE_LKG#${resourceKey}`), sk: 'LKG' };
  }

  private item(record: LatticeLastKnownGood): Record<string, unknown> {
    return {
      ...this.key(record.resourceKey),
      state: JSON.stringify(record.state),
      eventId: record.eventId,
      recordedAt: record.recordedAt,
      source: record.source,
    };
  }

  async get(resourceKey: string): Promise<LatticeLastKnownGood | undefined> {
    const out = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: this.key(resourceKey), ConsistentRead: true }),
    );
    const item = out.Item as Item | undefined;
    if (item === undefined) return undefined;
    return {
      resourceKey,
      state: JSON.parse(item.state) as LatticeLastKnownGood['state'],
      eventId: item.eventId,
      recordedAt: item.recordedAt,
      source: item.source,
    };
  }

  async put(record: LatticeLastKnownGood): Promise<void> {
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: this.item(record) }));
  }

  async putIfAbsent(record: LatticeLastKnownGood): Promise<boolean> {
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
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: this.key(resourceKey) }));
  }
}
