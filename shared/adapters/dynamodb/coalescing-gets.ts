import {
  BatchGetCommand,
  type BatchGetCommandOutput,
  type DynamoDBDocumentClient,
  GetCommand,
  type GetCommandOutput,
} from '@aws-sdk/lib-dynamodb';

/** BatchGetItem takes at most 100 keys per call. */
const MAX_KEYS = 100;

interface Waiting {
  readonly table: string;
  readonly key: Record<string, unknown>;
  readonly consistent: boolean;
  readonly command: GetCommand;
  resolve(output: GetCommandOutput): void;
  reject(error: unknown): void;
}

/** A GetItem that can travel in a batch: a whole item by its key, nothing else asked of it. */
function batchable(command: unknown): command is GetCommand {
  if (!(command instanceof GetCommand)) return false;
  const { TableName, Key, ConsistentRead, ...rest } = command.input;
  return typeof TableName === 'string' && Key !== undefined && Object.keys(rest).length === 0;
}

/** The identity of a key (attribute order aside), to match batch answers to their callers. */
function identity(table: string, key: Record<string, unknown>): string {
  return JSON.stringify([
    table,
    Object.keys(key)
      .sort()
      .map((k) => [k, key[k]]),
  ]);
}

/**
 * The client, with every plain GetItem issued in the same turn of the event loop sent as one
 * BatchGetItem. Change control reads a handful of independent items per event (its audit
 * record, the judged version, the last known good); one request instead of several is a
 * real saving where each request is a round trip. Consistency is kept (a batch is consistent
 * when any of its reads asked to be), keys a batch leaves unprocessed are read one by one,
 * and a lone read goes out unchanged.
 */
export function coalescingGets(client: DynamoDBDocumentClient): DynamoDBDocumentClient {
  const send = client.send.bind(client) as (command: unknown) => Promise<unknown>;
  let queue: Waiting[] = [];

  async function single(w: Waiting): Promise<void> {
    try {
      w.resolve((await send(w.command)) as GetCommandOutput);
    } catch (error) {
      w.reject(error);
    }
  }

  async function batch(table: string, waiting: readonly Waiting[]): Promise<void> {
    const byKey = new Map<string, Waiting[]>();
    for (const w of waiting) {
      const id = identity(table, w.key);
      byKey.set(id, [...(byKey.get(id) ?? []), w]);
    }
    const keys = [...byKey.values()].map((ws) => ws[0]?.key as Record<string, unknown>);
    let out: BatchGetCommandOutput;
    try {
      out = (await send(
        new BatchGetCommand({
          RequestItems: { [table]: { Keys: keys, ConsistentRead: waiting.some((w) => w.consistent) } },
        }),
      )) as BatchGetCommandOutput;
    } catch (error) {
      for (const w of waiting) w.reject(error);
      return;
    }
    const found = new Map<string, Record<string, unknown>>();
    for (const item of out.Responses?.[table] ?? []) {
      const key = keys.find((k) => Object.keys(k).every((name) => item[name] === k[name]));
      if (key !== undefined) found.set(identity(table, key), item);
    }
    const unprocessed = new Set((out.UnprocessedKeys?.[table]?.Keys ?? []).map((k) => identity(table, k)));
    await Promise.all(
      [...byKey.entries()].map(async ([id, ws]) => {
        if (unprocessed.has(id)) {
          await Promise.all(ws.map(single));
          return;
        }
        const item = found.get(id);
        for (const w of ws) {
          w.resolve({
            $metadata: out.$metadata,
            ...(item === undefined ? {} : { Item: structuredClone(item) }),
          });
        }
      }),
    );
  }

  function flush(): void {
    const waiting = queue;
    queue = [];
    const tables = new Map<string, Waiting[]>();
    for (const w of waiting) tables.set(w.table, [...(tables.get(w.table) ?? []), w]);
    for (const [table, ws] of tables) {
      for (let i = 0; i < ws.length; i += MAX_KEYS) {
        const part = ws.slice(i, i + MAX_KEYS);
        const only = part[0];
        void (part.length === 1 && only !== undefined ? single(only) : batch(table, part));
      }
    }
  }

  const coalescing = Object.create(client) as DynamoDBDocumentClient;
  coalescing.send = ((command: unknown, ...rest: unknown[]) => {
    if (rest.length > 0 || !batchable(command)) {
      return (client.send as (...args: unknown[]) => unknown).call(client, command, ...rest);
    }
    return new Promise<GetCommandOutput>((resolve, reject) => {
      if (queue.length === 0) setImmediate(flush);
      queue.push({
        table: command.input.TableName as string,
        key: command.input.Key as Record<string, unknown>,
        consistent: command.input.ConsistentRead === true,
        command,
        resolve,
        reject,
      });
    });
  }) as DynamoDBDocumentClient['send'];
  return coalescing;
}
