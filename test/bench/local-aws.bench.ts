import { spawn } from 'node:child_process';
import { AppMeshClient, DescribeRouteCommand, UpdateRouteCommand } from '@aws-sdk/client-app-mesh';
import { DEMO } from '../../infra/local/demo/seed';
import { startSeededLocalAws } from '../support/local-aws';
import { type Benchmark, type Figure, latencyFigures, quantile, sample } from './harness';

/** SDK round trips through the edge endpoint: SigV4 verification, routing, the service, CloudTrail. */
const roundTrips: Benchmark = {
  name: 'SDK v3 round trip through the local edge endpoint (DescribeRoute, UpdateRoute)',
  run: async () => {
    // The endpoint alone: no meshwarden function reacts to the writes, so what is timed is local AWS.
    const local = await startSeededLocalAws({ functions: [] });
    try {
      const mesh = new AppMeshClient(local.clientConfig());
      const ref = { meshName: DEMO.mesh, virtualRouterName: DEMO.router, routeName: DEMO.route };
      const describe = await sample(() => mesh.send(new DescribeRouteCommand(ref)), 500, 50);
      const { route } = await mesh.send(new DescribeRouteCommand(ref));
      let flip = 0;
      const update = await sample(
        async () => {
          flip ^= 1;
          const weights = flip ? [80, 20] : [90, 10];
          const targets = route?.spec?.httpRoute?.action?.weightedTargets ?? [];
          await mesh.send(
            new UpdateRouteCommand({
              ...ref,
              spec: {
                ...route?.spec,
                httpRoute: {
                  ...route?.spec?.httpRoute,
                  match: route?.spec?.httpRoute?.match ?? { prefix: '/' },
                  action: { weightedTargets: targets.map((t, i) => ({ ...t, weight: weights[i] ?? 0 })) },
                },
              },
            }),
          );
          await local.aws.drain();
        },
        300,
        30,
      );
      return [
        ...latencyFigures('DescribeRoute', describe),
        ...latencyFigures('UpdateRoute (incl. CloudTrail event)', update),
      ];
    } finally {
      await local.aws.close();
    }
  },
};

/** `npm start` from spawn to the "ready" line, with a fresh data directory (seeding included). */
const startTime: Benchmark = {
  name: 'npm start: time to ready (fresh data directory, demo seeded)',
  run: async () => {
    const runs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const started = Date.now();
      await new Promise<void>((resolve, reject) => {
        const child = spawn(
          'npx',
          [
            'tsx',
            'infra/local/main.ts',
            '--fresh',
            '--exit',
            '--data-dir',
            `.meshwarden/bench-${process.pid}`,
            '--port',
            '0',
            '--slack-port',
            '0',
            '--http-api-port',
            '0',
            '--oidc-port',
            '0',
          ],
          { stdio: ['ignore', 'pipe', 'inherit'] },
        );
        let ready = false;
        child.stdout.on('data', (chunk: Buffer) => {
          if (!ready && chunk.toString().includes('is ready')) {
            ready = true;
            runs.push(Date.now() - started);
          }
        });
        child.on('exit', (code) =>
          ready ? resolve() : reject(new Error(`npm start exited ${code} before ready`)),
        );
      });
    }
    const figures: Figure[] = [
      { name: 'time to ready median (5 runs, incl. tsx start)', value: quantile(runs, 0.5), unit: 'ms' },
    ];
    return figures;
  },
};

export default [roundTrips, startTime];
