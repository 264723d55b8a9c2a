/**
 * The cold rollback: a fresh `node` loads a bundle and handles one event against local AWS;
 * the figure is the time from spawning the process to local AWS receiving UpdateRoute. That is
 * what an alarm costs when the guard is cold, which in AWS it usually is (alarms are rare).
 */
import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { type AppMeshClient, DescribeRouteCommand, UpdateRouteCommand } from '@aws-sdk/client-app-mesh';
import { DEMO } from '../../../infra/local/demo/seed';
import type { LocalRequest, LocalResponse } from '../../../infra/local/types';
import type { TestLocalAws } from '../../support/local-aws';
import { CREDENTIALS } from '../../support/local-edge';
import { loadEvent } from '../../support/sample-events';

const ROUTE = { meshName: DEMO.mesh, virtualRouterName: DEMO.router, routeName: DEMO.route };

/** Imports a bundle, calls its handler with one payload and a Lambda-like context, exits. */
const INVOKE_SCRIPT = `
const [url, payload] = process.argv.slice(1);
const { handler } = await import(url);
await handler(JSON.parse(payload), {
  functionName: 'deployment-guard',
  functionVersion: '$LATEST',
  invokedFunctionArn: process.env.BENCH_FUNCTION_ARN,
  memoryLimitInMB: '1024',
  awsRequestId: crypto.randomUUID(),
  logGroupName: '/aws/lambda/deployment-guard',
  logStreamName: 'bench',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 60000,
  done() {}, fail() {}, succeed() {},
});
process.exit(0);
`;

/** Watches UpdateRoute calls at the edge of local AWS: the first one signed with a given access key. */
export function watchUpdateRoute(local: TestLocalAws): {
  reset(accessKeyId: string): void;
  updateAt(): bigint | undefined;
} {
  let updateAt: bigint | undefined;
  let writer: string | undefined;
  const timeline = local.aws.timeline;
  const original = timeline.apiCall.bind(timeline);
  timeline.apiCall = (req: LocalRequest, res: LocalResponse, operation: string | undefined) => {
    if (
      req.service === 'appmesh' &&
      req.caller.accessKeyId === writer &&
      operation === 'UpdateRoute' &&
      updateAt === undefined
    )
      updateAt = process.hrtime.bigint();
    original(req, res, operation);
  };
  return {
    reset: (accessKeyId) => {
      updateAt = undefined;
      writer = accessKeyId;
    },
    updateAt: () => updateAt,
  };
}

/** The demo route with its weights set, stable node first. */
async function routeWith(mesh: AppMeshClient, stableWeight: number) {
  const { route } = await mesh.send(new DescribeRouteCommand(ROUTE));
  const http = route?.spec?.httpRoute;
  if (http?.action === undefined) throw new Error('demo route missing');
  const weightedTargets = (http.action.weightedTargets ?? []).map((t) => ({
    ...t,
    weight: t.virtualNode === DEMO.stableNode ? stableWeight : 100 - stableWeight,
  }));
  return { ...ROUTE, spec: { ...route?.spec, httpRoute: { ...http, action: { weightedTargets } } } };
}

/** A person shifts the demo route to 80/20: a deployment opens (the guard running in local AWS records it). */
export async function openDeployment(local: TestLocalAws, mesh: AppMeshClient): Promise<void> {
  await mesh.send(new UpdateRouteCommand(await routeWith(mesh, 80)));
  await local.aws.drain();
}

/**
 * What the floor handler is given: the rollback's UpdateRoute input, worked out beforehand.
 * The floor writes as a person (see {@link floorEnv}), not as meshwarden.
 */
export async function rollbackInput(mesh: AppMeshClient): Promise<unknown> {
  return routeWith(mesh, 100);
}

/**
 * The floor's environment: the guard's, signed as a person of the demo. A write signed as
 * meshwarden's role that meshwarden did not record as last known good is, to the deployment
 * guard running in local AWS, an own write not recorded yet: it retries the CloudTrail event
 * and fails it (OwnWriteNotRecordedError), as it must for a real one. The floor's write is
 * not meshwarden's, so it is not signed as meshwarden's.
 */
export function floorEnv(env: Readonly<Record<string, string>>): Record<string, string> {
  return {
    ...env,
    AWS_ACCESS_KEY_ID: CREDENTIALS.admin.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.admin.secretAccessKey,
  };
}

/** An alarm bound to the demo route goes to ALARM, as EventBridge delivers it. */
export function alarmEvent(local: TestLocalAws): unknown {
  const event = loadEvent('cloudwatch/metric-alarm-to-alarm');
  const timestamp = new Date().toISOString().replace('Z', '+0000');
  return {
    ...event,
    id: crypto.randomUUID(),
    account: local.aws.accountId,
    resources: [`arn:aws:cloudwatch:${local.aws.region}:${local.aws.accountId}:alarm:${DEMO.alarms[0]}`],
    detail: {
      ...event.detail,
      alarmName: DEMO.alarms[0],
      state: { ...event.detail.state, timestamp, reasonData: undefined },
    },
  };
}

/**
 * Spawn a fresh `node` that loads `bundle` and hands `payload` to its handler; resolves with
 * the milliseconds from spawn to UpdateRoute received, once the process has exited.
 */
export async function coldInvoke(
  bundle: string,
  payload: unknown,
  env: Readonly<Record<string, string>>,
  watch: ReturnType<typeof watchUpdateRoute>,
): Promise<number> {
  watch.reset(env.AWS_ACCESS_KEY_ID ?? '');
  const start = process.hrtime.bigint();
  const child = spawn(
    process.execPath,
    ['--input-type=module', '-e', INVOKE_SCRIPT, pathToFileURL(bundle).href, JSON.stringify(payload)],
    { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  const updateAt = watch.updateAt();
  if (code !== 0 || updateAt === undefined)
    throw new Error(`${bundle}: no UpdateRoute was sent (exit ${code}): ${stderr.slice(0, 2000)}`);
  return Number(updateAt - start) / 1e6;
}
