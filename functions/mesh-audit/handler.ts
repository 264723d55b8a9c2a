import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { ACMClient } from '@aws-sdk/client-acm';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { AcmCertificateIssuers } from '../../shared/adapters/acm/certificate-issuers';
import { createAppMeshClient, createAppMeshProvider } from '../../shared/adapters/appmesh';
import { CloudWatchAlarmSource } from '../../shared/adapters/cloudwatch/alarm-source';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client';
import { DynamoLastKnownGoodStore } from '../../shared/adapters/dynamodb/last-known-good-store';
import { DynamoMeshSnapshotStore } from '../../shared/adapters/dynamodb/mesh-snapshot-store';
import { DynamoMeshStateStore } from '../../shared/adapters/dynamodb/mesh-state-store';
import { EventBridgePublisher } from '../../shared/adapters/eventbridge/event-publisher';
import { auditMeshes } from '../../shared/change-control/audit-mesh';
import { baseConfigSchema, readConfig } from '../../shared/config';
import { parseScheduledEvent } from '../../shared/events/scheduled-event';
import { eventHandler } from '../../shared/handler';
import { functionNotifier } from '../../shared/notifier';
import { loadPolicy } from '../../shared/policy/compiled-load';
import { logger, metrics, tracer } from '../../shared/powertools';

const config = readConfig(
  baseConfigSchema.pick({
    AWS_REGION: true,
    MESHWARDEN_EVENT_BUS: true,
    MESHWARDEN_TABLE: true,
    MESHWARDEN_MESHES: true,
    MESHWARDEN_POLICY_FILE: true,
    MESHWARDEN_SLACK_SECRET: true,
    MESHWARDEN_ACCOUNT_ID: true,
  }),
);
const documents = createDocumentClient();
const policy = await loadPolicy(config.MESHWARDEN_POLICY_FILE);
const deps = {
  meshes: createAppMeshProvider(tracer.captureAWSv3Client(createAppMeshClient())),
  policy,
  alarms: new CloudWatchAlarmSource(tracer.captureAWSv3Client(new CloudWatchClient({}))),
  // Dangling policy references are told in the mesh's Slack channel (logged where the policy names none).
  notifier: functionNotifier(policy, config.MESHWARDEN_SLACK_SECRET),
  issuers: new AcmCertificateIssuers(tracer.captureAWSv3Client(new ACMClient({}))),
  lastKnownGood: new DynamoLastKnownGoodStore(
    documents,
    config.MESHWARDEN_TABLE,
    config.MESHWARDEN_ACCOUNT_ID,
  ),
  meshState: new DynamoMeshStateStore(documents, config.MESHWARDEN_TABLE, config.MESHWARDEN_ACCOUNT_ID),
  snapshots: new DynamoMeshSnapshotStore(documents, config.MESHWARDEN_TABLE, config.MESHWARDEN_ACCOUNT_ID),
  publisher: new EventBridgePublisher(
    tracer.captureAWSv3Client(new EventBridgeClient({})),
    config.MESHWARDEN_EVENT_BUS,
  ),
  now: () => new Date(),
};

/**
 * On a schedule: judge every governed mesh whole, report drift and dangling policy references,
 * record missing last known goods.
 */
export const handler = eventHandler(parseScheduledEvent, async () => {
  const reports = await auditMeshes(deps, config.MESHWARDEN_MESHES);
  for (const report of reports) {
    const total = Object.values(report.counts).reduce((sum, n) => sum + n, 0);
    metrics.addMetric('MeshResources', MetricUnit.Count, total);
    metrics.addMetric('MeshViolations', MetricUnit.Count, report.violations);
    metrics.addMetric('PolicyDanglingReferences', MetricUnit.Count, report.danglingReferences.length);
    for (const reference of report.danglingReferences) {
      logger.warn('policy reference resolves to nothing', { meshName: report.meshName, reference });
    }
  }
  logger.info('mesh audit done', { reports });
  return reports;
});
