import { describe, expect, it } from 'vitest';
import { SCHEDULES } from '../../../shared/events/patterns';
import { RULE_PATTERNS } from '../../../shared/events/rule-patterns';
import { SAMPLE_NAMES } from '../../support/sample-events';
import { PATTERN_CASES, SAMPLE_MATCHES } from './pattern-cases';

/*
 * The matching itself is asserted by describePatternMatching(matcher) in the test file of each
 * matcher (the local bus); meshwarden implements no matcher here. These tests keep the data
 * the matchers are judged by complete and well-formed.
 */

describe('rule patterns', () => {
  it('have unique kebab-case names and a description', () => {
    // Act
    const names = RULE_PATTERNS.map((p) => p.name);

    // Assess
    expect(new Set(names).size).toBe(names.length);
    for (const rule of RULE_PATTERNS) {
      expect(rule.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(rule.description.length).toBeGreaterThan(10);
    }
  });

  it('each pin a source and a detail-type, so none matches a whole bus', () => {
    // Assess
    for (const { pattern } of RULE_PATTERNS) {
      expect(pattern.source).toEqual(expect.arrayContaining([expect.any(String)]));
      expect(pattern['detail-type']).toEqual(expect.arrayContaining([expect.any(String)]));
    }
  });

  it('are plain JSON data, as PutRule and the CDK take them', () => {
    // Act
    const roundTripped = JSON.parse(JSON.stringify(RULE_PATTERNS));

    // Assess
    expect(roundTripped).toEqual(RULE_PATTERNS);
  });
});

describe('pattern expectations', () => {
  it('decide for every stored sample', () => {
    // Assess
    expect(Object.keys(SAMPLE_MATCHES).sort()).toEqual([...SAMPLE_NAMES].sort());
  });

  it('name only patterns that exist', () => {
    // Prepare
    const known = new Set(RULE_PATTERNS.map((p) => p.name));

    // Act
    const named = PATTERN_CASES.flatMap((c) => c.matches);

    // Assess
    expect(named.filter((name) => !known.has(name))).toEqual([]);
  });

  it('give every pattern at least one event it matches and several it does not', () => {
    // Assess
    for (const rule of RULE_PATTERNS) {
      const positives = PATTERN_CASES.filter((c) => c.matches.includes(rule.name));
      expect(positives.length, rule.name).toBeGreaterThan(0);
      expect(PATTERN_CASES.length - positives.length, rule.name).toBeGreaterThan(5);
    }
  });
});

describe('schedules', () => {
  it('are valid EventBridge cron or rate expressions with unique names', () => {
    // Assess
    expect(new Set(SCHEDULES.map((s) => s.name)).size).toBe(SCHEDULES.length);
    for (const { expression } of SCHEDULES) {
      // EventBridge cron has six fields; one of day-of-month and day-of-week must be `?`.
      const cron = /^cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)$/.exec(expression);
      const rate = /^rate\(\d+ (minute|minutes|hour|hours|day|days)\)$/.test(expression);
      expect(cron !== null || rate, expression).toBe(true);
      if (cron !== null) expect(cron[3] === '?' || cron[5] === '?', expression).toBe(true);
    }
  });
});
