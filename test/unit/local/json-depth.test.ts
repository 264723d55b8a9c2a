import { describe, expect, it } from 'vitest';
import { nestsDeeperThan } from '../../../infra/local/protocol/json-depth';

describe('nestsDeeperThan', () => {
  it('counts nested objects and arrays', () => {
    // Prepare / Act / Assess
    expect(nestsDeeperThan(Buffer.from('{"a":[{"b":[1]}]}'), 4)).toBe(false);
    expect(nestsDeeperThan(Buffer.from('{"a":[{"b":[[1]]}]}'), 4)).toBe(true);
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    // Prepare
    const body = Buffer.from(JSON.stringify({ a: `${'['.repeat(50)}"${'{'.repeat(50)}` }));

    // Act / Assess
    expect(nestsDeeperThan(body, 1)).toBe(false);
  });

  it('finds 20,000 levels without recursion', () => {
    // Prepare / Act / Assess
    expect(nestsDeeperThan(Buffer.from(`${'['.repeat(20_000)}${']'.repeat(20_000)}`))).toBe(true);
  });
});
