import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppMeshClient, DescribeRouteCommand } from '@aws-sdk/client-app-mesh';
import { afterAll, describe, expect, it } from 'vitest';
import { DEMO } from '../../../infra/local/demo/seed';
import { type LocalAws, startLocalAws } from '../../../infra/local/runtime';

const CHILD = fileURLToPath(new URL('../../support/crash-child.ts', import.meta.url));

/** Run the child until it says its change was acknowledged, then kill it as `kill -9` does. */
async function changeThenKill(dataDir: string): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ACK')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`the child exited (${code}) before its change: ${stderr}`)));
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

describe('local AWS killed with SIGKILL right after acknowledging a change', () => {
  let aws: LocalAws | undefined;
  afterAll(() => aws?.close());

  it('judges the change once after a restart on the same data directory', async () => {
    // Prepare
    const dataDir = mkdtempSync(join(tmpdir(), 'meshwarden-crash-'));
    await changeThenKill(dataDir);

    // Act
    aws = await startLocalAws({ port: 0, slackPort: 0, httpApiPort: 0, pcaIssueDelayMs: 0, dataDir });
    await aws.drain();

    // Assess
    const texts = aws.timeline.all().map((e) => e.text);
    const decisions = texts.filter(
      (t) => t.includes('"GovernanceDecision"') && t.includes('by IAM user bob'),
    );
    expect(decisions).toHaveLength(1);
    expect(decisions[0]).toContain(
      `hold prod/route/${DEMO.router}/${DEMO.route} by IAM user bob: change-control — `,
    );
    expect(texts.some((t) => t.startsWith('replaying 1 event(s)'))).toBe(true);
    const { route } = await new AppMeshClient({
      endpoint: aws.endpoint,
      region: aws.region,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    }).send(
      new DescribeRouteCommand({
        meshName: DEMO.mesh,
        virtualRouterName: DEMO.router,
        routeName: DEMO.route,
      }),
    );
    expect(route?.spec?.httpRoute?.action?.weightedTargets?.map((t) => t.weight)).toEqual([90, 10]);
  });
});
