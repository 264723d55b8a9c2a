/**
 * `semver` for the bundles (an esbuild alias, see infra/bundling.ts): the one function the X-Ray
 * SDK and cls-hooked call, `gte`, with semver's rules for strict versions (prerelease ordering,
 * build metadata ignored, `Invalid Version` on anything else). The semver package is 29 KB of
 * ranges, coercion and regexes built at load, on every traced cold start; a new function
 * needed from it fails the build.
 */

const NUMERIC = /^(?:0|[1-9]\d*)$/;
const VERSION =
  /^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][a-zA-Z0-9-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][a-zA-Z0-9-]*))*))?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

interface Version {
  readonly main: readonly [number, number, number];
  readonly prerelease: readonly string[];
}

function parse(version: string): Version {
  const m = typeof version === 'string' ? VERSION.exec(version.trim()) : null;
  if (m === null) throw new TypeError(`Invalid Version: ${version}`);
  return {
    main: [Number(m[1]), Number(m[2]), Number(m[3])],
    prerelease: m[4] === undefined ? [] : m[4].split('.'),
  };
}

/** Identifiers of a prerelease: numbers numerically and below words, words in ASCII order. */
function compareIdentifiers(a: string, b: string): number {
  const an = NUMERIC.test(a);
  const bn = NUMERIC.test(b);
  if (an && bn) return Number(a) - Number(b);
  if (an !== bn) return an ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function compare(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) {
    const d = (a.main[i] as number) - (b.main[i] as number);
    if (d !== 0) return d;
  }
  // A version without a prerelease ranks above any prerelease of it.
  if (a.prerelease.length === 0 || b.prerelease.length === 0)
    return b.prerelease.length - a.prerelease.length;
  for (let i = 0; i < Math.max(a.prerelease.length, b.prerelease.length); i++) {
    const x = a.prerelease[i];
    const y = b.prerelease[i];
    if (x === undefined || y === undefined) return x === undefined ? -1 : 1;
    const d = compareIdentifiers(x, y);
    if (d !== 0) return d;
  }
  return 0;
}

/** Whether version `a` is the same as or later than `b`, as semver's `gte` answers. */
export function gte(a: string, b: string): boolean {
  return compare(parse(a), parse(b)) >= 0;
}
