import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppMeshClient, DescribeRouteCommand, UpdateRouteCommand } from '@aws-sdk/client-app-mesh';
import { CloudWatchClient, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { GetScheduleCommand, ListSchedulesCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerDeploymentsCommand } from '../../../infra/cli/deployments-command';
import { SCHEDULE_GROUP_NAME } from '../../../infra/constructs/names';
import { DEMO } from '../../../infra/local/demo/seed';
import { DEMO_POLICY_FILE } from '../../../infra/local/runtime';
import { createDocumentClient } from '../../../shared/adapters/dynamodb/client';
import { DynamoDbDeploymentStore } from '../../../shared/adapters/dynamodb/deployment-store';
import { startSeededLocalAws, type TestLocalAws } from '../../support/local-aws';
import { GUARD_ENV } from './guard-env';

const ref = { meshName: DEMO.mesh, virtualRouterName: DEMO.router, routeName: DEMO.route };

/** The demo policy with the demo route opted into steps of 10, 25, 50, 100 (5 minutes each). */
function progressivePolicy(): string {
  const demo = readFileSync(DEMO_POLICY_FILE, 'utf8');
  const section = `    deployments:
      routes:
        - route: ${DEMO.routeKey}
          progressive: { steps: [10, 25, 50, 100], bakeMinutes: 5 }

    exemptions:`;
  const file = join(mkdtempSync(join(tmpdir(), 'meshwarden-progressive-')), 'policy.yaml');
  writeFileSync(file, demo.replace(/^ {4}exemptions:/m, section));
  return file;
}

async function weightsNow(mesh: AppMeshClient): Promise<Record<string, number>> {
  const { route } = await mesh.send(new DescribeRouteCommand(ref));
  return Object.fromEntries(
    (route?.spec?.httpRoute?.action?.weightedTargets ?? []).map((t) => [t.virtualNode ?? '', t.weight ?? -1]),
  );
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('progressive delivery in local AWS: Scheduler steps and the CLI', () => {
  let local: TestLocalAws;
  let mesh: AppMeshClient;
  let store: DynamoDbDeploymentStore;

  beforeAll(async () => {
    local = await startSeededLocalAws({ functionEnv: GUARD_ENV, policyFile: progressivePolicy() });
    mesh = new AppMeshClient(local.clientConfig());
    store = new DynamoDbDeploymentStore(
      createDocumentClient(local.clientConfig()),
      local.aws.functionEnv.MESHWARDEN_TABLE as string,
      local.aws.accountId,
    );
  });
  afterAll(() => local.aws.close());

  it('schedules the next step with a one-time at() schedule and takes it when the schedule fires', async () => {
    const { route } = await mesh.send(new DescribeRouteCommand(ref));
    const http = route?.spec?.httpRoute;
    if (http?.action === undefined) throw new Error('demo route missing');
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
    await local.aws.drain();

    const scheduler = new SchedulerClient(local.clientConfig());
    const listed = await scheduler.send(
      new ListSchedulesCommand({ GroupName: SCHEDULE_GROUP_NAME, NamePrefix: 'mw-step-' }),
    );
    const name = listed.Schedules?.[0]?.Name ?? '';
    const schedule = await scheduler.send(
      new GetScheduleCommand({ Name: name, GroupName: SCHEDULE_GROUP_NAME }),
    );
    // The seeded alarms have no data yet (the policy waits on INSUFFICIENT_DATA): report healthy.
    const cloudwatch = new CloudWatchClient(local.clientConfig());
    for (const alarm of DEMO.alarms) {
      await cloudwatch.send(
        new SetAlarmStateCommand({ AlarmName: alarm, StateValue: 'OK', StateReason: 'healthy' }),
      );
    }
    await local.aws.drain();
    await local.aws.scheduler.tick(new Date(Date.now() + 6 * 60_000));
    await until(async () => (await weightsNow(mesh))[DEMO.canaryNode] === 25, 'the 25% step');
    await local.aws.drain();

    expect(listed.Schedules).toHaveLength(1);
    expect(schedule.ScheduleExpression).toMatch(/^at\(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\)$/);
    expect(schedule.ActionAfterCompletion).toBe('DELETE');
    expect(await weightsNow(mesh)).toEqual({ [DEMO.stableNode]: 75, [DEMO.canaryNode]: 25 });
    const deployment = (await store.get(DEMO.routeKey))?.deployment;
    expect(deployment?.progress).toMatchObject({ stepIndex: 1, next: { stepIndex: 2 } });
  });

  it('`meshwarden deployments promote` sends all weight to the canary; `status` tells the story', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const program = new Command().exitOverride();
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    });
    registerDeploymentsCommand(program, { out: (l) => out.push(l), err: (l) => err.push(l) });
    const options = [
      '--table',
      local.aws.functionEnv.MESHWARDEN_TABLE as string,
      '--bus',
      'meshwarden',
      '--policy',
      local.aws.functionEnv.MESHWARDEN_POLICY_FILE as string,
    ];

    await program.parseAsync(['node', 'meshwarden', 'deployments', ...options, 'promote', DEMO.routeKey]);
    await local.aws.drain();
    await program.parseAsync(['node', 'meshwarden', 'deployments', ...options, 'status', DEMO.routeKey]);
    await program
      .parseAsync(['node', 'meshwarden', 'deployments', ...options, 'promote', 'not-a-route-key'])
      .catch(() => undefined);

    expect(err.filter((l) => !l.includes('not-a-route-key'))).toEqual([]);
    expect(await weightsNow(mesh)).toEqual({ [DEMO.stableNode]: 0, [DEMO.canaryNode]: 100 });
    expect(out.join('\n')).toMatch(/promoted dep-/);
    expect(out.join('\n')).toMatch(/Promoted to 100% by /);
    expect(err.join('\n')).toMatch(/Invalid route key "not-a-route-key"/);
  });
});
