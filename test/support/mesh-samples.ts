/**
 * Rich, demo-like sample mesh `prod` for tests: a virtual gateway in front of a frontend, the
 * web service behind `web-router` with a 90/10 weighted HTTP route to web-v1/web-v2, mTLS from
 * ACM Private CA, and further resources so that every optional member and every "one of"
 * variant of App Mesh appears somewhere (test/unit/adapters/appmesh checks that against the
 * SDK's schema). Use {@link sampleSnapshot} to get a fresh deep copy per test.
 */

import type { ResourceKind } from '../../shared/domain/resource-key';
import { type MeshSnapshot, snapshotResources, sortByKey } from '../../shared/domain/snapshot';
import {
  isResourceOfKind,
  type MeshResource,
  type MeshResourceOf,
  type ResourceMetadata,
  type SpecByKind,
  type Tags,
} from '../../shared/providers/appmesh/model';

export const SAMPLE_MESH = 'prod';
export const SAMPLE_ACCOUNT = '111122223333';
/** Account of a team sharing the mesh (resourceOwner differs from meshOwner). */
export const SAMPLE_SHARED_ACCOUNT = '444455556666';
export const SAMPLE_REGION = 'eu-west-1';
export const SAMPLE_TAKEN_AT = '2025-03-01T12:00:00.000Z';
/** The AWS Private CA that issues the mesh's certificates. */
export const SAMPLE_PCA_ARN = `arn:aws:acm-pca:${SAMPLE_REGION}:${SAMPLE_ACCOUNT}:certificate-authority/11111111-2222-3333-4444-555555555555`;
/** A second CA, trusted during a CA roll-over. */
export const SAMPLE_PCA_NEXT_ARN = `arn:aws:acm-pca:${SAMPLE_REGION}:${SAMPLE_ACCOUNT}:certificate-authority/66666666-7777-8888-9999-000000000000`;

/** An ACM certificate ARN (issued from {@link SAMPLE_PCA_ARN}) for a name. */
export function sampleCertificateArn(id: string): string {
  return `arn:aws:acm:${SAMPLE_REGION}:${SAMPLE_ACCOUNT}:certificate/${id}`;
}

const ARN_SEGMENT: Readonly<Record<ResourceKind, string>> = {
  mesh: '',
  'virtual-node': 'virtualNode',
  'virtual-service': 'virtualService',
  'virtual-router': 'virtualRouter',
  route: 'route',
  'virtual-gateway': 'virtualGateway',
  'gateway-route': 'gatewayRoute',
};

/** The App Mesh ARN of a sample resource. */
export function sampleArn(kind: ResourceKind, name: string, parentName?: string): string {
  const base = `arn:aws:appmesh:${SAMPLE_REGION}:${SAMPLE_ACCOUNT}:mesh/${SAMPLE_MESH}`;
  if (kind === 'mesh') return base;
  if (kind === 'route') return `${base}/virtualRouter/${parentName}/route/${name}`;
  if (kind === 'gateway-route') return `${base}/virtualGateway/${parentName}/gatewayRoute/${name}`;
  return `${base}/${ARN_SEGMENT[kind]}/${name}`;
}

let uidCounter = 0;

function resource<K extends ResourceKind>(
  kind: K,
  name: string,
  spec: SpecByKind[K],
  extra: { parentName?: string; tags?: Tags; metadata?: Partial<ResourceMetadata> } = {},
): MeshResourceOf<K> {
  uidCounter += 1;
  const metadata: ResourceMetadata = {
    arn: sampleArn(kind, name, extra.parentName),
    uid: `0000000${uidCounter}-aaaa-bbbb-cccc-${String(uidCounter).padStart(12, '0')}`,
    version: 1,
    createdAt: '2025-01-15T09:30:00.000Z',
    lastUpdatedAt: '2025-02-20T16:45:12.345Z',
    status: 'ACTIVE',
    meshOwner: SAMPLE_ACCOUNT,
    resourceOwner: SAMPLE_ACCOUNT,
    ...extra.metadata,
  };
  return {
    kind,
    meshName: SAMPLE_MESH,
    name,
    ...(extra.parentName === undefined ? {} : { parentName: extra.parentName }),
    spec,
    metadata,
    tags: extra.tags ?? {},
  };
}

const SAN = (names: string[]) => ({ match: { exact: names } });
const seconds = (value: number) => ({ value, unit: 's' as const });
const millis = (value: number) => ({ value, unit: 'ms' as const });
const JSON_ACCESS_LOG = {
  file: {
    path: '/dev/stdout',
    format: {
      json: [
        { key: 'start_time', value: '%START_TIME%' },
        { key: 'status', value: '%RESPONSE_CODE%' },
        { key: 'upstream', value: '%UPSTREAM_HOST%' },
      ],
    },
  },
};
const MESH_TRUST = { acm: { certificateAuthorityArns: [SAMPLE_PCA_ARN, SAMPLE_PCA_NEXT_ARN] } };

// ---------------------------------------------------------------------------------------------

const mesh = resource(
  'mesh',
  SAMPLE_MESH,
  { egressFilter: { type: 'DROP_ALL' }, serviceDiscovery: { ipPreference: 'IPv4_PREFERRED' } },
  { tags: { team: 'platform', env: 'prod' } },
);

const virtualGateways = [
  resource(
    'virtual-gateway',
    'gw',
    {
      listeners: [
        {
          portMapping: { port: 8443, protocol: 'http' },
          tls: {
            mode: 'STRICT',
            certificate: { acm: { certificateArn: sampleCertificateArn('gw-0001') } },
            validation: {
              trust: { file: { certificateChain: '/etc/envoy/certs/client-ca.pem' } },
              subjectAlternativeNames: SAN(['partner.example.com']),
            },
          },
          healthCheck: {
            protocol: 'http',
            port: 8443,
            path: '/ping',
            intervalMillis: 10_000,
            timeoutMillis: 2_000,
            healthyThreshold: 2,
            unhealthyThreshold: 3,
          },
          connectionPool: { http: { maxConnections: 1024, maxPendingRequests: 2048 } },
        },
      ],
      backendDefaults: {
        clientPolicy: {
          tls: {
            enforce: true,
            ports: [8080],
            certificate: { sds: { secretName: 'spiffe://prod.mesh/gw' } },
            validation: {
              trust: MESH_TRUST,
              subjectAlternativeNames: SAN(['frontend.prod.svc', 'web.prod.svc']),
            },
          },
        },
      },
      logging: { accessLog: JSON_ACCESS_LOG },
    },
    { tags: { team: 'edge', 'meshwarden:deploy-guard': 'on' } },
  ),
  resource('virtual-gateway', 'gw-internal', {
    listeners: [
      {
        portMapping: { port: 9443, protocol: 'grpc' },
        tls: {
          mode: 'PERMISSIVE',
          certificate: {
            file: { certificateChain: '/etc/envoy/certs/gw.pem', privateKey: '/etc/envoy/certs/gw.key' },
          },
          validation: { trust: { sds: { secretName: 'spiffe://prod.mesh/bundle' } } },
        },
        healthCheck: {
          protocol: 'grpc',
          intervalMillis: 5_000,
          timeoutMillis: 2_000,
          healthyThreshold: 2,
          unhealthyThreshold: 2,
        },
        connectionPool: { grpc: { maxRequests: 512 } },
      },
    ],
    backendDefaults: {
      clientPolicy: {
        tls: {
          certificate: {
            file: {
              certificateChain: '/etc/envoy/certs/gw-client.pem',
              privateKey: '/etc/envoy/certs/gw-client.key',
            },
          },
          validation: { trust: { file: { certificateChain: '/etc/envoy/certs/mesh-ca.pem' } } },
        },
      },
    },
    logging: {
      accessLog: {
        file: {
          path: '/var/log/envoy/access.log',
          format: { text: '[%START_TIME%] %REQ(:METHOD)% %RESPONSE_CODE%\n' },
        },
      },
    },
  }),
  resource('virtual-gateway', 'gw-h2', {
    listeners: [
      {
        portMapping: { port: 8081, protocol: 'http2' },
        tls: { mode: 'DISABLED', certificate: { sds: { secretName: 'spiffe://prod.mesh/gw-h2' } } },
        connectionPool: { http2: { maxRequests: 256 } },
        healthCheck: {
          protocol: 'http2',
          path: '/healthz',
          intervalMillis: 30_000,
          timeoutMillis: 5_000,
          healthyThreshold: 3,
          unhealthyThreshold: 5,
        },
      },
    ],
    backendDefaults: {
      clientPolicy: { tls: { validation: { trust: { sds: { secretName: 'spiffe://prod.mesh/bundle' } } } } },
    },
    logging: { accessLog: { file: { path: '/dev/stdout' } } },
  }),
];

const gatewayRoutes = [
  resource(
    'gateway-route',
    'web-gr',
    {
      priority: 10,
      httpRoute: {
        match: {
          prefix: '/',
          hostname: { exact: 'www.example.com' },
          method: 'GET',
          queryParameters: [{ name: 'lang', match: { exact: 'en' } }, { name: 'debug' }],
          headers: [{ name: 'x-tenant', match: { exact: 'acme' } }],
          port: 8443,
        },
        action: {
          target: { virtualService: { virtualServiceName: 'frontend.local' }, port: 8080 },
          rewrite: {
            prefix: { defaultPrefix: 'DISABLED', value: '/app/' },
            hostname: { defaultTargetHostname: 'ENABLED' },
          },
        },
      },
    },
    { parentName: 'gw' },
  ),
  resource(
    'gateway-route',
    'health-gr',
    {
      priority: 1,
      httpRoute: {
        match: {
          path: { exact: '/healthz' },
          hostname: { suffix: '.example.com' },
          headers: [
            { name: 'user-agent', invert: true, match: { regex: '.*bot.*' } },
            { name: 'x-build', match: { range: { start: 100, end: 200 } } },
            { name: 'x-region', match: { prefix: 'eu-' } },
            { name: 'x-zone', match: { suffix: '-1a' } },
            { name: 'x-present' },
          ],
        },
        action: {
          target: { virtualService: { virtualServiceName: 'frontend.local' } },
          rewrite: { path: { exact: '/ping' }, prefix: { defaultPrefix: 'ENABLED' } },
        },
      },
    },
    { parentName: 'gw' },
  ),
  resource(
    'gateway-route',
    'web-h2-gr',
    {
      http2Route: {
        match: { path: { regex: '^/v2/.*$' } },
        action: { target: { virtualService: { virtualServiceName: 'web.local' } } },
      },
    },
    { parentName: 'gw-h2' },
  ),
  resource(
    'gateway-route',
    'payments-grpc-gr',
    {
      priority: 5,
      grpcRoute: {
        match: {
          serviceName: 'payments.v1.Payments',
          hostname: { exact: 'payments.internal' },
          port: 9443,
          metadata: [
            { name: 'x-tenant', match: { exact: 'acme' } },
            { name: 'x-trace', invert: true, match: { regex: '^debug-.*' } },
            { name: 'x-shard', match: { range: { start: 0, end: 16 } } },
            { name: 'x-region', match: { prefix: 'eu-' } },
            { name: 'x-zone', match: { suffix: '-1b' } },
            { name: 'x-flag' },
          ],
        },
        action: {
          target: { virtualService: { virtualServiceName: 'payments.local' }, port: 50051 },
          rewrite: { hostname: { defaultTargetHostname: 'DISABLED' } },
        },
      },
    },
    { parentName: 'gw-internal' },
  ),
];

const virtualServices = [
  resource('virtual-service', 'web.local', {
    provider: { virtualRouter: { virtualRouterName: 'web-router' } },
  }),
  resource('virtual-service', 'frontend.local', {
    provider: { virtualNode: { virtualNodeName: 'frontend' } },
  }),
  resource('virtual-service', 'payments.local', {
    provider: { virtualRouter: { virtualRouterName: 'payments-router' } },
  }),
  resource('virtual-service', 'cache.local', {
    provider: { virtualRouter: { virtualRouterName: 'cache-router' } },
  }),
  resource('virtual-service', 'h2.local', {
    provider: { virtualRouter: { virtualRouterName: 'h2-router' } },
  }),
  // No provider yet: a service announced before anything serves it.
  resource('virtual-service', 'ledger.local', {}),
];

const virtualRouters = [
  resource('virtual-router', 'web-router', {
    listeners: [{ portMapping: { port: 8080, protocol: 'http' } }],
  }),
  resource('virtual-router', 'payments-router', {
    listeners: [{ portMapping: { port: 50051, protocol: 'grpc' } }],
  }),
  resource('virtual-router', 'cache-router', {
    listeners: [{ portMapping: { port: 6379, protocol: 'tcp' } }],
  }),
  resource('virtual-router', 'h2-router', {
    listeners: [{ portMapping: { port: 8081, protocol: 'http2' } }],
  }),
];

const routes = [
  resource(
    'route',
    'web-route',
    {
      priority: 100,
      httpRoute: {
        match: { prefix: '/', port: 8080 },
        action: {
          weightedTargets: [
            { virtualNode: 'web-v1', weight: 90, port: 8080 },
            { virtualNode: 'web-v2', weight: 10, port: 8080 },
          ],
        },
        retryPolicy: {
          perRetryTimeout: seconds(2),
          maxRetries: 2,
          httpRetryEvents: ['server-error', 'gateway-error'],
          tcpRetryEvents: ['connection-error'],
        },
        timeout: { perRequest: seconds(15), idle: seconds(300) },
      },
    },
    { parentName: 'web-router', tags: { 'meshwarden:stable-target': 'web-v1' } },
  ),
  resource(
    'route',
    'web-canary-header',
    {
      priority: 10,
      httpRoute: {
        match: {
          path: { exact: '/checkout' },
          method: 'POST',
          scheme: 'https',
          queryParameters: [{ name: 'canary', match: { exact: 'true' } }],
          headers: [
            { name: 'x-canary', match: { exact: 'true' } },
            { name: 'x-internal', invert: true },
            { name: 'user-agent', invert: true, match: { regex: '.*bot.*' } },
            { name: 'x-build', match: { range: { start: 100, end: 200 } } },
            { name: 'x-region', match: { prefix: 'eu-' } },
            { name: 'x-zone', match: { suffix: '-1a' } },
          ],
        },
        action: { weightedTargets: [{ virtualNode: 'web-v2', weight: 1 }] },
      },
    },
    { parentName: 'web-router' },
  ),
  resource(
    'route',
    'payments-route',
    {
      grpcRoute: {
        match: {
          serviceName: 'payments.v1.Payments',
          methodName: 'Charge',
          port: 50051,
          metadata: [
            { name: 'x-tenant', match: { exact: 'acme' } },
            { name: 'x-retry', invert: true, match: { regex: '^no$' } },
            { name: 'x-amount', match: { range: { start: 1, end: 10000 } } },
            { name: 'x-region', match: { prefix: 'eu-' } },
            { name: 'x-zone', match: { suffix: '-1c' } },
            { name: 'x-any' },
          ],
        },
        action: { weightedTargets: [{ virtualNode: 'payments', weight: 100, port: 50051 }] },
        retryPolicy: {
          perRetryTimeout: millis(500),
          maxRetries: 3,
          grpcRetryEvents: [
            'cancelled',
            'deadline-exceeded',
            'internal',
            'resource-exhausted',
            'unavailable',
          ],
          httpRetryEvents: ['stream-error'],
          tcpRetryEvents: ['connection-error'],
        },
        timeout: { perRequest: seconds(5), idle: seconds(60) },
      },
    },
    { parentName: 'payments-router', metadata: { resourceOwner: SAMPLE_SHARED_ACCOUNT, version: 7 } },
  ),
  resource(
    'route',
    'cache-route',
    {
      tcpRoute: {
        match: { port: 6379 },
        action: { weightedTargets: [{ virtualNode: 'cache', weight: 1 }] },
        timeout: { idle: seconds(600) },
      },
    },
    { parentName: 'cache-router' },
  ),
  resource(
    'route',
    'h2-route',
    {
      http2Route: {
        match: { path: { regex: '^/stream/.*' } },
        action: { weightedTargets: [{ virtualNode: 'h2-node', weight: 1 }] },
      },
    },
    { parentName: 'h2-router' },
  ),
];

const virtualNodes = [
  resource('virtual-node', 'frontend', {
    serviceDiscovery: {
      dns: {
        hostname: 'frontend.prod.svc.cluster.local',
        responseType: 'LOADBALANCER',
        ipPreference: 'IPv4_ONLY',
      },
    },
    listeners: [
      {
        portMapping: { port: 8080, protocol: 'http' },
        tls: {
          mode: 'STRICT',
          certificate: { acm: { certificateArn: sampleCertificateArn('frontend-0001') } },
          validation: {
            trust: { file: { certificateChain: '/etc/envoy/certs/mesh-ca.pem' } },
            subjectAlternativeNames: SAN(['gw.prod.svc']),
          },
        },
        healthCheck: {
          protocol: 'http',
          path: '/health',
          port: 8080,
          intervalMillis: 5_000,
          timeoutMillis: 2_000,
          healthyThreshold: 2,
          unhealthyThreshold: 2,
        },
        timeout: { http: { perRequest: seconds(10), idle: seconds(120) } },
        outlierDetection: {
          maxServerErrors: 5,
          interval: seconds(10),
          baseEjectionDuration: seconds(30),
          maxEjectionPercent: 50,
        },
        connectionPool: { http: { maxConnections: 512, maxPendingRequests: 1024 } },
      },
    ],
    backends: [
      {
        virtualService: {
          virtualServiceName: 'web.local',
          clientPolicy: {
            tls: {
              enforce: true,
              ports: [8080],
              certificate: {
                file: {
                  certificateChain: '/etc/envoy/certs/frontend.pem',
                  privateKey: '/etc/envoy/certs/frontend.key',
                },
              },
              validation: { trust: MESH_TRUST, subjectAlternativeNames: SAN(['web.prod.svc']) },
            },
          },
        },
      },
      { virtualService: { virtualServiceName: 'payments.local' } },
    ],
    backendDefaults: {
      clientPolicy: {
        tls: {
          enforce: true,
          certificate: { sds: { secretName: 'spiffe://prod.mesh/frontend' } },
          validation: { trust: MESH_TRUST },
        },
      },
    },
    logging: { accessLog: JSON_ACCESS_LOG },
  }),
  ...(['web-v1', 'web-v2'] as const).map((name) =>
    resource(
      'virtual-node',
      name,
      {
        serviceDiscovery: {
          awsCloudMap: {
            namespaceName: 'prod.local',
            serviceName: 'web',
            attributes: [{ key: 'version', value: name === 'web-v1' ? 'v1' : 'v2' }],
            ipPreference: 'IPv6_PREFERRED',
          },
        },
        listeners: [
          {
            portMapping: { port: 8080, protocol: 'http' as const },
            tls: {
              mode: 'STRICT' as const,
              certificate: { acm: { certificateArn: sampleCertificateArn(`${name}-0001`) } },
              validation: {
                trust: { sds: { secretName: 'spiffe://prod.mesh/bundle' } },
                subjectAlternativeNames: SAN(['frontend.prod.svc', 'gw.prod.svc']),
              },
            },
            healthCheck: {
              protocol: 'http' as const,
              path: '/health',
              intervalMillis: 5_000,
              timeoutMillis: 2_000,
              healthyThreshold: 2,
              unhealthyThreshold: 2,
            },
          },
        ],
        backends: [{ virtualService: { virtualServiceName: 'cache.local' } }],
        logging: {
          accessLog: { file: { path: '/dev/stdout', format: { text: '%START_TIME% %RESPONSE_CODE%\n' } } },
        },
      },
      { tags: { app: 'web', version: name === 'web-v1' ? 'v1' : 'v2' } },
    ),
  ),
  resource(
    'virtual-node',
    'payments',
    {
      serviceDiscovery: { awsCloudMap: { namespaceName: 'prod.local', serviceName: 'payments' } },
      listeners: [
        {
          portMapping: { port: 50051, protocol: 'grpc' },
          tls: {
            mode: 'PERMISSIVE',
            certificate: {
              file: {
                certificateChain: '/etc/envoy/certs/payments.pem',
                privateKey: '/etc/envoy/certs/payments.key',
              },
            },
          },
          healthCheck: {
            protocol: 'grpc',
            intervalMillis: 5_000,
            timeoutMillis: 2_000,
            healthyThreshold: 2,
            unhealthyThreshold: 2,
          },
          timeout: { grpc: { perRequest: seconds(5), idle: seconds(60) } },
          connectionPool: { grpc: { maxRequests: 1000 } },
        },
      ],
      backendDefaults: {
        clientPolicy: {
          tls: { validation: { trust: { file: { certificateChain: '/etc/envoy/certs/mesh-ca.pem' } } } },
        },
      },
    },
    { metadata: { resourceOwner: SAMPLE_SHARED_ACCOUNT } },
  ),
  resource('virtual-node', 'cache', {
    serviceDiscovery: { dns: { hostname: 'cache.prod.svc.cluster.local', responseType: 'ENDPOINTS' } },
    listeners: [
      {
        portMapping: { port: 6379, protocol: 'tcp' },
        tls: { mode: 'DISABLED', certificate: { sds: { secretName: 'spiffe://prod.mesh/cache' } } },
        healthCheck: {
          protocol: 'tcp',
          intervalMillis: 10_000,
          timeoutMillis: 2_000,
          healthyThreshold: 3,
          unhealthyThreshold: 3,
        },
        timeout: { tcp: { idle: seconds(600) } },
        connectionPool: { tcp: { maxConnections: 128 } },
      },
    ],
    backends: [
      {
        virtualService: {
          virtualServiceName: 'ledger.local',
          clientPolicy: {
            tls: { validation: { trust: { sds: { secretName: 'spiffe://prod.mesh/bundle' } } } },
          },
        },
      },
    ],
  }),
  resource(
    'virtual-node',
    'h2-node',
    {
      serviceDiscovery: { dns: { hostname: 'h2.prod.svc.cluster.local' } },
      listeners: [
        {
          portMapping: { port: 8081, protocol: 'http2' },
          healthCheck: {
            protocol: 'http2',
            path: '/healthz',
            intervalMillis: 5_000,
            timeoutMillis: 2_000,
            healthyThreshold: 2,
            unhealthyThreshold: 2,
          },
          timeout: { http2: { perRequest: seconds(30), idle: seconds(300) } },
          connectionPool: { http2: { maxRequests: 100 } },
        },
      ],
    },
    { metadata: { status: 'INACTIVE', version: 3 } },
  ),
];

const SNAPSHOT: MeshSnapshot = {
  meshName: SAMPLE_MESH,
  takenAt: SAMPLE_TAKEN_AT,
  mesh,
  // Sorted by key, as a MeshProvider returns them.
  virtualNodes: sortByKey(virtualNodes),
  virtualServices: sortByKey(virtualServices),
  virtualRouters: sortByKey(virtualRouters),
  routes: sortByKey(routes),
  virtualGateways: sortByKey(virtualGateways),
  gatewayRoutes: sortByKey(gatewayRoutes),
};

/** A fresh deep copy of the sample mesh `prod`. */
export function sampleSnapshot(): MeshSnapshot {
  return structuredClone(SNAPSHOT);
}

/** Every sample resource (fresh copies), the mesh first. */
export function sampleResources(): MeshResource[] {
  return snapshotResources(sampleSnapshot());
}

/** One sample resource by kind and name (fresh copy); throws when there is none. */
export function sampleResource<K extends ResourceKind>(kind: K, name: string): MeshResourceOf<K> {
  for (const r of sampleResources()) {
    if (isResourceOfKind(r, kind) && r.name === name) return r;
  }
  throw new Error(`No sample ${kind} named ${name}`);
}
