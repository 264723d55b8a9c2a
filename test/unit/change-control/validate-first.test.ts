import { describe, expect, it } from 'vitest';
import { parsedOnce } from '../../../shared/change-control/validate-first';

describe('parsedOnce', () => {
  it('parses one event object once and answers the second ask from memory', () => {
    let parses = 0;
    const parse = parsedOnce((event: unknown) => {
      parses += 1;
      return { seen: (event as { id: string }).id };
    });
    const event = { id: 'e1' };

    const first = parse(event);
    const second = parse(event);

    expect(second).toBe(first);
    expect(parses).toBe(1);
  });

  it('parses another object, even an equal one, afresh, and lets a refusal through every time', () => {
    let parses = 0;
    const parse = parsedOnce((event: unknown) => {
      parses += 1;
      if ((event as { bad?: boolean }).bad) throw new Error('malformed');
      return parses;
    });

    parse({ id: 'e1' });
    parse({ id: 'e1' });
    const bad = { bad: true };

    expect(parses).toBe(2);
    expect(() => parse(bad)).toThrow('malformed');
    expect(() => parse(bad)).toThrow('malformed');
  });
});
