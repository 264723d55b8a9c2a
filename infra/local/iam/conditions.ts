import type { ConditionBlock } from './policy-document';
import { arnMatch, wildcardMatch } from './wildcard';

/**
 * IAM condition operators. Within a block every operator must hold, within an operator
 * every key must hold, and a key holds when the request's value matches any of the policy's
 * values (for the negated operators: none of them).
 */

type Comparator = (policyValue: string, requestValue: string) => boolean;

interface OperatorDefinition {
  readonly compare: Comparator;
  /** StringNotEquals and friends: true when no policy value matches; true when the key is absent. */
  readonly negated: boolean;
}

function numeric(compare: (a: number, b: number) => boolean): Comparator {
  return (policyValue, requestValue) => {
    const p = Number(policyValue);
    const r = Number(requestValue);
    return !Number.isNaN(p) && !Number.isNaN(r) && compare(r, p);
  };
}

function date(compare: (a: number, b: number) => boolean): Comparator {
  const toMs = (value: string): number =>
    /^\d+$/.test(value) ? Number(value) * 1000 : new Date(value).getTime();
  return (policyValue, requestValue) => {
    const p = toMs(policyValue);
    const r = toMs(requestValue);
    return !Number.isNaN(p) && !Number.isNaN(r) && compare(r, p);
  };
}

const stringEquals: Comparator = (p, r) => p === r;
const stringEqualsIgnoreCase: Comparator = (p, r) => p.toLowerCase() === r.toLowerCase();
const stringLike: Comparator = (p, r) => wildcardMatch(p, r);
const arnLike: Comparator = (p, r) => arnMatch(p, r);
const bool: Comparator = (p, r) => p.toLowerCase() === r.toLowerCase();

const OPERATORS: Readonly<Record<string, OperatorDefinition>> = {
  StringEquals: { compare: stringEquals, negated: false },
  StringNotEquals: { compare: stringEquals, negated: true },
  StringEqualsIgnoreCase: { compare: stringEqualsIgnoreCase, negated: false },
  StringNotEqualsIgnoreCase: { compare: stringEqualsIgnoreCase, negated: true },
  StringLike: { compare: stringLike, negated: false },
  StringNotLike: { compare: stringLike, negated: true },
  // ArnEquals takes wildcards like ArnLike: IAM documents both as matching each ARN part.
  ArnEquals: { compare: arnLike, negated: false },
  ArnLike: { compare: arnLike, negated: false },
  ArnNotEquals: { compare: arnLike, negated: true },
  ArnNotLike: { compare: arnLike, negated: true },
  Bool: { compare: bool, negated: false },
  NumericEquals: { compare: numeric((a, b) => a === b), negated: false },
  NumericNotEquals: { compare: numeric((a, b) => a === b), negated: true },
  NumericLessThan: { compare: numeric((a, b) => a < b), negated: false },
  NumericLessThanEquals: { compare: numeric((a, b) => a <= b), negated: false },
  NumericGreaterThan: { compare: numeric((a, b) => a > b), negated: false },
  NumericGreaterThanEquals: { compare: numeric((a, b) => a >= b), negated: false },
  DateEquals: { compare: date((a, b) => a === b), negated: false },
  DateNotEquals: { compare: date((a, b) => a === b), negated: true },
  DateLessThan: { compare: date((a, b) => a < b), negated: false },
  DateLessThanEquals: { compare: date((a, b) => a <= b), negated: false },
  DateGreaterThan: { compare: date((a, b) => a > b), negated: false },
  DateGreaterThanEquals: { compare: date((a, b) => a >= b), negated: false },
};

/** The operator names the evaluator knows, without qualifiers (for the README and errors). */
export const OPERATOR_NAMES: readonly string[] = [...Object.keys(OPERATORS), 'Null'];

interface ParsedOperator {
  readonly set: 'single' | 'any' | 'all';
  readonly base: string;
  readonly ifExists: boolean;
}

function parseOperator(name: string): ParsedOperator | undefined {
  let rest = name;
  let set: ParsedOperator['set'] = 'single';
  if (rest.startsWith('ForAnyValue:')) {
    set = 'any';
    rest = rest.slice('ForAnyValue:'.length);
  } else if (rest.startsWith('ForAllValues:')) {
    set = 'all';
    rest = rest.slice('ForAllValues:'.length);
  }
  const ifExists = rest.endsWith('IfExists') && rest !== 'IfExists';
  const base = ifExists ? rest.slice(0, -'IfExists'.length) : rest;
  if (base === 'Null') return set === 'single' && !ifExists ? { set, base, ifExists } : undefined;
  return OPERATORS[base] === undefined ? undefined : { set, base, ifExists };
}

/** Whether IAM would accept this operator name (`ForAnyValue:StringLikeIfExists` included). */
export function isKnownOperator(name: string): boolean {
  return parseOperator(name) !== undefined;
}

/**
 * Replace `${key}` policy variables from the request context (`${*}`, `${?}`, `${$}` are the
 * literal characters). Undefined when a variable is not in the context: IAM then treats the
 * value as matching nothing.
 */
export function substituteVariables(
  text: string,
  context: ReadonlyMap<string, readonly string[]>,
): string | undefined {
  if (!text.includes('${')) return text;
  let missing = false;
  const result = text.replace(/\$\{([^}]+)\}/g, (_, key: string) => {
    if (key === '*' || key === '?' || key === '$') return key;
    const value = context.get(key.toLowerCase());
    if (value === undefined || value.length !== 1) {
      missing = true;
      return '';
    }
    return value[0] as string;
  });
  return missing ? undefined : result;
}

function keyHolds(
  operator: ParsedOperator,
  policyValues: readonly string[],
  requestValues: readonly string[] | undefined,
  context: ReadonlyMap<string, readonly string[]>,
): boolean {
  if (operator.base === 'Null') {
    const absent = requestValues === undefined || requestValues.length === 0;
    return policyValues.some((v) => v.toLowerCase() === String(absent));
  }
  const definition = OPERATORS[operator.base] as OperatorDefinition;
  const resolved = policyValues.flatMap((v) => {
    const s = substituteVariables(v, context);
    return s === undefined ? [] : [s];
  });
  const matchesAny = (requestValue: string) => resolved.some((p) => definition.compare(p, requestValue));
  const holdsFor = (requestValue: string) =>
    definition.negated ? !matchesAny(requestValue) : matchesAny(requestValue);
  const present = requestValues !== undefined && requestValues.length > 0;
  if (operator.set === 'all') return !present || requestValues.every(holdsFor);
  if (operator.set === 'any') return present ? requestValues.some(holdsFor) : operator.ifExists;
  if (!present) return operator.ifExists || definition.negated;
  return definition.negated ? !requestValues.some(matchesAny) : requestValues.some(matchesAny);
}

/** Whether every condition of a statement holds in this request context (keys lower-cased). */
export function conditionsHold(
  block: ConditionBlock,
  context: ReadonlyMap<string, readonly string[]>,
): boolean {
  for (const [name, keys] of Object.entries(block)) {
    const operator = parseOperator(name);
    // The schema refuses unknown operators; one that slipped through matches nothing.
    if (operator === undefined) return false;
    for (const [key, values] of Object.entries(keys)) {
      if (!keyHolds(operator, values, context.get(key.toLowerCase()), context)) return false;
    }
  }
  return true;
}
