/**
 * `npm run bench -- cold-start`: what a cold start costs each function, built the way it is
 * deployed, against a floor built in the same run with the same esbuild options (a handler
 * holding only AppMeshClient and UpdateRouteCommand: the least a rollback needs).
 *
 * - bytes of each bundle, the AWS SDK's share apart (target: the rest within 250 KB);
 * - module init (a fresh `node` importing the bundle) as a ratio to the floor's, in the
 *   default build (tracing on, target 1.5x) and with `meshwarden:tracing=false` (target 1.3x),
 *   in wall time and, without a target, in CPU time (steadier on a shared machine);
 * - the cold rollback: a fresh `node` loads the deployment-guard bundle and handles an alarm
 *   event against local AWS until UpdateRoute is sent (target 150 ms median), next to the
 *   floor doing the same UpdateRoute.
 *
 * Samples are fresh processes, interleaved across the bundles compared, and figures are medians.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppMeshClient } from '@aws-sdk/client-app-mesh';
import { type BundleOptions, bundleFunction } from '../../infra/bundling';
import { entryOf, FUNCTIONS } from '../../infra/function-catalog';
import { DEMO_POLICY_FILE } from '../../infra/local/runtime';
import { serializeCompiledPolicy } from '../../shared/policy/compiled-artifact';
import { loadPolicy } from '../../shared/policy/load';
import { startSeededLocalAws } from '../support/local-aws';
import { type BundleBytes, bundleBytes, type InitSubject, medianInits } from './cold-start/measure';
import {
  alarmEvent,
  coldInvoke,
  floorEnv,
  openDeployment,
  rollbackInput,
  watchUpdateRoute,
} from './cold-start/rollback';
import { type Benchmark, type Figure, latencyFigures } from './harness';

const FLOOR_ENTRY = 'test/bench/cold-start/floor-handler.ts';
const INIT_ROUNDS = Number(process.env.COLD_START_ROUNDS ?? 15);
const ROLLBACK_SAMPLES = Number(process.env.COLD_START_ROLLBACKS ?? 15);
const KB = 1024;

const VARIANTS: readonly {
  readonly name: string;
  readonly options: BundleOptions;
  readonly target: number;
}[] = [
  { name: 'default', options: { tracing: true }, target: 1.5 },
  { name: 'tracing off', options: { tracing: false }, target: 1.3 },
];

/** The environment a function's module init reads (config is validated at load, as in Lambda). */
function initEnv(policyFile: string): Record<string, string> {
  return {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    MESHWARDEN_EVENT_BUS: 'meshwarden',
    MESHWARDEN_TABLE: 'meshwarden',
    MESHWARDEN_MESHES: 'prod',
    MESHWARDEN_POLICY_FILE: policyFile,
    MESHWARDEN_SELF_ROLE_ARNS: 'arn:aws:iam::000000000000:role/meshwarden-fn',
    MESHWARDEN_SLACK_SECRET: 'meshwarden/slack',
    MESHWARDEN_SCHEDULE_GROUP: 'default',
    MESHWARDEN_SCHEDULER_ROLE_ARN: 'arn:aws:iam::000000000000:role/meshwarden-scheduler',
    MESHWARDEN_ACCOUNT_ID: '000000000000',
    // The console page's files (read at init) and sign-in configuration.
    MESHWARDEN_ASSETS_DIR: fileURLToPath(new URL('../../functions/console-api/page', import.meta.url)),
    MESHWARDEN_OIDC_ISSUER: 'https://idp.example',
    MESHWARDEN_OIDC_CLIENT_ID: 'meshwarden',
    MESHWARDEN_PENDING_KEY_ARN: 'arn:aws:kms:us-east-1:000000000000:key/11111111-2222-3333-4444-555555555555',
    POWERTOOLS_SERVICE_NAME: 'bench',
    POWERTOOLS_LOG_LEVEL: 'WARN',
  };
}

const kb = (bytes: number) => bytes / KB;

const coldStart: Benchmark = {
  name: `cold start: bundles, module init vs the floor (${INIT_ROUNDS} fresh processes each, interleaved), cold rollback`,
  run: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshwarden-cold-start-'));
    try {
      const policyFile = join(dir, 'meshwarden.policy.json');
      writeFileSync(policyFile, serializeCompiledPolicy(loadPolicy(DEMO_POLICY_FILE)));
      const floorFile = join(dir, 'floor', 'index.mjs');
      const floorBytes = bundleBytes(await bundleFunction(FLOOR_ENTRY, floorFile));
      const bytes = new Map<string, BundleBytes>();
      const subjects: InitSubject[] = [{ label: 'floor', file: floorFile, env: initEnv(policyFile) }];
      for (const variant of VARIANTS) {
        for (const definition of FUNCTIONS) {
          const file = join(dir, variant.name.replace(' ', '-'), definition.name, 'index.mjs');
          const metafile = await bundleFunction(entryOf(definition), file, variant.options);
          const label = `${definition.name} (${variant.name})`;
          bytes.set(label, bundleBytes(metafile));
          subjects.push({ label, file, env: initEnv(policyFile) });
        }
      }
      const inits = await medianInits(subjects, INIT_ROUNDS);
      const floorInit = inits.get('floor')?.initMs ?? Number.NaN;
      const floorCpu = inits.get('floor')?.cpuMs ?? Number.NaN;
      const figures: Figure[] = [
        { name: 'floor: bundle', value: kb(floorBytes.total), unit: 'KB' },
        { name: 'floor: module init median', value: floorInit, unit: 'ms' },
        { name: 'floor: module init CPU median', value: floorCpu, unit: 'ms' },
      ];
      for (const definition of FUNCTIONS) {
        const label = `${definition.name} (default)`;
        const b = bytes.get(label);
        if (b === undefined) continue;
        figures.push(
          { name: `${definition.name}: bundle`, value: kb(b.total), unit: 'KB' },
          { name: `${definition.name}: of which AWS SDK`, value: kb(b.sdk), unit: 'KB' },
          { name: `${definition.name}: without the AWS SDK`, value: kb(b.other), unit: 'KB', target: 250 },
          {
            name: `${definition.name}: SDK core copies`,
            value: b.sdkCoreCopies,
            unit: 'copies',
            target: 1,
          },
        );
        for (const variant of VARIANTS) {
          const variantLabel = `${definition.name} (${variant.name})`;
          const init = inits.get(variantLabel)?.initMs ?? Number.NaN;
          const cpu = inits.get(variantLabel)?.cpuMs ?? Number.NaN;
          figures.push(
            {
              name: `${definition.name}: module init / floor (${variant.name}, ${init.toFixed(0)} ms)`,
              value: init / floorInit,
              unit: 'x',
              target: variant.target,
            },
            // The same in CPU time: steadier than wall time when other work shares the cores.
            {
              name: `${definition.name}: module init CPU / floor (${variant.name}, ${cpu.toFixed(0)} ms)`,
              value: cpu / floorCpu,
              unit: 'x',
            },
          );
        }
        // What the non-SDK bytes are: where to look next.
        for (const { name, bytes: size } of b.largest.slice(0, 3)) {
          figures.push({
            name: `${definition.name}: largest without the SDK: ${name}`,
            value: kb(size),
            unit: 'KB',
          });
        }
        const off = bytes.get(`${definition.name} (tracing off)`);
        if (off !== undefined)
          figures.push({
            name: `${definition.name}: without the AWS SDK (tracing off)`,
            value: kb(off.other),
            unit: 'KB',
          });
      }

      const local = await startSeededLocalAws();
      try {
        const mesh = new AppMeshClient(local.clientConfig());
        const watch = watchUpdateRoute(local);
        const guardArn = `arn:aws:lambda:${local.aws.region}:${local.aws.accountId}:function:deployment-guard`;
        const env = {
          ...local.aws.functionEnv,
          MESHWARDEN_POLICY_FILE: policyFile,
          BENCH_FUNCTION_ARN: guardArn,
        };
        const guards = VARIANTS.map((variant) => ({
          variant,
          file: join(dir, variant.name.replace(' ', '-'), 'deployment-guard', 'index.mjs'),
          samples: [] as number[],
        }));
        const floorSamples: number[] = [];
        for (let i = 0; i <= ROLLBACK_SAMPLES; i++) {
          // Interleaved: each round, the floor and each guard build roll the route back once.
          await openDeployment(local, mesh);
          const floorMs = await coldInvoke(floorFile, await rollbackInput(mesh), floorEnv(env), watch);
          await local.aws.drain();
          for (const guard of guards) {
            await openDeployment(local, mesh);
            const ms = await coldInvoke(guard.file, alarmEvent(local), env, watch);
            await local.aws.drain();
            if (i > 0) guard.samples.push(ms);
          }
          // The first round warms the file cache and local AWS; it is not counted.
          if (i > 0) floorSamples.push(floorMs);
        }
        figures.push(...latencyFigures('cold rollback: floor (spawn -> UpdateRoute)', floorSamples));
        for (const guard of guards) {
          figures.push(
            ...latencyFigures(
              `cold rollback: deployment-guard, ${guard.variant.name} (spawn -> UpdateRoute)`,
              guard.samples,
              guard.variant.name === 'default' ? 150 : undefined,
            ),
          );
        }
      } finally {
        await local.aws.close();
      }
      return figures;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export default [coldStart];
