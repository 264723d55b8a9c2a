import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Approval, ApprovalExecution, ChatMessageRef } from '../../approvals/approval';
import type { ApprovalStore, DecisionToRecord, RecordDecisionResult } from '../../ports';
import { TABLE } from './table';

/**
 * Approvals in meshwarden's table. Each approval is one item (`APPROVAL#<id>` / `APPROVAL`);
 * while it is open (pending, or decided but not yet published) a small index item
 * (`APPROVAL#~open` / `<id>`) lets the expiry sweep find it with one Query instead of a
 * Scan. The table has no transactions locally (dynalite), so the two are written in an order
 * that heals: the index first, and an index item whose approval is missing or published is
 * removed by the sweep. Decisions are conditional writes: the first one wins.
 */

const RECORD_SK = 'APPROVAL';
/** `~` is outside the approval id alphabet, so this partition can never be an approval's. */
const OPEN_PK = 'APPROVAL#~open';
/** How long an index entry without its approval is left alone (its create may be in flight). */
const ORPHAN_GRACE_MS = 5 * 60_000;
/** Decided approvals are kept this long after their expiry for audit, then DynamoDB's TTL removes them. */
const RETENTION_SECONDS = 90 * 24 * 60 * 60;

const recordKey = (approvalId: string) => ({
  [TABLE.partitionKey]: `APPROVAL#${approvalId}`,
  [TABLE.sortKey]: RECORD_SK,
});
const openKey = (approvalId: string) => ({ [TABLE.partitionKey]: OPEN_PK, [TABLE.sortKey]: approvalId });

/** Attributes that are storage, not the approval. */
const STORAGE_ATTRIBUTES = new Set<string>([
  TABLE.partitionKey,
  TABLE.sortKey,
  TABLE.ttlAttribute,
  'expiresAtMs',
]);

function toApproval(item: Record<string, unknown>): Approval {
  return Object.fromEntries(
    Object.entries(item).filter(([k]) => !STORAGE_ATTRIBUTES.has(k)),
  ) as unknown as Approval;
}

export class DynamoDbApprovalStore implements ApprovalStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(approval: Approval): Promise<boolean> {
    const expiresAtMs = Date.parse(approval.expiresAt);
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...openKey(approval.approvalId), indexedAtMs: Date.now() },
      }),
    );
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...approval,
            ...recordKey(approval.approvalId),
            expiresAtMs,
            [TABLE.ttlAttribute]: Math.floor(expiresAtMs / 1000) + RETENTION_SECONDS,
          },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async get(approvalId: string): Promise<Approval | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: recordKey(approvalId), ConsistentRead: true }),
    );
    return Item === undefined ? undefined : toApproval(Item);
  }

  async attachMessage(approvalId: string, message: ChatMessageRef): Promise<void> {
    await this.set(approvalId, { message });
  }

  async recordDecision(
    approvalId: string,
    decision: DecisionToRecord,
    now: Date,
  ): Promise<RecordDecisionResult> {
    const values: Record<string, unknown> = {
      status: decision.status,
      decidedAt: decision.decidedAt,
      ...(decision.decidedBy === undefined ? {} : { decidedBy: decision.decidedBy }),
      ...(decision.click === undefined ? {} : { decidedByClick: decision.click }),
    };
    const names: Record<string, string> = { '#pk': TABLE.partitionKey, '#status': 'status' };
    const bound: Record<string, unknown> = { ':pending': 'pending' };
    const sets: string[] = [];
    for (const [i, [name, value]] of Object.entries(values).entries()) {
      names[`#a${i}`] = name;
      bound[`:v${i}`] = value;
      sets.push(`#a${i} = :v${i}`);
    }
    let condition = 'attribute_exists(#pk) AND #status = :pending';
    // An approve or reject must land before the expiry; expiring needs only that nobody decided.
    if (decision.status !== 'expired') {
      condition += ' AND expiresAtMs > :now';
      bound[':now'] = now.getTime();
    }
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: recordKey(approvalId),
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: bound,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { outcome: 'recorded', approval: toApproval(Attributes ?? {}) };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    const current = await this.get(approvalId);
    if (current === undefined) return { outcome: 'not-found' };
    if (current.status === 'pending') return { outcome: 'expired', approval: current };
    return { outcome: 'already-decided', approval: current };
  }

  async markPublished(approvalId: string): Promise<void> {
    await this.set(approvalId, { published: true });
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: openKey(approvalId) }));
  }

  async recordExecution(approvalId: string, execution: ApprovalExecution): Promise<void> {
    await this.set(approvalId, { execution });
  }

  async listOpen(): Promise<Approval[]> {
    const ids: { id: string; indexedAtMs: number }[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
          ExpressionAttributeValues: { ':pk': OPEN_PK },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? [])
        ids.push({ id: String(item[TABLE.sortKey]), indexedAtMs: Number(item.indexedAtMs ?? 0) });
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    const found = await Promise.all(
      ids.map(async (entry) => ({ ...entry, approval: await this.get(entry.id) })),
    );
    const open: Approval[] = [];
    for (const { id, indexedAtMs, approval } of found) {
      // A missing approval may be one whose create is still between its two writes: leave young entries.
      const orphan = approval === undefined && Date.now() - indexedAtMs > ORPHAN_GRACE_MS;
      if (orphan || approval?.published === true) {
        await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: openKey(id) }));
      } else if (approval !== undefined) {
        open.push(approval);
      }
    }
    return open;
  }

  /** Set top-level members of an existing approval. */
  private async set(approvalId: string, members: Record<string, unknown>): Promise<void> {
    const entries = Object.entries(members);
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: recordKey(approvalId),
        UpdateExpression: `SET ${entries.map((_, i) => `#m${i} = :m${i}`).join(', ')}`,
        ConditionExpression: 'attribute_exists(#pk)',
        ExpressionAttributeNames: {
          '#pk': TABLE.partitionKey,
          ...Object.fromEntries(entries.map(([name], i) => [`#m${i}`, name])),
        },
        ExpressionAttributeValues: Object.fromEntries(entries.map(([, value], i) => [`:m${i}`, value])),
      }),
    );
  }
}
