import { BlockList, isIP } from 'node:net';

/**
 * EventBridge event patterns: validation (as PutRule and TestEventPattern refuse malformed
 * patterns) and matching, following the EventBridge user guide and the rule compiler of
 * aws/event-ruler, whose error messages are reused so that local errors read like AWS's.
 *
 * Semantics in short: keys are ANDed; the values in a field's array are ORed; nested objects
 * descend into the event; an array in the event matches when any of its elements matches
 * (arrays of objects, nested in further arrays or not, are flattened and matched element by
 * element, so fields under one pattern object come from the same element); comparison
 * operators only apply to leaf values (string, number, boolean, null), an object in the event
 * counts as "no leaf here".
 */

/** A pattern was refused; the message says what is wrong, as InvalidEventPatternException does. */
export class InvalidEventPatternError extends Error {
  constructor(reason: string) {
    super(`Event pattern is not valid. Reason: ${reason}`);
    this.name = 'InvalidEventPatternError';
  }
}

type Leaf = string | number | boolean | null;

/** One entry of a field's value array, compiled to a predicate over the field's leaves. */
/** Whether the field (all of its leaves; empty when absent) satisfies this entry. */
type ValueMatcher = (leaves: readonly Leaf[]) => boolean;

interface FieldNode {
  readonly key: string;
  readonly matchers?: readonly ValueMatcher[];
  readonly nested?: PatternNode;
}

interface PatternNode {
  readonly fields: readonly FieldNode[];
  /** Each entry is one `$or`: at least one of its alternatives must match. */
  readonly ors: readonly (readonly PatternNode[])[];
}

/** A validated, compiled event pattern. */
export interface CompiledPattern {
  /** The pattern as given, for DescribeRule and persistence. */
  readonly source: string;
  matches(event: unknown): boolean;
}

const NUMERIC_LIMIT = 5e9;

/** At most this many alternatives once every `$or` is expanded (EventBridge's complexity limit). */
export const MAX_OR_COMBINATIONS = 1000;

function fail(reason: string): never {
  throw new InvalidEventPatternError(reason);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isLeaf(value: unknown): value is Leaf {
  return (
    value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
  );
}

function onlyKey(expression: Record<string, unknown>): [string, unknown] {
  const entries = Object.entries(expression);
  const first = entries[0];
  if (first === undefined) fail('Match expression name not found');
  if (entries.length > 1) fail('Only one key allowed in match expression');
  return first;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * Case-insensitive text as event-ruler (EventBridge's matcher) compiles it: each character of
 * the pattern stands for its lower-case or its upper-case form, with the full (one to many)
 * mappings of the root locale, so `straße` matches `STRASSE` and `STRAßE`, and `ı` matches `I`
 * but not `i`. The event's text is compared as it is, not folded.
 */
function ignoreCaseSource(text: string): string {
  let source = '';
  for (const c of text) {
    const forms = [...new Set([c.toLowerCase(), c.toUpperCase()])].map(escapeRegExp);
    source += forms.length === 1 ? forms.join('') : `(?:${forms.join('|')})`;
  }
  return source;
}

/** A test of a whole text (`equals-ignore-case`), its start (`prefix`) or its end (`suffix`). */
function caseInsensitive(text: string, part: 'whole' | 'prefix' | 'suffix'): (s: string) => boolean {
  const source = ignoreCaseSource(text);
  const regex = new RegExp(
    part === 'whole' ? `^${source}$` : part === 'prefix' ? `^${source}` : `${source}$`,
  );
  return (s) => regex.test(s);
}

/** Any leaf satisfies the predicate. */
function anyLeaf(test: (leaf: Leaf) => boolean): ValueMatcher {
  return (leaves) => leaves.some(test);
}

function anyString(test: (text: string) => boolean): ValueMatcher {
  return anyLeaf((leaf) => typeof leaf === 'string' && test(leaf));
}

function sameLeaf(expected: Leaf, actual: Leaf): boolean {
  // JSON numbers compare by value: 300 matches 3.0e2.
  return typeof expected === 'number' && typeof actual === 'number'
    ? expected === actual
    : expected === actual;
}

/** `"a*b"` with `\*` for a literal star and `\\` for a literal backslash. */
export function compileWildcard(pattern: string): RegExp {
  let source = '';
  let previousWasStar = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i);
    if (c === '\\') {
      const next = pattern.charAt(i + 1);
      if (next !== '*' && next !== '\\') fail(`Invalid escape character at pos ${i + 1}`);
      source += `\\${next}`;
      i++;
      previousWasStar = false;
    } else if (c === '*') {
      if (previousWasStar) fail(`Consecutive wildcard characters at pos ${i}`);
      source += '[\\s\\S]*';
      previousWasStar = true;
    } else {
      source += c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
      previousWasStar = false;
    }
  }
  return new RegExp(`^${source}$`);
}

function compileCidr(value: unknown): ValueMatcher {
  if (typeof value !== 'string') fail('cidr match pattern must be a string');
  const [address = '', bits, ...rest] = value.split('/');
  const family = isIP(address);
  const prefix = Number(bits);
  const max = family === 6 ? 128 : 32;
  if (family === 0 || rest.length > 0 || bits === undefined || !/^\d+$/.test(bits) || prefix > max) {
    fail(`Malformed CIDR, one '/' required: ${value}`);
  }
  const list = new BlockList();
  const type = family === 6 ? 'ipv6' : 'ipv4';
  list.addSubnet(address, prefix, type);
  return anyString((text) => {
    const f = isIP(text);
    return f !== 0 && list.check(text, f === 6 ? 'ipv6' : 'ipv4');
  });
}

function stringOrIgnoreCase(operator: string, value: unknown): { text: string; ignoreCase: boolean } {
  if (typeof value === 'string') return { text: value, ignoreCase: false };
  if (isPlainObject(value)) {
    const [inner, text] = onlyKey(value);
    if (inner === 'equals-ignore-case' && typeof text === 'string') return { text, ignoreCase: true };
  }
  return fail(`${operator} match pattern must be a string`);
}

function compileNumeric(value: unknown): ValueMatcher {
  if (!Array.isArray(value)) fail('Value of numeric must be an array.');
  const checks: ((n: number) => boolean)[] = [];
  const items = [...value];
  let stage: 'start' | 'afterLower' | 'done' = 'start';
  while (items.length > 0) {
    if (stage === 'done') fail('Too many elements in numeric expression');
    const operator = items.shift();
    if (typeof operator !== 'string') fail(`Invalid member in numeric match: ${JSON.stringify(operator)}`);
    if (items.length === 0) fail(`Value of ${operator} must be numeric`);
    const bound = items.shift();
    if (typeof bound !== 'number') fail(`Value of ${operator} must be numeric`);
    if (Math.abs(bound) > NUMERIC_LIMIT) fail(`Value of ${operator} is out of range`);
    const allowed = stage === 'start' ? ['=', '>', '>=', '<', '<='] : ['<', '<='];
    if (!allowed.includes(operator)) {
      fail(
        stage === 'start'
          ? `Unrecognized numeric range operator: ${operator}`
          : `Bad numeric range operator: ${operator}`,
      );
    }
    switch (operator) {
      case '=':
        checks.push((n) => n === bound);
        stage = 'done';
        break;
      case '>':
        checks.push((n) => n > bound);
        stage = 'afterLower';
        break;
      case '>=':
        checks.push((n) => n >= bound);
        stage = 'afterLower';
        break;
      case '<':
        checks.push((n) => n < bound);
        stage = 'done';
        break;
      case '<=':
        checks.push((n) => n <= bound);
        stage = 'done';
        break;
    }
  }
  if (checks.length === 0) fail('Empty numeric expression');
  // A range is [bottom, top] with the open ends at the limit; one that holds no number is refused.
  const [first, firstBound, second, secondBound] = value as [string, number, string?, number?];
  if (first !== '=') {
    const lowerFirst = first === '>' || first === '>=';
    const bottom = lowerFirst ? firstBound : -NUMERIC_LIMIT;
    const top = lowerFirst ? (second === undefined ? NUMERIC_LIMIT : (secondBound as number)) : firstBound;
    if (bottom >= top) fail('Bottom must be less than top');
  }
  return anyLeaf((leaf) => typeof leaf === 'number' && checks.every((check) => check(leaf)));
}

function compileAnythingBut(value: unknown): ValueMatcher {
  // A field that is absent never matches anything-but: there is no value to be "anything but".
  const unless =
    (excluded: (leaf: Leaf) => boolean): ValueMatcher =>
    (leaves) =>
      leaves.some((leaf) => !excluded(leaf));
  if (typeof value === 'string' || typeof value === 'number') {
    if (typeof value === 'number' && Math.abs(value) > NUMERIC_LIMIT)
      fail('anything-but number is out of range');
    return unless((leaf) => sameLeaf(value, leaf));
  }
  if (Array.isArray(value)) {
    const strings = value.every((v) => typeof v === 'string');
    const numbers = value.every((v) => typeof v === 'number');
    if (value.length === 0 || (!strings && !numbers)) {
      fail('Inside anything but list, either all values are number or string, mixed type is not supported');
    }
    const excluded = value as Leaf[];
    return unless((leaf) => excluded.some((v) => sameLeaf(v, leaf)));
  }
  if (isPlainObject(value)) {
    const [operator, operand] = onlyKey(value);
    const texts = (allowList: boolean): string[] => {
      if (typeof operand === 'string') return [operand];
      if (
        allowList &&
        Array.isArray(operand) &&
        operand.length > 0 &&
        operand.every((v) => typeof v === 'string')
      ) {
        return operand as string[];
      }
      return fail(
        `Inside anything-but/${operator}, the value must be a string${allowList ? ' or a list of strings' : ''}`,
      );
    };
    switch (operator) {
      case 'prefix':
      case 'suffix': {
        const [text = ''] = texts(false);
        if (text === '') fail('Null prefix/suffix not allowed');
        const test =
          operator === 'prefix' ? (s: string) => s.startsWith(text) : (s: string) => s.endsWith(text);
        return unless((leaf) => typeof leaf === 'string' && test(leaf));
      }
      case 'equals-ignore-case': {
        const excluded = texts(true).map((text) => caseInsensitive(text, 'whole'));
        return unless((leaf) => typeof leaf === 'string' && excluded.some((test) => test(leaf)));
      }
      case 'wildcard': {
        const regexes = texts(true).map(compileWildcard);
        return unless((leaf) => typeof leaf === 'string' && regexes.some((r) => r.test(leaf)));
      }
      default:
        return fail(`Unsupported anything-but pattern: ${operator}`);
    }
  }
  return fail('Value of anything-but must be an array or single string/number value.');
}

function compileExpression(expression: Record<string, unknown>): ValueMatcher {
  const [operator, value] = onlyKey(expression);
  switch (operator) {
    case 'prefix': {
      const { text, ignoreCase } = stringOrIgnoreCase('prefix', value);
      return ignoreCase ? anyString(caseInsensitive(text, 'prefix')) : anyString((s) => s.startsWith(text));
    }
    case 'suffix': {
      const { text, ignoreCase } = stringOrIgnoreCase('suffix', value);
      return ignoreCase ? anyString(caseInsensitive(text, 'suffix')) : anyString((s) => s.endsWith(text));
    }
    case 'equals-ignore-case': {
      if (typeof value !== 'string') fail('equals-ignore-case match pattern must be a string');
      return anyString(caseInsensitive(value, 'whole'));
    }
    case 'wildcard': {
      if (typeof value !== 'string') fail('wildcard match pattern must be a string');
      const regex = compileWildcard(value);
      return anyString((s) => regex.test(s));
    }
    case 'anything-but':
      return compileAnythingBut(value);
    case 'numeric':
      return compileNumeric(value);
    case 'exists':
      if (typeof value !== 'boolean') fail('exists match pattern must be either true or false.');
      return value ? (leaves) => leaves.length > 0 : (leaves) => leaves.length === 0;
    case 'cidr':
      return compileCidr(value);
    default:
      return fail(`Unrecognized match type ${operator}`);
  }
}

function compileValues(key: string, values: readonly unknown[]): ValueMatcher[] {
  if (values.length === 0) fail('Empty arrays are not allowed');
  return values.map((value) => {
    if (isPlainObject(value)) return compileExpression(value);
    if (isLeaf(value)) return anyLeaf((leaf) => sameLeaf(value, leaf));
    return fail(`Match value must be String, number, true, false, or null (in "${key}")`);
  });
}

/**
 * Field names event-ruler refuses inside a `$or` branch (operator names, and names it keeps for
 * operators to come), so that a branch cannot be mistaken for a match expression.
 */
const RESERVED_IN_OR = new Set([
  'equals',
  'equals-ignore-case',
  'prefix',
  'suffix',
  'anything-but',
  'exists',
  'wildcard',
  'numeric',
  'cidr',
  '=',
  '<',
  '<=',
  '>',
  '>=',
  'regex',
  'not-wildcard',
  'not-equals-ignore-case',
  'date-after',
  'date-on-or-after',
  'date-before',
  'date-on-or-before',
  'in-date-range',
  'ip-address-in-range',
  'ip-address-not-in-range',
]);

function compileNode(pattern: Record<string, unknown>, insideOr = false): PatternNode {
  const entries = Object.entries(pattern);
  if (entries.length === 0) fail('Empty objects are not allowed');
  const fields: FieldNode[] = [];
  const ors: PatternNode[][] = [];
  for (const [key, value] of entries) {
    if (key === '$or') {
      if (!Array.isArray(value)) fail('It must be an Array followed with $or.');
      if (!value.every(isPlainObject)) fail('Only JSON object is allowed in array of $or relationship.');
      if (value.length < 2) fail('There must have at least 2 Objects in $or relationship.');
      ors.push(value.map((alternative) => compileNode(alternative, true)));
      continue;
    }
    if (insideOr && RESERVED_IN_OR.has(key)) {
      fail(`${key} is Ruler reserved fieldName which cannot be used inside $or.`);
    }
    if (Array.isArray(value)) {
      fields.push({ key, matchers: compileValues(key, value) });
    } else if (isPlainObject(value)) {
      fields.push({ key, nested: compileNode(value, insideOr) });
    } else {
      fail(`"${key}" must be an object or an array`);
    }
  }
  return { fields, ors };
}

/** The leaves of an event value: scalars, and the scalar elements of (nested) arrays. */
function leavesOf(value: unknown): Leaf[] {
  if (isLeaf(value)) return [value];
  if (Array.isArray(value)) return value.flatMap(leavesOf);
  return [];
}

/** The objects of an event array, those in arrays nested in it included (EventBridge flattens them). */
function objectsIn(array: readonly unknown[]): Record<string, unknown>[] {
  return array.flatMap((element) =>
    Array.isArray(element) ? objectsIn(element) : isPlainObject(element) ? [element] : [],
  );
}

/**
 * How many alternatives the pattern has once every `$or` is expanded, as EventBridge expands
 * them into separate rules: `$or`s in one object, or in nested objects, multiply; the branches
 * of one `$or` add up.
 */
function orCombinations(node: PatternNode): number {
  let count = 1;
  for (const field of node.fields) if (field.nested !== undefined) count *= orCombinations(field.nested);
  for (const alternatives of node.ors) {
    count *= alternatives.reduce((sum, alternative) => sum + orCombinations(alternative), 0);
  }
  return count;
}

function matchNode(node: PatternNode, event: unknown): boolean {
  if (Array.isArray(event)) {
    // An array of objects: one element must satisfy the whole sub-pattern.
    const objects = objectsIn(event);
    return objects.length === 0
      ? matchNode(node, undefined)
      : objects.some((element) => matchNode(node, element));
  }
  const object = isPlainObject(event) ? event : undefined;
  for (const field of node.fields) {
    const value = object !== undefined && Object.hasOwn(object, field.key) ? object[field.key] : undefined;
    if (field.nested !== undefined) {
      if (!matchNode(field.nested, value)) return false;
    } else if (field.matchers !== undefined) {
      const leaves = leavesOf(value);
      if (!field.matchers.some((matcher) => matcher(leaves))) return false;
    }
  }
  return node.ors.every((alternatives) => alternatives.some((alternative) => matchNode(alternative, event)));
}

/**
 * Validate and compile a pattern given as JSON text (as PutRule takes it) or as an object
 * (as the runtime registers the CDK stack's patterns). Throws InvalidEventPatternError.
 */
export function compilePattern(pattern: string | Record<string, unknown>): CompiledPattern {
  let parsed: unknown = pattern;
  let source: string;
  if (typeof pattern === 'string') {
    source = pattern;
    try {
      parsed = JSON.parse(pattern);
    } catch (error) {
      fail(`Filter is not valid JSON: ${(error as Error).message}`);
    }
  } else {
    source = JSON.stringify(pattern);
  }
  if (!isPlainObject(parsed)) fail('Filter is not an object');
  const root = compileNode(parsed);
  const combinations = orCombinations(root);
  if (combinations > MAX_OR_COMBINATIONS) {
    fail(
      `The $or relationships expand to ${combinations} combinations; at most ${MAX_OR_COMBINATIONS} are allowed`,
    );
  }
  return { source, matches: (event) => matchNode(root, event) };
}

/** Whether the event matches the pattern; throws InvalidEventPatternError for a bad pattern. */
export function matchesPattern(pattern: string | Record<string, unknown>, event: unknown): boolean {
  return compilePattern(pattern).matches(event);
}
