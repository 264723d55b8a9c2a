import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditLog, AuditRecord } from '../../ports';
import { changeControlKeys } from './change-control-keys';
import { deleteChunks, type ItemKey, packValue, unpackValue, writeChunks } from './large-value';

/**
 * Change-control decisions as `AUDIT#<mesh>` items sorted by `<event time>#<event id>`, so a
 * mesh's trail reads in time order and one event has exactly one record (a retry overwrites).
 * The decision and approval request are JSON text, compressed and chunked when a record would
 * not fit one item (a hold of a very large spec carries the whole proposed resource).
 */
export class DynamoAuditLog implements AuditLog {
  private readonly keys: ReturnType<typeof changeControlKeys>;

  /** `account`: the account whose meshes this store keeps state of (its keys name it). */
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly account: string,
  ) {
    this.keys = changeControlKeys(account);
  }

  async get(meshName: string, eventTime: string, eventId: string): Promise<AuditRecord | undefined> {
    const out = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: this.keys.audit(meshName, eventTime, eventId),
        ConsistentRead: true,
      }),
    );
    return out.Item === undefined ? undefined : this.recordOf(out.Item);
  }

  async put(record: AuditRecord): Promise<void> {
    const key = this.keys.audit(record.meshName, record.eventTime, record.eventId);
    const decision = packValue(key, 'decision', record.decision);
    const approval = record.approval === undefined ? undefined : packValue(key, 'approval', record.approval);
    await writeChunks(this.client, this.tableName, [...decision.chunks, ...(approval?.chunks ?? [])]);
    const { decision: _d, approval: _a, ...plain } = record;
    const out = await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...key,
          ...plain,
          account: this.account,
          ...decision.attributes,
          ...(approval?.attributes ?? {}),
          recordedAt: new Date().toISOString(),
        },
        ReturnValues: 'ALL_OLD',
      }),
    );
    // A retry rewrites the record: the chunks of the version it replaced are no longer named.
    for (const attribute of ['decision', 'approval']) {
      const old = out.Attributes;
      const now = attribute === 'decision' ? decision.attributes : approval?.attributes;
      if (old?.[`${attribute}Gen`] !== undefined && old[`${attribute}Gen`] !== now?.[`${attribute}Gen`]) {
        await deleteChunks(this.client, this.tableName, key, attribute, old);
      }
    }
  }

  async list(meshName: string, limit: number): Promise<AuditRecord[]> {
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': this.keys.auditPartition(meshName) },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return Promise.all((out.Items ?? []).map((item) => this.recordOf(item)));
  }

  private async recordOf(item: Record<string, unknown>): Promise<AuditRecord> {
    const key: ItemKey = { pk: String(item.pk), sk: String(item.sk) };
    const decision = await unpackValue(this.client, this.tableName, key, item, 'decision');
    const approval = await unpackValue(this.client, this.tableName, key, item, 'approval');
    return {
      account: this.account,
      meshName: String(item.meshName),
      eventId: String(item.eventId),
      eventTime: String(item.eventTime),
      decision: (decision ?? {}) as Record<string, unknown>,
      outcome: item.outcome as AuditRecord['outcome'],
      published: item.published === true,
      ...(typeof item.error === 'string' ? { error: item.error } : {}),
      ...(approval === undefined ? {} : { approval: approval as Record<string, unknown> }),
    };
  }
}
