/**
 * Certificate rotation at scale: 500 certificates in local AWS, each expiring in 5 days, with
 * 20% of ACM PCA and ACM calls throttled. Counts API calls per certificate (logical calls and
 * HTTP attempts including throttled retries), wall time and peak memory.
 */
import { ACMClient } from '@aws-sdk/client-acm';
import { ACMPCAClient } from '@aws-sdk/client-acm-pca';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client';
import { EventBridgePublisher } from '../../shared/adapters/eventbridge/event-publisher';
import { mapConcurrent } from '../../shared/certificates/concurrency';
import { createKeyAndCsr } from '../../shared/certificates/key-and-csr';
import { sweepCertificates } from '../../shared/certificates/sweep';
import { createRotationDeps } from '../../shared/certificates/wiring';
import { parsePolicy } from '../../shared/policy/load';
import { createAppMeshClient, createAppMeshProvider } from '../../shared/providers/appmesh';
import type { MeshResource } from '../../shared/providers/appmesh/model';
import { startSeededLocalAws } from '../support/local-aws';
import type { Benchmark, Figure } from './harness';

const CERTIFICATES = 500;
const MESH = 'bench';
const DAY_S = 86_400;

/** Counts calls per client: logical operations, and HTTP attempts (retries included). */
function counted<C extends { middlewareStack: { add: (...args: never[]) => void } }>(
  client: C,
  tally: { calls: number; attempts: number },
): C {
  const stack = client.middlewareStack as unknown as {
    add: (
      mw: (next: (args: unknown) => Promise<unknown>) => (args: unknown) => Promise<unknown>,
      options: { step: string; name: string },
    ) => void;
  };
  stack.add(
    (next) => async (args) => {
      tally.calls++;
      return next(args);
    },
    { step: 'initialize', name: 'benchCountCalls' },
  );
  stack.add(
    (next) => async (args) => {
      tally.attempts++;
      return next(args);
    },
    { step: 'deserialize', name: 'benchCountAttempts' },
  );
  return client;
}

const rotation500: Benchmark = {
  name: `rotate ${CERTIFICATES} certificates expiring in 5 days, 20% of ACM PCA and ACM calls throttled`,
  run: async () => {
    const local = await startSeededLocalAws({ pcaIssueDelayMs: 200, functions: [] });
    try {
      // Prepare: a mesh of 500 nodes, each serving its own imported certificate with 5 days left.
      const pca = local.aws.services.acmPca.authorities;
      const caArn = local.seed.caArn;
      const ca = pca.authority(caArn);
      const now = Math.floor(Date.now() / 1000);
      const admin = createAppMeshProvider(createAppMeshClient(local.clientConfig('admin')));
      await admin.create(
        { kind: 'mesh', meshName: MESH, name: MESH, spec: {} },
        { clientToken: 'bench-mesh' },
      );
      await mapConcurrent(
        Array.from({ length: CERTIFICATES }, (_, i) => i),
        16,
        async (i) => {
          const name = `svc-${i}`;
          const { privateKeyPem, csrPem } = await createKeyAndCsr('EC_prime256v1', [`${name}.${MESH}.local`]);
          const issued = await pca.issue({
            caArn,
            csrPem,
            signingAlgorithm: 'SHA256WITHECDSA',
            templateArn: 'arn:aws:acm-pca:::template/EndEntityCertificate/V1',
            validityNotBefore: { Type: 'ABSOLUTE', Value: now - 390 * DAY_S },
            validity: { Type: 'ABSOLUTE', Value: now + 5 * DAY_S },
          });
          const certificateArn = await local.aws.services.acm.certificates.importCertificate({
            certificatePem: pca.issued(caArn, issued).pem,
            privateKeyPem,
            chainPem: pca.chainBelow(ca) ?? '',
          });
          const node: MeshResource = {
            kind: 'virtual-node',
            meshName: MESH,
            name,
            spec: {
              serviceDiscovery: { dns: { hostname: `${name}.${MESH}.local` } },
              listeners: [
                {
                  portMapping: { port: 8080, protocol: 'http' },
                  tls: { mode: 'STRICT', certificate: { acm: { certificateArn } } },
                },
              ],
              backendDefaults: {
                clientPolicy: {
                  tls: {
                    enforce: true,
                    validation: { trust: { acm: { certificateAuthorityArns: [caArn] } } },
                  },
                },
              },
            },
          };
          await admin.create(node, { clientToken: `bench-${i}` });
        },
      );
      await local.aws.drain();

      const config = local.clientConfig('meshwarden');
      const certificateApis = { calls: 0, attempts: 0 };
      const dynamo = { calls: 0, attempts: 0 };
      const deps = createRotationDeps({
        pca: counted(new ACMPCAClient({ ...config, maxAttempts: 8 }), certificateApis),
        acm: counted(new ACMClient({ ...config, maxAttempts: 8 }), certificateApis),
        secrets: new SecretsManagerClient(config),
        documents: counted(createDocumentClient(config), dynamo),
        tableName: 'meshwarden-state',
        pendingKeys: {
          kms: new KMSClient(config),
          keyArn: local.aws.functionEnv.MESHWARDEN_PENDING_KEY_ARN ?? '',
        },
        meshes: createAppMeshProvider(createAppMeshClient(config)),
        publisher: new EventBridgePublisher(new EventBridgeClient(config), 'meshwarden'),
        notifier: { notify: async () => undefined },
      });
      const policy = parsePolicy(
        'version: 1\nmeshes:\n  - mesh: bench\n    changeControl: { default: allow, onViolation: report }\n',
        'bench.yaml',
      );
      local.aws.faults.set([
        { service: 'acm-pca', operation: '*', throttleRate: 0.2, errorRate: 0, latencyMs: 0 },
        { service: 'acm', operation: '*', throttleRate: 0.2, errorRate: 0, latencyMs: 0 },
      ]);

      // Act
      let peakRss = process.memoryUsage().rss;
      let peakHeap = process.memoryUsage().heapUsed;
      const sampler = setInterval(() => {
        const m = process.memoryUsage();
        peakRss = Math.max(peakRss, m.rss);
        peakHeap = Math.max(peakHeap, m.heapUsed);
      }, 50);
      const started = process.hrtime.bigint();
      const items = await sweepCertificates(deps, policy, [MESH], { concurrency: 20 });
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      clearInterval(sampler);
      local.aws.faults.set([]);

      // Assess
      const rotated = items.filter((i) => i.action === 'rotated').length;
      const failures = items.filter((i) => i.action !== 'rotated');
      if (failures.length > 0) console.log('  failures:', failures.slice(0, 5));
      return [
        { name: 'certificates rotated', value: rotated, unit: 'certs' },
        {
          name: 'failures (target: zero)',
          value: failures.length + (CERTIFICATES - items.length),
          unit: 'certs',
          target: 0,
        },
        {
          name: 'ACM PCA + ACM calls per certificate',
          value: certificateApis.calls / CERTIFICATES,
          unit: 'calls',
          target: 5,
        },
        {
          name: 'ACM PCA + ACM HTTP attempts per certificate (throttled retries included)',
          value: certificateApis.attempts / CERTIFICATES,
          unit: 'requests',
        },
        {
          name: 'DynamoDB calls per certificate (rotation record steps)',
          value: dynamo.calls / CERTIFICATES,
          unit: 'calls',
        },
        { name: 'wall time', value: wallMs / 1000, unit: 's' },
        { name: 'wall time per certificate', value: wallMs / CERTIFICATES, unit: 'ms' },
        { name: 'peak RSS', value: peakRss / 2 ** 20, unit: 'MiB' },
        { name: 'peak heap used', value: peakHeap / 2 ** 20, unit: 'MiB' },
      ] satisfies Figure[];
    } finally {
      await local.aws.close();
    }
  },
};

export default [rotation500] satisfies Benchmark[];
