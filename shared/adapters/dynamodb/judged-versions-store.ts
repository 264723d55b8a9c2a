import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { JudgedVersion, JudgedVersionStore } from '../../ports';
import { changeControlKeys } from './change-control-keys';
import type { TransactItem } from './decision-committer';

/** The highest judged version per resource as `JUDGED#<resource key>` items; only ever raised. */
export class DynamoJudgedVersionStore implements JudgedVersionStore {
  private readonly keys: ReturnType<typeof changeControlKeys>;

  /** `account`: the account whose meshes this store keeps state of (its keys name it). */
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    account: string,
  ) {
    this.keys = changeControlKeys(account);
  }

  async get(resourceKey: string): Promise<JudgedVersion | undefined> {
    const out = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: this.keys.judged(resourceKey),
        ConsistentRead: true,
      }),
    );
    const { version, uid } = out.Item ?? {};
    return typeof version === 'number' && typeof uid === 'string' ? { uid, version } : undefined;
  }

  async record(resourceKey: string, judged: JudgedVersion, eventId: string): Promise<void> {
    try {
      await this.client.send(new PutCommand(this.transactRecord(resourceKey, judged, eventId).Put));
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /** `record` as one action of a transaction: refused (ConditionalCheckFailed) where `record` would keep the stored version. */
  transactRecord(
    resourceKey: string,
    judged: JudgedVersion,
    eventId: string,
  ): Required<Pick<TransactItem, 'Put'>> {
    return {
      Put: {
        TableName: this.tableName,
        Item: {
          ...this.keys.judged(resourceKey),
          uid: judged.uid,
          version: judged.version,
          eventId,
          judgedAt: new Date().toISOString(),
        },
        // Concurrent events for one resource: the higher version wins, whatever the order; a
        // recreated resource (new uid) starts again at version 1.
        ConditionExpression: 'attribute_not_exists(pk) OR uid <> :uid OR version < :v',
        ExpressionAttributeValues: { ':v': judged.version, ':uid': judged.uid },
      },
    };
  }
}
