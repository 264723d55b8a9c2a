/**
 * Composite alarm rules (`AlarmRule`): `ALARM(name)`, `OK(name)`, `INSUFFICIENT_DATA(name)`,
 * `TRUE`, `FALSE`, combined with `AND`, `OR`, `NOT` and parentheses. An alarm is named by
 * name or ARN, optionally in double quotes. NOT binds tightest, then AND, then OR.
 */

export type AlarmStateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

export type AlarmRule =
  | { readonly kind: 'const'; readonly value: boolean }
  | { readonly kind: 'state'; readonly state: AlarmStateValue; readonly alarm: string }
  | { readonly kind: 'not'; readonly operand: AlarmRule }
  | { readonly kind: 'and' | 'or'; readonly operands: readonly AlarmRule[] };

export class AlarmRuleError extends Error {
  constructor(message: string) {
    super(`AlarmRule is not valid: ${message}`);
    this.name = 'AlarmRuleError';
  }
}

type Token = { kind: 'word' | 'quoted'; text: string; at: number } | { kind: '(' | ')'; at: number };

function tokenize(rule: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < rule.length) {
    const c = rule.charAt(i);
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      tokens.push({ kind: c, at: i });
      i++;
    } else if (c === '"') {
      const end = rule.indexOf('"', i + 1);
      if (end < 0) throw new AlarmRuleError(`unterminated quote at ${i}`);
      tokens.push({ kind: 'quoted', text: rule.slice(i + 1, end), at: i });
      i = end + 1;
    } else {
      const start = i;
      while (i < rule.length && !/[\s()"]/.test(rule.charAt(i))) i++;
      tokens.push({ kind: 'word', text: rule.slice(start, i), at: start });
    }
  }
  return tokens;
}

const STATE_FUNCTIONS = new Set<string>(['ALARM', 'OK', 'INSUFFICIENT_DATA']);

/** Parse an AlarmRule; throws AlarmRuleError saying where it is wrong. */
export function parseAlarmRule(rule: string): AlarmRule {
  if (rule.trim() === '') throw new AlarmRuleError('it is empty');
  if (rule.length > 10_240) throw new AlarmRuleError('it is longer than 10240 characters');
  const tokens = tokenize(rule);
  let pos = 0;
  const peek = (): Token | undefined => tokens[pos];
  const isWord = (token: Token | undefined, text: string): boolean =>
    token?.kind === 'word' && token.text === text;
  const describe = (token: Token | undefined): string =>
    token === undefined ? 'end of rule' : `"${'text' in token ? token.text : token.kind}" at ${token.at}`;

  const primary = (): AlarmRule => {
    const token = peek();
    if (token === undefined) throw new AlarmRuleError('unexpected end of rule');
    if (token.kind === '(') {
      pos++;
      const inner = or();
      if (peek()?.kind !== ')') throw new AlarmRuleError(`expected ")" but found ${describe(peek())}`);
      pos++;
      return inner;
    }
    if (token.kind === 'word' && (token.text === 'TRUE' || token.text === 'FALSE')) {
      pos++;
      return { kind: 'const', value: token.text === 'TRUE' };
    }
    if (token.kind === 'word' && STATE_FUNCTIONS.has(token.text)) {
      pos++;
      if (peek()?.kind !== '(') throw new AlarmRuleError(`expected "(" after ${token.text} at ${token.at}`);
      pos++;
      const name = peek();
      if (name === undefined || (name.kind !== 'word' && name.kind !== 'quoted') || name.text === '') {
        throw new AlarmRuleError(`expected an alarm name or ARN in ${token.text}(...) at ${token.at}`);
      }
      pos++;
      if (peek()?.kind !== ')') throw new AlarmRuleError(`expected ")" but found ${describe(peek())}`);
      pos++;
      return { kind: 'state', state: token.text as AlarmStateValue, alarm: name.text };
    }
    throw new AlarmRuleError(`unexpected ${describe(token)}`);
  };
  const not = (): AlarmRule => {
    if (isWord(peek(), 'NOT')) {
      pos++;
      return { kind: 'not', operand: not() };
    }
    return primary();
  };
  const chain = (operator: 'AND' | 'OR', next: () => AlarmRule): AlarmRule => {
    const operands = [next()];
    while (isWord(peek(), operator)) {
      pos++;
      operands.push(next());
    }
    return operands.length === 1 && operands[0] !== undefined
      ? operands[0]
      : { kind: operator === 'AND' ? 'and' : 'or', operands };
  };
  const and = (): AlarmRule => chain('AND', not);
  const or = (): AlarmRule => chain('OR', and);

  const parsed = or();
  if (pos < tokens.length) throw new AlarmRuleError(`unexpected ${describe(peek())}`);
  return parsed;
}

/** The alarms a rule names (names or ARNs as written). */
export function referencedAlarms(rule: AlarmRule): string[] {
  switch (rule.kind) {
    case 'const':
      return [];
    case 'state':
      return [rule.alarm];
    case 'not':
      return referencedAlarms(rule.operand);
    case 'and':
    case 'or':
      return rule.operands.flatMap(referencedAlarms);
  }
}

/** Evaluate a rule given each named alarm's current state. */
export function evaluateAlarmRule(
  rule: AlarmRule,
  stateOf: (alarm: string) => AlarmStateValue | undefined,
): boolean {
  switch (rule.kind) {
    case 'const':
      return rule.value;
    case 'state':
      return stateOf(rule.alarm) === rule.state;
    case 'not':
      return !evaluateAlarmRule(rule.operand, stateOf);
    case 'and':
      return rule.operands.every((operand) => evaluateAlarmRule(operand, stateOf));
    case 'or':
      return rule.operands.some((operand) => evaluateAlarmRule(operand, stateOf));
  }
}

/** The alarms whose state clauses currently hold (why a rule evaluates as it does). */
export function satisfiedAlarms(
  rule: AlarmRule,
  stateOf: (alarm: string) => AlarmStateValue | undefined,
): string[] {
  switch (rule.kind) {
    case 'const':
      return [];
    case 'state':
      return stateOf(rule.alarm) === rule.state ? [rule.alarm] : [];
    case 'not':
      return satisfiedAlarms(rule.operand, stateOf);
    case 'and':
    case 'or':
      return [...new Set(rule.operands.flatMap((operand) => satisfiedAlarms(operand, stateOf)))];
  }
}
