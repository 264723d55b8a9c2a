/**
 * The App Mesh resource model.
 *
 * Specs mirror App Mesh semantics and member names on purpose: the policy, CloudTrail
 * `requestParameters.spec` and the App Mesh JSON all use these names, so one shape serves all
 * of them. "One of" members are unions of single-key objects (`{ acm } | { file } | { sds }`),
 * narrowed with `'acm' in certificate`. Everything is readonly and JSON-serialisable; times are
 * ISO-8601 strings. No SDK types here: the App Mesh adapter proves at compile time that these
 * shapes equal the SDK's (see shared/providers/appmesh/mapping.ts).
 */
import type { ResourceKind, ResourceRef } from '../../domain/resource-key';

// ---------------------------------------------------------------------------------------------
// Shared building blocks

/** Which IP family Envoy prefers when resolving and listening. */
export type IpPreference = 'IPv4_ONLY' | 'IPv4_PREFERRED' | 'IPv6_ONLY' | 'IPv6_PREFERRED';
/** Lifecycle status App Mesh reports for every resource. */
export type ResourceStatus = 'ACTIVE' | 'INACTIVE' | 'DELETED';
/** Protocols a virtual node or router listener may speak. */
export type PortProtocol = 'grpc' | 'http' | 'http2' | 'tcp';
/** Protocols a virtual gateway listener may speak (no plain tcp). */
export type GatewayPortProtocol = 'grpc' | 'http' | 'http2';
/** Time unit of a {@link Duration}. */
export type DurationUnit = 'ms' | 's';
/** TLS mode of a listener: STRICT requires TLS, PERMISSIVE also accepts plaintext. */
export type ListenerTlsMode = 'STRICT' | 'PERMISSIVE' | 'DISABLED';
/** HTTP method matched by a route. */
export type HttpMethod =
  | 'CONNECT'
  | 'DELETE'
  | 'GET'
  | 'HEAD'
  | 'OPTIONS'
  | 'PATCH'
  | 'POST'
  | 'PUT'
  | 'TRACE';
/** URL scheme matched by a route. */
export type HttpScheme = 'http' | 'https';
/** gRPC status events that trigger a retry. */
export type GrpcRetryPolicyEvent =
  | 'cancelled'
  | 'deadline-exceeded'
  | 'internal'
  | 'resource-exhausted'
  | 'unavailable';
/** TCP events that trigger a retry. */
export type TcpRetryPolicyEvent = 'connection-error';
/** Whether a gateway route rewrites the default hostname or prefix. */
export type DefaultGatewayRouteRewrite = 'ENABLED' | 'DISABLED';

/** A length of time. */
export interface Duration {
  readonly value?: number;
  readonly unit?: DurationUnit;
}

/** A port and the protocol served on it. */
export interface PortMapping<P extends string = PortProtocol> {
  readonly port: number;
  readonly protocol: P;
}

/** Active health checking of a listener. */
export interface HealthCheckPolicy<P extends string = PortProtocol> {
  readonly timeoutMillis: number;
  readonly intervalMillis: number;
  readonly protocol: P;
  readonly port?: number;
  readonly path?: string;
  readonly healthyThreshold: number;
  readonly unhealthyThreshold: number;
}

/** One key of a JSON access-log format. */
export interface JsonFormatRef {
  readonly key: string;
  readonly value: string;
}
/** Access-log line format: a text pattern or JSON keys. */
export type LoggingFormat = { readonly text: string } | { readonly json: readonly JsonFormatRef[] };
/** An access log written to a file inside the proxy. */
export interface FileAccessLog {
  readonly path: string;
  readonly format?: LoggingFormat;
}
/** Where access logs go. */
export type AccessLog = { readonly file: FileAccessLog };
/** Logging of a virtual node or virtual gateway. */
export interface Logging {
  readonly accessLog?: AccessLog;
}

// ---------------------------------------------------------------------------------------------
// TLS

/** A certificate issued by ACM (for example from AWS Private CA), served by a listener. */
export interface TlsAcmCertificate {
  readonly certificateArn: string;
}
/** A certificate and key read from files in the proxy's file system. */
export interface TlsFileCertificate {
  readonly certificateChain: string;
  readonly privateKey: string;
}
/** A certificate delivered by a Secret Discovery Service agent. */
export interface TlsSdsCertificate {
  readonly secretName: string;
}
/** The certificate a listener serves. */
export type ListenerTlsCertificate =
  | { readonly acm: TlsAcmCertificate }
  | { readonly file: TlsFileCertificate }
  | { readonly sds: TlsSdsCertificate };
/** The certificate a client presents for mutual TLS (ACM is not possible here). */
export type ClientTlsCertificate =
  | { readonly file: TlsFileCertificate }
  | { readonly sds: TlsSdsCertificate };

/** Trust ACM Private CA certificate authorities. */
export interface TlsValidationContextAcmTrust {
  readonly certificateAuthorityArns: readonly string[];
}
/** Trust a certificate chain file. */
export interface TlsValidationContextFileTrust {
  readonly certificateChain: string;
}
/** Trust a bundle delivered by SDS. */
export interface TlsValidationContextSdsTrust {
  readonly secretName: string;
}
/** What a client trusts when validating a server. */
export type TlsValidationContextTrust =
  | { readonly acm: TlsValidationContextAcmTrust }
  | { readonly file: TlsValidationContextFileTrust }
  | { readonly sds: TlsValidationContextSdsTrust };
/** What a listener trusts when validating client certificates (no ACM). */
export type ListenerTlsValidationContextTrust =
  | { readonly file: TlsValidationContextFileTrust }
  | { readonly sds: TlsValidationContextSdsTrust };

/** Subject alternative names a peer certificate must carry. */
export interface SubjectAlternativeNames {
  readonly match: { readonly exact: readonly string[] };
}
/** How a client validates the server certificate. */
export interface TlsValidationContext {
  readonly trust: TlsValidationContextTrust;
  readonly subjectAlternativeNames?: SubjectAlternativeNames;
}
/** How a listener validates client certificates (mutual TLS). */
export interface ListenerTlsValidationContext {
  readonly trust: ListenerTlsValidationContextTrust;
  readonly subjectAlternativeNames?: SubjectAlternativeNames;
}
/** TLS termination on a listener. */
export interface ListenerTls {
  readonly mode: ListenerTlsMode;
  readonly certificate: ListenerTlsCertificate;
  readonly validation?: ListenerTlsValidationContext;
}
/** TLS origination towards backends. */
export interface ClientPolicyTls {
  readonly enforce?: boolean;
  readonly ports?: readonly number[];
  readonly certificate?: ClientTlsCertificate;
  readonly validation: TlsValidationContext;
}
/** Client-side policy towards a backend. */
export interface ClientPolicy {
  readonly tls?: ClientPolicyTls;
}
/** Client policy applied to every backend unless a backend overrides it. */
export interface BackendDefaults {
  readonly clientPolicy?: ClientPolicy;
}

// ---------------------------------------------------------------------------------------------
// Mesh

/** Whether the mesh lets traffic out to destinations outside the mesh. */
export type EgressFilterType = 'ALLOW_ALL' | 'DROP_ALL';
/** The spec of a mesh. */
export interface MeshSpec {
  readonly egressFilter?: { readonly type: EgressFilterType };
  readonly serviceDiscovery?: { readonly ipPreference?: IpPreference };
}

// ---------------------------------------------------------------------------------------------
// Virtual node

/** Timeouts of an HTTP, HTTP/2 or gRPC listener or route. */
export interface HttpTimeout {
  readonly perRequest?: Duration;
  readonly idle?: Duration;
}
/** Timeouts of a gRPC listener or route (same members as HTTP). */
export type GrpcTimeout = HttpTimeout;
/** Timeouts of a TCP listener or route. */
export interface TcpTimeout {
  readonly idle?: Duration;
}
/** Listener timeouts, per protocol. */
export type ListenerTimeout =
  | { readonly tcp: TcpTimeout }
  | { readonly http: HttpTimeout }
  | { readonly http2: HttpTimeout }
  | { readonly grpc: GrpcTimeout };

/** Eject hosts that keep failing. */
export interface OutlierDetection {
  readonly maxServerErrors: number;
  readonly interval: Duration;
  readonly baseEjectionDuration: Duration;
  readonly maxEjectionPercent: number;
}

/** HTTP/1 connection pool limits. */
export interface HttpConnectionPool {
  readonly maxConnections: number;
  readonly maxPendingRequests?: number;
}
/** Request limit for multiplexed protocols (HTTP/2, gRPC). */
export interface MaxRequestsConnectionPool {
  readonly maxRequests: number;
}
/** Connection pool of a virtual node listener, per protocol. */
export type VirtualNodeConnectionPool =
  | { readonly tcp: { readonly maxConnections: number } }
  | { readonly http: HttpConnectionPool }
  | { readonly http2: MaxRequestsConnectionPool }
  | { readonly grpc: MaxRequestsConnectionPool };

/** A virtual node listener. */
export interface Listener {
  readonly portMapping: PortMapping;
  readonly tls?: ListenerTls;
  readonly healthCheck?: HealthCheckPolicy;
  readonly timeout?: ListenerTimeout;
  readonly outlierDetection?: OutlierDetection;
  readonly connectionPool?: VirtualNodeConnectionPool;
}

/** A virtual service this node may call, with an optional client policy override. */
export interface VirtualServiceBackend {
  readonly virtualServiceName: string;
  readonly clientPolicy?: ClientPolicy;
}
/** A backend of a virtual node. */
export type Backend = { readonly virtualService: VirtualServiceBackend };

/** Discovery through DNS. */
export interface DnsServiceDiscovery {
  readonly hostname: string;
  readonly responseType?: 'ENDPOINTS' | 'LOADBALANCER';
  readonly ipPreference?: IpPreference;
}
/** One Cloud Map instance attribute filter. */
export interface AwsCloudMapInstanceAttribute {
  readonly key: string;
  readonly value: string;
}
/** Discovery through AWS Cloud Map. */
export interface AwsCloudMapServiceDiscovery {
  readonly namespaceName: string;
  readonly serviceName: string;
  readonly attributes?: readonly AwsCloudMapInstanceAttribute[];
  readonly ipPreference?: IpPreference;
}
/** How the proxies find this node's instances. */
export type ServiceDiscovery =
  | { readonly dns: DnsServiceDiscovery }
  | { readonly awsCloudMap: AwsCloudMapServiceDiscovery };

/** The spec of a virtual node. */
export interface VirtualNodeSpec {
  readonly serviceDiscovery?: ServiceDiscovery;
  readonly listeners?: readonly Listener[];
  readonly backends?: readonly Backend[];
  readonly backendDefaults?: BackendDefaults;
  readonly logging?: Logging;
}

// ---------------------------------------------------------------------------------------------
// Virtual service and virtual router

/** What serves a virtual service: one virtual node or a virtual router. */
export type VirtualServiceProvider =
  | { readonly virtualNode: { readonly virtualNodeName: string } }
  | { readonly virtualRouter: { readonly virtualRouterName: string } };
/** The spec of a virtual service. */
export interface VirtualServiceSpec {
  readonly provider?: VirtualServiceProvider;
}

/** The spec of a virtual router. */
export interface VirtualRouterSpec {
  readonly listeners?: readonly { readonly portMapping: PortMapping }[];
}

// ---------------------------------------------------------------------------------------------
// Route

/** A target of a route and its share of the traffic. */
export interface WeightedTarget {
  readonly virtualNode: string;
  readonly weight: number;
  readonly port?: number;
}
/** Where a route sends traffic. */
export interface RouteAction {
  readonly weightedTargets: readonly WeightedTarget[];
}
/** An inclusive-exclusive integer range. */
export interface MatchRange {
  readonly start: number;
  readonly end: number;
}
/** How a header or gRPC metadata value is matched. */
export type HeaderMatchMethod =
  | { readonly exact: string }
  | { readonly regex: string }
  | { readonly range: MatchRange }
  | { readonly prefix: string }
  | { readonly suffix: string };
/** A header (HTTP) or metadata entry (gRPC) a request must (or, inverted, must not) carry. */
export interface HeaderMatch {
  readonly name: string;
  readonly invert?: boolean;
  readonly match?: HeaderMatchMethod;
}
/** Match on the whole path. */
export interface HttpPathMatch {
  readonly exact?: string;
  readonly regex?: string;
}
/** A query parameter a request must carry. */
export interface HttpQueryParameter {
  readonly name: string;
  readonly match?: { readonly exact?: string };
}
/** Which HTTP requests a route takes. */
export interface HttpRouteMatch {
  readonly prefix?: string;
  readonly path?: HttpPathMatch;
  readonly queryParameters?: readonly HttpQueryParameter[];
  readonly method?: HttpMethod;
  readonly scheme?: HttpScheme;
  readonly headers?: readonly HeaderMatch[];
  readonly port?: number;
}
/** Retry policy of an HTTP or HTTP/2 route. */
export interface HttpRetryPolicy {
  readonly perRetryTimeout: Duration;
  readonly maxRetries: number;
  readonly httpRetryEvents?: readonly string[];
  readonly tcpRetryEvents?: readonly TcpRetryPolicyEvent[];
}
/** An HTTP or HTTP/2 route. */
export interface HttpRoute {
  readonly match: HttpRouteMatch;
  readonly action: RouteAction;
  readonly retryPolicy?: HttpRetryPolicy;
  readonly timeout?: HttpTimeout;
}
/** Which gRPC requests a route takes. */
export interface GrpcRouteMatch {
  readonly serviceName?: string;
  readonly methodName?: string;
  readonly metadata?: readonly HeaderMatch[];
  readonly port?: number;
}
/** Retry policy of a gRPC route. */
export interface GrpcRetryPolicy extends HttpRetryPolicy {
  readonly grpcRetryEvents?: readonly GrpcRetryPolicyEvent[];
}
/** A gRPC route. */
export interface GrpcRoute {
  readonly action: RouteAction;
  readonly match: GrpcRouteMatch;
  readonly retryPolicy?: GrpcRetryPolicy;
  readonly timeout?: GrpcTimeout;
}
/** A TCP route. */
export interface TcpRoute {
  readonly action: RouteAction;
  readonly timeout?: TcpTimeout;
  readonly match?: { readonly port?: number };
}
/** The spec of a route: exactly one of the protocol members is set. */
export interface RouteSpec {
  readonly priority?: number;
  readonly httpRoute?: HttpRoute;
  readonly tcpRoute?: TcpRoute;
  readonly http2Route?: HttpRoute;
  readonly grpcRoute?: GrpcRoute;
}

// ---------------------------------------------------------------------------------------------
// Virtual gateway

/** Connection pool of a virtual gateway listener, per protocol. */
export type VirtualGatewayConnectionPool =
  | { readonly http: HttpConnectionPool }
  | { readonly http2: MaxRequestsConnectionPool }
  | { readonly grpc: MaxRequestsConnectionPool };
/** A virtual gateway listener. */
export interface VirtualGatewayListener {
  readonly healthCheck?: HealthCheckPolicy<GatewayPortProtocol>;
  readonly portMapping: PortMapping<GatewayPortProtocol>;
  readonly tls?: ListenerTls;
  readonly connectionPool?: VirtualGatewayConnectionPool;
}
/** The spec of a virtual gateway. */
export interface VirtualGatewaySpec {
  readonly backendDefaults?: BackendDefaults;
  readonly listeners: readonly VirtualGatewayListener[];
  readonly logging?: Logging;
}

// ---------------------------------------------------------------------------------------------
// Gateway route

/** Match on the request's host name. */
export interface GatewayRouteHostnameMatch {
  readonly exact?: string;
  readonly suffix?: string;
}
/** Whether to rewrite the host name to the target's. */
export interface GatewayRouteHostnameRewrite {
  readonly defaultTargetHostname?: DefaultGatewayRouteRewrite;
}
/** The virtual service (and port) a gateway route forwards to. */
export interface GatewayRouteTarget {
  readonly virtualService: { readonly virtualServiceName: string };
  readonly port?: number;
}
/** Path and prefix rewriting of an HTTP gateway route. */
export interface HttpGatewayRouteRewrite {
  readonly prefix?: { readonly defaultPrefix?: DefaultGatewayRouteRewrite; readonly value?: string };
  readonly path?: { readonly exact?: string };
  readonly hostname?: GatewayRouteHostnameRewrite;
}
/** Which HTTP requests a gateway route takes. */
export interface HttpGatewayRouteMatch {
  readonly prefix?: string;
  readonly path?: HttpPathMatch;
  readonly queryParameters?: readonly HttpQueryParameter[];
  readonly method?: HttpMethod;
  readonly hostname?: GatewayRouteHostnameMatch;
  readonly headers?: readonly HeaderMatch[];
  readonly port?: number;
}
/** An HTTP or HTTP/2 gateway route. */
export interface HttpGatewayRoute {
  readonly match: HttpGatewayRouteMatch;
  readonly action: { readonly target: GatewayRouteTarget; readonly rewrite?: HttpGatewayRouteRewrite };
}
/** Which gRPC requests a gateway route takes. */
export interface GrpcGatewayRouteMatch {
  readonly serviceName?: string;
  readonly hostname?: GatewayRouteHostnameMatch;
  readonly metadata?: readonly HeaderMatch[];
  readonly port?: number;
}
/** A gRPC gateway route. */
export interface GrpcGatewayRoute {
  readonly match: GrpcGatewayRouteMatch;
  readonly action: {
    readonly target: GatewayRouteTarget;
    readonly rewrite?: { readonly hostname?: GatewayRouteHostnameRewrite };
  };
}
/** The spec of a gateway route: exactly one of the protocol members is set. */
export interface GatewayRouteSpec {
  readonly priority?: number;
  readonly httpRoute?: HttpGatewayRoute;
  readonly http2Route?: HttpGatewayRoute;
  readonly grpcRoute?: GrpcGatewayRoute;
}

// ---------------------------------------------------------------------------------------------
// Resources

/** The spec type of each resource kind. */
export interface SpecByKind {
  readonly mesh: MeshSpec;
  readonly 'virtual-node': VirtualNodeSpec;
  readonly 'virtual-service': VirtualServiceSpec;
  readonly 'virtual-router': VirtualRouterSpec;
  readonly route: RouteSpec;
  readonly 'virtual-gateway': VirtualGatewaySpec;
  readonly 'gateway-route': GatewayRouteSpec;
}

/** What the provider says about a resource, kept apart from what was asked for (the spec). */
export interface ResourceMetadata {
  readonly arn: string;
  readonly uid: string;
  /** Increments on every update; lets a writer detect that someone else wrote in between. */
  readonly version: number;
  /** ISO-8601. */
  readonly createdAt: string;
  /** ISO-8601. */
  readonly lastUpdatedAt: string;
  /** Absent only when the provider did not report one. */
  readonly status?: ResourceStatus;
  /** Account that owns the mesh (differs from resourceOwner in a shared mesh). */
  readonly meshOwner: string;
  /** Account that owns this resource. */
  readonly resourceOwner: string;
}

/** Resource tags, key to value. */
export type Tags = Readonly<Record<string, string>>;

/**
 * One mesh resource of kind K. `metadata` is present on resources read from the provider and
 * absent on resources about to be created; `tags` is absent when they were not read.
 */
export interface MeshResourceOf<K extends ResourceKind> extends ResourceRef<K> {
  readonly spec: SpecByKind[K];
  readonly metadata?: ResourceMetadata;
  readonly tags?: Tags;
}

/** Any mesh resource; narrow on `kind`. */
export type MeshResource = { [K in ResourceKind]: MeshResourceOf<K> }[ResourceKind];

/** Narrow a resource to one kind. */
export function isResourceOfKind<K extends ResourceKind>(
  resource: MeshResource,
  kind: K,
): resource is MeshResource & MeshResourceOf<K> {
  return resource.kind === kind;
}
