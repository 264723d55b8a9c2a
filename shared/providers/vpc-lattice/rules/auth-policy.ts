/**
 * Who a VPC Lattice auth policy lets in, read from its JSON: the principals of its Allow
 * statements. Deny statements only narrow, so they cannot let in a caller the access graph
 * does not name; they are not read.
 */

/** What the Allow statements of an auth policy grant. */
export interface AuthPolicyGrants {
  /** Some statement allows `"Principal": "*"` (or `{"AWS": "*"}`) with no condition at all. */
  readonly anyone: boolean;
  /**
   * Principal ARNs (or account ids) allowed: named in `Principal.AWS`, or, under a `*` principal,
   * in an `aws:PrincipalArn` condition.
   */
  readonly principals: readonly string[];
}

/** An auth policy that is not a JSON policy document. */
export class UnreadableAuthPolicy extends Error {
  override readonly name = 'UnreadableAuthPolicy';
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

function strings(values: readonly unknown[]): string[] {
  return values.filter((v): v is string => typeof v === 'string');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The `aws:PrincipalArn` values of a statement's conditions, under any operator. */
function principalArnCondition(condition: Record<string, unknown>): string[] {
  const found: string[] = [];
  for (const operands of Object.values(condition)) {
    if (!isRecord(operands)) continue;
    for (const [key, value] of Object.entries(operands))
      if (key.toLowerCase() === 'aws:principalarn') found.push(...strings(asList(value)));
  }
  return found;
}

/** The grants of an auth policy document; {@link UnreadableAuthPolicy} when it is not one. */
export function authPolicyGrants(text: string): AuthPolicyGrants {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new UnreadableAuthPolicy(`is not JSON (${(error as Error).message})`);
  }
  if (!isRecord(document)) throw new UnreadableAuthPolicy('is not a JSON object');
  let anyone = false;
  const principals: string[] = [];
  for (const statement of asList(document.Statement ?? [])) {
    if (!isRecord(statement)) throw new UnreadableAuthPolicy('has a Statement that is not an object');
    if (statement.Effect !== 'Allow') continue;
    const principal = statement.Principal;
    const named = principal === '*' ? ['*'] : isRecord(principal) ? strings(asList(principal.AWS)) : [];
    const condition = isRecord(statement.Condition) ? statement.Condition : {};
    for (const p of named) {
      if (p !== '*') {
        principals.push(p);
        continue;
      }
      if (Object.keys(condition).length === 0) {
        anyone = true;
        continue;
      }
      // A condition narrows `*`: when it names the callers, those are who it lets in. Other
      // conditions (organisation, VPC, principal type) narrow by something the graph does not name.
      principals.push(...principalArnCondition(condition));
    }
  }
  return { anyone, principals: [...new Set(principals)] };
}
