import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditLog, AuditRecord } from '../../ports';
import { CHANGE_CONTROL_KEYS } from './change-control-keys';

/**
 * Change-control decisions as `AUDIT#<mesh>` items sorted by `<event time>#<event id>`, so a
 * mesh's trail reads in time order and one event has exactly one record (a retry overwrites).
 */
export class DynamoAuditLog implements AuditLog {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(meshName: string, eventTime: string, eventId: string): Promise<AuditRecord | undefined> {
    const out = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: CHANGE_CONTROL_KEYS.audit(meshName, eventTime, eventId),
        ConsistentRead: true,
      }),
    );
    return out.Item === undefined ? undefined : recordOf(out.Item);
  }

  async put(record: AuditRecord): Promise<void> {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...CHANGE_CONTROL_KEYS.audit(record.meshName, record.eventTime, record.eventId),
          ...record,
          decision: JSON.stringify(record.decision),
          ...(record.approval === undefined ? {} : { approval: JSON.stringify(record.approval) }),
          recordedAt: new Date().toISOString(),
        },
      }),
    );
  }

  async list(meshName: string, limit: number): Promise<AuditRecord[]> {
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': CHANGE_CONTROL_KEYS.auditPartition(meshName) },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (out.Items ?? []).map(recordOf);
  }
}

function recordOf(item: Record<string, unknown>): AuditRecord {
  return {
    meshName: String(item.meshName),
    eventId: String(item.eventId),
    eventTime: String(item.eventTime),
    decision: JSON.parse(String(item.decision)) as Record<string, unknown>,
    outcome: item.outcome as AuditRecord['outcome'],
    published: item.published === true,
    ...(typeof item.error === 'string' ? { error: item.error } : {}),
    ...(typeof item.approval === 'string'
      ? { approval: JSON.parse(item.approval) as Record<string, unknown> }
      : {}),
  };
}
