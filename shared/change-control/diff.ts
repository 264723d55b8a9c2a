/**
 * A compact before/after of two resources for audit records, Slack and the CLI: the JSON
 * paths whose values differ, leaves only, so a weight change reads as one line.
 */

/** One difference: the value at `path` before and after (undefined when absent). */
export interface DiffEntry {
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function walk(path: string, before: unknown, after: unknown, out: DiffEntry[], limit: number): void {
  if (out.length >= limit) return;
  if (Array.isArray(before) && Array.isArray(after)) {
    const n = Math.max(before.length, after.length);
    for (let i = 0; i < n; i++) walk(`${path}[${i}]`, before[i], after[i], out, limit);
    return;
  }
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const key of keys) walk(path === '' ? key : `${path}.${key}`, before[key], after[key], out, limit);
    return;
  }
  if (JSON.stringify(before) !== JSON.stringify(after)) out.push({ path: path || '(root)', before, after });
}

/** The differing leaves of `before` and `after`, at most `limit` of them. */
export function diffValues(before: unknown, after: unknown, limit = 50): DiffEntry[] {
  const out: DiffEntry[] = [];
  walk('', before, after, out, limit);
  return out;
}

/** True when both values serialise alike, whatever the key order. */
export function sameValue(a: unknown, b: unknown): boolean {
  return diffValues(a, b, 1).length === 0;
}

/** Render a diff as lines `path: before -> after`, within `maxChars`. */
export function renderDiff(entries: readonly DiffEntry[], maxChars = 3000): string {
  const show = (v: unknown) => (v === undefined ? '(absent)' : JSON.stringify(v));
  let text = '';
  for (const [i, e] of entries.entries()) {
    const line = `${e.path}: ${show(e.before)} -> ${show(e.after)}`;
    if (text.length + line.length + 1 > maxChars - 20) return `${text}... ${entries.length - i} more`;
    text += text === '' ? line : `\n${line}`;
  }
  return text;
}
