/**
 * JSON values of any size in DynamoDB items, whose limit is 400 KB. App Mesh accepts specs far
 * larger than that (it documents no request size limit), and change control must still store
 * their last known good, cache them and audit them: a value that does not fit is compressed,
 * and one that still does not fit is split into chunk items that the head item names by a
 * generation id. Chunks are written before their head and deleted after it stops naming them,
 * so a reader never sees a head without its chunks.
 */
import { randomUUID } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { BatchWriteCommand, type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { MeshwardenError } from '../../errors';

/** Below this many bytes a value stays inline as JSON text, as every item was stored before. */
export const INLINE_BYTES = 64 * 1024;
/** Bytes per chunk (and the largest compressed value kept in the head), well under 400 KB. */
export const CHUNK_BYTES = 300 * 1024;
const BATCH_SIZE = 25;
const MAX_BATCH_ATTEMPTS = 8;

/** The primary key of an item. */
export interface ItemKey {
  readonly pk: string;
  readonly sk: string;
}

/** A value packed for one attribute of a head item, plus the chunk items it needs first. */
export interface PackedValue {
  /** Members to put on the head item: `<attr>` (JSON text), `<attr>Gz` (gzip) or `<attr>Chunks` and `<attr>Gen`. */
  readonly attributes: Record<string, unknown>;
  /** Chunk items to write before the head (none when the value fits the head). */
  readonly chunks: readonly Record<string, unknown>[];
}

/** Where the chunks of one head's value live: their own partition, so they never show in a head's Query. */
export function chunkKey(head: ItemKey, attribute: string, generation: string, index: number): ItemKey {
  return {
    pk: `CHUNK#${head.pk}`,
    sk: `${head.sk}#${attribute}#${generation}#${String(index).padStart(6, '0')}`,
  };
}

function chunkPrefix(head: ItemKey, attribute: string, generation: string): string {
  return `${head.sk}#${attribute}#${generation}#`;
}

/** Pack `value` for the head `head`'s member `attribute`. */
export function packValue(head: ItemKey, attribute: string, value: unknown): PackedValue {
  const json = JSON.stringify(value);
  if (Buffer.byteLength(json) <= INLINE_BYTES) return { attributes: { [attribute]: json }, chunks: [] };
  const compressed = gzipSync(json);
  if (compressed.length <= CHUNK_BYTES) {
    return { attributes: { [`${attribute}Gz`]: new Uint8Array(compressed) }, chunks: [] };
  }
  const generation = randomUUID();
  const chunks: Record<string, unknown>[] = [];
  for (let offset = 0, i = 0; offset < compressed.length; offset += CHUNK_BYTES, i++) {
    chunks.push({
      ...chunkKey(head, attribute, generation, i),
      data: new Uint8Array(compressed.subarray(offset, offset + CHUNK_BYTES)),
    });
  }
  return {
    attributes: { [`${attribute}Chunks`]: chunks.length, [`${attribute}Gen`]: generation },
    chunks,
  };
}

/** The generation of chunks a stored head names for `attribute`, if it names any. */
export function generationOf(
  item: Record<string, unknown> | undefined,
  attribute: string,
): string | undefined {
  const generation = item?.[`${attribute}Gen`];
  return typeof generation === 'string' ? generation : undefined;
}

/** True when the stored head holds a value for `attribute` in any of the three forms. */
export function hasValue(item: Record<string, unknown>, attribute: string): boolean {
  return (
    typeof item[attribute] === 'string' ||
    item[`${attribute}Gz`] instanceof Uint8Array ||
    typeof item[`${attribute}Chunks`] === 'number'
  );
}

/** A stored value that cannot be read back: its chunks are missing or it does not decode. */
export class LargeValueError extends MeshwardenError {
  override readonly name = 'LargeValueError';
}

/**
 * Read back the value of `attribute` of the head item `item` (whose key is `head`); undefined
 * when the head holds none.
 */
export async function unpackValue(
  client: DynamoDBDocumentClient,
  tableName: string,
  head: ItemKey,
  item: Record<string, unknown>,
  attribute: string,
): Promise<unknown> {
  const inline = item[attribute];
  if (typeof inline === 'string') return JSON.parse(inline);
  const compressed = item[`${attribute}Gz`];
  if (compressed instanceof Uint8Array) return JSON.parse(gunzipSync(compressed).toString('utf8'));
  const count = item[`${attribute}Chunks`];
  const generation = generationOf(item, attribute);
  if (typeof count !== 'number' || generation === undefined) return undefined;
  const parts: Uint8Array[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: {
          ':pk': `CHUNK#${head.pk}`,
          ':prefix': chunkPrefix(head, attribute, generation),
        },
        ConsistentRead: true,
        ...(start === undefined ? {} : { ExclusiveStartKey: start }),
      }),
    );
    for (const chunk of out.Items ?? []) {
      if (chunk.data instanceof Uint8Array) parts.push(chunk.data);
    }
    start = out.LastEvaluatedKey;
  } while (start !== undefined);
  if (parts.length !== count) {
    throw new LargeValueError(
      `${head.pk} ${head.sk}: ${attribute} names ${count} chunks of generation ${generation}, found ${parts.length}`,
    );
  }
  return JSON.parse(gunzipSync(Buffer.concat(parts)).toString('utf8'));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function batch(
  client: DynamoDBDocumentClient,
  tableName: string,
  requests: readonly Record<string, unknown>[],
): Promise<void> {
  for (let i = 0; i < requests.length; i += BATCH_SIZE) {
    let pending = requests.slice(i, i + BATCH_SIZE);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt >= MAX_BATCH_ATTEMPTS) {
        throw new MeshwardenError(`BatchWriteItem left ${pending.length} chunk requests unprocessed`);
      }
      if (attempt > 0) await sleep(Math.min(50 * 2 ** attempt, 2000));
      const out = await client.send(
        new BatchWriteCommand({ RequestItems: { [tableName]: pending as never } }),
      );
      pending = (out.UnprocessedItems?.[tableName] ?? []) as Record<string, unknown>[];
    }
  }
}

/** Write chunk items (before the head that names them). */
export async function writeChunks(
  client: DynamoDBDocumentClient,
  tableName: string,
  chunks: readonly Record<string, unknown>[],
): Promise<void> {
  if (chunks.length === 0) return;
  await batch(
    client,
    tableName,
    chunks.map((Item) => ({ PutRequest: { Item } })),
  );
}

/**
 * Delete the chunks a head named for `attribute` (after the head stopped naming them, or when
 * a conditional head write was refused). Best effort is not enough here: a failure propagates.
 */
export async function deleteChunks(
  client: DynamoDBDocumentClient,
  tableName: string,
  head: ItemKey,
  attribute: string,
  item: Record<string, unknown> | undefined,
): Promise<void> {
  const count = item?.[`${attribute}Chunks`];
  const generation = generationOf(item, attribute);
  if (typeof count !== 'number' || generation === undefined) return;
  const keys = Array.from({ length: count }, (_, i) => chunkKey(head, attribute, generation, i));
  await batch(
    client,
    tableName,
    keys.map((Key) => ({ DeleteRequest: { Key } })),
  );
}
