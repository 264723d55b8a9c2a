/**
 * Translate a mesh read whole into a VPC Lattice plan: a service per virtual service, a listener
 * per virtual router listener (or virtual node listener, for a service a node provides), a rule
 * per route in App Mesh's match order, a target group per virtual node listener, an auth policy
 * per service from the callers allowed today. Pure: the same snapshot and options give the same
 * plan. Every App Mesh feature in use lands in the parity report as exact, different or lost.
 *
 * A route with a match condition Lattice cannot express (regex path, inverted or regex header,
 * query parameter, scheme) becomes no rule at all rather than a broader one: a rule without the
 * condition would take requests the route never took, while leaving it out sends the requests it
 * took to the rules after it, which the parity report and the routing simulation both say.
 */

import type { MeshSnapshot } from '../domain/snapshot';
import type {
  HeaderMatch,
  HealthCheckPolicy,
  HttpRouteMatch,
  Listener,
  MeshResourceOf,
  PortProtocol,
  WeightedTarget,
} from '../providers/appmesh/model';
import { appMeshRouteOrder } from '../providers/appmesh/route-order';
import { isLatticeName, LATTICE_NAME_LIMITS, NameScope } from './lattice-names';
import { ParityCollector } from './parity';
import type {
  AuthPolicyDocument,
  LatticeListenerProtocol,
  MigrationPlan,
  PlannedAction,
  PlannedAssociation,
  PlannedAuth,
  PlannedCaller,
  PlannedHeaderMatch,
  PlannedHealthCheck,
  PlannedListener,
  PlannedRule,
  PlannedRuleMatch,
  PlannedService,
  PlannedTargetGroup,
  SourceRef,
} from './plan-model';

/** Lattice's documented bounds the translation checks against. */
export const LATTICE_LIMITS = {
  /** Rule priorities are 1..2000 (the API's range), so no listener can hold more than 2000 rules. */
  maxRulePriority: 2000,
  /** Default quota of rules per listener (adjustable). */
  rulesPerListenerQuota: 10,
  /** Default quota of listeners per service (adjustable). */
  listenersPerServiceQuota: 2,
  maxWeight: 999,
  targetGroupsPerAction: 10,
  headerMatchesPerRule: 5,
  pathLength: 200,
} as const;

/** Lattice's path pattern: a path outside it cannot be written in a rule. */
const LATTICE_PATH = /^\/[a-zA-Z0-9@:%_+.~#?&/=-]*$/;

export interface TranslateOptions {
  /** Name of the service network; the mesh name (in Lattice spelling) when absent. */
  readonly serviceNetworkName?: string;
  /** The policy's access graph for the mesh: which node may call which virtual service. */
  readonly accessGraph?: readonly {
    readonly node: { test(name: string): boolean };
    readonly services: { test(name: string): boolean };
  }[];
  /** IAM role ARN of each caller (virtual node or gateway name), when known. */
  readonly principals?: Readonly<Record<string, string>>;
  /** VPC of the targets, when known: set on every target group and associated with the network. */
  readonly vpcIdentifier?: string;
}

/** A service network name given by the user that Lattice would refuse. */
export class InvalidServiceNetworkNameError extends Error {
  override readonly name = 'InvalidServiceNetworkNameError';
}

type Route = MeshResourceOf<'route'>;
type Node = MeshResourceOf<'virtual-node'>;

const ref = (
  resource: { kind: SourceRef['kind']; meshName: string; name: string; parentName?: string },
  path?: string,
): SourceRef => ({
  kind: resource.kind,
  meshName: resource.meshName,
  name: resource.name,
  ...(resource.parentName !== undefined ? { parentName: resource.parentName } : {}),
  ...(path !== undefined ? { path } : {}),
});

const TARGET_PROTOCOL: Readonly<
  Record<PortProtocol, Pick<PlannedTargetGroup, 'protocol' | 'protocolVersion'>>
> = {
  http: { protocol: 'HTTP', protocolVersion: 'HTTP1' },
  http2: { protocol: 'HTTP', protocolVersion: 'HTTP2' },
  grpc: { protocol: 'HTTP', protocolVersion: 'GRPC' },
  tcp: { protocol: 'TCP' },
};

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

/** A rule match, or the reasons the route's match cannot be written as one. */
type MatchResult = { readonly match: PlannedRuleMatch } | { readonly unexpressible: readonly string[] };

class Translator {
  private readonly parity = new ParityCollector();
  private readonly nodes: ReadonlyMap<string, Node>;
  private readonly targetGroups = new Map<string, PlannedTargetGroup>();
  private readonly tgScope = new NameScope(LATTICE_NAME_LIMITS.targetGroup);

  constructor(
    private readonly snapshot: MeshSnapshot,
    private readonly options: TranslateOptions,
  ) {
    this.nodes = new Map(snapshot.virtualNodes.map((n) => [n.name, n]));
  }

  plan(): MigrationPlan {
    const networkName = this.networkName();
    for (const node of this.snapshot.virtualNodes) this.nodeTargetGroups(node);
    const serviceScope = new NameScope(LATTICE_NAME_LIMITS.service);
    const services: PlannedService[] = [];
    for (const vs of this.snapshot.virtualServices) {
      const service = this.service(vs, serviceScope);
      if (service !== undefined) services.push(service);
    }
    this.meshWideFeatures();
    const associations: PlannedAssociation[] = [
      ...services.map((s) => ({
        kind: 'service' as const,
        serviceName: s.name,
        serviceNetworkName: networkName,
      })),
      ...(this.options.vpcIdentifier !== undefined
        ? [
            {
              kind: 'vpc' as const,
              vpcIdentifier: this.options.vpcIdentifier,
              serviceNetworkName: networkName,
            },
          ]
        : []),
    ];
    return {
      meshName: this.snapshot.meshName,
      target: 'vpc-lattice',
      generatedAt: this.snapshot.takenAt,
      serviceNetwork: {
        name: networkName,
        // Services carry the auth policies (one per service, from its callers); the network
        // admits any caller, as the mesh did before its per-service rules.
        authType: 'NONE',
        source: [ref(this.snapshot.mesh)],
      },
      services,
      targetGroups: [...this.targetGroups.values()],
      associations,
      parity: this.parity.entries(),
    };
  }

  private networkName(): string {
    const given = this.options.serviceNetworkName;
    if (given !== undefined) {
      if (!isLatticeName(given, LATTICE_NAME_LIMITS.network))
        throw new InvalidServiceNetworkNameError(
          `service network name "${given}" is not a Lattice name: 3..63 lowercase letters, digits and single hyphens, starting and ending with a letter or digit`,
        );
      return given;
    }
    return new NameScope(LATTICE_NAME_LIMITS.network).name(this.snapshot.meshName);
  }

  // -------------------------------------------------------------------------------------------
  // Target groups: one per virtual node listener

  private tgKey(node: string, port: number): string {
    return `${node}\u0000${port}`;
  }

  private nodeTargetGroups(node: Node): void {
    const listeners = node.spec.listeners ?? [];
    for (const [i, listener] of listeners.entries()) {
      const source = ref(node, `listeners[${i}]`);
      const { port, protocol } = listener.portMapping;
      const name = this.tgScope.name(listeners.length > 1 ? `${node.name}-${port}` : node.name);
      const discovery = node.spec.serviceDiscovery;
      this.targetGroups.set(this.tgKey(node.name, port), {
        name,
        type: 'IP',
        port,
        ...TARGET_PROTOCOL[protocol],
        ...(this.options.vpcIdentifier !== undefined ? { vpcIdentifier: this.options.vpcIdentifier } : {}),
        ...(listener.healthCheck !== undefined
          ? { healthCheck: this.healthCheck(listener.healthCheck, source) }
          : {}),
        virtualNode: node.name,
        ...(discovery === undefined
          ? {}
          : 'dns' in discovery
            ? { discovery: { dns: discovery.dns.hostname } }
            : {
                discovery: {
                  cloudMap: {
                    namespace: discovery.awsCloudMap.namespaceName,
                    service: discovery.awsCloudMap.serviceName,
                  },
                },
              }),
        source: [source],
      });
      this.listenerFeatures(listener, source);
    }
    this.nodeFeatures(node);
  }

  private healthCheck(hc: HealthCheckPolicy, source: SourceRef): PlannedHealthCheck {
    if (hc.protocol === 'tcp' || hc.protocol === 'grpc') {
      this.parity.add(
        `${hc.protocol} health check`,
        'different',
        `Lattice target groups check health over HTTP(S) only; the ${hc.protocol} check is not carried over (health checks off on the target group)`,
        source,
        'serve an HTTP health path on the node and set it on the target group',
      );
      return { enabled: false };
    }
    const interval = clamp(Math.round(hc.intervalMillis / 1000), 5, 300);
    const timeout = clamp(Math.round(hc.timeoutMillis / 1000), 1, 120);
    const healthy = clamp(hc.healthyThreshold, 2, 10);
    const unhealthy = clamp(hc.unhealthyThreshold, 2, 10);
    const same =
      interval * 1000 === hc.intervalMillis &&
      timeout * 1000 === hc.timeoutMillis &&
      healthy === hc.healthyThreshold &&
      unhealthy === hc.unhealthyThreshold;
    if (same) {
      this.parity.add(
        'HTTP health check',
        'exact',
        'path, port, interval, timeout and thresholds carried over',
        source,
      );
    } else {
      this.parity.add(
        'HTTP health check (rounded)',
        'different',
        'Lattice counts whole seconds (interval 5..300 s, timeout 1..120 s) and thresholds 2..10; values were rounded into range',
        source,
        'check the rounded interval, timeout and thresholds',
      );
    }
    return {
      enabled: true,
      protocol: 'HTTP',
      protocolVersion: hc.protocol === 'http2' ? 'HTTP2' : 'HTTP1',
      ...(hc.port !== undefined ? { port: hc.port } : {}),
      ...(hc.path !== undefined ? { path: hc.path } : {}),
      healthCheckIntervalSeconds: interval,
      healthCheckTimeoutSeconds: timeout,
      healthyThresholdCount: healthy,
      unhealthyThresholdCount: unhealthy,
    };
  }

  private listenerFeatures(listener: Listener, source: SourceRef): void {
    const tls = listener.tls;
    if (tls !== undefined && tls.mode !== 'DISABLED') {
      if ('acm' in tls.certificate) {
        this.parity.add(
          'listener TLS with an ACM certificate',
          'different',
          "Lattice terminates TLS at the service's HTTPS listener with the certificate of its custom domain; traffic from Lattice to the targets is what the target group protocol says (HTTP here, as the app behind Envoy spoke)",
          source,
          'make sure the certificate names the custom domain (re-issue it from the same CA if it names the node)',
        );
      } else {
        this.parity.add(
          'listener TLS with a file or SDS certificate',
          'lost',
          'Lattice serves only ACM certificates',
          source,
          'import or issue the certificate in ACM and set it on the service',
        );
      }
      if (tls.mode === 'PERMISSIVE')
        this.parity.add(
          'PERMISSIVE TLS mode',
          'different',
          'a Lattice listener is HTTP or HTTPS, not both',
          source,
          'choose HTTPS, and move plaintext callers first',
        );
      if (tls.validation !== undefined)
        this.parity.add(
          'mutual TLS on the listener (client certificate validation, SAN match)',
          'lost',
          'Lattice listeners do not validate client certificates',
          source,
          "authenticate callers with the service's IAM auth policy (SigV4-signed requests) instead",
        );
    }
    if (listener.timeout !== undefined)
      this.parity.add(
        'listener timeouts',
        'lost',
        'Lattice has fixed request and idle timeouts',
        source,
        'set timeouts in the clients',
      );
    if (listener.outlierDetection !== undefined)
      this.parity.add(
        'outlier detection',
        'lost',
        'Lattice ejects targets by active health checks only, not by observed errors',
        source,
        'rely on the target group health check (tighten its thresholds) and client retries',
      );
    if (listener.connectionPool !== undefined)
      this.parity.add(
        'connection pool limits',
        'lost',
        'Lattice has no per-target connection or pending-request limits',
        source,
        'limit concurrency in the clients or the service (for example a server-side concurrency limit)',
      );
  }

  private nodeFeatures(node: Node): void {
    const discovery = node.spec.serviceDiscovery;
    if (discovery !== undefined)
      this.parity.add(
        'service discovery (DNS / Cloud Map)',
        'different',
        'Lattice does not discover instances: targets are registered in the target group (the ECS and EKS integrations do it per task or pod)',
        ref(node, 'spec.serviceDiscovery'),
        'register the tasks or pods in the target group (ECS service VPC Lattice configuration, or the Gateway API controller)',
      );
    const clientTls = [
      ...(node.spec.backendDefaults?.clientPolicy?.tls ? [node.spec.backendDefaults.clientPolicy.tls] : []),
      ...(node.spec.backends ?? []).flatMap((b) =>
        b.virtualService.clientPolicy?.tls ? [b.virtualService.clientPolicy.tls] : [],
      ),
    ];
    if (clientTls.length > 0)
      this.parity.add(
        'client TLS policy (origination, trust, SAN validation)',
        'lost',
        'Lattice clients do not validate the service against a trust or SANs; Lattice presents the custom domain certificate and authenticates callers with IAM',
        ref(node, 'spec.backendDefaults / backends[].clientPolicy'),
        'call the service over HTTPS at its custom domain, validated by the public or private CA as any HTTPS client does, and sign requests (SigV4) for the auth policy',
      );
    if (node.spec.logging?.accessLog !== undefined)
      this.parity.add(
        'access logs',
        'different',
        'Lattice writes access logs per service network or service to CloudWatch Logs, S3 or Firehose, not to a file in the proxy',
        ref(node, 'spec.logging'),
        'create an access log subscription on the service network',
      );
  }

  // -------------------------------------------------------------------------------------------
  // Services

  private service(vs: MeshResourceOf<'virtual-service'>, scope: NameScope): PlannedService | undefined {
    const provider = vs.spec.provider;
    const source = ref(vs);
    if (provider === undefined) {
      this.parity.add(
        'virtual service without a provider',
        'different',
        'nothing serves it today, so the plan creates no Lattice service for it',
        source,
        'give it a provider before migrating, or drop it',
      );
      return undefined;
    }
    const name = scope.name(vs.name);
    let listeners: PlannedListener[];
    let servingNodes: string[];
    if ('virtualNode' in provider) {
      const nodeName = provider.virtualNode.virtualNodeName;
      servingNodes = [nodeName];
      listeners = this.nodeProvidedListeners(nodeName, source);
      this.parity.add(
        'virtual service provided by a virtual node',
        'exact',
        "a Lattice service whose listeners forward to the node's target group",
        source,
      );
    } else {
      const routerName = provider.virtualRouter.virtualRouterName;
      const router = this.snapshot.virtualRouters.find((r) => r.name === routerName);
      const routes = this.snapshot.routes.filter((r) => r.parentName === routerName);
      servingNodes = [...new Set(routes.flatMap((r) => this.actionTargets(r).map((t) => t.virtualNode)))];
      listeners = router === undefined ? [] : this.routerListeners(router, routes);
      this.parity.add(
        'virtual service provided by a virtual router',
        'exact',
        'a Lattice service with a listener per router listener and a rule per route',
        source,
      );
    }
    if (listeners.length > LATTICE_LIMITS.listenersPerServiceQuota)
      this.parity.add(
        'more listeners per service than the default quota',
        'different',
        `Lattice allows ${LATTICE_LIMITS.listenersPerServiceQuota} listeners per service by default`,
        source,
        'ask for a quota increase (Listeners per service) before applying',
      );
    const certificateArn = this.certificateOf(servingNodes);
    return {
      name,
      ...(vs.name.includes('.') ? { customDomainName: vs.name } : {}),
      ...(certificateArn !== undefined ? { certificateArn } : {}),
      auth: this.auth(vs),
      listeners,
      source: [source],
    };
  }

  private certificateOf(nodes: readonly string[]): string | undefined {
    for (const name of nodes) {
      for (const listener of this.nodes.get(name)?.spec.listeners ?? []) {
        const certificate = listener.tls?.certificate;
        if (listener.tls?.mode !== 'DISABLED' && certificate !== undefined && 'acm' in certificate)
          return certificate.acm.certificateArn;
      }
    }
    return undefined;
  }

  /** HTTPS when the nodes behind the listener take TLS today: the callers already speak it. */
  private listenerProtocol(nodes: readonly string[]): LatticeListenerProtocol {
    const tls = nodes.some((name) =>
      (this.nodes.get(name)?.spec.listeners ?? []).some(
        (l) => l.tls !== undefined && l.tls.mode !== 'DISABLED',
      ),
    );
    return tls ? 'HTTPS' : 'HTTP';
  }

  private nodeProvidedListeners(nodeName: string, source: SourceRef): PlannedListener[] {
    const node = this.nodes.get(nodeName);
    if (node === undefined) return [];
    const scope = new NameScope(LATTICE_NAME_LIMITS.listener);
    const listeners: PlannedListener[] = [];
    for (const [i, listener] of (node.spec.listeners ?? []).entries()) {
      const { port, protocol } = listener.portMapping;
      if (protocol === 'tcp') {
        this.tcpLost(ref(node, `listeners[${i}]`));
        continue;
      }
      const tg = this.targetGroups.get(this.tgKey(nodeName, port));
      if (tg === undefined) continue;
      listeners.push({
        name: scope.name(`${protocol}-${port}`),
        protocol: this.listenerProtocol([nodeName]),
        port,
        defaultAction: { forward: { targetGroups: [{ targetGroupName: tg.name, weight: 1 }] } },
        rules: [],
        source: [source, ref(node, `listeners[${i}]`)],
      });
    }
    return listeners;
  }

  private tcpLost(source: SourceRef): void {
    this.parity.add(
      'TCP listeners and routes',
      'lost',
      'Lattice services route HTTP and HTTPS (and pass TLS through); plain TCP has no Lattice listener',
      source,
      'expose the TCP endpoint as a VPC Lattice resource configuration (resource gateway), or wrap it in TLS and use a TLS_PASSTHROUGH listener',
    );
  }

  private actionTargets(route: Route): readonly WeightedTarget[] {
    const spec = route.spec;
    return (
      (spec.httpRoute ?? spec.http2Route ?? spec.grpcRoute ?? spec.tcpRoute)?.action.weightedTargets ?? []
    );
  }

  private routerListeners(
    router: MeshResourceOf<'virtual-router'>,
    routes: readonly Route[],
  ): PlannedListener[] {
    const ordered = appMeshRouteOrder(routes);
    const scope = new NameScope(LATTICE_NAME_LIMITS.listener);
    const listeners: PlannedListener[] = [];
    const routerListeners = router.spec.listeners ?? [];
    for (const route of ordered) this.routeFeatures(route);
    for (const [i, listener] of routerListeners.entries()) {
      const { port, protocol } = listener.portMapping;
      const source = ref(router, `listeners[${i}]`);
      if (protocol === 'tcp') {
        this.tcpLost(source);
        continue;
      }
      const onPort = ordered.filter((r) => {
        const matchPort = (r.spec.httpRoute ?? r.spec.http2Route)?.match.port ?? r.spec.grpcRoute?.match.port;
        return matchPort === undefined || matchPort === port || routerListeners.length === 1;
      });
      const ruleScope = new NameScope(LATTICE_NAME_LIMITS.rule);
      const rules: PlannedRule[] = [];
      for (const route of onPort) {
        const rule = this.rule(route, port, ruleScope, rules.length + 1);
        if (rule !== undefined) rules.push(rule);
      }
      if (rules.length > LATTICE_LIMITS.rulesPerListenerQuota)
        this.parity.add(
          'more routes per router listener than the default rule quota',
          'different',
          `Lattice's default quota is ${LATTICE_LIMITS.rulesPerListenerQuota} rules per listener (adjustable; priorities go up to ${LATTICE_LIMITS.maxRulePriority})`,
          source,
          'ask for a quota increase (Rules per listener) before applying',
        );
      const nodes = onPort.flatMap((r) => this.actionTargets(r).map((t) => t.virtualNode));
      listeners.push({
        name: scope.name(`${protocol}-${port}`),
        protocol: this.listenerProtocol(nodes),
        port,
        // App Mesh answers a request no route takes with 404; so does this default action.
        defaultAction: { fixedResponse: { statusCode: 404 } },
        rules,
        source: [source],
      });
    }
    return listeners;
  }

  /** Features of a route that do not depend on the listener it lands on. */
  private routeFeatures(route: Route): void {
    const source = ref(route);
    const spec = route.spec;
    const http = spec.httpRoute ?? spec.http2Route;
    if (spec.priority !== undefined)
      this.parity.add(
        'route priority',
        'exact',
        `rules get Lattice priorities 1..${LATTICE_LIMITS.maxRulePriority} in the order App Mesh tries the routes (priority 0..1000 first, then routes without one, most specific first)`,
        source,
      );
    if (spec.tcpRoute !== undefined) this.tcpLost(source);
    const retry = http?.retryPolicy ?? spec.grpcRoute?.retryPolicy;
    if (retry !== undefined)
      this.parity.add(
        'route retry policy',
        'lost',
        'Lattice does not retry requests',
        ref(route, 'retryPolicy'),
        'retry in the clients (the AWS SDKs and most HTTP/gRPC clients do, with backoff); make the retried calls idempotent',
      );
    const timeout = http?.timeout ?? spec.grpcRoute?.timeout ?? spec.tcpRoute?.timeout;
    if (timeout !== undefined)
      this.parity.add(
        'per-route timeouts',
        'lost',
        'Lattice has no per-rule request or idle timeout',
        ref(route, 'timeout'),
        'set the timeout in the clients of the service',
      );
    if (spec.http2Route !== undefined)
      this.parity.add('HTTP/2 routes', 'exact', 'rules on the listener; target groups speak HTTP2', source);
    if (spec.grpcRoute !== undefined)
      this.parity.add(
        'gRPC routes (service and method name)',
        'exact',
        'a gRPC method is the path /<service>/<method>: service and method names become exact or prefix path matches; target groups speak GRPC',
        source,
      );
  }

  private rule(route: Route, port: number, scope: NameScope, priority: number): PlannedRule | undefined {
    const spec = route.spec;
    if (spec.tcpRoute !== undefined) return undefined;
    const result = this.match(route);
    if ('unexpressible' in result) return undefined;
    if (priority > LATTICE_LIMITS.maxRulePriority) {
      this.parity.add(
        `more than ${LATTICE_LIMITS.maxRulePriority} routes on one router listener`,
        'lost',
        `Lattice rule priorities are 1..${LATTICE_LIMITS.maxRulePriority}: routes past the ${LATTICE_LIMITS.maxRulePriority}th in match order get no rule`,
        ref(route),
        'split the virtual router into several Lattice services, or merge routes',
      );
      return undefined;
    }
    const action = this.forward(route, port);
    return {
      name: scope.name(route.name),
      priority,
      match: result.match,
      action,
      source: [ref(route)],
    };
  }

  private forward(route: Route, port: number): PlannedAction {
    const targets = this.actionTargets(route);
    const weighted: { targetGroupName: string; weight: number }[] = [];
    for (const t of targets) {
      const node = this.nodes.get(t.virtualNode);
      const targetPort = t.port ?? node?.spec.listeners?.[0]?.portMapping.port ?? port;
      const tg = this.targetGroups.get(this.tgKey(t.virtualNode, targetPort));
      if (tg === undefined) {
        this.parity.add(
          'route target without a listener',
          'lost',
          'the target virtual node has no listener on that port, so there is no target group to forward to',
          ref(route, 'action.weightedTargets'),
          'give the node a listener (or fix the target port) before migrating',
        );
        continue;
      }
      weighted.push({ targetGroupName: tg.name, weight: t.weight });
    }
    if (targets.length > 1)
      this.parity.add(
        'weighted targets',
        'exact',
        'forward action with the same weights (App Mesh 0..100 fits Lattice 0..999 as it is)',
        ref(route, 'action.weightedTargets'),
      );
    const max = Math.max(0, ...weighted.map((w) => w.weight));
    if (max > LATTICE_LIMITS.maxWeight) return { forward: { targetGroups: this.scaled(weighted, route) } };
    return { forward: { targetGroups: weighted } };
  }

  /** Weights scaled into 0..999; ratios kept exactly when the rounding allows, else said. */
  private scaled(
    weighted: readonly { targetGroupName: string; weight: number }[],
    route: Route,
  ): { targetGroupName: string; weight: number }[] {
    // Dividing by the common divisor keeps the ratios exactly when the reduced weights fit.
    const divisor = weighted.reduce((g, w) => gcd(g, w.weight), 0) || 1;
    const reduced = weighted.map((w) => ({ ...w, weight: w.weight / divisor }));
    const max = Math.max(...reduced.map((w) => w.weight));
    const out =
      max <= LATTICE_LIMITS.maxWeight
        ? reduced
        : reduced.map((w) => ({ ...w, weight: Math.round((w.weight * LATTICE_LIMITS.maxWeight) / max) }));
    const total = weighted.reduce((s, w) => s + w.weight, 0);
    const newTotal = out.reduce((s, w) => s + w.weight, 0);
    const exact = weighted.every((w, i) => (out[i]?.weight ?? 0) * total === w.weight * newTotal);
    this.parity.add(
      'weights above 999',
      exact ? 'exact' : 'different',
      exact
        ? 'scaled into 0..999 keeping the ratios exactly'
        : 'scaled into 0..999; rounding changes the shares slightly',
      ref(route, 'action.weightedTargets'),
      exact ? undefined : 'check the scaled weights',
    );
    return out;
  }

  // -------------------------------------------------------------------------------------------
  // Matches

  private match(route: Route): MatchResult {
    const spec = route.spec;
    if (spec.grpcRoute !== undefined) {
      const { serviceName, methodName, metadata } = spec.grpcRoute.match;
      const path =
        serviceName === undefined
          ? { prefix: '/' }
          : methodName === undefined
            ? { prefix: `/${serviceName}/` }
            : { exact: `/${serviceName}/${methodName}` };
      return this.withHeaders(
        route,
        { path: { match: path, caseSensitive: true } },
        metadata ?? [],
        'metadata',
      );
    }
    const http = spec.httpRoute ?? spec.http2Route;
    if (http === undefined) return { unexpressible: ['no HTTP match'] };
    const reasons: string[] = [];
    const source = (path: string) => ref(route, `match.${path}`);
    const m: HttpRouteMatch = http.match;
    let path: PlannedRuleMatch['path'];
    if (m.path?.regex !== undefined) {
      reasons.push('regex path');
      this.parity.add(
        'regex path match',
        'lost',
        'Lattice matches paths by exact value or prefix only; the route gets no rule, so its requests go to the rules after it',
        source('path.regex'),
        'rewrite the regex as exact paths or prefixes (one rule each), or route inside the application',
      );
    } else if (m.path?.exact !== undefined) {
      path = { match: { exact: m.path.exact }, caseSensitive: true };
      this.parity.add(
        'exact path match',
        'exact',
        'rule path match, exact, case-sensitive',
        source('path.exact'),
      );
    } else if (m.prefix !== undefined) {
      path = { match: { prefix: m.prefix }, caseSensitive: true };
      this.parity.add(
        'path prefix match',
        'exact',
        'rule path match, prefix, case-sensitive',
        source('prefix'),
      );
    }
    const pathValue =
      path === undefined ? undefined : 'exact' in path.match ? path.match.exact : path.match.prefix;
    if (
      pathValue !== undefined &&
      (pathValue.length > LATTICE_LIMITS.pathLength || !LATTICE_PATH.test(pathValue))
    ) {
      reasons.push('path characters');
      this.parity.add(
        'path with characters or length Lattice refuses',
        'lost',
        `Lattice paths are at most ${LATTICE_LIMITS.pathLength} characters of [a-zA-Z0-9@:%_+.~#?&/=-]; the route gets no rule`,
        source('prefix'),
        'percent-encode or shorten the path in the clients and the route',
      );
    }
    if (m.queryParameters !== undefined && m.queryParameters.length > 0) {
      reasons.push('query parameters');
      this.parity.add(
        'query parameter match',
        'lost',
        'Lattice rules cannot match query parameters; the route gets no rule',
        source('queryParameters'),
        'move the distinction into a header or the path, or route inside the application',
      );
    }
    if (m.scheme !== undefined) {
      reasons.push('scheme');
      this.parity.add(
        'scheme match',
        'lost',
        'Lattice rules cannot match the scheme; the route gets no rule',
        source('scheme'),
        'use one listener per scheme (HTTP and HTTPS) on different ports',
      );
    }
    if (m.method !== undefined)
      this.parity.add('method match', 'exact', 'rule method match', source('method'));
    if (m.port !== undefined)
      this.parity.add(
        'route port match',
        'exact',
        'the rule goes on the listener of that port',
        source('port'),
      );
    const base: PlannedRuleMatch = {
      ...(path !== undefined ? { path } : {}),
      ...(m.method !== undefined ? { method: m.method } : {}),
    };
    const withHeaders = this.withHeaders(route, base, m.headers ?? [], 'headers');
    if (reasons.length > 0) return { unexpressible: reasons };
    return withHeaders;
  }

  private withHeaders(
    route: Route,
    base: PlannedRuleMatch,
    headers: readonly HeaderMatch[],
    member: 'headers' | 'metadata',
  ): MatchResult {
    const reasons: string[] = [];
    const out: PlannedHeaderMatch[] = [];
    for (const [i, h] of headers.entries()) {
      const source = ref(route, `match.${member}[${i}]`);
      const m = h.match;
      if (h.invert === true) {
        reasons.push('inverted header');
        this.parity.add(
          'inverted header match',
          'lost',
          'Lattice header matches cannot be inverted; the route gets no rule',
          source,
          'put a rule for the positive case first and let the inverted case fall to the next rule or the default',
        );
      } else if (m === undefined) {
        reasons.push('header presence');
        this.parity.add(
          'header presence match',
          'lost',
          'Lattice matches a header by value (exact, prefix, contains), not by presence alone; the route gets no rule',
          source,
          'match a known value or prefix of the header',
        );
      } else if ('exact' in m) {
        out.push({ name: h.name, caseSensitive: true, match: { exact: m.exact } });
        this.parity.add('header exact match', 'exact', 'rule header match, exact, case-sensitive', source);
      } else if ('prefix' in m) {
        out.push({ name: h.name, caseSensitive: true, match: { prefix: m.prefix } });
        this.parity.add('header prefix match', 'exact', 'rule header match, prefix, case-sensitive', source);
      } else {
        const kind = 'regex' in m ? 'regex' : 'range' in m ? 'range' : 'suffix';
        reasons.push(`header ${kind}`);
        this.parity.add(
          `header ${kind} match`,
          'lost',
          'Lattice header matches are exact, prefix or contains; the route gets no rule',
          source,
          kind === 'suffix'
            ? 'match a prefix or a contained value instead, or send a header with the exact value'
            : 'send a header with an exact value the route can match, or route inside the application',
        );
      }
    }
    if (out.length > LATTICE_LIMITS.headerMatchesPerRule) {
      reasons.push('too many headers');
      this.parity.add(
        'more than 5 header matches on a route',
        'lost',
        `Lattice rules match at most ${LATTICE_LIMITS.headerMatchesPerRule} headers; the route gets no rule`,
        ref(route, `match.${member}`),
        'combine headers into one the clients send',
      );
    }
    if (reasons.length > 0) return { unexpressible: reasons };
    return { match: { ...base, ...(out.length > 0 ? { headerMatches: out } : {}) } };
  }

  // -------------------------------------------------------------------------------------------
  // Auth: who may call each service today

  private auth(vs: MeshResourceOf<'virtual-service'>): PlannedAuth {
    const byCaller = new Map<string, Set<'backend' | 'policy'>>();
    const add = (name: string, via: 'backend' | 'policy') => {
      const set = byCaller.get(name) ?? new Set();
      set.add(via);
      byCaller.set(name, set);
    };
    for (const node of this.snapshot.virtualNodes) {
      if ((node.spec.backends ?? []).some((b) => b.virtualService.virtualServiceName === vs.name))
        add(node.name, 'backend');
      if (this.options.accessGraph?.some((e) => e.node.test(node.name) && e.services.test(vs.name)))
        add(node.name, 'policy');
    }
    const gateways = new Set(
      this.snapshot.gatewayRoutes
        .filter((gr) => {
          const target = (gr.spec.httpRoute ?? gr.spec.http2Route ?? gr.spec.grpcRoute)?.action.target;
          return target?.virtualService.virtualServiceName === vs.name;
        })
        .map((gr) => gr.parentName ?? ''),
    );
    const principals = this.options.principals ?? {};
    const callers: PlannedCaller[] = [
      ...[...byCaller.entries()].map(([name, via]) => ({
        virtualNode: name,
        kind: 'virtual-node' as const,
        via: [...via].sort(),
        ...(principals[name] !== undefined ? { principalArn: principals[name] } : {}),
      })),
      ...[...gateways].map((name) => ({
        virtualNode: name,
        kind: 'virtual-gateway' as const,
        via: ['backend' as const],
        ...(principals[name] !== undefined ? { principalArn: principals[name] } : {}),
      })),
    ].sort((a, b) => a.virtualNode.localeCompare(b.virtualNode));
    const unmapped = callers.filter((c) => c.principalArn === undefined).map((c) => c.virtualNode);
    const source = ref(vs);
    if (callers.length === 0) {
      this.parity.add(
        'service with no callers',
        'exact',
        'no node has it as a backend and the access graph allows none: an auth policy that denies every caller',
        source,
      );
      // Written out rather than left to "AWS_IAM without a policy": the Gateway API controller
      // turns auth off for a route without an IAMAuthPolicy.
      return {
        authType: 'AWS_IAM',
        policy: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'NoCallersInAppMesh',
              Effect: 'Deny',
              Principal: '*',
              Action: 'vpc-lattice-svcs:Invoke',
              Resource: '*',
            },
          ],
        },
        callers,
        unmappedCallers: [],
      };
    }
    let policy: AuthPolicyDocument;
    if (unmapped.length === 0) {
      this.parity.add(
        'service-to-service access (backends, access graph)',
        'exact',
        "an auth policy allowing the callers' IAM roles to invoke the service",
        source,
      );
      policy = {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'CallersAllowedInAppMesh',
            Effect: 'Allow',
            Principal: { AWS: callers.map((c) => c.principalArn ?? '') },
            Action: 'vpc-lattice-svcs:Invoke',
            Resource: '*',
          },
        ],
      };
    } else {
      this.parity.add(
        'service-to-service access (backends, access graph)',
        'different',
        'the policy maps no IAM role to these callers, so the auth policy allows any authenticated principal in the network instead of exactly the callers allowed today',
        source,
        'map each caller to the IAM role of its tasks or pods (migrate plan --principal NODE=ROLE_ARN) and plan again',
      );
      policy = {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'AuthenticatedCallersUntilRolesAreMapped',
            Effect: 'Allow',
            Principal: '*',
            Action: 'vpc-lattice-svcs:Invoke',
            Resource: '*',
            Condition: { StringNotEqualsIgnoreCase: { 'aws:PrincipalType': 'anonymous' } },
          },
        ],
      };
    }
    return { authType: 'AWS_IAM', policy, callers, unmappedCallers: unmapped };
  }

  // -------------------------------------------------------------------------------------------

  private meshWideFeatures(): void {
    const mesh = this.snapshot.mesh;
    if (mesh.spec.egressFilter?.type === 'DROP_ALL')
      this.parity.add(
        'egress filter DROP_ALL',
        'different',
        'Lattice does not filter egress: clients reach the services of the networks their VPC is associated with, and everything else their VPC routes to',
        ref(mesh, 'spec.egressFilter'),
        'restrict egress with security groups, network ACLs or a network firewall',
      );
    if (mesh.spec.serviceDiscovery?.ipPreference !== undefined)
      this.parity.add(
        'IP preference',
        'different',
        'Lattice target groups are IPv4 or IPv6 by their IP address type',
        ref(mesh, 'spec.serviceDiscovery'),
        "set the target groups' IP address type",
      );
    for (const gw of this.snapshot.virtualGateways)
      this.parity.add(
        'virtual gateways (ingress)',
        'lost',
        'Lattice has no ingress gateway: services are reachable from VPCs associated with the network',
        ref(gw),
        'put an ALB, API Gateway or an ingress proxy in an associated VPC in front of the services, with an IAM role the auth policies allow',
      );
    for (const gr of this.snapshot.gatewayRoutes)
      this.parity.add(
        'gateway routes',
        'lost',
        'no virtual gateway to attach them to in Lattice',
        ref(gr),
        'express them as listener rules of the ingress (ALB or API Gateway) that replaces the gateway',
      );
  }
}

/** The Lattice plan of a mesh (without the routing simulation; see `planMigration`). */
export function translateMesh(snapshot: MeshSnapshot, options: TranslateOptions = {}): MigrationPlan {
  return new Translator(snapshot, options).plan();
}
