/**
 * What IAM evaluates one check of a request against: the action, the resource ARN and the
 * request context (condition keys). A request may need several checks (PutEvents with
 * entries for two buses, BatchWriteItem over two tables); each must be allowed.
 */
export interface AuthorizationCheck {
  /** `service:Action`, e.g. `appmesh:UpdateRoute`. */
  readonly action: string;
  /** The resource ARN, or `*` for actions that have no resource-level permissions. */
  readonly resource: string;
  /** Keys the service adds for this check (e.g. `events:source`), merged over the global ones. */
  readonly context?: ContextValues;
}

/** Condition keys of a request; a key that is absent is simply not there. */
export type ContextValues = Readonly<Record<string, string | readonly string[]>>;

/** Key lookup is case-insensitive, as IAM's is. */
export function normaliseContext(values: ContextValues): Map<string, readonly string[]> {
  const map = new Map<string, readonly string[]>();
  for (const [key, value] of Object.entries(values)) {
    map.set(key.toLowerCase(), typeof value === 'string' ? [value] : value);
  }
  return map;
}
