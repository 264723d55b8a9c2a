import type { LocalRequest } from '../types';

/**
 * The members of a request body, whichever wire protocol carried them: a JSON object, or a
 * query-protocol form whose lists arrive as `Name.member.1`, `Name.member.2`.
 */
export interface RequestInput {
  string(name: string): string | undefined;
  list(name: string): string[];
  /** The raw JSON value of a member (JSON protocols only). */
  value(name: string): unknown;
}

function isForm(req: LocalRequest): boolean {
  return (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
}

export function requestInput(req: LocalRequest): RequestInput {
  if (isForm(req) || (req.method === 'GET' && req.query.has('Action'))) {
    const form = req.method === 'GET' ? req.query : new URLSearchParams(req.body.toString('utf8'));
    return {
      string: (name) => form.get(name) ?? undefined,
      list: (name) => {
        const values: string[] = [];
        for (let i = 1; form.has(`${name}.member.${i}`); i++)
          values.push(form.get(`${name}.member.${i}`) ?? '');
        return values;
      },
      value: () => undefined,
    };
  }
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = req.body.length === 0 ? {} : JSON.parse(req.body.toString('utf8'));
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      body = parsed as Record<string, unknown>;
    }
  } catch {
    // A malformed body is the service's to refuse; authorization sees no members.
  }
  return {
    string: (name) => (typeof body[name] === 'string' ? (body[name] as string) : undefined),
    list: (name) => {
      const value = body[name];
      return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
    },
    value: (name) => body[name],
  };
}
