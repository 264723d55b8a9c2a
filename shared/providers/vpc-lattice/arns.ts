/**
 * VPC Lattice ARNs and ids. Lattice identifies a rule by the ids of its service and listener
 * and its own id, which its ARN carries:
 * `arn:aws:vpc-lattice:REGION:ACCOUNT:service/svc-…/listener/listener-…/rule/rule-…`.
 * Request parameters take an id or an ARN alike, so both are read here.
 */

/** The ids a rule (or a listener's default action: no `ruleId`) is addressed by. */
export interface LatticeRuleAddress {
  readonly serviceId: string;
  readonly listenerId: string;
  /** Absent for a listener's default action. */
  readonly ruleId?: string;
}

const LATTICE_ARN = /^arn:[a-z0-9-]+:vpc-lattice:[a-z0-9-]*:\d{12}:(.+)$/;

/** The resource path of a Lattice ARN (`service/svc-…/listener/…`), or undefined. */
function resourceOf(arn: string): string[] | undefined {
  const match = LATTICE_ARN.exec(arn);
  return match?.[1]?.split('/');
}

/** The ids in a service, listener or rule ARN; undefined for anything else. */
export function addressOfArn(arn: string): Partial<LatticeRuleAddress> | undefined {
  const parts = resourceOf(arn);
  if (parts === undefined || parts[0] !== 'service' || parts[1] === undefined) return undefined;
  const [, serviceId, listenerWord, listenerId, ruleWord, ruleId] = parts;
  if (listenerWord === undefined) return { serviceId };
  if (listenerWord !== 'listener' || listenerId === undefined) return undefined;
  if (ruleWord === undefined) return { serviceId, listenerId };
  if (ruleWord !== 'rule' || ruleId === undefined || parts.length !== 6) return undefined;
  return { serviceId, listenerId, ruleId };
}

/** The rule (or default action) an ARN addresses, or undefined when it is not a listener's or rule's ARN. */
export function ruleAddressOfArn(arn: string): LatticeRuleAddress | undefined {
  const address = addressOfArn(arn);
  if (address?.serviceId === undefined || address.listenerId === undefined) return undefined;
  return address as LatticeRuleAddress;
}

/** The id in an identifier that is an id or an ARN (its last path segment). */
export function idOf(identifier: string): string {
  if (!identifier.startsWith('arn:')) return identifier;
  const parts = resourceOf(identifier);
  return parts?.[parts.length - 1] ?? identifier;
}
