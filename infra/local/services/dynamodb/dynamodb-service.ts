import { mkdirSync } from 'node:fs';
import { Agent, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import dynalite from 'dynalite';
import type { LocalRequest, LocalResponse, LocalService, LocalServiceContext } from '../../types';
import { TableLocks } from './table-locks';
import { type DynaliteAnswer, type DynaliteCall, LocalTransactions } from './transactions';

/**
 * DynamoDB, served by dynalite (a DynamoDB implementation on LevelDB) behind the edge: dynalite
 * listens on an internal ephemeral loopback port and each request is forwarded to it as is.
 * The edge has already checked the signature; dynalite only checks that one is present.
 *
 * TransactWriteItems and TransactGetItems, which dynalite lacks, are served here on top of its
 * single-item calls (transactions.ts), isolated from every other request to their tables by
 * per-table locks (table-locks.ts). What else dynalite 4 does not implement is answered by
 * dynalite itself with `UnknownOperationException`, given a message here: UpdateTimeToLive,
 * ExecuteStatement/PartiQL, backups, streams. DescribeTimeToLive always says DISABLED, and
 * items are never expired.
 */

/** Operations after which a table's key schema, as transactions know it, is read again. */
const TABLE_CHANGES = new Set(['CreateTable', 'DeleteTable', 'UpdateTable']);

const READ_ONLY = /^(Get|BatchGet|Query|Scan|Describe|List|TransactGet)/;

/**
 * The body as a JSON object; undefined when it is not JSON (dynalite refuses that itself), and
 * 'not-an-object' for JSON that is not an object (`null`, `[]`, `1`): dynalite never answers
 * one, which left the caller's request hanging; DynamoDB refuses it as a SerializationException.
 */
function jsonObject(body: Buffer): Record<string, unknown> | 'not-an-object' | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  return parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)
    ? 'not-an-object'
    : (parsed as Record<string, unknown>);
}

/** The tables a (non-transaction) request names: its TableName, or a batch's RequestItems. */
function tablesOf(body: Record<string, unknown> | undefined): string[] {
  if (body === undefined) return [];
  if (typeof body.TableName === 'string') return [body.TableName];
  const items = body.RequestItems;
  return items !== null && typeof items === 'object' ? Object.keys(items) : [];
}

interface Forwarded {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

/** A transaction's answer as the edge returns it. */
function localAnswer(operation: string, answer: DynaliteAnswer): LocalResponse {
  const body = answer.body as { __type?: unknown; message?: unknown; Message?: unknown };
  const given = body.message ?? body.Message;
  return {
    status: answer.status,
    headers: { 'content-type': 'application/x-amz-json-1.0' },
    body: JSON.stringify(answer.body),
    ...(answer.status < 400
      ? {}
      : {
          error: {
            code:
              String(body.__type ?? `HTTP${answer.status}`)
                .split('#')
                .pop() ?? '',
            message: typeof given === 'string' ? given : '',
          },
        }),
    apiCall: { eventName: operation, readOnly: READ_ONLY.test(operation) },
  };
}

/** Hop-by-hop headers, and those the forwarding request sets itself. */
const NOT_FORWARDED = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'content-length']);

export class DynamoDbService implements LocalService {
  readonly signingName = 'dynamodb';
  private readonly server: Server;
  private readonly agent = new Agent({ keepAlive: true });
  private readonly port: Promise<number>;
  private readonly locks = new TableLocks();
  private readonly transactions: LocalTransactions;

  constructor(context: LocalServiceContext) {
    const path = context.dataDir === undefined ? undefined : join(context.dataDir, 'dynamodb');
    if (path !== undefined) mkdirSync(path, { recursive: true });
    this.server = dynalite({
      ...(path === undefined ? {} : { path }),
      createTableMs: 0,
      deleteTableMs: 0,
      updateTableMs: 0,
    });
    this.transactions = new LocalTransactions({
      call: this.call,
      locks: this.locks,
      now: () => context.now(),
    });
    this.port = new Promise<number>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  /** Resolves once dynalite listens; requests wait for it anyway. */
  async ready(): Promise<void> {
    await this.port;
  }

  async handle(req: LocalRequest): Promise<LocalResponse> {
    const parsed = jsonObject(req.body);
    if (parsed === 'not-an-object') {
      const error = { code: 'SerializationException', message: 'The request body is not a JSON object' };
      return {
        status: 400,
        headers: { 'content-type': 'application/x-amz-json-1.0' },
        body: JSON.stringify({ __type: `com.amazon.coral.service#${error.code}`, message: error.message }),
        error,
      };
    }
    const operation = req.headers['x-amz-target']?.split('.')[1];
    if (parsed !== undefined && (operation === 'TransactWriteItems' || operation === 'TransactGetItems')) {
      const answer =
        operation === 'TransactWriteItems'
          ? await this.transactions.transactWriteItems(parsed)
          : await this.transactions.transactGetItems(parsed);
      return localAnswer(operation, answer);
    }
    const query = req.query.toString();
    const path = query === '' ? req.path : `${req.path}?${query}`;
    // Shared: single-item calls run side by side; a transaction on the same table waits for them.
    const tables = tablesOf(parsed);
    const answer = await this.locks.with(tables, false, () =>
      this.forward(req.method, path, req.headers, req.body),
    );
    if (operation !== undefined && TABLE_CHANGES.has(operation)) {
      for (const table of tables) this.transactions.forgetTable(table);
    }
    return describeAnswer(req, answer);
  }

  /** Send one request to dynalite as is. */
  private async forward(
    method: string,
    path: string,
    incoming: Readonly<Record<string, string>>,
    body: Buffer,
  ): Promise<Forwarded> {
    const port = await this.port;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(incoming)) {
      if (!NOT_FORWARDED.has(name)) headers[name] = value;
    }
    headers['content-length'] = String(body.length);
    return new Promise<Forwarded>((resolve, reject) => {
      const outgoing = request(
        { host: '127.0.0.1', port, method, path, headers, agent: this.agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const out: Record<string, string> = {};
            for (const name of ['content-type', 'x-amz-crc32']) {
              const value = res.headers[name];
              if (typeof value === 'string') out[name] = value;
            }
            resolve({ status: res.statusCode ?? 500, headers: out, body: Buffer.concat(chunks) });
          });
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }

  /**
   * One single-item call of a transaction, made by local AWS itself: the edge has authorized
   * the transaction, and dynalite only checks that a signature is present.
   */
  private readonly call: DynaliteCall = async (operation, body) => {
    const answer = await this.forward(
      'POST',
      '/',
      {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `DynamoDB_20120810.${operation}`,
        'x-amz-date': '20260101T000000Z',
        authorization:
          'AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=local',
      },
      Buffer.from(JSON.stringify(body)),
    );
    try {
      return {
        status: answer.status,
        body: JSON.parse(answer.body.toString('utf8')) as Record<string, unknown>,
      };
    } catch {
      return { status: answer.status, body: { __type: `HTTP${answer.status}` } };
    }
  };

  async close(): Promise<void> {
    await this.port.catch(() => undefined);
    this.agent.destroy();
    await new Promise<void>((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
  }
}

/** Name the operation and error of a forwarded call, for CloudTrail and the timeline. */
function describeAnswer(req: LocalRequest, answer: Forwarded): LocalResponse {
  const operation = req.headers['x-amz-target']?.split('.')[1];
  let body = answer.body;
  let headers = answer.headers;
  let error: { code: string; message: string } | undefined;
  if (answer.status >= 400) {
    let parsed: { __type?: unknown; message?: unknown; Message?: unknown } = {};
    try {
      parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
    } catch {
      // dynalite answers some refusals with a bare XML tag; keep the status as the code.
    }
    const code =
      typeof parsed.__type === 'string'
        ? (parsed.__type.split('#').pop() ?? parsed.__type)
        : `HTTP${answer.status}`;
    const given = parsed.message ?? parsed.Message;
    let message = typeof given === 'string' ? given : '';
    if (code === 'UnknownOperationException' && message === '') {
      message = `${operation ?? 'This operation'} is not implemented by dynalite, the local DynamoDB`;
      body = Buffer.from(JSON.stringify({ __type: parsed.__type ?? code, message }));
      // The SDK checks x-amz-crc32 against the body; the rewritten body has none.
      const { 'x-amz-crc32': _crc, ...rest } = headers;
      headers = rest;
    }
    error = { code, message };
  }
  return {
    status: answer.status,
    headers,
    body,
    ...(error === undefined ? {} : { error }),
    ...(operation === undefined
      ? {}
      : { apiCall: { eventName: operation, readOnly: READ_ONLY.test(operation) } }),
  };
}
