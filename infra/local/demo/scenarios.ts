import type { LocalAws } from '../runtime';
import { APPROVAL_SCENARIOS } from './approval-scenarios';
import { CHANGE_CONTROL_SCENARIOS } from './change-control-scenarios';
import { LATTICE_SCENARIOS } from './lattice-scenarios';
import { DEMO } from './seed';

/** A scripted story played against the running local AWS by `npm run demo`. */
export interface Scenario {
  readonly name: string;
  /** One sentence: what the scenario shows. */
  readonly title: string;
  run(aws: LocalAws): Promise<void>;
}

/** The events a scheduled rule delivers, as EventBridge shapes them. */
function scheduledEvent(aws: LocalAws, ruleName: string): Record<string, unknown> {
  return {
    version: '0',
    id: crypto.randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: aws.accountId,
    time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: aws.region,
    resources: [`arn:aws:events:${aws.region}:${aws.accountId}:rule/${ruleName}`],
    detail: {},
  };
}

export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'audit',
    title: `The scheduled audit judges mesh "${DEMO.mesh}" whole, reports drift and records last known good specs`,
    run: async (aws) => {
      await aws.functions.invoke('mesh-audit', scheduledEvent(aws, 'mesh-audit-daily-audit'));
      await aws.drain();
    },
  },
  ...CHANGE_CONTROL_SCENARIOS,
  ...APPROVAL_SCENARIOS,
  {
    name: 'deployment-rollback',
    title: `A person shifts ${DEMO.routeKey} 90/10 -> 80/20 (a deployment opens); ${DEMO.alarms[0]} goes to ALARM; the guard puts 100% back on ${DEMO.stableNode}`,
    run: async (aws) => {
      const { AppMeshClient, DescribeRouteCommand, UpdateRouteCommand } = await import(
        '@aws-sdk/client-app-mesh'
      );
      const { CloudWatchClient, SetAlarmStateCommand } = await import('@aws-sdk/client-cloudwatch');
      const config = {
        endpoint: aws.endpoint,
        region: aws.region,
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      };
      const mesh = new AppMeshClient(config);
      const ref = { meshName: DEMO.mesh, virtualRouterName: DEMO.router, routeName: DEMO.route };
      const { route } = await mesh.send(new DescribeRouteCommand(ref));
      const http = route?.spec?.httpRoute;
      if (http?.action === undefined) throw new Error(`${DEMO.routeKey} is not the demo HTTP route`);
      const weightedTargets = (http.action.weightedTargets ?? []).map((t) => ({
        ...t,
        weight: t.virtualNode === DEMO.stableNode ? 80 : 20,
      }));
      await mesh.send(
        new UpdateRouteCommand({
          ...ref,
          spec: { ...route?.spec, httpRoute: { ...http, action: { weightedTargets } } },
        }),
      );
      await aws.drain();
      await new CloudWatchClient(config).send(
        new SetAlarmStateCommand({
          AlarmName: DEMO.alarms[0],
          StateValue: 'ALARM',
          StateReason: 'demo: 5xx rate of web-v2 above 5%',
        }),
      );
      await aws.drain();
    },
  },
  ...LATTICE_SCENARIOS,
  {
    name: 'certificate-rotation',
    title: `The ${DEMO.gateway} certificate expires in 5 days; ACM's expiry notice makes meshwarden issue a new one from the private CA (new key), verify it and re-import it under the same ARN`,
    run: async (aws) => {
      const { createKeyAndCsr } = await import('../../../shared/certificates/key-and-csr');
      const { createAppMeshClient, createAppMeshProvider } = await import(
        '../../../shared/providers/appmesh'
      );
      const pca = aws.services.acmPca.authorities;
      const ca = pca.list().find((c) => c.status === 'ACTIVE' && c.type === 'ROOT');
      if (ca === undefined) throw new Error('the demo CA is missing');
      // Stand-in for a certificate issued 390 days ago: same CA, 5 days left.
      const name = `${DEMO.gateway}.prod.local`;
      const { privateKeyPem, csrPem } = await createKeyAndCsr('EC_prime256v1', [name]);
      const now = Math.floor(Date.now() / 1000);
      const issuedArn = await pca.issue({
        caArn: ca.arn,
        csrPem,
        signingAlgorithm: 'SHA256WITHECDSA',
        templateArn: 'arn:aws:acm-pca:::template/EndEntityCertificate/V1',
        validityNotBefore: { Type: 'ABSOLUTE', Value: now - 390 * 86_400 },
        validity: { Type: 'ABSOLUTE', Value: now + 5 * 86_400 },
      });
      const certificateArn = await aws.services.acm.certificates.importCertificate({
        certificatePem: pca.issued(ca.arn, issuedArn).pem,
        privateKeyPem,
        chainPem: pca.chainBelow(ca) ?? '',
      });
      const config = {
        endpoint: aws.endpoint,
        region: aws.region,
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      };
      const meshes = createAppMeshProvider(createAppMeshClient(config));
      const gateway = await meshes.describe({
        kind: 'virtual-gateway',
        meshName: DEMO.mesh,
        name: DEMO.gateway,
      });
      if (gateway === undefined) throw new Error(`${DEMO.gateway} is missing`);
      const listeners = gateway.spec.listeners.map((l) =>
        l.tls ? { ...l, tls: { ...l.tls, certificate: { acm: { certificateArn } } } } : l,
      );
      await meshes.update(
        { ...gateway, spec: { ...gateway.spec, listeners } },
        { clientToken: `demo-cert-${now}` },
      );
      await aws.drain();
      aws.timeline.note(
        `${name} now serves ${certificateArn}, expiring in 5 days; ACM sends its daily notice`,
      );
      await aws.bus.putEvents([
        {
          source: 'aws.acm',
          detailType: 'ACM Certificate Approaching Expiration',
          detail: { DaysToExpiry: 5, CommonName: name },
          resources: [certificateArn],
        },
      ]);
      await aws.drain();
    },
  },
];
