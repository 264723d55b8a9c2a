/**
 * Resource keys of VPC Lattice resources, in the shape of App Mesh's (resource-key.ts): the
 * service network the policy entry governs first, then the kind, then the names that find the
 * resource inside it. Names, not ids: a policy is written by people, and Lattice names are
 * immutable and unique where the key needs them to be.
 *
 * - `prod-net/service-network`
 * - `prod-net/service/web`, `prod-net/target-group/web-v1`
 * - `prod-net/listener/web/http` (parent: the service)
 * - `prod-net/rule/web/http/web-canary` (parent: `<service>/<listener>`)
 * - `prod-net/auth-policy/service/web`, `prod-net/auth-policy/service-network/prod-net`
 *   (parent: the kind of the resource the policy is attached to); `resource-policy` and
 *   `access-log-subscription` alike
 * - `prod-net/service-network-service-association/web` (name: the service)
 * - `prod-net/service-network-vpc-association/vpc-0123` (name: the VPC id)
 */
import { ResourceKeyError } from '../../domain/resource-key';

/** Every kind of VPC Lattice resource change control judges, as keys and policy selectors spell it. */
export const LATTICE_RESOURCE_KINDS = [
  'service-network',
  'service',
  'listener',
  'rule',
  'target-group',
  'auth-policy',
  'resource-policy',
  'access-log-subscription',
  'service-network-service-association',
  'service-network-vpc-association',
] as const;

export type LatticeResourceKind = (typeof LATTICE_RESOURCE_KINDS)[number];

/** The kinds whose key carries a parent, and what the parent is. */
const PARENT_OF: Partial<Record<LatticeResourceKind, string>> = {
  listener: 'service',
  rule: 'service/listener',
  'auth-policy': 'owner kind (service or service-network)',
  'resource-policy': 'owner kind',
  'access-log-subscription': 'owner kind',
};

/** Points at one Lattice resource in a governed service network. */
export interface LatticeResourceRef {
  readonly provider: 'vpc-lattice';
  readonly kind: LatticeResourceKind;
  /** The service network (the policy entry's `serviceNetwork`); named so for the shared judgement. */
  readonly meshName: string;
  readonly name: string;
  /** `rule`: `<service>/<listener>`; `listener`: the service; policies and subscriptions: the owner's kind. */
  readonly parentName?: string;
}

export function isLatticeResourceKind(value: string): value is LatticeResourceKind {
  return (LATTICE_RESOURCE_KINDS as readonly string[]).includes(value);
}

/** True for a ref of a VPC Lattice resource (App Mesh refs carry no provider). */
export function isLatticeRef(ref: object): ref is LatticeResourceRef {
  return (ref as { provider?: unknown }).provider === 'vpc-lattice';
}

function segment(value: string | undefined, what: string, ref: LatticeResourceRef): string {
  const where = () => `Cannot format a VPC Lattice resource key for ${ref.kind} ${JSON.stringify(ref.name)}`;
  if (value === undefined || value.length === 0) throw new ResourceKeyError(`${where()}: ${what} is empty`);
  if (value.length > 2048) throw new ResourceKeyError(`${where()}: ${what} is too long`);
  return value;
}

/** Format the key of a Lattice resource (see the module comment for the shapes). */
export function formatLatticeResourceKey(ref: LatticeResourceRef): string {
  if (!isLatticeResourceKind(ref.kind)) {
    throw new ResourceKeyError(`unknown VPC Lattice resource kind "${String(ref.kind)}"`);
  }
  const network = segment(ref.meshName, 'the service network', ref);
  if (ref.kind === 'service-network') return `${network}/service-network`;
  const name = segment(ref.name, 'the name', ref);
  if (name.includes('/')) throw new ResourceKeyError(`a ${ref.kind} name cannot contain "/": ${name}`);
  const parentKind = PARENT_OF[ref.kind];
  if (parentKind === undefined) {
    if (ref.parentName !== undefined) throw new ResourceKeyError(`a ${ref.kind} has no parent`);
    return `${network}/${ref.kind}/${name}`;
  }
  const parent = segment(ref.parentName, `the parent (${parentKind})`, ref);
  const parts = ref.kind === 'rule' ? 2 : 1;
  if (parent.split('/').length !== parts) {
    throw new ResourceKeyError(`a ${ref.kind}'s parent is "<${parentKind}>", got "${parent}"`);
  }
  return `${network}/${ref.kind}/${parent}/${name}`;
}
