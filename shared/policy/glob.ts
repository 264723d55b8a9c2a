/**
 * The glob dialect of the policy file, compiled once when the policy loads.
 *
 * Policy globs match names and ARNs, not file paths, so `*` crosses `/` and `:` (an ARN
 * pattern such as `arn:aws:iam::*:role/deploy/*` must match role paths). Supported:
 * `*` (any run of characters, also empty), `?` (one character), `{a,b}` (one of the
 * alternatives, not nested) and `\` to escape the next character. Matching is whole-string
 * and case-sensitive, like IAM names and App Mesh names.
 *
 * Matching does not use RegExp: a pattern such as `*a*a*a*a*b` makes a backtracking regex
 * engine take polynomial time of high degree. The wildcard matcher below is O(pattern × value)
 * at worst, whatever the pattern.
 */

/** A compiled glob: `test(value)` is true when the whole value matches. */
export interface Glob {
  readonly source: string;
  test(value: string): boolean;
}

/** Alternatives are expanded into separate patterns; this bounds the expansion. */
export const MAX_GLOB_ALTERNATIVES = 64;

/** Why a pattern is not a valid glob, or undefined when it is. */
export function globSyntaxError(pattern: string): string | undefined {
  let inBraces = false;
  let expansions = 1;
  let branches = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      if (i === pattern.length - 1) return 'ends with an unescaped "\\"';
      i++;
    } else if (c === '{') {
      if (inBraces) return 'has nested "{"; alternatives cannot be nested';
      inBraces = true;
      branches = 1;
    } else if (c === ',' && inBraces) {
      branches++;
    } else if (c === '}') {
      if (!inBraces) return 'has a "}" without a "{"';
      inBraces = false;
      expansions *= branches;
      if (expansions > MAX_GLOB_ALTERNATIVES)
        return `expands to more than ${MAX_GLOB_ALTERNATIVES} alternatives`;
    }
  }
  return inBraces ? 'has a "{" without a closing "}"' : undefined;
}

/** One token of an expanded pattern: a literal character, `?` or `*`. */
type Token = { readonly any: 'one' | 'run' } | { readonly char: string };

/** Expand `{a,b}` groups into token lists, one per combination. */
function expand(pattern: string): Token[][] {
  let results: Token[][] = [[]];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '{') {
      const close = findClose(pattern, i);
      const branches = splitBranches(pattern.slice(i + 1, close)).map(tokenize);
      results = results.flatMap((prefix) => branches.map((b) => [...prefix, ...b]));
      i = close;
    } else {
      const [token, width] = tokenAt(pattern, i);
      for (const r of results) r.push(token);
      i += width - 1;
    }
  }
  return results;
}

function tokenAt(text: string, i: number): [Token, number] {
  const c = text[i] as string;
  if (c === '\\') return [{ char: text[i + 1] as string }, 2];
  if (c === '*') return [{ any: 'run' }, 1];
  if (c === '?') return [{ any: 'one' }, 1];
  return [{ char: c }, 1];
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (let i = 0; i < text.length; ) {
    const [token, width] = tokenAt(text, i);
    tokens.push(token);
    i += width;
  }
  return tokens;
}

function findClose(pattern: string, open: number): number {
  for (let i = open + 1; i < pattern.length; i++) {
    if (pattern[i] === '\\') i++;
    else if (pattern[i] === '}') return i;
  }
  return pattern.length;
}

function splitBranches(body: string): string[] {
  const branches: string[] = [];
  let current = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c === '\\') {
      current += c + (body[i + 1] ?? '');
      i++;
    } else if (c === ',') {
      branches.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  branches.push(current);
  return branches;
}

/** Greedy wildcard matching with one backtrack point: O(tokens × value) at worst. */
function matchTokens(tokens: readonly Token[], value: string): boolean {
  let p = 0;
  let s = 0;
  let starAt = -1;
  let starMatch = 0;
  while (s < value.length) {
    const token = tokens[p];
    if (token !== undefined && ('char' in token ? token.char === value[s] : token.any === 'one')) {
      p++;
      s++;
    } else if (token !== undefined && 'any' in token && token.any === 'run') {
      starAt = p;
      starMatch = s;
      p++;
    } else if (starAt >= 0) {
      p = starAt + 1;
      starMatch++;
      s = starMatch;
    } else {
      return false;
    }
  }
  while (p < tokens.length) {
    const token = tokens[p] as Token;
    if (!('any' in token) || token.any !== 'run') return false;
    p++;
  }
  return true;
}

/** True when the pattern has no wildcard, so plain equality decides. */
function isLiteral(pattern: string): boolean {
  return !/[*?{}\\]/.test(pattern);
}

/**
 * Compile a glob. Throws a TypeError for a pattern that {@link globSyntaxError} refuses; the
 * policy schema refuses those first, so compiled policies never throw here.
 */
export function compileGlob(pattern: string): Glob {
  const error = globSyntaxError(pattern);
  if (error !== undefined) throw new TypeError(`Invalid glob "${pattern}": ${error}`);
  if (pattern === '*') return { source: pattern, test: () => true };
  if (isLiteral(pattern)) return { source: pattern, test: (value) => value === pattern };
  const alternatives = expand(pattern);
  return { source: pattern, test: (value) => alternatives.some((tokens) => matchTokens(tokens, value)) };
}

/** A set of globs that matches when any of them does. */
export interface GlobSet {
  readonly sources: readonly string[];
  test(value: string): boolean;
}

/** Compile several globs into one any-of matcher; literal patterns become one Set lookup. */
export function compileGlobSet(patterns: readonly string[]): GlobSet {
  if (patterns.includes('*')) return { sources: patterns, test: () => true };
  const literals = new Set(patterns.filter(isLiteral));
  const wild = patterns.filter((p) => !isLiteral(p)).map(compileGlob);
  return {
    sources: patterns,
    test: (value) => literals.has(value) || wild.some((g) => g.test(value)),
  };
}
