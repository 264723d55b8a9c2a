/**
 * VPC Lattice into the neutral service graph (shared/domain/service-graph.ts), from the same
 * service network snapshot the Lattice rules judge. Routes are listener rules and default
 * actions with their weighted target groups (Lattice's default weight applied); listeners carry
 * the service's certificate when they terminate TLS (HTTPS); callers are the principals the
 * network's and services' auth policies allow. Each element is also mapped on its own, so a
 * rule judging one resource maps only that resource. Labels and keys are the Lattice rules'
 * own. Pure: no I/O.
 */
import type {
  CallerEdge,
  CertificateInUse,
  GraphListener,
  GraphRoute,
  ServedCertificate,
  ServiceGraph,
  UnreadableDeclaration,
  WeightedTargetShare,
} from '../../domain/service-graph';
import { idOf } from './arns';
import { LATTICE_DEFAULT_WEIGHT, targetNameOf } from './mapping';
import type {
  LatticeListenerState,
  LatticeRuleState,
  LatticeServiceCertificateView,
  LatticeServiceNetworkSnapshot,
  LatticeServiceState,
} from './model';
import { authPolicyGrants, UnreadableAuthPolicy } from './rules/auth-policy';
import { describeLatticeSubject, formatLatticeKey, latticeRefOf } from './rules/resource';

/** How sentences name the certificate Lattice serves for a service without a custom domain one. */
const LATTICE = 'VPC Lattice';

function serviceKey(network: string, service: LatticeServiceState): string {
  return formatLatticeKey(latticeRefOf(network, { kind: 'service', service }));
}

function listenerKey(network: string, service: LatticeServiceState, listener: LatticeListenerState): string {
  return formatLatticeKey(latticeRefOf(network, { kind: 'listener', service, listener }));
}

/**
 * A rule's weighted target groups, with Lattice's default weight applied; none when it does not
 * forward. Apart from {@link latticeRouteOf} because the rules judging a rule need only these
 * (and the label), not its keys.
 */
export function latticeTargetsOf(rule: LatticeRuleState): WeightedTargetShare[] {
  const groups = rule.action.forward?.targetGroups ?? [];
  // A lone target group written without a weight gets Lattice's default; with several, 0.
  return groups.map((t) => ({
    target: targetNameOf(t),
    weight: t.weight ?? (groups.length === 1 ? LATTICE_DEFAULT_WEIGHT : 0),
  }));
}

/** A listener rule (or default action) with its weighted target groups. */
export function latticeRouteOf(
  network: string,
  service: LatticeServiceState,
  listener: LatticeListenerState,
  rule: LatticeRuleState,
): GraphRoute {
  const subject = { kind: 'rule', service, listener, rule } as const;
  return {
    key: formatLatticeKey(latticeRefOf(network, subject)),
    label: describeLatticeSubject(subject),
    parent: listenerKey(network, service, listener),
    targets: latticeTargetsOf(rule),
  };
}

function servedCertificateOf(service: LatticeServiceState): ServedCertificate {
  return service.certificateArn === undefined
    ? { source: 'provider-default', provider: LATTICE }
    : { source: 'acm', arn: service.certificateArn };
}

/**
 * The listeners of a service. Only HTTPS terminates TLS in Lattice (TLS_PASSTHROUGH leaves it
 * to the target), with the service's certificate: every HTTPS listener serves the same one.
 */
export function latticeListenersOf(network: string, service: LatticeServiceState): GraphListener[] {
  const owner = serviceKey(network, service);
  return service.listeners.map((listener) => ({
    owner,
    label: describeLatticeSubject({ kind: 'listener', service, listener }),
    port: listener.port,
    protocol: listener.protocol,
    ...(listener.protocol === 'HTTPS'
      ? { tls: { mode: undefined, certificate: servedCertificateOf(service) } }
      : {}),
  }));
}

/** Whose auth policy: a service's (covering that service) or the network's (covering every service). */
export type LatticeCallerSubject =
  | { readonly kind: 'service'; readonly service: LatticeServiceState }
  | { readonly kind: 'service-network'; readonly network: LatticeServiceNetworkSnapshot };

/**
 * The callers an auth policy lets in: anyone first (an unconditioned `"Principal": "*"`), then
 * each principal it names. No auth policy, no edges; one that cannot be read, no edges and why.
 */
export function latticeCallersOf(
  network: string,
  subject: LatticeCallerSubject,
): { readonly edges: readonly CallerEdge[]; readonly unreadable: UnreadableDeclaration | undefined } {
  const text = subject.kind === 'service' ? subject.service.authPolicy : subject.network.authPolicy;
  const declaredBy = formatLatticeKey(latticeRefOf(network, subject));
  if (text === undefined) return { edges: [], unreadable: undefined };
  let grants: ReturnType<typeof authPolicyGrants>;
  try {
    grants = authPolicyGrants(text);
  } catch (error) {
    if (!(error instanceof UnreadableAuthPolicy)) throw error;
    return { edges: [], unreadable: { declaredBy, reason: error.message } };
  }
  const service = subject.kind === 'service' ? subject.service.name : undefined;
  return {
    edges: [
      ...(grants.anyone ? [{ caller: undefined, service, declaredBy }] : []),
      ...grants.principals.map((caller) => ({ caller, service, declaredBy })),
    ],
    unreadable: undefined,
  };
}

/**
 * A service's ACM certificate: one use per HTTPS listener, or one for the custom domain alone.
 * Needs only the service's certificate and its listeners' protocols, so certificate rotation
 * maps the lighter read ({@link LatticeServiceCertificateView}) with the same code.
 */
export function latticeCertificatesOf(
  network: string,
  service: LatticeServiceCertificateView,
): CertificateInUse[] {
  const arn = service.certificateArn;
  if (arn === undefined) return [];
  const use = (port: number | undefined): CertificateInUse => ({
    arn,
    usedBy: formatLatticeKey({ kind: 'service', serviceNetwork: network, service: service.name }),
    ...(port === undefined ? {} : { port }),
    ...(service.customDomainName === undefined ? {} : { serverName: service.customDomainName }),
  });
  const https = service.listeners.filter((l) => l.protocol === 'HTTPS');
  return https.length === 0 ? [use(undefined)] : https.map((l) => use(l.port));
}

/** The whole service network as a service graph. */
export function latticeServiceGraph(snapshot: LatticeServiceNetworkSnapshot): ServiceGraph {
  const network = snapshot.name;
  const callers: CallerEdge[] = [];
  const unreadableCallers: UnreadableDeclaration[] = [];
  const subjects: LatticeCallerSubject[] = [
    { kind: 'service-network', network: snapshot },
    ...snapshot.services.map((service) => ({ kind: 'service' as const, service })),
  ];
  for (const subject of subjects) {
    const { edges, unreadable } = latticeCallersOf(network, subject);
    callers.push(...edges);
    if (unreadable !== undefined) unreadableCallers.push(unreadable);
  }
  return {
    provider: 'vpc-lattice',
    scope: network,
    services: snapshot.services.map((service) => ({
      key: serviceKey(network, service),
      name: service.name,
      routedBy: service.listeners.map((listener) => listenerKey(network, service, listener)),
      servedBy: [],
    })),
    routes: snapshot.services.flatMap((service) =>
      service.listeners.flatMap((listener) =>
        listener.rules.map((rule) => latticeRouteOf(network, service, listener, rule)),
      ),
    ),
    targets: snapshot.targetGroups.map((t) => ({ key: t.arn, name: idOf(t.id) })),
    listeners: snapshot.services.flatMap((service) => latticeListenersOf(network, service)),
    callers,
    unreadableCallers,
    certificates: snapshot.services.flatMap((service) => latticeCertificatesOf(network, service)),
  };
}
