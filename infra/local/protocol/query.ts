import type { LocalRequest, LocalResponse } from '../types';

/**
 * The AWS query protocol (CloudWatch for the AWS CLI, STS): a form-encoded request
 * `Action=X&Version=Y&A.B=v&List.member.1=v`, answered with XML in the service's namespace.
 * Values stay strings (the wire has no types); services read numbers and booleans from them.
 */

/** A decoded query request: its action, API version and nested parameters. */
export interface QueryRequest {
  readonly action: string;
  readonly version: string;
  /** `A.B=v` becomes `{A: {B: 'v'}}`; `L.member.N` (and `L.entry.N` of maps) become arrays in N order. */
  readonly params: Record<string, unknown>;
}

/** A malformed query request (the service answers it with its own error code). */
export class QueryParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueryParseError';
  }
}

type Node = { [key: string]: Node | string };

const LIST_MARKERS = new Set(['member', 'entry']);
const INDEX = /^[1-9]\d{0,4}$/;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function insert(root: Node, path: readonly string[], value: string, fullKey: string): void {
  let node = root;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i] ?? '';
    if (segment === '' || FORBIDDEN_KEYS.has(segment))
      throw new QueryParseError(`Malformed parameter name "${fullKey}"`);
    const last = i === path.length - 1;
    if (last) {
      if (typeof node[segment] === 'object') {
        if (value === '') return;
        throw new QueryParseError(`Parameter "${fullKey}" is given both as a value and a structure`);
      }
      node[segment] = value;
      return;
    }
    const existing = node[segment];
    if (typeof existing === 'string') {
      // `L=` (an empty list) followed by `L.member.1=x`: the members win.
      if (existing !== '')
        throw new QueryParseError(`Parameter "${fullKey}" is given both as a value and a structure`);
    }
    const child: Node = typeof existing === 'object' ? existing : Object.create(null);
    node[segment] = child;
    node = child;
  }
}

/** Turn `{member: {'1': x, '2': y}}` into `[x, y]`, recursively. */
function normalise(node: Node | string): unknown {
  if (typeof node === 'string') return node;
  const keys = Object.keys(node);
  const marker = keys.length === 1 ? keys[0] : undefined;
  if (marker !== undefined && LIST_MARKERS.has(marker)) {
    const items = node[marker];
    if (items === undefined || typeof items === 'string')
      throw new QueryParseError(`List "${marker}" has no index`);
    const indexes = Object.keys(items);
    if (!indexes.every((k) => INDEX.test(k))) throw new QueryParseError(`List "${marker}" has a bad index`);
    return indexes
      .map(Number)
      .sort((a, b) => a - b)
      .map((index) => normalise(items[String(index)] ?? ''));
  }
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const child = node[key];
    if (child !== undefined) out[key] = normalise(child);
  }
  return out;
}

/** Decode a query request from its form body (and URL query string, for GET requests). */
export function parseQueryRequest(req: Pick<LocalRequest, 'body' | 'query'>): QueryRequest {
  const form = new URLSearchParams(req.body.toString('utf8'));
  const root: Node = Object.create(null);
  let action = '';
  let version = '';
  const seen = new Set<string>();
  for (const source of [req.query, form]) {
    for (const [key, value] of source) {
      if (key === 'Action') action = value;
      else if (key === 'Version') version = value;
      else {
        if (seen.has(key)) throw new QueryParseError(`Parameter "${key}" is given more than once`);
        seen.add(key);
        insert(root, key.split('.'), value, key);
      }
    }
  }
  if (action === '') throw new QueryParseError('Missing Action parameter');
  const params = normalise(root);
  return {
    action,
    version,
    params: typeof params === 'object' && params !== null ? (params as Record<string, unknown>) : {},
  };
}

export function xmlEscape(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Render a value as XML children: objects as elements, arrays as `<member>` lists. */
export function toXml(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item) => `<member>${toXml(item)}</member>`).join('');
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .filter(([, child]) => child !== undefined && child !== null)
      .map(([key, child]) => `<${key}>${toXml(child)}</${key}>`)
      .join('');
  }
  return xmlEscape(String(value));
}

/** `<ActionResponse xmlns><ActionResult>…</ActionResult><ResponseMetadata>…</ResponseMetadata></ActionResponse>` */
export function queryResponse(
  action: string,
  namespace: string,
  result: unknown,
  requestId: string,
): LocalResponse {
  const hasResult = typeof result === 'object' && result !== null && Object.keys(result).length > 0;
  const body =
    `<${action}Response xmlns="${namespace}">` +
    (hasResult ? `<${action}Result>${toXml(result)}</${action}Result>` : '') +
    `<ResponseMetadata><RequestId>${xmlEscape(requestId)}</RequestId></ResponseMetadata></${action}Response>`;
  return { status: 200, headers: { 'content-type': 'text/xml' }, body };
}

/** An error in the query protocol's XML shape, with the service namespace. */
export function queryError(
  namespace: string,
  status: number,
  code: string,
  message: string,
  requestId: string,
): LocalResponse {
  const type = status >= 500 ? 'Receiver' : 'Sender';
  return {
    status,
    headers: { 'content-type': 'text/xml' },
    body:
      `<ErrorResponse xmlns="${namespace}"><Error><Type>${type}</Type><Code>${xmlEscape(code)}</Code>` +
      `<Message>${xmlEscape(message)}</Message></Error><RequestId>${xmlEscape(requestId)}</RequestId></ErrorResponse>`,
    error: { code, message },
  };
}
