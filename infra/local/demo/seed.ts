import { createHash } from 'node:crypto';
import { ACMClient, DescribeCertificateCommand, RequestCertificateCommand } from '@aws-sdk/client-acm';
import {
  ACMPCAClient,
  CreateCertificateAuthorityCommand,
  GetCertificateAuthorityCsrCommand,
  GetCertificateCommand,
  ImportCertificateAuthorityCertificateCommand,
  IssueCertificateCommand,
  ListCertificateAuthoritiesCommand,
  RequestInProgressException,
} from '@aws-sdk/client-acm-pca';
import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { createAppMeshClient, createAppMeshProvider } from '../../../shared/providers/appmesh';
import type { Listener, MeshResource, VirtualNodeSpec } from '../../../shared/providers/appmesh/model';

/** The demo mesh `npm start` seeds; the demo policy and the scenarios are written for these names. */
export const DEMO = {
  mesh: 'prod',
  gateway: 'ingress-gw',
  gatewayRoute: 'to-frontend',
  router: 'web-router',
  route: 'web-route',
  stableNode: 'web-v1',
  canaryNode: 'web-v2',
  routeKey: 'prod/web-router/web-route',
  alarms: ['web-5xx-rate', 'web-p99-latency'],
  caCommonName: 'meshwarden demo root CA',
} as const;

export interface SeedClientConfig {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

export interface SeedResult {
  readonly created: boolean;
  readonly caArn: string;
  readonly certificateArns: Readonly<Record<string, string>>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A root CA in ACM PCA, made the way AWS documents it: create, fetch its CSR, issue its
 * certificate from itself with the RootCACertificate template, import it (ACTIVE). The
 * idempotency tokens derive from the common name, so a retried seed makes one CA per name.
 */
export async function createRootCa(
  pca: ACMPCAClient,
  commonName: string = DEMO.caCommonName,
): Promise<string> {
  const token = createHash('sha256').update(commonName).digest('hex').slice(0, 30);
  const { CertificateAuthorityArn: arn } = await pca.send(
    new CreateCertificateAuthorityCommand({
      CertificateAuthorityType: 'ROOT',
      CertificateAuthorityConfiguration: {
        KeyAlgorithm: 'EC_prime256v1',
        SigningAlgorithm: 'SHA256WITHECDSA',
        Subject: { CommonName: commonName, Organization: 'Acme' },
      },
      IdempotencyToken: `ca-${token}`,
    }),
  );
  if (arn === undefined) throw new Error('CreateCertificateAuthority returned no ARN');
  const { Csr } = await pca.send(new GetCertificateAuthorityCsrCommand({ CertificateAuthorityArn: arn }));
  const { CertificateArn } = await pca.send(
    new IssueCertificateCommand({
      CertificateAuthorityArn: arn,
      Csr: new TextEncoder().encode(Csr),
      SigningAlgorithm: 'SHA256WITHECDSA',
      TemplateArn: 'arn:aws:acm-pca:::template/RootCACertificate/V1',
      Validity: { Type: 'YEARS', Value: 10 },
      IdempotencyToken: `cert-${token}`,
    }),
  );
  let certificate: string | undefined;
  for (let attempt = 0; certificate === undefined; attempt++) {
    try {
      ({ Certificate: certificate } = await pca.send(
        new GetCertificateCommand({ CertificateAuthorityArn: arn, CertificateArn }),
      ));
    } catch (error) {
      if (!(error instanceof RequestInProgressException) || attempt > 50) throw error;
      await sleep(100);
    }
  }
  await pca.send(
    new ImportCertificateAuthorityCertificateCommand({
      CertificateAuthorityArn: arn,
      Certificate: new TextEncoder().encode(certificate),
    }),
  );
  return arn;
}

/** A private certificate from ACM, issued by the demo CA, for one DNS name. */
async function requestCertificate(acm: ACMClient, caArn: string, dnsName: string): Promise<string> {
  const { CertificateArn } = await acm.send(
    new RequestCertificateCommand({
      DomainName: dnsName,
      CertificateAuthorityArn: caArn,
      KeyAlgorithm: 'EC_prime256v1',
      IdempotencyToken: dnsName.replace(/[^A-Za-z0-9]/g, '').slice(0, 32),
    }),
  );
  if (CertificateArn === undefined) throw new Error(`RequestCertificate for ${dnsName} returned no ARN`);
  for (let attempt = 0; attempt < 50; attempt++) {
    const { Certificate } = await acm.send(new DescribeCertificateCommand({ CertificateArn }));
    if (Certificate?.Status === 'ISSUED') return CertificateArn;
    if (Certificate?.Status === 'FAILED')
      throw new Error(`Certificate for ${dnsName} failed: ${Certificate.FailureReason}`);
    await sleep(100);
  }
  throw new Error(`Certificate for ${dnsName} was not issued in time`);
}

function tlsListener(certificateArn: string): Listener {
  return {
    portMapping: { port: 8080, protocol: 'http' },
    tls: { mode: 'STRICT', certificate: { acm: { certificateArn } } },
    healthCheck: {
      protocol: 'http',
      path: '/healthz',
      intervalMillis: 5000,
      timeoutMillis: 2000,
      healthyThreshold: 2,
      unhealthyThreshold: 3,
    },
  };
}

/** The nodes behind each demo virtual service: their certificates' names are what a client must accept. */
const SERVED_BY: Readonly<Record<string, readonly string[]>> = {
  'web.prod.local': ['web-v1', 'web-v2'],
  'payments.prod.local': ['payments'],
  'frontend.prod.local': ['frontend'],
};

function nodeSpec(
  name: string,
  certificateArn: string,
  caArn: string,
  backends: readonly string[],
): VirtualNodeSpec {
  const trust = { acm: { certificateAuthorityArns: [caArn] } };
  return {
    serviceDiscovery: { dns: { hostname: `${name}.prod.local` } },
    listeners: [tlsListener(certificateArn)],
    backends: backends.map((service) => ({
      virtualService: {
        virtualServiceName: service,
        clientPolicy: {
          tls: {
            enforce: true,
            validation: {
              trust,
              subjectAlternativeNames: {
                match: { exact: (SERVED_BY[service] ?? []).map((n) => `${n}.prod.local`) },
              },
            },
          },
        },
      },
    })),
    backendDefaults: { clientPolicy: { tls: { enforce: true, validation: { trust } } } },
    logging: { accessLog: { file: { path: '/dev/stdout' } } },
  };
}

/** Every resource of the demo mesh, parents before children, providers before services. */
export function demoMeshResources(caArn: string, certs: Readonly<Record<string, string>>): MeshResource[] {
  const mesh = DEMO.mesh;
  const cert = (name: string) => {
    const arn = certs[name];
    if (arn === undefined) throw new Error(`no demo certificate for ${name}`);
    return arn;
  };
  const node = (name: string, backends: readonly string[]): MeshResource => ({
    kind: 'virtual-node',
    meshName: mesh,
    name,
    spec: nodeSpec(name, cert(name), caArn, backends),
    tags: { team: name.startsWith('web') ? 'web' : name, 'meshwarden:demo': 'true' },
  });
  const service = (name: string, provider: MeshResource['spec']): MeshResource =>
    ({
      kind: 'virtual-service',
      meshName: mesh,
      name,
      spec: provider,
      tags: { 'meshwarden:demo': 'true' },
    }) as MeshResource;
  return [
    {
      kind: 'mesh',
      meshName: mesh,
      name: mesh,
      spec: { egressFilter: { type: 'DROP_ALL' } },
      tags: { env: 'demo' },
    },
    node('payments', []),
    node('web-v1', ['payments.prod.local']),
    node('web-v2', ['payments.prod.local']),
    node('frontend', ['web.prod.local', 'payments.prod.local']),
    {
      kind: 'virtual-router',
      meshName: mesh,
      name: DEMO.router,
      spec: { listeners: [{ portMapping: { port: 8080, protocol: 'http' } }] },
      tags: { team: 'web' },
    },
    {
      kind: 'route',
      meshName: mesh,
      parentName: DEMO.router,
      name: DEMO.route,
      spec: {
        httpRoute: {
          match: { prefix: '/' },
          action: {
            weightedTargets: [
              { virtualNode: DEMO.stableNode, weight: 90, port: 8080 },
              { virtualNode: DEMO.canaryNode, weight: 10, port: 8080 },
            ],
          },
          retryPolicy: {
            maxRetries: 2,
            perRetryTimeout: { value: 2, unit: 's' },
            httpRetryEvents: ['server-error', 'gateway-error'],
            tcpRetryEvents: ['connection-error'],
          },
          timeout: { perRequest: { value: 15, unit: 's' } },
        },
      },
      tags: { team: 'web' },
    },
    service('payments.prod.local', { provider: { virtualNode: { virtualNodeName: 'payments' } } }),
    service('web.prod.local', { provider: { virtualRouter: { virtualRouterName: DEMO.router } } }),
    service('frontend.prod.local', { provider: { virtualNode: { virtualNodeName: 'frontend' } } }),
    {
      kind: 'virtual-gateway',
      meshName: mesh,
      name: DEMO.gateway,
      spec: {
        listeners: [
          {
            portMapping: { port: 8443, protocol: 'http' },
            tls: { mode: 'STRICT', certificate: { acm: { certificateArn: cert(DEMO.gateway) } } },
          },
        ],
        backendDefaults: {
          clientPolicy: {
            tls: { enforce: true, validation: { trust: { acm: { certificateAuthorityArns: [caArn] } } } },
          },
        },
      },
      tags: { team: 'platform' },
    },
    {
      kind: 'gateway-route',
      meshName: mesh,
      parentName: DEMO.gateway,
      name: DEMO.gatewayRoute,
      spec: {
        httpRoute: {
          match: { prefix: '/' },
          action: { target: { virtualService: { virtualServiceName: 'frontend.prod.local' } } },
        },
      },
      tags: { team: 'platform' },
    },
  ];
}

/**
 * Seed the demo through the real SDK clients, as an administrator would: a private CA,
 * certificates for every listener, the mesh, and CloudWatch alarms bound to the weighted
 * route by the `meshwarden:route` tag. Does nothing when the mesh exists already (state
 * persisted from an earlier run).
 */
export async function seedDemo(config: SeedClientConfig): Promise<SeedResult> {
  const meshes = createAppMeshProvider(createAppMeshClient({ ...config }));
  const pca = new ACMPCAClient({ ...config });
  const existing = await meshes.describe({ kind: 'mesh', meshName: DEMO.mesh, name: DEMO.mesh });
  if (existing !== undefined) {
    const { CertificateAuthorities } = await pca.send(new ListCertificateAuthoritiesCommand({}));
    const ca = CertificateAuthorities?.find(
      (c) => c.CertificateAuthorityConfiguration?.Subject?.CommonName === DEMO.caCommonName,
    );
    return { created: false, caArn: ca?.Arn ?? '', certificateArns: {} };
  }
  const acm = new ACMClient({ ...config });
  const caArn = await createRootCa(pca);
  const names = ['frontend', 'web-v1', 'web-v2', 'payments', DEMO.gateway];
  const certificateArns: Record<string, string> = {};
  for (const name of names)
    certificateArns[name] = await requestCertificate(acm, caArn, `${name}.prod.local`);
  for (const [i, resource] of demoMeshResources(caArn, certificateArns).entries()) {
    await meshes.create(resource, { clientToken: `demo-seed-${i}` });
  }
  const cloudwatch = new CloudWatchClient({ ...config });
  for (const [alarm, metric, threshold] of [
    [DEMO.alarms[0], 'HTTPCode_Target_5XX_Count', 5],
    [DEMO.alarms[1], 'TargetResponseTime', 1.5],
  ] as const) {
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: alarm,
        AlarmDescription: `Canary guard for ${DEMO.routeKey}`,
        Namespace: 'AWS/ApplicationELB',
        MetricName: metric,
        Dimensions: [{ Name: 'TargetGroup', Value: 'targetgroup/web-v2/0123456789abcdef' }],
        Statistic: metric === 'TargetResponseTime' ? undefined : 'Sum',
        ExtendedStatistic: metric === 'TargetResponseTime' ? 'p99' : undefined,
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: threshold,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'notBreaching',
        Tags: [{ Key: 'meshwarden:route', Value: DEMO.routeKey }],
      }),
    );
  }
  return { created: true, caArn, certificateArns };
}
