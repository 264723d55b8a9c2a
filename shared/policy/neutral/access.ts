/**
 * The policy's access graph against the calls a provider declares, the same on every provider:
 * the graph's keys are callers (App Mesh virtual node names, Lattice principal ARNs; globs), its
 * values the services each may call. A declaration covering every service of the scope (a
 * Lattice network's auth policy) is allowed for a caller the graph names at all.
 */
import type { CallerEdge } from '../../domain/service-graph';
import type { CompiledCompliance } from '../compile';

/** The compiled access graph of a policy entry. */
export type AccessGraph = NonNullable<CompiledCompliance['accessGraph']>;

/**
 * True when the graph allows the call: this caller to that service, or (service undefined) to
 * some service. Letting in anyone (caller undefined) is never allowed: the graph names callers.
 */
export function callAllowed(graph: AccessGraph, edge: Pick<CallerEdge, 'caller' | 'service'>): boolean {
  const { caller, service } = edge;
  if (caller === undefined) return false;
  return graph.some((e) => e.node.test(caller) && (service === undefined || e.services.test(service)));
}

/** The service globs the graph lets a caller call, as written in the policy. */
export function servicesAllowedFor(graph: AccessGraph, caller: string): string[] {
  return graph.filter((e) => e.node.test(caller)).flatMap((e) => e.services.sources);
}

/** The caller globs the graph lets call a service, as written in the policy. */
export function callersAllowedFor(graph: AccessGraph, service: string): string[] {
  return graph.filter((e) => e.services.test(service)).map((e) => e.node.source);
}
