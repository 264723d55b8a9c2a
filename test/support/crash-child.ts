/**
 * A local AWS process to kill: seeds the demo on the data directory it is given, holds every
 * App Mesh read and DynamoDB call of the functions (a latency fault), then makes bob's change
 * and prints `ACK` once the API answered it. Killed right after, its functions never judged it.
 */
import { AppMeshClient, DescribeRouteCommand, UpdateRouteCommand } from '@aws-sdk/client-app-mesh';
import { DEMO, seedDemo } from '../../infra/local/demo/seed';
import { startLocalAws } from '../../infra/local/runtime';

const dataDir = process.argv[2];
if (dataDir === undefined) throw new Error('usage: crash-child.ts DATA_DIR');

const aws = await startLocalAws({ port: 0, slackPort: 0, httpApiPort: 0, pcaIssueDelayMs: 0, dataDir });
const config = (accessKeyId: string, secretAccessKey: string) => ({
  endpoint: aws.endpoint,
  region: aws.region,
  credentials: { accessKeyId, secretAccessKey },
});
await seedDemo(config('test', 'test'));
await aws.drain();

const ref = { meshName: DEMO.mesh, virtualRouterName: DEMO.router, routeName: DEMO.route };
const bob = new AppMeshClient(config('ops-bob', 'ops-bob-secret'));
const { route } = await new AppMeshClient(config('test', 'test')).send(new DescribeRouteCommand(ref));
const http = route?.spec?.httpRoute;
if (http?.action === undefined) throw new Error('the demo route has no httpRoute');
aws.faults.set([
  { service: 'appmesh', operation: 'UpdateRoute', throttleRate: 0, errorRate: 0, latencyMs: 0 },
  { service: 'appmesh', operation: '*', throttleRate: 0, errorRate: 0, latencyMs: 60_000 },
  { service: 'dynamodb', operation: '*', throttleRate: 0, errorRate: 0, latencyMs: 60_000 },
]);
await bob.send(
  new UpdateRouteCommand({
    ...ref,
    spec: {
      ...route?.spec,
      httpRoute: {
        ...http,
        action: {
          weightedTargets: (http.action.weightedTargets ?? []).map((t, i) => ({
            ...t,
            weight: i === 0 ? 50 : 50,
          })),
        },
      },
    },
  }),
);
process.stdout.write('ACK\n');
await new Promise(() => undefined);
