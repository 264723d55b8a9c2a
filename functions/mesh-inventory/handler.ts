import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { createAppMeshClient, createAppMeshProvider } from '../../shared/adapters/appmesh';
import { EventBridgePublisher } from '../../shared/adapters/eventbridge/event-publisher';
import { baseConfigSchema, readConfig } from '../../shared/config';
import { parseScheduledEvent } from '../../shared/events/scheduled-event';
import { eventHandler } from '../../shared/handler';
import { takeInventory } from '../../shared/inventory/take-inventory';
import { logger, metrics, tracer } from '../../shared/powertools';

const config = readConfig(
  baseConfigSchema.pick({ AWS_REGION: true, MESHWARDEN_EVENT_BUS: true, MESHWARDEN_MESHES: true }),
);
const meshes = createAppMeshProvider(tracer.captureAWSv3Client(createAppMeshClient()));
const publisher = new EventBridgePublisher(
  tracer.captureAWSv3Client(new EventBridgeClient({})),
  config.MESHWARDEN_EVENT_BUS,
);

/** On a schedule: read every governed mesh whole and publish what it holds. */
export const handler = eventHandler(parseScheduledEvent, async () => {
  const inventories = await takeInventory({ meshes, publisher }, config.MESHWARDEN_MESHES);
  for (const inventory of inventories) {
    const total = Object.values(inventory.counts).reduce((sum, n) => sum + n, 0);
    metrics.addMetric('MeshResources', MetricUnit.Count, total);
  }
  logger.info('mesh inventory taken', { inventories });
  return inventories;
});
