/**
 * The handshake check (I8) on a synthetic mesh of 2,000 virtual nodes: 1,000 virtual services,
 * each behind a router sending 90/10 to two nodes, and every node calling three services over
 * TLS with ACM trust and exact SAN validation (12,000 caller -> callee pairs). CPU only: the
 * certificate facts are given, as the inventory would read them.
 */
import {
  compareHandshakes,
  compareRenewal,
  type HandshakeWorld,
  judgeHandshakes,
  namesCallersValidate,
  type PeerCertificate,
} from '../../shared/certificates/handshake';
import type { MeshSnapshot } from '../../shared/domain/snapshot';
import type { MeshResourceOf } from '../../shared/providers/appmesh/model';
import { type Benchmark, latencyFigures, sample } from './harness';

const NODES = 2000;
const SERVICES = NODES / 2;
const OLD_CA = 'arn:aws:acm-pca:us-east-1:000000000000:certificate-authority/bench-old';
const NEW_CA = 'arn:aws:acm-pca:us-east-1:000000000000:certificate-authority/bench-new';

const certificateArn = (i: number) => `arn:aws:acm:us-east-1:000000000000:certificate/node-${i}`;
const nodeName = (i: number) => `node-${i}`;
const serviceName = (k: number) => `svc-${k}.bench.local`;

function syntheticMesh(cas: readonly string[]): MeshSnapshot {
  const virtualNodes: MeshResourceOf<'virtual-node'>[] = [];
  for (let i = 0; i < NODES; i++) {
    const backends = [1, 7, 31].map((step) => {
      const k = (Math.floor(i / 2) + step) % SERVICES;
      return {
        virtualService: {
          virtualServiceName: serviceName(k),
          clientPolicy: {
            tls: {
              enforce: true,
              validation: {
                trust: { acm: { certificateAuthorityArns: [...cas] } },
                subjectAlternativeNames: {
                  match: { exact: [`${nodeName(2 * k)}.bench.local`, `${nodeName(2 * k + 1)}.bench.local`] },
                },
              },
            },
          },
        },
      };
    });
    virtualNodes.push({
      kind: 'virtual-node',
      meshName: 'bench',
      name: nodeName(i),
      spec: {
        serviceDiscovery: { dns: { hostname: `${nodeName(i)}.bench.local` } },
        listeners: [
          {
            portMapping: { port: 8080, protocol: 'http' },
            tls: { mode: 'STRICT', certificate: { acm: { certificateArn: certificateArn(i) } } },
          },
        ],
        backends,
      },
    });
  }
  const virtualServices: MeshResourceOf<'virtual-service'>[] = [];
  const virtualRouters: MeshResourceOf<'virtual-router'>[] = [];
  const routes: MeshResourceOf<'route'>[] = [];
  for (let k = 0; k < SERVICES; k++) {
    const router = `router-${k}`;
    virtualServices.push({
      kind: 'virtual-service',
      meshName: 'bench',
      name: serviceName(k),
      spec: { provider: { virtualRouter: { virtualRouterName: router } } },
    });
    virtualRouters.push({
      kind: 'virtual-router',
      meshName: 'bench',
      name: router,
      spec: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] },
    });
    routes.push({
      kind: 'route',
      meshName: 'bench',
      parentName: router,
      name: 'default',
      spec: {
        httpRoute: {
          match: { prefix: '/' },
          action: {
            weightedTargets: [
              { virtualNode: nodeName(2 * k), weight: 90, port: 8080 },
              { virtualNode: nodeName(2 * k + 1), weight: 10, port: 8080 },
            ],
          },
        },
      },
    });
  }
  return {
    meshName: 'bench',
    takenAt: new Date().toISOString(),
    mesh: { kind: 'mesh', meshName: 'bench', name: 'bench', spec: {} },
    virtualNodes,
    virtualServices,
    virtualRouters,
    routes,
    virtualGateways: [],
    gatewayRoutes: [],
  };
}

function world(snapshot: MeshSnapshot): HandshakeWorld {
  const certificates = new Map<string, PeerCertificate>();
  for (let i = 0; i < NODES; i++)
    certificates.set(`acm:${certificateArn(i)}`, {
      sans: [`${nodeName(i)}.bench.local`],
      issuer: 'CN=bench new root',
      issuingCaArn: NEW_CA,
      notBefore: '2026-01-01T00:00:00Z',
      notAfter: '2027-06-01T00:00:00Z',
      servable: true,
    });
  return {
    snapshot,
    facts: { certificates, trusts: new Map() },
    section: undefined,
    now: new Date('2026-12-01'),
  };
}

/** A fresh object per run, so the pair index is built every time (it is cached per snapshot). */
const fresh = (snapshot: MeshSnapshot): MeshSnapshot => ({ ...snapshot });

const handshakeCheck: Benchmark = {
  name: `the handshake check on ${NODES} virtual nodes (${NODES * 6} caller -> callee pairs)`,
  run: async () => {
    const during = syntheticMesh([OLD_CA, NEW_CA]);
    const after = syntheticMesh([NEW_CA]);
    const base = world(during);
    const pairs = judgeHandshakes(base);
    if (pairs.length !== NODES * 6 || pairs.some((p) => p.status !== 'ok'))
      throw new Error(`expected ${NODES * 6} working pairs, got ${pairs.length}`);
    const removal = compareHandshakes(
      { ...base, snapshot: fresh(during) },
      { ...base, snapshot: fresh(after) },
    );
    if (removal.breaks.length !== 0) throw new Error('removing the unused old CA must break nothing');

    const judgeAll = await sample(() => judgeHandshakes({ ...base, snapshot: fresh(during) }), 30);
    const caRemoval = await sample(
      () => compareHandshakes({ ...base, snapshot: fresh(during) }, { ...base, snapshot: fresh(after) }),
      20,
    );
    const warm = world(during);
    let i = 0;
    const renewal = await sample(() => {
      const id = `acm:${certificateArn(i++ % NODES)}`;
      return compareRenewal(warm, id, {
        ...(warm.facts.certificates.get(id) as PeerCertificate),
        sans: ['x.bench.local'],
      });
    }, 200);
    const planNames = await sample(() => {
      const w = { ...base, snapshot: fresh(during) };
      for (let n = 0; n < NODES; n++) namesCallersValidate(w, `acm:${certificateArn(n)}`);
    }, 10);
    return [
      ...latencyFigures('judge every pair (certs, audit)', judgeAll, 500),
      ...latencyFigures('CA removal: every pair before and after (phase 3)', caRemoval, 1000),
      ...latencyFigures('one renewal: the pairs presenting it (warm index)', renewal, 2),
      ...latencyFigures('names every caller validates, for all leaves (sweep plan)', planNames, 500),
    ];
  },
};

export default [handshakeCheck];
