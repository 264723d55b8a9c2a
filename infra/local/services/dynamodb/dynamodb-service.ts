import { mkdirSync } from 'node:fs';
import { Agent, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import dynalite from 'dynalite';
import type { LocalRequest, LocalResponse, LocalService, LocalServiceContext } from '../../types';

/**
 * DynamoDB, served by dynalite (a DynamoDB implementation on LevelDB) behind the edge: dynalite
 * listens on an internal ephemeral loopback port and each request is forwarded to it as is.
 * The edge has already checked the signature; dynalite only checks that one is present.
 *
 * What dynalite 4 does not implement is answered by dynalite itself with
 * `UnknownOperationException`, given a message here: TransactWriteItems, TransactGetItems,
 * UpdateTimeToLive, ExecuteStatement/PartiQL, backups, streams. DescribeTimeToLive always says
 * DISABLED, and items are never expired.
 */

const READ_ONLY = /^(Get|BatchGet|Query|Scan|Describe|List)/;

/**
 * A body that is JSON but not an object (`null`, `[]`, `1`). dynalite never answers one, which
 * left the caller's request hanging; DynamoDB refuses it as a SerializationException.
 */
function notAnObject(body: Buffer): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return false; // not JSON at all: dynalite refuses that itself
  }
  return parsed === null || typeof parsed !== 'object' || Array.isArray(parsed);
}
/** Hop-by-hop headers, and those the forwarding request sets itself. */
const NOT_FORWARDED = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'content-length']);

export class DynamoDbService implements LocalService {
  readonly signingName = 'dynamodb';
  private readonly server: Server;
  private readonly agent = new Agent({ keepAlive: true });
  private readonly port: Promise<number>;

  constructor(context: LocalServiceContext) {
    const path = context.dataDir === undefined ? undefined : join(context.dataDir, 'dynamodb');
    if (path !== undefined) mkdirSync(path, { recursive: true });
    this.server = dynalite({
      ...(path === undefined ? {} : { path }),
      createTableMs: 0,
      deleteTableMs: 0,
      updateTableMs: 0,
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
    if (notAnObject(req.body)) {
      const error = { code: 'SerializationException', message: 'The request body is not a JSON object' };
      return {
        status: 400,
        headers: { 'content-type': 'application/x-amz-json-1.0' },
        body: JSON.stringify({ __type: `com.amazon.coral.service#${error.code}`, message: error.message }),
        error,
      };
    }
    const port = await this.port;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (!NOT_FORWARDED.has(name)) headers[name] = value;
    }
    headers['content-length'] = String(req.body.length);
    const query = req.query.toString();
    const answer = await new Promise<{ status: number; headers: Record<string, string>; body: Buffer }>(
      (resolve, reject) => {
        const outgoing = request(
          {
            host: '127.0.0.1',
            port,
            method: req.method,
            path: query === '' ? req.path : `${req.path}?${query}`,
            headers,
            agent: this.agent,
          },
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
        outgoing.end(req.body);
      },
    );
    return describeAnswer(req, answer);
  }

  async close(): Promise<void> {
    await this.port.catch(() => undefined);
    this.agent.destroy();
    await new Promise<void>((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
  }
}

/** Name the operation and error of a forwarded call, for CloudTrail and the timeline. */
function describeAnswer(
  req: LocalRequest,
  answer: { status: number; headers: Record<string, string>; body: Buffer },
): LocalResponse {
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
