/**
 * A small benchmark harness: benchmarks report medians and tail percentiles from one run,
 * with ratios against their targets, because the machines are shared and noisy. Timed
 * assertions do not belong in unit tests; they live here.
 */
export interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** The target the figure must stay within, if there is one (lower is better). */
  readonly target?: number;
}

export interface Benchmark {
  readonly name: string;
  run(): Promise<readonly Figure[]>;
}

/** Time `fn` `iterations` times after `warmup` runs; returns the samples in milliseconds. */
export async function sample(
  fn: () => Promise<unknown> | unknown,
  iterations: number,
  warmup = 5,
): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = process.hrtime.bigint();
    await fn();
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return samples;
}

/** The q-quantile (0..1) of samples, nearest rank. */
export function quantile(samples: readonly number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

/** Median and p99 of samples as two figures. */
export function latencyFigures(name: string, samples: readonly number[], medianTarget?: number): Figure[] {
  return [
    {
      name: `${name} median`,
      value: quantile(samples, 0.5),
      unit: 'ms',
      ...(medianTarget ? { target: medianTarget } : {}),
    },
    { name: `${name} p99`, value: quantile(samples, 0.99), unit: 'ms' },
  ];
}

export function formatFigure(figure: Figure): string {
  const value =
    figure.value >= 100 ? figure.value.toFixed(0) : figure.value.toFixed(figure.value >= 10 ? 1 : 3);
  const target =
    figure.target === undefined
      ? ''
      : `   target <= ${figure.target} ${figure.unit} (${figure.target === 0 ? '' : `${(figure.value / figure.target).toFixed(2)}x of target, `}${figure.value <= figure.target ? 'met' : 'MISSED'})`;
  return `  ${figure.name.padEnd(58)} ${value.padStart(9)} ${figure.unit}${target}`;
}
