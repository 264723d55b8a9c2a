/**
 * Synthetic App Mesh meshes for benchmarks: large, and compliant with the demo policy, so an
 * audit's time is the rules' and not the findings'.
 */

import type { MeshSnapshot } from '../../shared/domain/snapshot';
import type { MeshResourceOf } from '../../shared/providers/appmesh/model';

const CA = 'arn:aws:acm-pca:us-east-1:000000000000:certificate-authority/bench';
const ROUTES_PER_ROUTER = 10;

function certificateArn(i: number): string {
  return `arn:aws:acm:us-east-1:000000000000:certificate/node-${i}`;
}

/**
 * A compliant-looking mesh of `nodeCount` virtual nodes and `routeCount` routes (10 per router, 90/10
 * between neighbouring nodes) under the demo policy, and the issuer of each listener certificate.
 */
export function syntheticAppMesh(
  nodeCount: number,
  routeCount: number,
): { snapshot: MeshSnapshot; issuers: Map<string, string> } {
  const meshName = 'prod';
  const metadata = (i: number) => ({
    arn: `arn:aws:appmesh:us-east-1:000000000000:mesh/prod/x/${i}`,
    uid: String(i),
    version: 1,
    createdAt: '2026-01-01T00:00:00Z',
    lastUpdatedAt: '2026-01-01T00:00:00Z',
    status: 'ACTIVE' as const,
    meshOwner: '000000000000',
    resourceOwner: '000000000000',
  });
  const routers = routeCount / ROUTES_PER_ROUTER;
  const issuers = new Map<string, string>();
  const virtualNodes: MeshResourceOf<'virtual-node'>[] = [];
  for (let i = 0; i < nodeCount; i++) {
    issuers.set(certificateArn(i), CA);
    // web-v* may call payments.prod.local (the demo access graph): a node calls the next service.
    virtualNodes.push({
      kind: 'virtual-node',
      meshName,
      name: `web-v${i}`,
      metadata: metadata(i),
      spec: {
        listeners: [
          {
            portMapping: { port: 8080, protocol: 'http' },
            tls: { mode: 'STRICT', certificate: { acm: { certificateArn: certificateArn(i) } } },
          },
        ],
        backends: [
          {
            virtualService: {
              virtualServiceName: 'payments.prod.local',
              clientPolicy: {
                tls: {
                  validation: {
                    trust: { acm: { certificateAuthorityArns: [CA] } },
                    subjectAlternativeNames: { match: { exact: ['payments.prod.local'] } },
                  },
                },
              },
            },
          },
        ],
      },
    });
  }
  const virtualRouters: MeshResourceOf<'virtual-router'>[] = [];
  const routes: MeshResourceOf<'route'>[] = [];
  for (let r = 0; r < routers; r++) {
    virtualRouters.push({
      kind: 'virtual-router',
      meshName,
      name: `router-${r}`,
      metadata: metadata(r),
      spec: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] },
    });
    for (let k = 0; k < ROUTES_PER_ROUTER; k++) {
      const n = (r * ROUTES_PER_ROUTER + k) % nodeCount;
      routes.push({
        kind: 'route',
        meshName,
        parentName: `router-${r}`,
        name: `route-${k}`,
        metadata: metadata(k),
        spec: {
          httpRoute: {
            match: { prefix: `/${k}` },
            action: {
              weightedTargets: [
                { virtualNode: `web-v${n}`, weight: 90, port: 8080 },
                { virtualNode: `web-v${(n + 1) % nodeCount}`, weight: 10, port: 8080 },
              ],
            },
            retryPolicy: { maxRetries: 2, perRetryTimeout: { value: 1, unit: 's' } },
            timeout: { perRequest: { value: 5, unit: 's' } },
          },
        },
      });
    }
  }
  const payments: MeshResourceOf<'virtual-node'> = {
    kind: 'virtual-node',
    meshName,
    name: 'payments',
    metadata: metadata(nodeCount),
    spec: {
      listeners: [
        {
          portMapping: { port: 8080, protocol: 'http' },
          tls: { mode: 'STRICT', certificate: { acm: { certificateArn: certificateArn(nodeCount) } } },
        },
      ],
    },
  };
  issuers.set(certificateArn(nodeCount), CA);
  const snapshot: MeshSnapshot = {
    meshName,
    takenAt: '2026-01-01T00:00:00Z',
    mesh: { kind: 'mesh', meshName, name: meshName, spec: {}, metadata: metadata(-1) },
    virtualNodes: [...virtualNodes.slice(0, nodeCount - 1), payments],
    virtualServices: [
      {
        kind: 'virtual-service',
        meshName,
        name: 'payments.prod.local',
        metadata: metadata(0),
        spec: { provider: { virtualNode: { virtualNodeName: 'payments' } } },
      },
    ],
    virtualRouters,
    routes,
    virtualGateways: [],
    gatewayRoutes: [],
  };
  return { snapshot, issuers };
}
