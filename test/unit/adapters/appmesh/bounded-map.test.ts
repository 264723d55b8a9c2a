import { describe, expect, it } from 'vitest';
import { mapBounded } from '../../../../shared/bounded-map';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('mapBounded (shared/bounded-map.ts, used by the App Mesh adapter)', () => {
  it('keeps input order and never exceeds the bound, while using it', async () => {
    // Prepare
    let inFlight = 0;
    let peak = 0;
    const items = Array.from({ length: 20 }, (_, i) => i);

    // Act
    const out = await mapBounded(items, 4, async (n) => {
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      await sleep((n * 7) % 5);
      inFlight -= 1;
      return n * 2;
    });

    // Assess
    expect(out).toEqual(items.map((n) => n * 2));
    expect(peak).toBe(4);
  });

  it('stops starting work after the first failure and rethrows it once in-flight work settled', async () => {
    // Prepare
    const started: number[] = [];
    let running = 0;
    const boom = new Error('boom');

    // Act
    const result = mapBounded([0, 1, 2, 3, 4, 5, 6, 7], 2, async (n) => {
      started.push(n);
      running += 1;
      await sleep(n === 1 ? 1 : 5);
      running -= 1;
      if (n === 1) throw boom;
      return n;
    });

    // Assess
    await expect(result).rejects.toBe(boom);
    expect(running).toBe(0);
    expect(started.length).toBeLessThan(8);
  });

  it('handles an empty input and refuses a bad bound', async () => {
    // Act + Assess
    await expect(mapBounded([], 3, async () => 1)).resolves.toEqual([]);
    for (const bad of [0, -1, 1.5, Number.NaN]) {
      await expect(
        mapBounded([1], bad, async () => 1),
        String(bad),
      ).rejects.toThrow(RangeError);
    }
  });
});
