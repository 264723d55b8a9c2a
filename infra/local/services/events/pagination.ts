/**
 * NextToken pagination over a sorted list, keyed by the last item returned, so that items
 * added or removed between pages neither repeat nor vanish. Shared by the events and
 * cloudwatch services; each maps InvalidNextTokenError to its own AWS error code.
 */

export class InvalidNextTokenError extends Error {
  constructor() {
    super('The NextToken is not valid.');
    this.name = 'InvalidNextTokenError';
  }
}

export interface Page<T> {
  readonly items: T[];
  readonly nextToken?: string;
}

function encode(key: string): string {
  return Buffer.from(JSON.stringify({ after: key }), 'utf8').toString('base64url');
}

function decode(token: string): string {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      typeof (parsed as { after?: unknown }).after === 'string'
    ) {
      return (parsed as { after: string }).after;
    }
  } catch {
    // Falls through to the error below.
  }
  throw new InvalidNextTokenError();
}

/** One page of `sorted` (sorted by `keyOf`, ascending) after the token's key, at most `limit` items. */
export function paginate<T>(
  sorted: readonly T[],
  keyOf: (item: T) => string,
  limit: number,
  nextToken?: string,
): Page<T> {
  const after = nextToken === undefined || nextToken === '' ? undefined : decode(nextToken);
  const start = after === undefined ? 0 : sorted.findIndex((item) => keyOf(item) > after);
  const rest = start < 0 ? [] : sorted.slice(start);
  const items = rest.slice(0, limit);
  const last = items.at(-1);
  return rest.length > limit && last !== undefined ? { items, nextToken: encode(keyOf(last)) } : { items };
}
