import { createHash } from 'node:crypto';
import {
  type CheckedRequest,
  checkRequest,
  conditionHolds,
  isRefusal,
  itemSize,
  MAX_ITEM_BYTES,
  type SingleItemOperation,
  type WireItem,
} from './dynalite-internals';
import type { TableLocks } from './table-locks';

/**
 * TransactWriteItems and TransactGetItems, which dynalite lacks, built on its item calls with
 * DynamoDB's semantics: every action validated (by dynalite's own rules for the single-item call
 * it stands for) before anything runs, the tables taken exclusively (see table-locks.ts), every
 * condition judged on the items as they are before any item is written, all or nothing (a write
 * that fails rolls the others back), cancellation reasons in action order, and
 * ClientRequestToken idempotency for ten minutes. Under the lock the items are read with one
 * BatchGetItem and puts and deletes written with one BatchWriteItem: a transaction costs about
 * two calls to dynalite, not two per item.
 */

/** An answer in dynalite's terms: HTTP status and the JSON body. */
export interface DynaliteAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** One single-item call to dynalite (GetItem, PutItem, DescribeTable...). */
export type DynaliteCall = (operation: string, body: Record<string, unknown>) => Promise<DynaliteAnswer>;

export interface TransactionDeps {
  readonly call: DynaliteCall;
  readonly locks: TableLocks;
  now(): Date;
}

const MAX_ACTIONS = 100;
const MAX_TRANSACTION_BYTES = 4 * 1024 * 1024;
/** How long a ClientRequestToken names its request after that request completed. */
const TOKEN_TTL_MS = 10 * 60 * 1000;
const WRITE_KINDS = ['Put', 'Update', 'Delete', 'ConditionCheck'] as const;
type WriteKind = (typeof WRITE_KINDS)[number];

const DYNAMODB = 'com.amazonaws.dynamodb.v20120810';

function refusal(type: string, message: string, status = 400): DynaliteAnswer {
  const namespace = type === 'ValidationException' ? 'com.amazon.coral.validate' : DYNAMODB;
  return { status, body: { __type: `${namespace}#${type}`, message } };
}

const validation = (message: string) => refusal('ValidationException', message);

/** A refusal raised while checking a request, carried to the caller as it is. */
class Refused extends Error {
  constructor(readonly answer: DynaliteAnswer) {
    super(String(answer.body.message ?? answer.body.__type));
  }
}

function refusedBy(error: unknown): DynaliteAnswer {
  if (error instanceof Refused) return error.answer;
  if (isRefusal(error)) return { status: error.statusCode, body: { ...error.body } };
  throw error;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The transaction's list of actions, checked for shape and count. */
function actionList(body: Record<string, unknown>, kind: 'TransactWriteItem' | 'TransactGetItem'): unknown[] {
  const items = body.TransactItems;
  if (items === undefined || items === null) {
    throw new Refused(
      validation(
        "1 validation error detected: Value null at 'transactItems' failed to satisfy constraint: Member must not be null",
      ),
    );
  }
  if (!Array.isArray(items)) {
    throw new Refused(refusal('SerializationException', `TransactItems: expected a list of ${kind}`));
  }
  const bound =
    items.length < 1
      ? 'Member must have length greater than or equal to 1'
      : items.length > MAX_ACTIONS
        ? `Member must have length less than or equal to ${MAX_ACTIONS}`
        : undefined;
  if (bound !== undefined) {
    throw new Refused(
      validation(
        `1 validation error detected: Value '[${items.length} ${kind}]' at 'transactItems' failed to satisfy constraint: ${bound}`,
      ),
    );
  }
  return items;
}

function requiredMember(index: number, kind: string, member: string): Refused {
  const path = `transactItems.${index + 1}.member.${kind[0]?.toLowerCase()}${kind.slice(1)}.${member[0]?.toLowerCase()}${member.slice(1)}`;
  return new Refused(
    validation(
      `1 validation error detected: Value null at '${path}' failed to satisfy constraint: Member must not be null`,
    ),
  );
}

interface KeySchema {
  readonly names: readonly string[];
}

/**
 * The tables' key attribute names, from DescribeTable (which also refuses a missing table), or
 * from `known`: a table's key schema never changes while it exists, and the service forgets a
 * table that is created or deleted.
 */
async function keySchemas(
  call: DynaliteCall,
  tables: Iterable<string>,
  known: Map<string, KeySchema>,
): Promise<Map<string, KeySchema>> {
  const out = new Map<string, KeySchema>();
  for (const table of new Set(tables)) {
    const cached = known.get(table);
    if (cached !== undefined) {
      out.set(table, cached);
      continue;
    }
    const answer = await call('DescribeTable', { TableName: table });
    if (answer.status !== 200) throw new Refused(answer);
    const schema = (answer.body.Table as { KeySchema?: { AttributeName: string; KeyType: string }[] })
      ?.KeySchema;
    const names = [...(schema ?? [])]
      .sort((a, b) => (a.KeyType === 'HASH' ? -1 : b.KeyType === 'HASH' ? 1 : 0))
      .map((k) => k.AttributeName);
    out.set(table, { names });
    if ((answer.body.Table as { TableStatus?: unknown })?.TableStatus === 'ACTIVE')
      known.set(table, { names });
  }
  return out;
}

/** The key an action names, in schema order (a Put's, taken from its item). */
function keyOf(schema: KeySchema, source: WireItem, isItem: boolean): WireItem {
  const key: WireItem = {};
  for (const name of schema.names) {
    const value = source[name];
    if (value === undefined) {
      throw new Refused(
        validation(
          isItem
            ? `One or more parameter values were invalid: Missing the key ${name} in the item`
            : 'The provided key element does not match the schema',
        ),
      );
    }
    key[name] = value;
  }
  return key;
}

/** One action, validated as the single-item call it stands for. */
interface Action {
  readonly index: number;
  readonly kind: WriteKind | 'Get';
  readonly table: string;
  /** The single-item request that carries it out (ConditionCheck: judged only). */
  readonly operation: SingleItemOperation;
  readonly request: Record<string, unknown>;
  readonly checked: CheckedRequest;
  readonly returnOldOnFailure: boolean;
  key: WireItem;
  /** The table and key, to tell items apart and match batch answers to actions. */
  identity: string;
}

const OPERATION: Record<WriteKind | 'Get', SingleItemOperation> = {
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  // Judged only: validated with DeleteItem's rules, which take exactly its members.
  ConditionCheck: 'DeleteItem',
  Get: 'GetItem',
};

function parseAction(raw: unknown, index: number, kinds: readonly (WriteKind | 'Get')[]): Action {
  const entries = isObject(raw) ? Object.entries(raw).filter(([, v]) => v !== undefined && v !== null) : [];
  const [first] = entries;
  if (entries.length !== 1 || first === undefined || !kinds.includes(first[0] as WriteKind)) {
    throw new Refused(
      validation(
        kinds.includes('Get')
          ? 'TransactItems can only contain Get objects'
          : 'TransactItems can only contain one of Check, Put, Update or Delete',
      ),
    );
  }
  const kind = first[0] as WriteKind | 'Get';
  if (!isObject(first[1])) {
    throw new Refused(
      refusal('SerializationException', `TransactItems[${index}].${kind}: expected a structure`),
    );
  }
  const { ReturnValuesOnConditionCheckFailure: onFailure, ...request } = first[1];
  if (onFailure !== undefined && onFailure !== 'ALL_OLD' && onFailure !== 'NONE') {
    throw new Refused(
      validation(
        `1 validation error detected: Value '${String(onFailure)}' at 'transactItems.${index + 1}.member.${kind.toLowerCase()}.returnValuesOnConditionCheckFailure' failed to satisfy constraint: Member must satisfy enum value set: [ALL_OLD, NONE]`,
      ),
    );
  }
  if (kind === 'ConditionCheck' && request.ConditionExpression === undefined) {
    throw requiredMember(index, kind, 'ConditionExpression');
  }
  if (kind === 'Update' && request.UpdateExpression === undefined) {
    throw requiredMember(index, kind, 'UpdateExpression');
  }
  const operation = OPERATION[kind];
  const checked = checkRequest(operation, request);
  return {
    index,
    kind,
    table: String(request.TableName),
    operation,
    request,
    checked,
    returnOldOnFailure: onFailure === 'ALL_OLD',
    key: {},
    identity: '',
  };
}

function identityOf(table: string, names: readonly string[], item: WireItem): string {
  return JSON.stringify([table, names.map((n) => item[n])]);
}

/** Parse every action, find its key and refuse two actions on one item. */
async function parseActions(
  call: DynaliteCall,
  raw: readonly unknown[],
  kinds: readonly (WriteKind | 'Get')[],
  known: Map<string, KeySchema>,
): Promise<Action[]> {
  const actions = raw.map((item, i) => parseAction(item, i, kinds));
  const schemas = await keySchemas(
    call,
    actions.map((a) => a.table),
    known,
  );
  const seen = new Set<string>();
  for (const action of actions) {
    const schema = schemas.get(action.table) as KeySchema;
    action.key =
      action.kind === 'Put'
        ? keyOf(schema, action.request.Item as WireItem, true)
        : keyOf(schema, action.request.Key as WireItem, false);
    action.identity = identityOf(action.table, schema.names, action.key);
    if (seen.has(action.identity)) {
      throw new Refused(validation('Transaction request cannot include multiple operations on one item'));
    }
    seen.add(action.identity);
  }
  return actions;
}

/**
 * Read the items the actions name, as they are now (the caller holds the tables): one
 * consistent BatchGetItem, keys it leaves unprocessed read one by one.
 */
async function readItems(
  call: DynaliteCall,
  actions: readonly Action[],
  schemas: ReadonlyMap<string, KeySchema>,
): Promise<(WireItem | undefined)[]> {
  const requestItems: Record<string, { Keys: WireItem[]; ConsistentRead: true }> = {};
  for (const a of actions) {
    requestItems[a.table] ??= { Keys: [], ConsistentRead: true };
    requestItems[a.table]?.Keys.push(a.key);
  }
  const answer = await call('BatchGetItem', { RequestItems: requestItems });
  if (answer.status !== 200) throw new Refused(answer);
  const found = new Map<string, WireItem>();
  for (const [table, items] of Object.entries((answer.body.Responses ?? {}) as Record<string, WireItem[]>)) {
    const names = schemas.get(table)?.names ?? [];
    for (const item of items) found.set(identityOf(table, names, item), item);
  }
  const unprocessed = new Set<string>();
  for (const [table, entry] of Object.entries(
    (answer.body.UnprocessedKeys ?? {}) as Record<string, { Keys?: WireItem[] }>,
  )) {
    const names = schemas.get(table)?.names ?? [];
    for (const key of entry.Keys ?? []) unprocessed.add(identityOf(table, names, key));
  }
  return Promise.all(
    actions.map(async (a) => {
      if (!unprocessed.has(a.identity)) return found.get(a.identity);
      const single = await call('GetItem', { TableName: a.table, Key: a.key, ConsistentRead: true });
      if (single.status !== 200) throw new Refused(single);
      return single.body.Item as WireItem | undefined;
    }),
  );
}

interface CancellationReason {
  readonly Code: string;
  readonly Message?: string;
  readonly Item?: WireItem;
}

function cancelled(reasons: readonly CancellationReason[]): DynaliteAnswer {
  const codes = reasons.map((r) => r.Code).join(', ');
  return {
    status: 400,
    body: {
      __type: `${DYNAMODB}#TransactionCanceledException`,
      Message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${codes}]`,
      CancellationReasons: reasons,
    },
  };
}

/** BatchWriteItem takes at most 25 requests. */
const BATCH_WRITES = 25;

/** A Put or Delete as a BatchWriteItem request: its condition was judged under the lock. */
function batchRequestOf(action: Action): Record<string, unknown> {
  return action.kind === 'Put'
    ? { PutRequest: { Item: action.request.Item } }
    : { DeleteRequest: { Key: action.key } };
}

interface WriteOutcome {
  /** The actions whose writes were sent (a refused batch may have written part of itself). */
  readonly sent: Action[];
  /** A refusal of a whole batch, which no single action owns. */
  batchRefusal?: DynaliteAnswer;
  /** Refusals of single updates, by action. */
  readonly refused: Map<number, DynaliteAnswer>;
}

/**
 * Apply the writes: puts and deletes as BatchWriteItem requests, updates (whose result depends on
 * the item) one by one, all at once: they touch distinct items, and the tables are held.
 */
async function applyWrites(call: DynaliteCall, actions: readonly Action[]): Promise<WriteOutcome> {
  const outcome: WriteOutcome = { sent: [], refused: new Map() };
  const batched = actions.filter((a) => a.kind === 'Put' || a.kind === 'Delete');
  const updates = actions.filter((a) => a.kind === 'Update');
  const batches: Action[][] = [];
  for (let i = 0; i < batched.length; i += BATCH_WRITES) batches.push(batched.slice(i, i + BATCH_WRITES));
  outcome.sent.push(...batched, ...updates);
  await Promise.all([
    ...batches.map(async (batch) => {
      const requestItems: Record<string, Record<string, unknown>[]> = {};
      for (const a of batch) {
        requestItems[a.table] ??= [];
        requestItems[a.table]?.push(batchRequestOf(a));
      }
      const answer = await call('BatchWriteItem', { RequestItems: requestItems });
      if (answer.status !== 200) {
        outcome.batchRefusal ??= answer;
        return;
      }
      const left = Object.values((answer.body.UnprocessedItems ?? {}) as Record<string, unknown[]>).flat();
      if (left.length === 0) return;
      // dynalite processes every request; should one be left, it is written on its own.
      for (const a of batch) {
        const answer =
          a.kind === 'Put'
            ? await call('PutItem', { TableName: a.table, Item: a.request.Item })
            : await call('DeleteItem', { TableName: a.table, Key: a.key });
        if (answer.status !== 200) outcome.batchRefusal ??= answer;
      }
    }),
    ...updates.map(async (a) => {
      const answer = await call('UpdateItem', a.request);
      if (answer.status !== 200) outcome.refused.set(a.index, answer);
    }),
  ]);
  return outcome;
}

/** Put back what the written actions replaced (an item that did not exist is deleted again). */
async function rollBack(
  call: DynaliteCall,
  written: readonly Action[],
  before: readonly (WireItem | undefined)[],
): Promise<void> {
  for (const action of written) {
    const old = before[action.index];
    const answer =
      old === undefined
        ? await call('DeleteItem', { TableName: action.table, Key: action.key })
        : await call('PutItem', { TableName: action.table, Item: old });
    if (answer.status !== 200) {
      throw new Error(
        `rolling back a cancelled transaction failed on ${action.table}: ${JSON.stringify(answer.body)}`,
      );
    }
  }
}

async function runWrite(
  call: DynaliteCall,
  actions: readonly Action[],
  schemas: ReadonlyMap<string, KeySchema>,
): Promise<DynaliteAnswer> {
  const before = await readItems(call, actions, schemas);
  const failed = actions.map((action) => !conditionHolds(action.checked, before[action.index]));
  if (failed.some(Boolean)) {
    return cancelled(
      actions.map((action) => {
        if (!failed[action.index]) return { Code: 'None' };
        const old = before[action.index];
        return {
          Code: 'ConditionalCheckFailed',
          Message: 'The conditional request failed',
          ...(action.returnOldOnFailure && old !== undefined ? { Item: old } : {}),
        };
      }),
    );
  }
  const outcome = await applyWrites(call, actions);
  if (outcome.batchRefusal === undefined && outcome.refused.size === 0) return { status: 200, body: {} };
  // Restoring an item the refused write left untouched writes it as it is: harmless under the lock.
  await rollBack(
    call,
    outcome.sent.filter((a) => !outcome.refused.has(a.index)),
    before,
  );
  if (outcome.batchRefusal !== undefined) return outcome.batchRefusal;
  const notValidation = [...outcome.refused.values()].find(
    (answer) => !String(answer.body.__type).endsWith('#ValidationException'),
  );
  if (notValidation !== undefined) return notValidation;
  return cancelled(
    actions.map((action) => {
      const answer = outcome.refused.get(action.index);
      return answer === undefined
        ? { Code: 'None' }
        : { Code: 'ValidationError', Message: String(answer.body.message ?? '') };
    }),
  );
}

interface TokenRecord {
  readonly fingerprint: string;
  /** Set once the request completed; until then a repeat is told it is in progress. */
  answer?: DynaliteAnswer;
  expiresAt?: number;
}

export class LocalTransactions {
  private readonly tokens = new Map<string, TokenRecord>();
  /** Key schemas of the tables that exist, as DescribeTable told them. */
  private readonly schemas = new Map<string, KeySchema>();

  constructor(private readonly deps: TransactionDeps) {}

  /** A table was created, deleted or changed: its key schema is read again when next used. */
  forgetTable(table: string): void {
    this.schemas.delete(table);
  }

  async transactWriteItems(body: Record<string, unknown>): Promise<DynaliteAnswer> {
    let actions: Action[];
    try {
      const raw = actionList(body, 'TransactWriteItem');
      actions = await parseActions(this.deps.call, raw, WRITE_KINDS, this.schemas);
      let total = 0;
      for (const action of actions) {
        if (action.kind !== 'Put') continue;
        const size = itemSize(action.request.Item as WireItem);
        if (size > MAX_ITEM_BYTES)
          throw new Refused(validation('Item size has exceeded the maximum allowed size'));
        total += size;
      }
      if (total > MAX_TRANSACTION_BYTES) {
        throw new Refused(
          validation(
            'Transaction request cannot be larger than 4 MB: the aggregate size of its items is over',
          ),
        );
      }
    } catch (error) {
      return refusedBy(error);
    }
    const token = typeof body.ClientRequestToken === 'string' ? body.ClientRequestToken : undefined;
    if (token === undefined) return this.runLocked(actions);
    return this.idempotent(token, body, () => this.runLocked(actions));
  }

  async transactGetItems(body: Record<string, unknown>): Promise<DynaliteAnswer> {
    let actions: Action[];
    try {
      actions = await parseActions(
        this.deps.call,
        actionList(body, 'TransactGetItem'),
        ['Get'],
        this.schemas,
      );
    } catch (error) {
      return refusedBy(error);
    }
    // Exclusive, as a transaction's writes are: the reads are one snapshot, never straddling a write.
    return this.deps.locks.with(
      actions.map((a) => a.table),
      true,
      async () => {
        const answers = await Promise.all(
          actions.map((a) => {
            const { ReturnConsumedCapacity: _r, ...get } = a.request;
            return this.deps.call('GetItem', { ...get, ConsistentRead: true });
          }),
        );
        const refused = answers.find((a) => a.status !== 200);
        if (refused !== undefined) return refused;
        return {
          status: 200,
          body: { Responses: answers.map((a) => (a.body.Item === undefined ? {} : { Item: a.body.Item })) },
        };
      },
    );
  }

  private runLocked(actions: readonly Action[]): Promise<DynaliteAnswer> {
    return this.deps.locks.with(
      actions.map((a) => a.table),
      true,
      async () => {
        try {
          return await runWrite(this.deps.call, actions, this.schemas);
        } catch (error) {
          return refusedBy(error);
        }
      },
    );
  }

  /**
   * The same token and the same actions within ten minutes of completion: the first answer,
   * nothing written again. The same token with other actions is refused; a request whose
   * transaction was refused or cancelled leaves no token behind, so a retry runs anew.
   */
  private async idempotent(
    token: string,
    body: Record<string, unknown>,
    run: () => Promise<DynaliteAnswer>,
  ): Promise<DynaliteAnswer> {
    const now = this.deps.now().getTime();
    for (const [key, record] of this.tokens) {
      if (record.expiresAt !== undefined && record.expiresAt <= now) this.tokens.delete(key);
    }
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([body.TransactItems, body.ReturnItemCollectionMetrics ?? null]))
      .digest('hex');
    const known = this.tokens.get(token);
    if (known !== undefined) {
      if (known.fingerprint !== fingerprint) {
        return refusal(
          'IdempotentParameterMismatchException',
          'The request uses the same client token as a previous, but non-identical request.',
        );
      }
      if (known.answer === undefined) {
        return refusal(
          'TransactionInProgressException',
          'The transaction with the given request token is already in progress.',
        );
      }
      return known.answer;
    }
    const record: TokenRecord = { fingerprint };
    this.tokens.set(token, record);
    let answer: DynaliteAnswer;
    try {
      answer = await run();
    } catch (error) {
      this.tokens.delete(token);
      throw error;
    }
    if (answer.status !== 200) {
      this.tokens.delete(token);
      return answer;
    }
    record.answer = answer;
    record.expiresAt = this.deps.now().getTime() + TOKEN_TTL_MS;
    return answer;
  }
}
