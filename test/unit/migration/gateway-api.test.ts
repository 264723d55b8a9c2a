import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { formatPlanTable } from '../../../shared/migration/format-plan';
import { gatewayApiYaml } from '../../../shared/migration/gateway-api';
import { planMigration } from '../../../shared/migration/plan-migration';
import { httpRoute, MESH, node, router, serviceOnNode, serviceOnRouter, snapshotOf } from './mesh-fixtures';

const certificateArn = 'arn:aws:acm:us-east-1:111122223333:certificate/api';
const role = 'arn:aws:iam::111122223333:role/web';

function demoPlan() {
  return planMigration(
    snapshotOf(MESH, [
      node('api-v1', {
        listeners: [
          {
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
          },
        ],
      }),
      node('api-v2'),
      node('web', { backends: [{ virtualService: { virtualServiceName: 'api.shop.local' } }] }),
      router('api-router'),
      httpRoute(
        'api-router',
        'beta',
        { prefix: '/v2', headers: [{ name: 'x-beta', match: { prefix: 'on' } }] },
        { 'api-v2': 1 },
      ),
      httpRoute(
        'api-router',
        'all',
        { prefix: '/' },
        { 'api-v1': 90, 'api-v2': 10 },
        { retryPolicy: { maxRetries: 1, perRetryTimeout: { value: 1, unit: 's' } } },
      ),
      serviceOnRouter('api.shop.local', 'api-router'),
      serviceOnNode('web.shop.local', 'web'),
    ]),
    { principals: { web: role } },
  );
}

/** The members the assertions read, on a manifest parsed back from YAML. */
interface Manifest {
  readonly kind: string;
  readonly metadata: { readonly name: string };
  readonly spec: {
    readonly listeners: readonly { readonly name: string }[];
    readonly policy: string;
    readonly targetRef: unknown;
  };
}

describe('gatewayApiYaml', () => {
  it('writes a Gateway, HTTPRoutes with weighted backendRefs in rule order, TargetGroupPolicies and IAMAuthPolicies', () => {
    const documents = parseAllDocuments(gatewayApiYaml(demoPlan())).map((d) => d.toJS() as Manifest);

    expect(documents.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([
      'Gateway/shop',
      'TargetGroupPolicy/api-v1',
      'TargetGroupPolicy/api-v2',
      'TargetGroupPolicy/web',
      'HTTPRoute/api-shop-local',
      'HTTPRoute/web-shop-local',
      'IAMAuthPolicy/api-shop-local',
      'IAMAuthPolicy/web-shop-local',
    ]);
    const [gateway] = documents;
    expect(gateway).toMatchObject({
      apiVersion: 'gateway.networking.k8s.io/v1',
      spec: {
        gatewayClassName: 'amazon-vpc-lattice',
        listeners: [
          {
            protocol: 'HTTPS',
            port: 8080,
            tls: {
              mode: 'Terminate',
              options: { 'application-networking.k8s.aws/certificate-arn': certificateArn },
            },
          },
          { protocol: 'HTTP', port: 8080 },
        ],
      },
    });
    const api = documents.find((d) => d.kind === 'HTTPRoute' && d.metadata.name === 'api-shop-local');
    expect(api?.spec).toEqual({
      parentRefs: [{ name: 'shop', sectionName: gateway?.spec.listeners[0]?.name }],
      hostnames: ['api.shop.local'],
      rules: [
        {
          matches: [
            {
              path: { type: 'PathPrefix', value: '/v2' },
              headers: [{ type: 'RegularExpression', name: 'x-beta', value: '^on.*' }],
            },
          ],
          backendRefs: [{ name: 'api-v2', kind: 'Service', port: 8080, weight: 1 }],
        },
        {
          matches: [{ path: { type: 'PathPrefix', value: '/' } }],
          backendRefs: [
            { name: 'api-v1', kind: 'Service', port: 8080, weight: 90 },
            { name: 'api-v2', kind: 'Service', port: 8080, weight: 10 },
          ],
        },
      ],
    });
    expect(
      documents.find((d) => d.kind === 'TargetGroupPolicy' && d.metadata.name === 'api-v1'),
    ).toMatchObject({
      apiVersion: 'application-networking.k8s.aws/v1alpha1',
      spec: {
        targetRef: { group: '', kind: 'Service', name: 'api-v1' },
        protocol: 'HTTP',
        protocolVersion: 'HTTP1',
        healthCheck: {
          enabled: true,
          path: '/healthz',
          intervalSeconds: 5,
          timeoutSeconds: 2,
          healthyThresholdCount: 2,
          unhealthyThresholdCount: 3,
        },
      },
    });
    const auth = documents.find((d) => d.kind === 'IAMAuthPolicy' && d.metadata.name === 'api-shop-local');
    expect(auth?.spec.targetRef).toEqual({
      group: 'gateway.networking.k8s.io',
      kind: 'HTTPRoute',
      name: 'api-shop-local',
    });
    expect(JSON.parse(auth?.spec.policy ?? '{}').Statement[0].Principal).toEqual({ AWS: [role] });
    // No node calls web: its route must deny, since the controller turns auth off without a policy.
    const web = documents.find((d) => d.kind === 'IAMAuthPolicy' && d.metadata.name === 'web-shop-local');
    expect(JSON.parse(web?.spec.policy ?? '{}').Statement).toEqual([
      expect.objectContaining({ Effect: 'Deny', Principal: '*' }),
    ]);
  });
});

describe('formatPlanTable', () => {
  it('shows rules in priority order, the parity lines with what to do instead, and the simulation count', () => {
    const plan = demoPlan();

    const lines = formatPlanTable(plan);

    expect(lines[0]).toBe('Plan: App Mesh mesh shop -> VPC Lattice service network shop');
    const beta = lines.findIndex((l) => l.startsWith('api-shop-local') && l.includes('beta'));
    const all = lines.findIndex((l) => l.startsWith('api-shop-local') && l.includes(' all '));
    expect(beta).toBeGreaterThan(0);
    expect(all).toBeGreaterThan(beta);
    expect(lines[all]).toContain('api-v1:90 api-v2:10');
    expect(lines.find((l) => l.startsWith('lost') && l.includes('route retry policy'))).toContain(
      'Instead: retry in the clients',
    );
    expect(lines).toContain(
      `Routing parity: ${plan.routingParity?.requestsTried} simulated requests, 0 difference(s) on what the plan carries over, 0 from features marked lost`,
    );
  });
});
