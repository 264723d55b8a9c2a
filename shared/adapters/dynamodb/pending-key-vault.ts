import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { PendingKeyRef, PendingKeyVault } from '../../ports';
import { certificateServiceError } from '../acm-pca/errors';
import type { EncryptionContext, KmsEnvelope, SealedValue } from '../kms/envelope';
import { TABLE } from './table';

/**
 * New private keys waiting for their certificate to be delivered: one item per rotation next
 * to the rotation record (its key, sort key `PENDING-KEY#<rotation id>`), holding the
 * key sealed with KMS (see envelope.ts), never the PEM. The item carries the table's TTL, so
 * a rotation that stalls and is never resumed does not keep even the ciphertext; DynamoDB
 * deletes expired items only eventually, so one read past its expiry counts as gone.
 */

/** The encryption context of a pending key: the rotation it belongs to, so it opens for no other. */
function contextOf(ref: PendingKeyRef): EncryptionContext {
  return { purpose: 'meshwarden-pending-private-key', record: ref.recordKey, rotationId: ref.rotationId };
}

interface PendingKeyItem {
  readonly sealed: SealedValue;
  /** The table's TTL attribute: epoch seconds. */
  readonly [TABLE.ttlAttribute]: number;
  readonly createdAt: string;
}

export class DynamoPendingKeyVault implements PendingKeyVault {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly envelope: KmsEnvelope,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private key(ref: PendingKeyRef) {
    return {
      [TABLE.partitionKey]: ref.recordKey,
      [TABLE.sortKey]: `PENDING-KEY#${ref.rotationId}`,
    };
  }

  async keep(ref: PendingKeyRef, privateKeyPem: string, expiresAt: Date): Promise<void> {
    const sealed = await this.envelope.seal(Buffer.from(privateKeyPem, 'utf8'), contextOf(ref));
    const item: PendingKeyItem = {
      sealed,
      [TABLE.ttlAttribute]: Math.floor(expiresAt.getTime() / 1000),
      createdAt: this.now().toISOString(),
    };
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...item, ...this.key(ref) },
          // A rotation id is fresh: a second key for it would be a bug, never overwrite the first.
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
        }),
      );
    } catch (error) {
      throw certificateServiceError(error, `DynamoDB PutItem pending key of ${ref.rotationId}`);
    }
  }

  async open(ref: PendingKeyRef): Promise<string | undefined> {
    let item: PendingKeyItem | undefined;
    try {
      const out = await this.client.send(
        new GetCommand({ TableName: this.tableName, Key: this.key(ref), ConsistentRead: true }),
      );
      item = out.Item as PendingKeyItem | undefined;
    } catch (error) {
      throw certificateServiceError(error, `DynamoDB GetItem pending key of ${ref.rotationId}`);
    }
    if (item === undefined) return undefined;
    if (item[TABLE.ttlAttribute] * 1000 <= this.now().getTime()) {
      await this.discard(ref);
      return undefined;
    }
    return (await this.envelope.open(item.sealed, contextOf(ref))).toString('utf8');
  }

  async discard(ref: PendingKeyRef): Promise<void> {
    try {
      await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: this.key(ref) }));
    } catch (error) {
      throw certificateServiceError(error, `DynamoDB DeleteItem pending key of ${ref.rotationId}`);
    }
  }
}
