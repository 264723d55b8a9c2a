import { badRequest } from './errors';

/** One page of a List* call and the token for the next, if there is more. */
export interface Page<T> {
  readonly items: T[];
  readonly nextToken?: string;
}

interface TokenBody {
  /** What was listed (operation and parent), so a token cannot be replayed against another list. */
  readonly s: string;
  /** The key of the last item returned. */
  readonly k: string;
}

function encodeToken(body: TokenBody): string {
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

function decodeToken(token: string, scope: string): TokenBody {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    body = undefined;
  }
  const valid =
    typeof body === 'object' &&
    body !== null &&
    typeof (body as TokenBody).s === 'string' &&
    typeof (body as TokenBody).k === 'string' &&
    (body as TokenBody).s === scope;
  if (!valid) throw badRequest('The nextToken is invalid or does not belong to this list request');
  return body as TokenBody;
}

/** Code-unit order, the same comparison the token's resume point uses. */
export function byKey<T>(keyOf: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => {
    const x = keyOf(a);
    const y = keyOf(b);
    return x < y ? -1 : x > y ? 1 : 0;
  };
}

/**
 * Cut a page from `items`, sorted by `keyOf`. The token names the last key returned rather
 * than an offset, so resources created or deleted between pages neither repeat nor vanish.
 */
export function paginate<T>(
  items: readonly T[],
  keyOf: (item: T) => string,
  options: { scope: string; limit: number | undefined; nextToken: string | null; defaultLimit: number },
): Page<T> {
  const sorted = [...items].sort(byKey(keyOf));
  const after = options.nextToken === null ? undefined : decodeToken(options.nextToken, options.scope).k;
  const remaining = after === undefined ? sorted : sorted.filter((item) => keyOf(item) > after);
  const limit = options.limit ?? options.defaultLimit;
  const page = remaining.slice(0, limit);
  const last = page.at(-1);
  if (remaining.length > limit && last !== undefined) {
    return { items: page, nextToken: encodeToken({ s: options.scope, k: keyOf(last) }) };
  }
  return { items: page };
}
