import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppMeshClient, DescribeRouteCommand, UpdateRouteCommand } from '@aws-sdk/client-app-mesh';
import { CloudWatchClient, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { consoleLine, tryItLines } from '../../../infra/local/banner';
import { DEMO } from '../../../infra/local/demo/seed';
import type { BusEvent } from '../../../infra/local/types';
import { startSeededLocalAws, type TestLocalAws } from '../../support/local-aws';

/** What `npm start` shows a new user, tried as printed. */
describe('npm start on a fresh data directory', () => {
  let local: TestLocalAws;
  const logFile = join(mkdtempSync(join(tmpdir(), 'meshwarden-start-')), 'functions.log');
  const stdout: string[] = [];
  const published: BusEvent[] = [];

  beforeAll(async () => {
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      stdout.push(String(chunk));
      return true;
    });
    local = await startSeededLocalAws({
      functionLogFile: logFile,
      functionEnv: { POWERTOOLS_LOG_LEVEL: 'DEBUG' },
    });
    local.aws.bus.onActivity((activity) => {
      if (activity.kind === 'event') published.push(activity.event);
    });
  });
  afterAll(async () => {
    await local.aws.close();
    vi.restoreAllMocks();
  });

  it("opens a deployment with the banner's first command, so its alarm then rolls it back", async () => {
    // Prepare: the banner as printed for the seeded demo
    const ref = { meshName: DEMO.mesh, virtualRouterName: DEMO.router, routeName: DEMO.route };
    const mesh = new AppMeshClient(local.clientConfig());
    const before = await mesh.send(new DescribeRouteCommand(ref));
    const lines = tryItLines({
      endpoint: local.aws.endpoint,
      region: local.aws.region,
      accessKeyId: 'test',
      secretAccessKey: 'test',
      routeSpec: before.route?.spec,
    });
    const updateRoute = lines.find((line) => line.includes('appmesh update-route'));
    const setAlarm = lines.findIndex((line) => line.includes('cloudwatch set-alarm-state'));
    expect(lines.indexOf(updateRoute ?? '')).toBeLessThan(setAlarm);
    const spec = JSON.parse(/--spec '(.*)'$/.exec(updateRoute ?? '')?.[1] ?? 'null');

    // Act: the two commands, as the AWS CLI sends them
    await mesh.send(new UpdateRouteCommand({ ...ref, spec }));
    await local.aws.drain();
    await new CloudWatchClient(local.clientConfig()).send(
      new SetAlarmStateCommand({
        AlarmName: DEMO.alarms[0],
        StateValue: 'ALARM',
        StateReason: '5xx above threshold',
      }),
    );
    await local.aws.drain();

    // Assess
    const types = published.filter((e) => e.source === 'meshwarden').map((e) => e['detail-type']);
    expect(types).toContain('DeploymentOpened');
    expect(types).toContain('DeploymentRolledBack');
    const after = await mesh.send(new DescribeRouteCommand(ref));
    expect(
      after.route?.spec?.httpRoute?.action?.weightedTargets?.map((t) => [t.virtualNode, t.weight]),
    ).toEqual([
      [DEMO.stableNode, 100],
      [DEMO.canaryNode, 0],
    ]);
  });

  it("serves the console page at the banner's console URL, without a token", async () => {
    // Act
    const line = consoleLine(local.aws.httpApiUrl, local.aws.oidc.names());
    const url = /(http:\/\/\S+\/)\s/.exec(line)?.[1] ?? '';
    const page = await fetch(url);
    const config = (await (await fetch(new URL('/console/config.json', url))).json()) as { issuer: string };
    // Assess
    expect(line).toContain('priya');
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>meshwarden console</title>');
    expect(config.issuer).toBe(local.aws.oidc.issuer);
  });

  it('keeps Powertools out of the terminal: no empty-metrics warnings, function logs in the log file', () => {
    const printed = stdout.join('');

    expect(printed).not.toContain('No application metrics to publish');
    expect(printed).not.toMatch(/^\{"level"/m);
    const logged = readFileSync(logFile, 'utf8').trim().split('\n');
    expect(logged.length).toBeGreaterThan(0);
    expect(JSON.parse(logged[0] ?? '')).toMatchObject({ service: 'meshwarden' });
  });
});
