/**
 * The provider-neutral picture of one governed scope (an App Mesh mesh, a VPC Lattice service
 * network): what meshwarden governs, whichever provider holds it. Policy checks that mean the
 * same thing on every provider are written once against this model (shared/policy/neutral), and
 * each provider maps its own snapshot into it in its folder, so a third provider is one more
 * mapper, not one more copy of every rule. Read-only and plain data: no I/O, no policy.
 *
 * Each element carries the provider's own key (what exemptions and route keys match) and the
 * words sentences name it by, so a neutral check speaks in the provider's terms.
 */
import type { RouteProviderName } from './weighted-route';

/** One share of a route's traffic: a target as the route names it, and its weight. */
export interface WeightedTargetShare {
  /** The target as the route writes it: App Mesh virtual node name, Lattice target group id. */
  readonly target: string;
  /**
   * The weight the provider applies: Lattice's default (100 for a lone target group, else 0)
   * where the rule wrote none, so checks judge what traffic actually does.
   */
  readonly weight: number;
}

/**
 * A route: where a request goes once matched, as weighted targets. App Mesh routes and Lattice
 * listener rules (and default actions) are both this. A route that forwards nowhere (a fixed
 * response) has no targets.
 */
export interface GraphRoute {
  /** The provider's resource key: `prod/route/web-router/web`, `prod-net/rule/web/https/default`. */
  readonly key: string;
  /** How a sentence names it: `route web of virtual router web-router`. */
  readonly label: string;
  /** Key of the routing table holding it: an App Mesh virtual router, a Lattice listener. */
  readonly parent: string;
  /** In the route's order; a target listed twice stays twice (it counts against limits). */
  readonly targets: readonly WeightedTargetShare[];
}

/** Something callers call: an App Mesh virtual service, a Lattice service. */
export interface GraphService {
  readonly key: string;
  readonly name: string;
  /** Keys of the routing tables serving it (its virtual router; its listeners). */
  readonly routedBy: readonly string[];
  /** Targets serving it directly, without routes (an App Mesh virtual node provider). */
  readonly servedBy: readonly string[];
}

/** What routes send traffic to: an App Mesh virtual node, a Lattice target group. */
export interface GraphTarget {
  readonly key: string;
  /** As routes name it ({@link WeightedTargetShare.target}). */
  readonly name: string;
}

/**
 * Where a served certificate comes from. Only an ACM certificate has an issuer that can be
 * looked up; the others are named so a check can say why the issuer cannot be judged.
 */
export type ServedCertificate =
  | { readonly source: 'acm'; readonly arn: string }
  | { readonly source: 'file' }
  | { readonly source: 'sds' }
  /** The provider serves its own certificate for its generated domain (Lattice without a custom domain). */
  | { readonly source: 'provider-default'; readonly provider: string };

/** A listener that accepts calls: port and protocol, and the certificate it serves when it terminates TLS. */
export interface GraphListener {
  /** Key of the resource that owns it (App Mesh node or gateway, Lattice service). */
  readonly owner: string;
  /** How a sentence names it: `virtual node web listener 8080/http`, `listener https (HTTPS:443) of service web`. */
  readonly label: string;
  readonly port: number | undefined;
  readonly protocol: string | undefined;
  /** Absent when the listener does not terminate TLS itself (plain text, or passed through). */
  readonly tls?: {
    /** The provider's TLS mode where it has one (App Mesh `STRICT`/`PERMISSIVE`/`DISABLED`). */
    readonly mode: string | undefined;
    readonly certificate: ServedCertificate;
  };
}

/**
 * Who may call what, as the provider declares it: an App Mesh node's backend, a principal an
 * auth policy allows. The access graph of the policy is judged against these edges.
 */
export interface CallerEdge {
  /**
   * A virtual node name or a principal ARN; undefined when the declaration lets in anyone
   * (Lattice `"Principal": "*"` without a condition).
   */
  readonly caller: string | undefined;
  /** The service called; undefined when the declaration covers every service of the scope. */
  readonly service: string | undefined;
  /** Key of the resource whose declaration this is (node, service, service network). */
  readonly declaredBy: string;
}

/** A caller declaration that could not be read, so who it lets in is unknown. */
export interface UnreadableDeclaration {
  readonly declaredBy: string;
  /** Why, as a phrase: `is not JSON (...)`. */
  readonly reason: string;
}

/** One place an ACM certificate is served. */
export interface CertificateInUse {
  readonly arn: string;
  /** Key of the resource serving it. */
  readonly usedBy: string;
  /** The listener port, when a listener serves it. */
  readonly port?: number;
  /** The DNS name the certificate must name, when the provider says (Lattice custom domain). */
  readonly serverName?: string;
}

/** One governed scope, read whole at one moment. */
export interface ServiceGraph {
  readonly provider: RouteProviderName;
  /** The mesh or service network name (the name policy entries match). */
  readonly scope: string;
  readonly services: readonly GraphService[];
  readonly routes: readonly GraphRoute[];
  readonly targets: readonly GraphTarget[];
  readonly listeners: readonly GraphListener[];
  readonly callers: readonly CallerEdge[];
  readonly unreadableCallers: readonly UnreadableDeclaration[];
  readonly certificates: readonly CertificateInUse[];
}
