import { describe, expect, it } from 'vitest';
import { matchesPattern } from '../../../infra/local/bus/pattern';
import { EVENT_RULER_VECTORS } from './event-ruler-vectors';

/**
 * The local matcher against an independent reference: the outcomes aws/event-ruler's own tests
 * assert (see event-ruler-vectors.ts for the source files and commits).
 */
describe('local pattern matcher against aws/event-ruler test vectors', () => {
  it.each(
    EVENT_RULER_VECTORS.map((vector, index) => ({
      ...vector,
      label: `#${index} ${vector.source}: ${JSON.stringify(vector.pattern)}`,
    })),
  )('$label -> $matches', ({ pattern, event, matches }) => {
    expect(matchesPattern(pattern, event)).toBe(matches);
  });

  it('covers both outcomes', () => {
    const outcomes = new Set(EVENT_RULER_VECTORS.map((v) => v.matches));
    expect(outcomes).toEqual(new Set([true, false]));
    expect(EVENT_RULER_VECTORS.length).toBeGreaterThan(80);
  });
});
