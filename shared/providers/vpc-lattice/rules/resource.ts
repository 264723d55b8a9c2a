/**
 * How Lattice findings name what they judge: a resource ref, its key (the string exemptions'
 * globs match, in the App Mesh keys' `<network>/<kind>/<parents>/<name>` shape) and the words a
 * sentence uses for it.
 */
import { LATTICE_DEFAULT_RULE } from '../../../domain/weighted-route';
import type {
  LatticeListenerState,
  LatticeRuleState,
  LatticeServiceNetworkSnapshot,
  LatticeServiceState,
} from '../model';

/** The kinds of VPC Lattice resource the rules judge. */
export const LATTICE_RESOURCE_KINDS = ['service-network', 'service', 'listener', 'rule'] as const;
export type LatticeResourceKind = (typeof LATTICE_RESOURCE_KINDS)[number];

/** A judged Lattice resource by names (rule `default` is a listener's default action). */
export interface LatticeResourceRef {
  readonly kind: LatticeResourceKind;
  readonly serviceNetwork: string;
  readonly service?: string;
  readonly listener?: string;
  readonly rule?: string;
}

/** One resource of a snapshot, with the resources it sits in. */
export type LatticeSubject =
  | { readonly kind: 'service-network'; readonly network: LatticeServiceNetworkSnapshot }
  | { readonly kind: 'service'; readonly service: LatticeServiceState }
  | {
      readonly kind: 'listener';
      readonly service: LatticeServiceState;
      readonly listener: LatticeListenerState;
    }
  | {
      readonly kind: 'rule';
      readonly service: LatticeServiceState;
      readonly listener: LatticeListenerState;
      readonly rule: LatticeRuleState;
    };

/** The ref of a subject in a service network. */
export function latticeRefOf(serviceNetwork: string, subject: LatticeSubject): LatticeResourceRef {
  switch (subject.kind) {
    case 'service-network':
      return { kind: subject.kind, serviceNetwork };
    case 'service':
      return { kind: subject.kind, serviceNetwork, service: subject.service.name };
    case 'listener':
      return {
        kind: subject.kind,
        serviceNetwork,
        service: subject.service.name,
        listener: subject.listener.name,
      };
    case 'rule':
      return {
        kind: subject.kind,
        serviceNetwork,
        service: subject.service.name,
        listener: subject.listener.name,
        rule: subject.rule.name,
      };
  }
}

/**
 * `prod-net/service-network`, `prod-net/service/web`, `prod-net/listener/web/http`,
 * `prod-net/rule/web/http/web-canary` (`.../default` for a listener's default action).
 */
export function formatLatticeKey(ref: LatticeResourceRef): string {
  const path = [ref.service, ref.listener, ref.rule].filter((s): s is string => s !== undefined);
  return [ref.serviceNetwork, ref.kind, ...path].join('/');
}

/** `service web`, `listener http (HTTP:80) of service web`, `rule web-canary of listener http of service web`. */
export function describeLatticeSubject(subject: LatticeSubject): string {
  switch (subject.kind) {
    case 'service-network':
      return `service network ${subject.network.name}`;
    case 'service':
      return `service ${subject.service.name}`;
    case 'listener':
      return `${listenerWords(subject.listener)} of service ${subject.service.name}`;
    case 'rule': {
      const of = `listener ${subject.listener.name} of service ${subject.service.name}`;
      return subject.rule.isDefault || subject.rule.name === LATTICE_DEFAULT_RULE
        ? `the default action of ${of}`
        : `rule ${subject.rule.name} of ${of}`;
    }
  }
}

function listenerWords(listener: LatticeListenerState): string {
  const protocol = listener.protocol ?? '?';
  return `listener ${listener.name} (${protocol}${listener.port === undefined ? '' : `:${listener.port}`})`;
}
