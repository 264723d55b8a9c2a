import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { accountDirectory, requireCentral } from '../../shared/accounts/accounts';
import { createAcmCertificatesClient } from '../../shared/adapters/acm-certificates/certificate-store';
import { createAcmPcaClient } from '../../shared/adapters/acm-pca/certificate-authority';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client';
import { DynamoLastKnownGoodStore } from '../../shared/adapters/dynamodb/last-known-good-store';
import { EventBridgePublisher } from '../../shared/adapters/eventbridge/event-publisher';
import { createKmsClient } from '../../shared/adapters/kms/envelope';
import { createCertificateSecretsClient } from '../../shared/adapters/secretsmanager/certificate-secrets';
import { FORGED_APPROVAL_METRIC } from '../../shared/approvals/verified-decision';
import { onRotationTrigger } from '../../shared/certificates/on-trigger';
import { parseRotationTrigger } from '../../shared/certificates/trigger';
import { createRotationDeps } from '../../shared/certificates/wiring';
import { recordingOwnWrites } from '../../shared/change-control/own-writes';
import { baseConfig, pendingKeyConfigSchema, readConfig } from '../../shared/config';
import { eventHandler } from '../../shared/handler';
import { functionNotifier } from '../../shared/notifier';
import { loadPolicy } from '../../shared/policy/compiled-load';
import { logger, metrics, tracer } from '../../shared/powertools';
import { createAppMeshClient, createAppMeshProvider } from '../../shared/providers/appmesh';
import { createLatticeClient, LatticeAdapter } from '../../shared/providers/vpc-lattice';
import * as z from '../../shared/schema';

const config = readConfig(
  z.extend(
    z.pick(baseConfig, {
      AWS_REGION: true,
      MESHWARDEN_EVENT_BUS: true,
      MESHWARDEN_TABLE: true,
      MESHWARDEN_MESHES: true,
      MESHWARDEN_POLICY_FILE: true,
      MESHWARDEN_SLACK_SECRET: true,
      MESHWARDEN_ACCOUNT_ID: true,
      MESHWARDEN_MEMBER_ROLE_ARNS: true,
    }),
    pendingKeyConfigSchema.shape,
  ),
);
const policy = await loadPolicy(config.MESHWARDEN_POLICY_FILE);
const accounts = accountDirectory(config.MESHWARDEN_ACCOUNT_ID, config.MESHWARDEN_MEMBER_ROLE_ARNS);
// One DynamoDB client for the rotation records and the last known goods: one to set up, one connection pool.
const documents = tracer.captureAWSv3Client(createDocumentClient());
const clients = {
  pca: tracer.captureAWSv3Client(createAcmPcaClient()),
  acm: tracer.captureAWSv3Client(createAcmCertificatesClient()),
  secrets: tracer.captureAWSv3Client(createCertificateSecretsClient()),
  documents,
  tableName: config.MESHWARDEN_TABLE,
  pendingKeys: {
    kms: tracer.captureAWSv3Client(createKmsClient()),
    keyArn: config.MESHWARDEN_PENDING_KEY_ARN,
  },
  meshes: recordingOwnWrites(
    createAppMeshProvider(tracer.captureAWSv3Client(createAppMeshClient())),
    new DynamoLastKnownGoodStore(documents, config.MESHWARDEN_TABLE, config.MESHWARDEN_ACCOUNT_ID),
  ),
  // The policy's `provider: vpc-lattice` entries: their services' certificates are renewed too.
  serviceNetworks: new LatticeAdapter(tracer.captureAWSv3Client(createLatticeClient())),
  publisher: new EventBridgePublisher(
    tracer.captureAWSv3Client(new EventBridgeClient({})),
    config.MESHWARDEN_EVENT_BUS,
  ),
  // Rotations and refusals are told in the mesh's Slack channel (logged where the policy names none).
  notifier: functionNotifier(policy, config.MESHWARDEN_SLACK_SECRET),
};

/**
 * Daily, on ACM expiry notices, on CA rollover decisions and on rollovers that reached their
 * approval step: rotate what is due, advance rollovers, ask for their approvals.
 */
export const handler = eventHandler(parseRotationTrigger, async (trigger) => {
  // Member accounts forward ACM's notices too; their certificates are not rotated from here.
  if (trigger.kind === 'acm-expiry') requireCentral(accounts, trigger.event.account, 'certificate rotation');
  const outcome = await onRotationTrigger(
    createRotationDeps(clients),
    policy,
    config.MESHWARDEN_MESHES,
    trigger,
  );
  const rotated = outcome.items.filter((i) => i.action === 'rotated').length;
  metrics.addMetric('CertificatesRotated', MetricUnit.Count, rotated);
  metrics.addMetric(
    'CertificatesRefused',
    MetricUnit.Count,
    outcome.items.filter((i) => i.action === 'refused').length,
  );
  const refused = outcome.rollovers.filter((r) => r.refused !== undefined);
  if (refused.length > 0) {
    // Someone put a rollover decision on the bus that no person made: operators alarm on this.
    metrics.addMetric(FORGED_APPROVAL_METRIC, MetricUnit.Count, refused.length);
    logger.error('CA rollover decision refused', { refused });
  }
  if (outcome.asked?.outcome === 'refused')
    // A claim the stored rollover or the mesh does not bear out: nothing asked, told here.
    logger.warn('CA rollover approval not asked', { asked: outcome.asked });
  logger.info('certificate rotation run', {
    trigger: trigger.kind,
    items: outcome.items,
    rollovers: outcome.rollovers,
  });
  return outcome;
});
