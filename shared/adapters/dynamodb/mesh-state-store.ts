import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { mapBounded } from '../../bounded-map';
import { sameValue } from '../../change-control/diff';
import { formatResourceKey, type ResourceRef } from '../../domain/resource-key';
import { type MeshSnapshot, snapshotResources } from '../../domain/snapshot';
import { MeshwardenError } from '../../errors';
import type { MeshStateStore } from '../../ports';
import type { MeshResource } from '../../providers/appmesh/model';
import { changeControlKeys } from './change-control-keys';
import {
  deleteChunks,
  hasValue,
  INLINE_BYTES,
  type PackedValue,
  packValue,
  unpackValue,
  writeChunks,
} from './large-value';

/** BatchWriteItem takes at most 25 requests per call. */
export const BATCH_SIZE = 25;
const MAX_BATCH_ATTEMPTS = 8;
const WRITE_CONCURRENCY = 8;

interface Stamp {
  readonly uid: string;
  readonly version: number;
  readonly createdAt: string;
}

function stampOf(resource: MeshResource): Stamp {
  const m = resource.metadata;
  return { uid: m?.uid ?? '', version: m?.version ?? 0, createdAt: m?.createdAt ?? '' };
}

/** The member a resource too large to keep as a map is packed into (large-value.ts). */
const PACKED = 'resourceJson';

/** The partition holding one mesh's cached state in `account`; the sort key is the resource key. */
export function meshStatePartition(account: string, meshName: string): string {
  return changeControlKeys(account).meshState(meshName);
}

function keyOf(account: string, resource: ResourceRef): { pk: string; sk: string } {
  return { pk: meshStatePartition(account, resource.meshName), sk: formatResourceKey(resource) };
}

/**
 * The item of one resource, and the chunk items to write before it: a resource is kept as a
 * map, or packed (compressed, chunked) when it would not fit DynamoDB's 400 KB item limit.
 */
function itemOf(
  account: string,
  resource: MeshResource,
): { item: Record<string, unknown>; packed: PackedValue | undefined } {
  const key = keyOf(account, resource);
  if (Buffer.byteLength(JSON.stringify(resource)) <= INLINE_BYTES) {
    return { item: { ...key, ...stampOf(resource), resource }, packed: undefined };
  }
  const packed = packValue(key, PACKED, resource);
  return { item: { ...key, ...stampOf(resource), ...packed.attributes }, packed };
}

function isResource(value: unknown): value is MeshResource {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { kind?: unknown }).kind === 'string' &&
    typeof (value as { meshName?: unknown }).meshName === 'string' &&
    typeof (value as { name?: unknown }).name === 'string'
  );
}

function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error as { name?: unknown } | null)?.name === 'ConditionalCheckFailedException'
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Each governed mesh's last read state as `MESHSTATE#<mesh>` / `<resource key>` items, one per
 * resource, so no item nears DynamoDB's 400 KB limit however large the mesh grows.
 */
export class DynamoMeshStateStore implements MeshStateStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** The account whose meshes this store caches (its keys name it). */
    private readonly account: string,
    private readonly backoffMs: (attempt: number) => number = (attempt) => Math.min(50 * 2 ** attempt, 2000),
  ) {}

  async load(meshName: string): Promise<MeshResource[]> {
    return (await this.loadItems(meshName)).map((item) => item.resource);
  }

  private async loadItems(meshName: string): Promise<(Stamp & { resource: MeshResource })[]> {
    const items: (Stamp & { resource: MeshResource })[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': meshStatePartition(this.account, meshName) },
          ConsistentRead: true,
          ...(start === undefined ? {} : { ExclusiveStartKey: start }),
        }),
      );
      for (const item of out.Items ?? []) {
        const resource =
          item.resource === undefined && hasValue(item, PACKED)
            ? await unpackValue(
                this.client,
                this.tableName,
                { pk: String(item.pk), sk: String(item.sk) },
                item,
                PACKED,
              )
            : item.resource;
        // A malformed item is dropped: the resource is then judged as absent until its next event
        // or the audit rewrites it, which is better than failing every event of the mesh.
        if (!isResource(resource)) continue;
        items.push({
          resource,
          uid: typeof item.uid === 'string' ? item.uid : '',
          version: typeof item.version === 'number' ? item.version : 0,
          createdAt: typeof item.createdAt === 'string' ? item.createdAt : '',
        });
      }
      start = out.LastEvaluatedKey;
    } while (start !== undefined);
    return items;
  }

  async put(resource: MeshResource): Promise<void> {
    const stamp = stampOf(resource);
    const { item, packed } = itemOf(this.account, resource);
    await writeChunks(this.client, this.tableName, packed?.chunks ?? []);
    try {
      const out = await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ReturnValues: 'ALL_OLD',
          // Same incarnation: a version not older (tag changes keep the version). Another
          // incarnation: one not created earlier (a recreate replaces what was deleted).
          ConditionExpression:
            'attribute_not_exists(pk) OR (#uid = :uid AND #version <= :version) OR (#uid <> :uid AND #createdAt <= :createdAt)',
          ExpressionAttributeNames: { '#uid': 'uid', '#version': 'version', '#createdAt': 'createdAt' },
          ExpressionAttributeValues: {
            ':uid': stamp.uid,
            ':version': stamp.version,
            ':createdAt': stamp.createdAt,
          },
        }),
      );
      await deleteChunks(this.client, this.tableName, keyOf(this.account, resource), PACKED, out.Attributes);
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      await deleteChunks(
        this.client,
        this.tableName,
        keyOf(this.account, resource),
        PACKED,
        packed?.attributes,
      );
    }
  }

  async remove(ref: ResourceRef, uid?: string): Promise<void> {
    try {
      const out = await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: keyOf(this.account, ref),
          ReturnValues: 'ALL_OLD',
          ...(uid === undefined
            ? {}
            : {
                ConditionExpression: 'attribute_not_exists(pk) OR #uid = :uid',
                ExpressionAttributeNames: { '#uid': 'uid' },
                ExpressionAttributeValues: { ':uid': uid },
              }),
        }),
      );
      await deleteChunks(this.client, this.tableName, keyOf(this.account, ref), PACKED, out.Attributes);
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async fill(snapshot: MeshSnapshot): Promise<void> {
    const items = snapshotResources(snapshot).map((resource) => itemOf(this.account, resource));
    await writeChunks(
      this.client,
      this.tableName,
      items.flatMap((i) => i.packed?.chunks ?? []),
    );
    const requests = items.map(({ item }) => ({ PutRequest: { Item: item } }));
    for (let i = 0; i < requests.length; i += BATCH_SIZE) {
      await this.batchWrite(requests.slice(i, i + BATCH_SIZE));
    }
  }

  private async batchWrite(requests: readonly { PutRequest: { Item: Record<string, unknown> } }[]) {
    let pending = [...requests];
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= MAX_BATCH_ATTEMPTS) {
        throw new MeshwardenError(
          `BatchWriteItem left ${pending.length} mesh state items unprocessed after ${MAX_BATCH_ATTEMPTS} attempts`,
        );
      }
      if (attempt > 0) await sleep(this.backoffMs(attempt));
      const out = await this.client.send(
        new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }),
      );
      pending = (out.UnprocessedItems?.[this.tableName] ?? []).flatMap((r) =>
        r.PutRequest?.Item === undefined ? [] : [{ PutRequest: { Item: r.PutRequest.Item } }],
      );
    }
  }

  async refresh(snapshot: MeshSnapshot): Promise<{ written: number; removed: number }> {
    const cached = new Map(
      (await this.loadItems(snapshot.meshName)).map((item) => [formatResourceKey(item.resource), item]),
    );
    const read = snapshotResources(snapshot);
    const changed = read.filter((resource) => {
      const before = cached.get(formatResourceKey(resource));
      return before === undefined || !sameValue(before.resource, resource);
    });
    const present = new Set(read.map((r) => formatResourceKey(r)));
    // A resource created after the read started may have been cached by its own event already:
    // the read cannot have seen it, so it is not evidence that the resource is gone.
    const gone = [...cached.entries()].filter(
      ([key, item]) => !present.has(key) && (item.createdAt === '' || item.createdAt < snapshot.takenAt),
    );
    await mapBounded(changed, WRITE_CONCURRENCY, (resource) => this.put(resource));
    await mapBounded(gone, WRITE_CONCURRENCY, ([, item]) => this.remove(item.resource, item.uid));
    return { written: changed.length, removed: gone.length };
  }
}
