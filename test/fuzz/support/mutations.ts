import * as fc from 'fast-check';

/**
 * Mutations of a valid input, the way a broken producer or an attacker would bend it: a field
 * removed, replaced by a value of another type, a string truncated or blown up to megabytes,
 * a value buried under deep nesting, an extra field, a prototype-pollution key.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = readonly (string | number)[];

/** Every path of `value` (the root excluded), depth first. */
export function pathsOf(value: unknown, prefix: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [];
  const entries = Array.isArray(value)
    ? value.map((child, i) => [i, child] as const)
    : Object.entries(value as Record<string, unknown>);
  return entries.flatMap(([key, child]) => [[...prefix, key], ...pathsOf(child, [...prefix, key])]);
}

export type Mutation =
  | { readonly kind: 'remove'; readonly at: number }
  | { readonly kind: 'replace'; readonly at: number; readonly value: Json }
  | { readonly kind: 'truncate'; readonly at: number; readonly keep: number }
  | { readonly kind: 'huge-string'; readonly at: number; readonly bytes: number }
  | { readonly kind: 'deep'; readonly at: number; readonly depth: number; readonly shape: 'array' | 'object' }
  | { readonly kind: 'extra'; readonly at: number; readonly key: string; readonly value: Json }
  | {
      readonly kind: 'pollute';
      readonly at: number;
      readonly key: '__proto__' | 'constructor' | 'prototype';
    };

/** Strings that a careless parser treats specially: prototype keys, numbers, empty, control characters. */
const nastyString = fc.constantFrom(
  '',
  ' ',
  '__proto__',
  'constructor',
  'toString',
  'NaN',
  '-1',
  '1e309',
  '\u0000',
  '\uD800',
  '../../etc/passwd',
  '%',
  '\u0024{jndi:x}',
  'null',
);

/** Any JSON value, nasty strings included; kept small (size of the generated value, not of strings). */
export const anyJson: fc.Arbitrary<Json> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json> },
  { weight: 1, arbitrary: nastyString },
  {
    weight: 1,
    arbitrary: fc.constantFrom<Json>(null, true, false, 0, -1, 1.5, 2 ** 53, -(2 ** 31), [], {}, [null]),
  },
);

/** Index into the list of paths, taken modulo its length when applied. */
const at = fc.nat({ max: 10_000 });

/**
 * One mutation. Huge strings (1–10 MB) and deep nesting (to 50,000 levels, past any recursive
 * walker's stack) are rarer, since each costs real time to carry through a handler.
 */
export const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('remove' as const), at }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('replace' as const), at, value: anyJson }) },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('truncate' as const), at, keep: fc.nat({ max: 64 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('huge-string' as const),
      at,
      bytes: fc.integer({ min: 1024 * 1024, max: 10 * 1024 * 1024 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('deep' as const),
      at,
      depth: fc.oneof(fc.integer({ min: 2, max: 200 }), fc.integer({ min: 10_000, max: 50_000 })),
      shape: fc.constantFrom('array' as const, 'object' as const),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('extra' as const),
      at,
      key: fc.oneof(fc.string({ maxLength: 12 }), nastyString),
      value: anyJson,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('pollute' as const),
      at,
      key: fc.constantFrom('__proto__' as const, 'constructor' as const, 'prototype' as const),
    }),
  },
);

/** One to three mutations, applied in order. */
export const mutations: fc.Arbitrary<Mutation[]> = fc.array(mutation, { minLength: 1, maxLength: 3 });

/**
 * Deep nesting as JSON text: walking, cloning or stringifying it recursively would overflow
 * this test's own stack, so it is spliced into the final text where a marker string stands.
 */
function nestedText(depth: number, shape: 'array' | 'object'): string {
  const open = shape === 'array' ? '[' : '{"a":';
  const close = shape === 'array' ? ']' : '}';
  return `${open.repeat(depth)}1${close.repeat(depth)}`;
}

/** Set `parent[key]` as an own property, even for `__proto__` (as JSON.parse does). */
function define(parent: Record<string | number, unknown>, key: string | number, value: unknown): void {
  Object.defineProperty(parent, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * Apply `list` to a deep copy of `base` and return the result as the JSON text a producer would
 * send: the handler receives `JSON.parse` of it, as Lambda gives it.
 */
export function applyMutations(base: unknown, list: readonly Mutation[]): string {
  let root = JSON.parse(JSON.stringify(base)) as Json;
  const spliced = new Map<string, string>();
  for (const m of list) {
    const paths = pathsOf(root);
    if (paths.length === 0) {
      if (m.kind === 'replace') root = m.value;
      continue;
    }
    const path = paths[m.at % paths.length] as Path;
    const parentPath = path.slice(0, -1);
    const key = path[path.length - 1] as string | number;
    let parent = root as unknown as Record<string | number, unknown>;
    for (const segment of parentPath) parent = parent[segment] as Record<string | number, unknown>;
    const current = parent[key];
    switch (m.kind) {
      case 'remove':
        if (Array.isArray(parent)) parent.splice(key as number, 1);
        else delete parent[key];
        break;
      case 'replace':
        define(parent, key, m.value);
        break;
      case 'truncate':
        if (typeof current === 'string') define(parent, key, current.slice(0, m.keep % (current.length + 1)));
        else if (Array.isArray(current)) define(parent, key, current.slice(0, m.keep % (current.length + 1)));
        else define(parent, key, String(current).slice(0, 1));
        break;
      case 'huge-string':
        define(parent, key, `${typeof current === 'string' ? current : ''}${'x'.repeat(m.bytes)}`);
        break;
      case 'deep': {
        const marker = `@@deep-${spliced.size}@@`;
        spliced.set(`"${marker}"`, nestedText(m.depth, m.shape));
        define(parent, key, marker);
        break;
      }
      case 'extra': {
        const target =
          current !== null && typeof current === 'object' && !Array.isArray(current) ? current : parent;
        if (!Array.isArray(target)) define(target as Record<string, unknown>, m.key, m.value);
        break;
      }
      case 'pollute': {
        const target =
          current !== null && typeof current === 'object' && !Array.isArray(current) ? current : parent;
        const payload = m.key === 'constructor' ? { prototype: { polluted: true } } : { polluted: true };
        if (!Array.isArray(target)) define(target as Record<string, unknown>, m.key, payload);
        break;
      }
    }
  }
  // JSON.stringify writes an own `__proto__` property as a plain key, and JSON.parse reads it back as one.
  let text = JSON.stringify(root);
  for (const [marker, nested] of spliced) text = text.replace(marker, () => nested);
  return text;
}

/** Runs per property: modest in CI, `FUZZ_RUNS=1000 npx vitest run test/fuzz` for a longer hunt. */
export function fuzzRuns(ciDefault: number): number {
  const fromEnv = Number(process.env.FUZZ_RUNS);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : ciDefault;
}

/** fast-check parameters: `FUZZ_SEED` replays a reported failure. */
export function fuzzParameters(ciDefault: number): fc.Parameters<unknown> {
  const seed = Number(process.env.FUZZ_SEED);
  return {
    numRuns: fuzzRuns(ciDefault),
    ...(Number.isInteger(seed) ? { seed } : {}),
    endOnFailure: false,
    verbose: 1,
  };
}
