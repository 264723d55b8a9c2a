import { createHash, randomUUID } from 'node:crypto';
import {
  BatchWriteCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { formatResourceKey, type ResourceRef } from '../../domain/resource-key';
import { type MeshSnapshot, snapshotResources } from '../../domain/snapshot';
import { MeshwardenError } from '../../errors';
import type { MeshSnapshotStore, StoredMeshSnapshot } from '../../ports';
import type { MeshResource } from '../../providers/appmesh/model';
import { accountKey } from './account-keys';
import { hasValue, packValue, unpackValue, writeChunks } from './large-value';
import { BATCH_SIZE } from './mesh-state-store';

/** The partition of one account's mesh's audited snapshot and its change marks. */
export function meshSnapshotPartition(account: string, meshName: string): string {
  return accountKey(account, `MESHSNAP#${meshName}`);
}

const HEAD = 'HEAD';
const RESOURCE = 'R#';
const CHANGED = 'C#';
const VALUE = 'resourceJson';
const MAX_BATCH_ATTEMPTS = 8;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The digest of a whole snapshot: every resource key with the hash of its stored JSON, in key order. */
function digestOf(entries: readonly { key: string; hash: string }[]): string {
  return sha256(
    [...entries]
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
      .map((e) => `${e.key} ${e.hash}`)
      .join('\n'),
  );
}

/**
 * Each governed mesh's last audited state as one `MESHSNAP#<mesh>` partition: a head item
 * (`HEAD`: snapshot id, when it was taken, how many resources, a digest), one item per resource
 * (`R#<key>`, its JSON and the JSON's hash, tagged with the snapshot id) and one change mark per
 * resource judged since (`C#<key>`, when). One Query reads all three.
 *
 * Verified on load: the head must name exactly the resources carrying its id, each resource's
 * JSON must match its hash, and the digest must match the whole. An interrupted save, items of
 * two saves mixed, or a damaged item make the snapshot unusable, never partly used.
 */
export class DynamoMeshSnapshotStore implements MeshSnapshotStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** The account whose meshes this store keeps (its keys name it). */
    private readonly account: string,
  ) {}

  async save(snapshot: MeshSnapshot): Promise<void> {
    const pk = meshSnapshotPartition(this.account, snapshot.meshName);
    const snapshotId = `${snapshot.takenAt}#${randomUUID()}`;
    const before = await this.query(snapshot.meshName);
    const entries = snapshotResources(snapshot).map((resource) => {
      const key = { pk, sk: `${RESOURCE}${formatResourceKey(resource)}` };
      const json = JSON.stringify(resource);
      const packed = packValue(key, VALUE, resource);
      return { key, hash: sha256(json), packed };
    });
    await writeChunks(
      this.client,
      this.tableName,
      entries.flatMap((e) => e.packed.chunks),
    );
    const puts = entries.map((e) => ({
      PutRequest: { Item: { ...e.key, snapshotId, hash: e.hash, ...e.packed.attributes } },
    }));
    for (let i = 0; i < puts.length; i += BATCH_SIZE) await this.batchWrite(puts.slice(i, i + BATCH_SIZE));
    // The head last: until it is written, the items carry an id no head names, so no reader uses them.
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk,
          sk: HEAD,
          snapshotId,
          takenAt: snapshot.takenAt,
          count: entries.length,
          digest: digestOf(entries.map((e) => ({ key: e.key.sk, hash: e.hash }))),
        },
      }),
    );
    // Resources gone since the last save, and marks older than this snapshot, are no longer needed.
    const written = new Set(entries.map((e) => e.key.sk));
    const stale = before.filter(
      (item) =>
        (String(item.sk).startsWith(RESOURCE) && !written.has(String(item.sk))) ||
        (String(item.sk).startsWith(CHANGED) && String(item.changedAt) < snapshot.takenAt),
    );
    for (const item of stale) {
      await this.client
        .send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: { pk, sk: item.sk },
            // A mark written again after the query above is kept.
            ...(String(item.sk).startsWith(CHANGED)
              ? {
                  ConditionExpression: 'changedAt = :at',
                  ExpressionAttributeValues: { ':at': item.changedAt },
                }
              : {}),
          }),
        )
        .catch((error: unknown) => {
          if ((error as { name?: unknown } | null)?.name !== 'ConditionalCheckFailedException') throw error;
        });
    }
  }

  async load(meshName: string): Promise<StoredMeshSnapshot | undefined> {
    const items = await this.query(meshName);
    const head = items.find((i) => i.sk === HEAD);
    if (
      head === undefined ||
      typeof head.snapshotId !== 'string' ||
      typeof head.takenAt !== 'string' ||
      typeof head.count !== 'number' ||
      typeof head.digest !== 'string'
    ) {
      return undefined;
    }
    const members = items.filter(
      (i) => String(i.sk).startsWith(RESOURCE) && i.snapshotId === head.snapshotId,
    );
    if (members.length !== head.count) return undefined;
    const resources: MeshResource[] = [];
    const entries: { key: string; hash: string }[] = [];
    for (const item of members) {
      const key = { pk: String(item.pk), sk: String(item.sk) };
      if (!hasValue(item, VALUE)) return undefined;
      // The JSON as written when it is kept inline; otherwise written again from the parsed value.
      const json =
        typeof item[VALUE] === 'string'
          ? item[VALUE]
          : JSON.stringify(await unpackValue(this.client, this.tableName, key, item, VALUE));
      if (sha256(json) !== item.hash) return undefined;
      const resource = JSON.parse(json) as MeshResource;
      if (`${RESOURCE}${formatResourceKey(resource)}` !== key.sk || resource.meshName !== meshName) {
        return undefined;
      }
      resources.push(resource);
      entries.push({ key: key.sk, hash: item.hash as string });
    }
    if (digestOf(entries) !== head.digest) return undefined;
    const changes = new Map<string, string>();
    for (const item of items) {
      if (String(item.sk).startsWith(CHANGED) && typeof item.changedAt === 'string') {
        changes.set(String(item.sk).slice(CHANGED.length), item.changedAt);
      }
    }
    return { takenAt: head.takenAt, resources, changes };
  }

  async markChanged(ref: ResourceRef, at: Date): Promise<void> {
    await this.client
      .send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            pk: meshSnapshotPartition(this.account, ref.meshName),
            sk: `${CHANGED}${formatResourceKey(ref)}`,
            changedAt: at.toISOString(),
          },
          // Marks only move forward: a late writer never hides a later change.
          ConditionExpression: 'attribute_not_exists(changedAt) OR changedAt <= :at',
          ExpressionAttributeValues: { ':at': at.toISOString() },
        }),
      )
      .catch((error: unknown) => {
        if ((error as { name?: unknown } | null)?.name !== 'ConditionalCheckFailedException') throw error;
      });
  }

  private async query(meshName: string): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': meshSnapshotPartition(this.account, meshName) },
          ConsistentRead: true,
          ...(start === undefined ? {} : { ExclusiveStartKey: start }),
        }),
      );
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start !== undefined);
    return items;
  }

  private async batchWrite(requests: readonly { PutRequest: { Item: Record<string, unknown> } }[]) {
    let pending = [...requests];
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= MAX_BATCH_ATTEMPTS) {
        throw new MeshwardenError(
          `BatchWriteItem left ${pending.length} mesh snapshot items unprocessed after ${MAX_BATCH_ATTEMPTS} attempts`,
        );
      }
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** attempt, 2000)));
      const out = await this.client.send(
        new BatchWriteCommand({ RequestItems: { [this.tableName]: pending } }),
      );
      pending = (out.UnprocessedItems?.[this.tableName] ?? []).flatMap((r) =>
        r.PutRequest?.Item === undefined ? [] : [{ PutRequest: { Item: r.PutRequest.Item } }],
      );
    }
  }
}
