import type { LocalAws } from '../../../infra/local/runtime';
import { type Effects, recordEffects } from './effects';

/** The errors a handler may refuse bad input with: typed, saying what is wrong and where. */
export const CLEAR_REFUSALS: ReadonlySet<string> = new Set(['ValidationError', 'BadRequestError']);

/** A ValidationError or BadRequestError, or a subclass of one (e.g. ResourceKeyError). */
export function isClearRefusal(error: unknown): error is Error {
  if (!(error instanceof Error)) return false;
  for (
    let proto: unknown = Object.getPrototypeOf(error);
    proto !== null;
    proto = Object.getPrototypeOf(proto)
  ) {
    const name = (proto as { constructor?: { name?: string } }).constructor?.name;
    if (name !== undefined && CLEAR_REFUSALS.has(name)) return true;
  }
  return false;
}

/** How a handler met one input. */
export type Outcome =
  | { readonly kind: 'result'; readonly effects: Effects; readonly ms: number }
  | { readonly kind: 'refused'; readonly error: Error; readonly effects: Effects; readonly ms: number }
  | { readonly kind: 'crashed'; readonly error: unknown; readonly effects: Effects; readonly ms: number }
  | { readonly kind: 'hung'; readonly effects: Effects; readonly ms: number };

/** A run that takes longer than this is a hang (the handlers answer bad input in milliseconds). */
export const RUN_BUDGET_MS = 8_000;

/**
 * Invoke a function of the local runtime as Lambda would, with `JSON.parse` of `eventText`,
 * and record what it did in local AWS while it ran.
 */
export async function invokeFuzzed(aws: LocalAws, functionName: string, eventText: string): Promise<Outcome> {
  await aws.drain();
  const recorder = recordEffects(aws);
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<'hung'>((resolve) => {
    timer = setTimeout(() => resolve('hung'), RUN_BUDGET_MS);
  });
  try {
    const answer = await Promise.race([aws.functions.invoke(functionName, JSON.parse(eventText)), hung]);
    const ms = Date.now() - started;
    if (answer === 'hung') return { kind: 'hung', effects: recorder.stop(), ms };
    return { kind: 'result', effects: recorder.stop(), ms };
  } catch (error) {
    const ms = Date.now() - started;
    const effects = recorder.stop();
    if (isClearRefusal(error)) return { kind: 'refused', error, effects, ms };
    return { kind: 'crashed', error, effects, ms };
  } finally {
    clearTimeout(timer);
    await aws.drain();
  }
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return `non-Error thrown: ${String(error)}`;
  return `${error.name}: ${error.message.slice(0, 500)}\n${(error.stack ?? '').split('\n').slice(1, 8).join('\n')}`;
}

/** The fuzzed inputs plant `__proto__: {polluted: true}` and `constructor.prototype.polluted`; none may take. */
export function assertNoPollution(): void {
  if ('polluted' in Object.prototype) {
    delete (Object.prototype as Record<string, unknown>).polluted;
    throw new Error('the input polluted Object.prototype');
  }
}

/**
 * The property every handler keeps: it answers or refuses with a clear, typed error, in
 * bounded time, and a refusal changes nothing. Throws (failing the fast-check run) otherwise.
 */
export function assertClearAndEffectFree(outcome: Outcome): void {
  assertNoPollution();
  switch (outcome.kind) {
    case 'hung':
      throw new Error(`the handler did not answer within ${RUN_BUDGET_MS} ms`);
    case 'crashed':
      throw new Error(
        `unclear failure (not ValidationError/BadRequestError): ${describeError(outcome.error)}`,
      );
    case 'refused':
      if (
        outcome.effects.writes.length > 0 ||
        outcome.effects.busEvents.length > 0 ||
        outcome.effects.slackChanged ||
        outcome.effects.slackEphemeral
      ) {
        throw new Error(
          `refused (${outcome.error.name}: ${outcome.error.message.slice(0, 200)}) but had effects: ${JSON.stringify(outcome.effects)}`,
        );
      }
      return;
    case 'result':
      return;
  }
}

/** Runs per label and outcome (kind of outcome, or HTTP status), printed for the report. */
export class RunTally {
  private readonly counts = new Map<string, Map<string, number>>();

  add(label: string, outcome: string): void {
    const entry = this.counts.get(label) ?? new Map<string, number>();
    entry.set(outcome, (entry.get(outcome) ?? 0) + 1);
    this.counts.set(label, entry);
  }

  print(): void {
    for (const [label, entry] of this.counts) {
      const total = [...entry.values()].reduce((sum, n) => sum + n, 0);
      const parts = [...entry].map(([outcome, n]) => `${n} ${outcome}`).join(', ');
      process.stdout.write(`fuzz ${label}: ${total} runs (${parts})\n`);
    }
  }
}
