import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { BadRequestError } from '../../errors';
import type { AuditLog, AuditPage, AuditPageQuery, AuditReader, AuditRecord } from '../../ports';
import * as z from '../../schema';
import { changeControlKeys } from './change-control-keys';
import type { TransactItem } from './decision-committer';
import { deleteChunks, type ItemKey, packValue, unpackValue, writeChunks } from './large-value';
import { TABLE } from './table';

const INDEX = TABLE.auditIndex;

/** The attributes the API filters on, copied out of the (packed) decision. */
function searchable(decision: Readonly<Record<string, unknown>>): Record<string, string> {
  const principal = (decision.principal ?? {}) as { arn?: unknown; label?: unknown };
  const out: Record<string, string> = {};
  if (typeof decision.resourceKey === 'string') out.resourceKey = decision.resourceKey;
  if (typeof principal.arn === 'string') out.principalArn = principal.arn;
  if (typeof principal.label === 'string') out.principalLabel = principal.label;
  return out;
}

/** A page cursor is untrusted input: only these key shapes, naming the partition queried. */
const cursorSchema = z.union([
  z.strictObject({
    pk: z.string(),
    sk: z.string(),
    [INDEX.partitionKey]: z.string(),
    [INDEX.sortKey]: z.string(),
  }),
  z.strictObject({ pk: z.string(), sk: z.string() }),
]);

function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key === undefined ? undefined : Buffer.from(JSON.stringify(key)).toString('base64url');
}

function decodeCursor(cursor: string, partition: { name: string; value: string }): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new BadRequestError('cursor: not a cursor this API returned');
  }
  const key = cursorSchema.safeParse(parsed);
  if (!key.success || (key.data as Record<string, string>)[partition.name] !== partition.value) {
    throw new BadRequestError(
      'cursor: not a cursor of this query (pass the same filters as the page it came from)',
    );
  }
  return key.data as Record<string, string>;
}

/**
 * Change-control decisions as `AUDIT#<mesh>` items sorted by `<event time>#<event id>`, so a
 * mesh's trail reads in time order and one event has exactly one record (a retry overwrites).
 * The decision and approval request are JSON text, compressed and chunked when a record would
 * not fit one item (a hold of a very large spec carries the whole proposed resource).
 */
export class DynamoAuditLog implements AuditLog, AuditReader {
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

  /** The head item of a record, and the packed values (with any chunks) it names. */
  private head(record: AuditRecord) {
    const key = this.keys.audit(record.meshName, record.eventTime, record.eventId);
    const decision = packValue(key, 'decision', record.decision);
    const approval = record.approval === undefined ? undefined : packValue(key, 'approval', record.approval);
    const { decision: _d, approval: _a, ...plain } = record;
    const item = {
      ...key,
      ...plain,
      account: this.account,
      ...decision.attributes,
      ...(approval?.attributes ?? {}),
      ...searchable(record.decision),
      [INDEX.partitionKey]: this.keys.auditTimeline,
      [INDEX.sortKey]: `${record.eventTime}#${record.meshName}#${record.eventId}`,
      recordedAt: new Date().toISOString(),
    };
    return { key, decision, approval, item };
  }

  async put(record: AuditRecord): Promise<void> {
    const { key, decision, approval, item } = this.head(record);
    await writeChunks(this.client, this.tableName, [...decision.chunks, ...(approval?.chunks ?? [])]);
    const out = await this.client.send(
      new PutCommand({ TableName: this.tableName, Item: item, ReturnValues: 'ALL_OLD' }),
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

  /**
   * The record's put as one action of a transaction, or undefined when its values need chunks
   * (written before their head, which one transaction cannot order). A transaction returns no
   * old item, so the put is refused (ConditionalCheckFailed) where the record it would replace
   * names chunks: only `put` can delete those.
   */
  transactPut(record: AuditRecord): TransactItem | undefined {
    const { decision, approval, item } = this.head(record);
    if (decision.chunks.length > 0 || (approval?.chunks.length ?? 0) > 0) return undefined;
    return {
      Put: {
        TableName: this.tableName,
        Item: item,
        ConditionExpression: 'attribute_not_exists(decisionGen) AND attribute_not_exists(approvalGen)',
      },
    };
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

  /**
   * One page of decisions of one account (this store's unless the query names another), newest
   * first: a Query of the mesh's partition when a mesh is named, of the account's partition of
   * the time-ordered index otherwise. Filters on resource and principal apply within the
   * page, so a page may hold fewer than `limit` records and still have a cursor.
   */
  async page(query: AuditPageQuery): Promise<AuditPage> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const filters: string[] = [];
    const account = query.account ?? this.account;
    const keys = account === this.account ? this.keys : changeControlKeys(account);
    const oneMesh = query.meshName !== undefined;
    const [pkName, skName] = oneMesh ? ['pk', 'sk'] : [INDEX.partitionKey, INDEX.sortKey];
    names['#pk'] = pkName;
    values[':pk'] = oneMesh ? keys.auditPartition(query.meshName as string) : keys.auditTimeline;
    let keyCondition = '#pk = :pk';
    // Sort keys start with the event time, so time bounds are key conditions; `#~` sorts after
    // every `#<rest>` of an event at exactly `until`.
    const lower = query.since;
    const upper = query.until === undefined ? undefined : `${query.until}#~`;
    if (lower !== undefined || upper !== undefined) names['#sk'] = skName;
    if (lower !== undefined && upper !== undefined) {
      keyCondition += ' AND #sk BETWEEN :lo AND :hi';
      Object.assign(values, { ':lo': lower, ':hi': upper });
    } else if (lower !== undefined) {
      keyCondition += ' AND #sk >= :lo';
      values[':lo'] = lower;
    } else if (upper !== undefined) {
      keyCondition += ' AND #sk <= :hi';
      values[':hi'] = upper;
    }
    if (!oneMesh) {
      if (query.meshes.length === 0) return { records: [] };
      names['#mesh'] = 'meshName';
      const placeholders = query.meshes.map((m, i) => {
        values[`:m${i}`] = m;
        return `:m${i}`;
      });
      filters.push(`#mesh IN (${placeholders.join(', ')})`);
    }
    if (query.resourceKey !== undefined) {
      names['#resource'] = 'resourceKey';
      values[':resource'] = query.resourceKey;
      filters.push('#resource = :resource');
    }
    if (query.principal !== undefined) {
      Object.assign(names, { '#parn': 'principalArn', '#plabel': 'principalLabel' });
      values[':principal'] = query.principal;
      filters.push('(#parn = :principal OR #plabel = :principal)');
    }
    const start =
      query.cursor === undefined
        ? undefined
        : decodeCursor(query.cursor, { name: pkName, value: values[':pk'] as string });
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        ...(oneMesh ? {} : { IndexName: INDEX.name }),
        KeyConditionExpression: keyCondition,
        ...(filters.length === 0 ? {} : { FilterExpression: filters.join(' AND ') }),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ScanIndexForward: false,
        Limit: query.limit,
        ...(start === undefined ? {} : { ExclusiveStartKey: start }),
      }),
    );
    // A page shows decisions; the approval request each hold kept (possibly chunked) is not read.
    const records = await Promise.all(
      (out.Items ?? []).map((item) => this.recordOf(item, { withApproval: false, account })),
    );
    const cursor = encodeCursor(out.LastEvaluatedKey);
    return { records, ...(cursor === undefined ? {} : { cursor }) };
  }

  private async recordOf(
    item: Record<string, unknown>,
    options: { readonly withApproval: boolean; readonly account?: string } = { withApproval: true },
  ): Promise<AuditRecord> {
    const key: ItemKey = { pk: String(item.pk), sk: String(item.sk) };
    const decision = await unpackValue(this.client, this.tableName, key, item, 'decision');
    const approval = options.withApproval
      ? await unpackValue(this.client, this.tableName, key, item, 'approval')
      : undefined;
    return {
      account: options.account ?? this.account,
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
