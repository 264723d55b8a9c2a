import * as z from 'zod';
import { parseOrThrow } from '../../../shared/validation';

/**
 * Fault injection for tests and benchmarks: per service and operation, a throttling rate,
 * added latency and a 5xx rate. `LOCAL_AWS_FAULTS` takes a JSON array of rules, e.g.
 * `[{"service":"acm-pca","operation":"*","throttleRate":0.2}]`; the first rule that matches
 * a request applies.
 */
export const faultRuleSchema = z.strictObject({
  service: z.string().min(1),
  operation: z.string().min(1).default('*'),
  throttleRate: z.number().min(0).max(1).default(0),
  errorRate: z.number().min(0).max(1).default(0),
  latencyMs: z.number().int().min(0).max(60_000).default(0),
  /**
   * Apply the rule to this many matching requests, then let requests through: a fault that
   * happens once, at a known point (a process dying between two effects), not at a rate.
   */
  times: z.number().int().min(1).optional(),
});
export type FaultRule = z.infer<typeof faultRuleSchema>;

export const faultRulesSchema = z.array(faultRuleSchema);

export type FaultOutcome = { kind: 'none' } | { kind: 'throttle' } | { kind: 'error' };

export class FaultInjector {
  private rules: FaultRule[] = [];
  /** Requests each rule with `times` has still to apply to, by rule. */
  private remaining = new Map<FaultRule, number>();

  constructor(
    rules: readonly FaultRule[] = [],
    private readonly random: () => number = Math.random,
  ) {
    this.set(rules);
  }

  /** Parse rules from JSON text, as `LOCAL_AWS_FAULTS` (or `what`, where they came from) holds them. */
  static parse(json: string, what = 'LOCAL_AWS_FAULTS'): FaultRule[] {
    let value: unknown;
    try {
      value = JSON.parse(json);
    } catch (error) {
      throw new Error(`${what} is not JSON: ${(error as Error).message}`, { cause: error });
    }
    return parseOrThrow(faultRulesSchema, value, what);
  }

  set(rules: readonly FaultRule[]): void {
    this.rules = [...rules];
    this.remaining = new Map(rules.flatMap((r) => (r.times === undefined ? [] : [[r, r.times]])));
  }

  list(): readonly FaultRule[] {
    return this.rules;
  }

  private ruleFor(service: string, operation: string | undefined): FaultRule | undefined {
    return this.rules.find(
      (r) =>
        this.remaining.get(r) !== 0 &&
        (r.service === '*' || r.service === service) &&
        (r.operation === '*' || (operation !== undefined && r.operation === operation)),
    );
  }

  /** Wait the rule's latency, then decide whether the request fails. */
  async apply(service: string, operation: string | undefined): Promise<FaultOutcome> {
    const rule = this.ruleFor(service, operation);
    if (rule === undefined) return { kind: 'none' };
    const left = this.remaining.get(rule);
    if (left !== undefined) this.remaining.set(rule, left - 1);
    if (rule.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, rule.latencyMs));
    if (rule.throttleRate > 0 && this.random() < rule.throttleRate) return { kind: 'throttle' };
    if (rule.errorRate > 0 && this.random() < rule.errorRate) return { kind: 'error' };
    return { kind: 'none' };
  }
}
