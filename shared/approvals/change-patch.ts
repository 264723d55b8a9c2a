import { sameValue } from '../change-control/diff';
import type { Tags } from '../providers/appmesh/model';

/**
 * A held change as a patch: what a person changed, from the resource they changed (`base`)
 * to what they proposed, so that approving it writes only that, onto whatever the resource
 * holds by then. Pure: no I/O.
 */

/** One changed place in a JSON document: set `value` at `path`, or remove what is there. */
export type PatchOp =
  | { readonly op: 'set'; readonly path: readonly string[]; readonly value: unknown }
  | { readonly op: 'remove'; readonly path: readonly string[] };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function walk(path: string[], before: unknown, after: unknown, out: PatchOp[]): void {
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    for (const key of keys) {
      const inBefore = Object.hasOwn(before, key);
      const inAfter = Object.hasOwn(after, key);
      if (!inAfter) out.push({ op: 'remove', path: [...path, key] });
      else if (!inBefore) out.push({ op: 'set', path: [...path, key], value: after[key] });
      else walk([...path, key], before[key], after[key], out);
    }
    return;
  }
  // Leaves and arrays (weightedTargets, backends, ...) are compared and replaced whole: an
  // array's entries only mean something together (weights sum to the route's total).
  if (!sameValue(before, after)) out.push({ op: 'set', path, value: after });
}

/** What changed from `before` to `after`, per object member; arrays and leaves as whole values. */
export function patchBetween(before: unknown, after: unknown): PatchOp[] {
  const out: PatchOp[] = [];
  walk([], before, after, out);
  return out;
}

/** `target` with `ops` applied; intermediate objects are created where the path needs them. */
export function applyPatch<T>(target: T, ops: readonly PatchOp[]): T {
  let root: unknown = structuredClone(target);
  for (const op of ops) {
    if (op.path.length === 0) {
      root = op.op === 'set' ? structuredClone(op.value) : undefined;
      continue;
    }
    if (!isObject(root)) root = {};
    let node = root as Record<string, unknown>;
    for (const key of op.path.slice(0, -1)) {
      const next = node[key];
      if (!isObject(next)) {
        if (op.op === 'remove') break;
        node[key] = {};
      }
      node = node[key] as Record<string, unknown>;
    }
    const last = op.path[op.path.length - 1] as string;
    if (op.op === 'set') node[last] = structuredClone(op.value);
    else delete node[last];
  }
  return root as T;
}

/** One line per op, `path: value`, for people. */
export function describePatch(ops: readonly PatchOp[]): string {
  return ops
    .map(
      (op) =>
        `${op.path.join('.') || '(whole)'}: ${op.op === 'remove' ? '(removed)' : JSON.stringify(op.value)}`,
    )
    .join('; ');
}

/** Tag calls: the tags to set and the keys to remove. */
export interface TagChange {
  readonly add: Tags;
  readonly remove: readonly string[];
}

/**
 * The tag calls that turn `before` into `after`. A side whose tags are not known (undefined,
 * not `{}`) changes no tag: a request that did not record tags never removes any.
 */
export function tagChangeBetween(before: Tags | undefined, after: Tags | undefined): TagChange {
  if (before === undefined || after === undefined) return { add: {}, remove: [] };
  const from = before;
  const to = after;
  const add: Record<string, string> = {};
  for (const [key, value] of Object.entries(to)) if (from[key] !== value) add[key] = value;
  const remove = Object.keys(from).filter((key) => !Object.hasOwn(to, key));
  return { add, remove };
}

export function isEmptyTagChange(change: TagChange): boolean {
  return Object.keys(change.add).length === 0 && change.remove.length === 0;
}

/** `tags` with `change` applied. */
export function applyTagChange(tags: Tags | undefined, change: TagChange): Tags {
  const out: Record<string, string> = { ...(tags ?? {}) };
  for (const key of change.remove) delete out[key];
  return { ...out, ...change.add };
}

/**
 * The keys of `change` whose value on the resource now differs from the value the held
 * change started from: someone else changed that tag since, so applying would overwrite them.
 */
export function tagConflicts(base: Tags | undefined, now: Tags | undefined, change: TagChange): string[] {
  const keys = [...Object.keys(change.add), ...change.remove];
  return keys.filter((key) => base?.[key] !== now?.[key]);
}
