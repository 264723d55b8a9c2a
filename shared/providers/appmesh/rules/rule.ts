/**
 * The shape of a judging rule: an id, the resource kinds it judges, whether a mesh's policy
 * turns it on, and a pure check that returns one sentence per failure (empty when the
 * resource complies). Each sentence names the resource and says what to do.
 */

import type { ResourceKind, ResourceRef } from '../../../domain/resource-key';
import type { CompiledCompliance } from '../../../policy/compile';
import type { MeshIndex } from '../../../policy/mesh-index';
import type { RuleId } from '../../../policy/rule-ids';
import type { MeshResource, MeshResourceOf } from '../model';

/** What a rule may read besides the resource it judges. */
export interface RuleContext {
  readonly index: MeshIndex;
  readonly compliance: CompiledCompliance;
  /**
   * The CA ARN that issued an ACM certificate, for `tls.allowed-ca`. App Mesh specs name only
   * the certificate; the caller looks the issuer up (ACM DescribeCertificate) before judging.
   */
  readonly certificateAuthorityOf: (certificateArn: string) => string | undefined;
  /**
   * The broken TLS handshakes a caller makes, one sentence each, for `tls.handshake`; absent
   * when the caller of the judge did not read the certificates' facts.
   */
  readonly brokenHandshakesOf?: (caller: ResourceRef) => readonly string[];
}

/** A rule over resources of the kinds K. */
export interface Rule {
  readonly id: RuleId;
  readonly category: 'compliance' | 'consistency';
  readonly kinds: readonly ResourceKind[];
  /** True when the rule applies under these compliance settings (consistency rules: always). */
  enabled(compliance: CompiledCompliance): boolean;
  /** Failure sentences for one resource; empty when it complies or the rule does not apply to it. */
  check(resource: MeshResource, ctx: RuleContext): string[];
}

/** A resource of one of the kinds K, as a union narrowable on `kind`. */
export type ResourceOfKinds<K extends ResourceKind> = { [P in K]: MeshResourceOf<P> }[K];

/** Define a rule over some kinds, with the resource already narrowed. */
export function defineRule<K extends ResourceKind>(definition: {
  readonly id: RuleId;
  readonly category: 'compliance' | 'consistency';
  readonly kinds: readonly K[];
  readonly enabled?: (compliance: CompiledCompliance) => boolean;
  readonly check: (resource: ResourceOfKinds<K>, ctx: RuleContext) => string[];
}): Rule {
  const kinds: readonly ResourceKind[] = definition.kinds;
  return {
    id: definition.id,
    category: definition.category,
    kinds,
    enabled: definition.enabled ?? (() => true),
    check: (resource, ctx) =>
      kinds.includes(resource.kind) ? definition.check(resource as ResourceOfKinds<K>, ctx) : [],
  };
}

const KIND_WORDS: Readonly<Record<ResourceKind, string>> = {
  mesh: 'mesh',
  'virtual-node': 'virtual node',
  'virtual-service': 'virtual service',
  'virtual-router': 'virtual router',
  route: 'route',
  'virtual-gateway': 'virtual gateway',
  'gateway-route': 'gateway route',
};

/** `virtual node web-v1`, `route web-route of virtual router web-router`. */
export function describeResource(ref: ResourceRef): string {
  const base = `${KIND_WORDS[ref.kind]} ${ref.name}`;
  if (ref.kind === 'route') return `${base} of virtual router ${ref.parentName ?? '?'}`;
  if (ref.kind === 'gateway-route') return `${base} of virtual gateway ${ref.parentName ?? '?'}`;
  return base;
}

/** `listener 8080/http`: how sentences name a listener. */
export function describeListener(portMapping: { readonly port: number; readonly protocol: string }): string {
  return `listener ${portMapping.port}/${portMapping.protocol}`;
}
