import { describe, expect, it } from 'vitest';
import {
  compilePattern,
  InvalidEventPatternError,
  MAX_OR_COMBINATIONS,
  matchesPattern,
} from '../../../infra/local/bus/pattern';

/**
 * Where EventBridge (its matcher, aws/event-ruler) differs from a plain reading of the user
 * guide: arrays nested in arrays, numeric ranges that hold no number, case-insensitive
 * comparison of non-ASCII text, and the limit on `$or` combinations.
 */

describe('objects in arrays nested in arrays', () => {
  it.each([
    ['an array of arrays', { a: [[{ b: 'x' }]] }],
    ['arrays three deep', { a: [[[{ b: 'x' }]]] }],
    ['next to leaves and empty arrays', { a: [1, [], ['y', [{ c: 1 }, { b: 'x' }]]] }],
  ])('match a nested pattern object in %s', (_case, event) => {
    expect(matchesPattern({ a: { b: ['x'] } }, event)).toBe(true);
  });

  it('still takes the fields of one pattern object from one element', () => {
    const pattern = { a: { b: ['x'], c: ['y'] } };

    const split = matchesPattern(pattern, { a: [[{ b: 'x' }], [{ c: 'y' }]] });
    const together = matchesPattern(pattern, { a: [[{ b: 'x' }], [{ b: 'x', c: 'y' }]] });

    expect(split).toBe(false);
    expect(together).toBe(true);
  });
});

describe('numeric ranges that hold no number', () => {
  it.each([
    ['equal open bounds', ['>', 5, '<', 5]],
    ['a lower bound above the upper one', ['>=', 5, '<', 3]],
    ['equal closed bounds', ['>=', 5, '<=', 5]],
    ['a lower bound at the largest number', ['>', 5e9]],
    ['an upper bound at the smallest number', ['<', -5e9]],
  ])('refuses %s', (_case, numeric) => {
    const act = () => compilePattern({ n: [{ numeric }] });

    expect(act).toThrow(InvalidEventPatternError);
    expect(act).toThrow(/Bottom must be less than top/);
  });

  it('accepts the narrowest ranges that hold numbers', () => {
    expect(matchesPattern({ n: [{ numeric: ['>', 5, '<=', 5.5] }] }, { n: 5.5 })).toBe(true);
    expect(matchesPattern({ n: [{ numeric: ['=', 5e9] }] }, { n: 5e9 })).toBe(true);
    expect(matchesPattern({ n: [{ numeric: ['>=', -5e9] }] }, { n: -5e9 })).toBe(true);
  });
});

describe('case-insensitive operators on non-ASCII text', () => {
  const equalsIgnoreCase = (pattern: string, value: string) =>
    matchesPattern({ v: [{ 'equals-ignore-case': pattern }] }, { v: value });

  it('lets ß stand for its upper-case form SS', () => {
    expect(equalsIgnoreCase('straße', 'STRASSE')).toBe(true);
    expect(equalsIgnoreCase('straße', 'STRAßE')).toBe(true);
    expect(equalsIgnoreCase('Straße', 'sTRASSE')).toBe(true);
  });

  it('folds each pattern character to its lower or upper form only, as event-ruler does', () => {
    // The event's text is not folded: SS in the pattern is two letters, ß in the event one.
    expect(equalsIgnoreCase('STRASSE', 'straße')).toBe(false);
    // ß has no lower-case SS: the event's `ss` matches neither ß nor SS.
    expect(equalsIgnoreCase('straße', 'strasse')).toBe(false);
  });

  it('uses the root locale for the Turkish dotted and dotless i', () => {
    expect(equalsIgnoreCase('ı', 'I')).toBe(true);
    expect(equalsIgnoreCase('ı', 'i')).toBe(false);
    expect(equalsIgnoreCase('I', 'i')).toBe(true);
    expect(equalsIgnoreCase('I', 'ı')).toBe(false);
    // İ lower-cases to i followed by a combining dot above.
    expect(equalsIgnoreCase('İ', 'i\u0307')).toBe(true);
    expect(equalsIgnoreCase('İ', 'i')).toBe(false);
  });

  it('folds one to many in prefix, suffix and anything-but too', () => {
    const prefix = { v: [{ prefix: { 'equals-ignore-case': 'groß' } }] };
    const suffix = { v: [{ suffix: { 'equals-ignore-case': 'straße' } }] };
    const anythingBut = { v: [{ 'anything-but': { 'equals-ignore-case': ['straße'] } }] };

    expect(matchesPattern(prefix, { v: 'GROSSE Straße' })).toBe(true);
    expect(matchesPattern(suffix, { v: 'HAUPTSTRASSE' })).toBe(true);
    expect(matchesPattern(anythingBut, { v: 'STRASSE' })).toBe(false);
    expect(matchesPattern(anythingBut, { v: 'GASSE' })).toBe(true);
  });

  it('treats regular expression characters in the pattern as text', () => {
    expect(equalsIgnoreCase('a.b*', 'A.B*')).toBe(true);
    expect(equalsIgnoreCase('a.b*', 'AxBBB')).toBe(false);
  });
});

describe('the limit on $or combinations', () => {
  /** An `$or` of `n` branches on field `field`. */
  const or = (field: string, n: number) =>
    Array.from({ length: n }, (_, i) => ({ [field]: [`${field}${i}`] }));

  it(`accepts exactly ${MAX_OR_COMBINATIONS} combinations`, () => {
    // 10 × 10 × 10: an $or at the top, one in detail and one in an object below it.
    const exact = { $or: or('a', 10), detail: { $or: or('b', 10), inner: { $or: or('c', 10) } } };

    expect(() => compilePattern(exact)).not.toThrow();
  });

  it.each([
    [
      'multiplied across objects',
      { $or: or('a', 10), detail: { $or: or('b', 10), x: { $or: or('c', 11) } } },
    ],
    ['added up inside one $or', { $or: [{ $or: or('a', 500) }, { $or: or('b', 501) }] }],
    [
      'added up in branches then multiplied',
      { $or: or('a', 2), d: { $or: [{ $or: or('b', 250) }, { $or: or('c', 251) }] } },
    ],
  ])('refuses more, %s', (_case, pattern) => {
    const act = () => compilePattern(pattern);

    expect(act).toThrow(InvalidEventPatternError);
    expect(act).toThrow(/\$or relationships expand to \d+ combinations; at most 1000 are allowed/);
  });
});

describe('field names reserved inside $or', () => {
  it.each(['numeric', 'prefix', 'exists', 'anything-but', 'regex'])(
    'refuses a field named %s in a branch',
    (name) => {
      const act = () => compilePattern({ $or: [{ a: ['1'] }, { detail: { [name]: ['x'] } }] });

      expect(act).toThrow(InvalidEventPatternError);
      expect(act).toThrow(`${name} is Ruler reserved fieldName which cannot be used inside $or.`);
    },
  );

  it('accepts those names outside $or', () => {
    expect(matchesPattern({ detail: { prefix: ['x'] } }, { detail: { prefix: 'x' } })).toBe(true);
  });
});
