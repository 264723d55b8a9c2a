/**
 * Which target groups a VPC Lattice listener sends a request to: its rules in priority order,
 * lowest first, the first whose every condition holds wins; otherwise the default action. Path
 * and header values compare as the rule's `caseSensitive` says; header names never care about
 * case; the method is compared exactly. Written from Lattice's documented semantics, on the plan.
 */
import { headerValue, type Shares, sharesOf } from './appmesh-evaluator';
import type {
  PlannedAction,
  PlannedHeaderMatch,
  PlannedListener,
  PlannedRule,
  SimulatedRequest,
} from './plan-model';

const fold = (value: string, caseSensitive: boolean) => (caseSensitive ? value : value.toLowerCase());

function headerHolds(h: PlannedHeaderMatch, headers: Readonly<Record<string, string>>): boolean {
  const raw = headerValue(headers, h.name);
  if (raw === undefined) return false;
  const value = fold(raw, h.caseSensitive);
  const m = h.match;
  if ('exact' in m) return value === fold(m.exact, h.caseSensitive);
  if ('prefix' in m) return value.startsWith(fold(m.prefix, h.caseSensitive));
  return value.includes(fold(m.contains, h.caseSensitive));
}

export function latticeRuleMatches(rule: PlannedRule, request: SimulatedRequest): boolean {
  const { path, method, headerMatches } = rule.match;
  if (method !== undefined && request.method !== method) return false;
  if (path !== undefined) {
    const actual = fold(request.path, path.caseSensitive);
    if ('exact' in path.match) {
      if (actual !== fold(path.match.exact, path.caseSensitive)) return false;
    } else if (!actual.startsWith(fold(path.match.prefix, path.caseSensitive))) return false;
  }
  return (headerMatches ?? []).every((h) => headerHolds(h, request.headers));
}

/** Shares per target group name, or null for a fixed response. */
export function actionShares(action: PlannedAction): Shares | null {
  if ('fixedResponse' in action) return null;
  return sharesOf(action.forward.targetGroups.map((t) => ({ key: t.targetGroupName, weight: t.weight })));
}

export class LatticeListenerEvaluator {
  private readonly rules: readonly PlannedRule[];

  constructor(private readonly listener: PlannedListener) {
    this.rules = [...listener.rules].sort((a, b) => a.priority - b.priority);
  }

  /** The rule that takes the request, or undefined for the default action. */
  rule(request: SimulatedRequest): PlannedRule | undefined {
    return this.rules.find((r) => latticeRuleMatches(r, request));
  }

  evaluate(request: SimulatedRequest): {
    readonly rule: PlannedRule | undefined;
    readonly shares: Shares | null;
  } {
    const rule = this.rule(request);
    return { rule, shares: actionShares(rule?.action ?? this.listener.defaultAction) };
  }
}
