/**
 * The mesh providers, one entry each: what the core needs to hand an event or a rule to a
 * provider without naming one. The mesh-change and deployment-guard input parsers find a
 * provider by the event's EventBridge `source` and parse with its CloudTrail schema
 * (shared/change-control/inbound.ts, shared/deployments/inbound.ts); the rule patterns come
 * from here (shared/events/patterns.ts, infra/function-catalog.ts).
 *
 * Wiring, so it may name every provider folder; no provider folder imports it, so no import
 * cycle runs through it. A third provider is one more folder, one more policy `provider` value
 * (shared/policy/schema.ts) and one more entry here: the entries are keyed by that value, so
 * the compiler refuses a provider the policy knows without an entry.
 */
import type { RouteId } from '../domain/weighted-route';
import type { NamedPattern } from '../events/patterns';
import type { MESH_PROVIDERS } from '../policy/schema';
import { appMeshRouteOfTag } from './appmesh/alarm-binding';
import {
  APPMESH_EVENT_SOURCE,
  APPMESH_EVENTBRIDGE_SOURCE,
  type AppMeshApiCallEvent,
  parseAppMeshApiCall,
} from './appmesh/cloudtrail';
import { appMeshMutationsPattern, appMeshRouteChangesPattern } from './appmesh/patterns';
import { latticeRouteOfTag } from './vpc-lattice/alarm-binding';
import {
  LATTICE_EVENT_SOURCE,
  LATTICE_EVENTBRIDGE_SOURCE,
  type LatticeApiCallEvent,
  parseLatticeApiCall,
} from './vpc-lattice/cloudtrail';
import { latticeMutationsPattern, latticeRouteChangesPattern } from './vpc-lattice/patterns';

/** A policy entry's `provider` value: the key of a provider everywhere. */
export type ProviderName = (typeof MESH_PROVIDERS)[number];

/** Each provider's CloudTrail event, as its parser returns it. */
interface ApiCallEvents {
  readonly appmesh: AppMeshApiCallEvent;
  readonly 'vpc-lattice': LatticeApiCallEvent;
}

/** The CloudTrail event of provider `P`. */
export type ApiCallEventOf<P extends ProviderName> = ApiCallEvents[P];

/** A CloudTrail event, with the provider it is of. */
export type ProviderApiCall = {
  readonly [P in ProviderName]: { readonly provider: P; readonly event: ApiCallEventOf<P> };
}[ProviderName];

/** What the core knows of one provider. */
export interface ProviderEntry<P extends ProviderName> {
  /** The policy entry's `provider` value, and the `provider` of the provider's route ids. */
  readonly provider: P;
  /** CloudTrail's `eventSource` of the provider's API calls. */
  readonly eventSource: string;
  /** EventBridge's `source` of those calls' events. */
  readonly eventBridgeSource: string;
  /** Validate one of those events; a ValidationError names each bad field. */
  readonly parseApiCall: (input: unknown) => ApiCallEventOf<P>;
  /**
   * The provider's EventBridge rule patterns: every mutating call (change control judges
   * them), and the route writes the deployment guard acts on.
   */
  readonly patterns: { readonly mutations: NamedPattern; readonly routeChanges: NamedPattern };
  /** The route an alarm's `meshwarden:route` tag names; a BadRequestError for another provider's. */
  readonly routeOfAlarmTag: (value: string) => Extract<RouteId, { readonly provider: P }>;
}

/** Every provider, by its policy `provider` value. */
export const PROVIDER_REGISTRY: { readonly [P in ProviderName]: ProviderEntry<P> } = {
  appmesh: {
    provider: 'appmesh',
    eventSource: APPMESH_EVENT_SOURCE,
    eventBridgeSource: APPMESH_EVENTBRIDGE_SOURCE,
    parseApiCall: parseAppMeshApiCall,
    patterns: { mutations: appMeshMutationsPattern, routeChanges: appMeshRouteChangesPattern },
    routeOfAlarmTag: appMeshRouteOfTag,
  },
  'vpc-lattice': {
    provider: 'vpc-lattice',
    eventSource: LATTICE_EVENT_SOURCE,
    eventBridgeSource: LATTICE_EVENTBRIDGE_SOURCE,
    parseApiCall: parseLatticeApiCall,
    patterns: { mutations: latticeMutationsPattern, routeChanges: latticeRouteChangesPattern },
    routeOfAlarmTag: latticeRouteOfTag,
  },
};

/** The entry of one provider or another. */
export type AnyProviderEntry = { readonly [P in ProviderName]: ProviderEntry<P> }[ProviderName];

/** Every provider, App Mesh first (the order sources are listed in messages and rules are made). */
export const PROVIDERS: readonly AnyProviderEntry[] = Object.values(PROVIDER_REGISTRY);

/** Every provider's EventBridge `source`, in {@link PROVIDERS} order. */
export const PROVIDER_EVENTBRIDGE_SOURCES: readonly string[] = PROVIDERS.map((p) => p.eventBridgeSource);

/** The provider whose CloudTrail events EventBridge delivers with this `source`, if any. */
export function providerOfSource(source: unknown): ProviderName | undefined {
  return PROVIDERS.find((p) => p.eventBridgeSource === source)?.provider;
}

/** Parse `input` as a CloudTrail event of `provider`; a ValidationError names each bad field. */
export function parseProviderApiCall<P extends ProviderName>(provider: P, input: unknown): ProviderApiCall {
  const entry: ProviderEntry<P> = PROVIDER_REGISTRY[provider];
  // The event is P's, so this is the member of the union for P; TypeScript cannot narrow a
  // mapped union by a generic key.
  return { provider, event: entry.parseApiCall(input) } as ProviderApiCall;
}
