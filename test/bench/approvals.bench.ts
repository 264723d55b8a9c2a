import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleFunction } from '../../infra/bundling';
import { FUNCTIONS } from '../../infra/function-catalog';
import { DynamoDbApprovalStore } from '../../shared/adapters/dynamodb/approval-store';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client';
import { computeSlackSignature } from '../../shared/events/slack-signature';
import { startSeededLocalAws } from '../support/local-aws';
import { callbackEvent, clickPayload, formBody, pendingApproval } from '../unit/approvals/support';
import { type Benchmark, type Figure, latencyFigures, quantile } from './harness';

/**
 * The Slack callback, warm, as local AWS runs it: the real handler module (cached secret,
 * signature check, policy check, users.info for the email match, the conditional write in
 * DynamoDB, PutEvents) on a fresh pending approval per click. Setup is not timed.
 */
const warmCallback: Benchmark = {
  name: 'Slack callback handler, warm: verify + authorize + record + publish + answer (local AWS)',
  run: async () => {
    const local = await startSeededLocalAws({
      functions: FUNCTIONS.filter((f) => f.name === 'slack-callback'),
    });
    try {
      const store = new DynamoDbApprovalStore(
        createDocumentClient(local.clientConfig()),
        local.aws.functionEnv.MESHWARDEN_TABLE ?? '',
      );
      const secret = local.aws.slackConfig.signingSecret;
      const samples: number[] = [];
      for (let i = 0; i < 330; i++) {
        const approvalId = `bench-${i}`;
        await store.create(
          pendingApproval({ approvalId, expiresAt: new Date(Date.now() + 3600_000).toISOString() }),
        );
        const raw = formBody(clickPayload({ approvalId, triggerId: `bench.${i}` }));
        const timestamp = String(Math.floor(Date.now() / 1000));
        const event = callbackEvent(raw, {
          timestamp,
          signature: computeSlackSignature(secret, timestamp, raw),
        });
        const start = process.hrtime.bigint();
        const result = (await local.aws.functions.invoke('slack-callback', event)) as { statusCode: number };
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        if (result.statusCode !== 200) throw new Error(`click ${i} answered ${result.statusCode}`);
        // The first 30 warm the module, the secret cache and the connections.
        if (i >= 30) samples.push(ms);
      }
      const decided = await store.get('bench-329');
      if (decided?.status !== 'approved') throw new Error('the last click was not recorded');
      return latencyFigures('callback handler time', samples, 50);
    } finally {
      await local.aws.close();
    }
  },
};

/**
 * Cold start of the deployed bundle: bundle `functions/slack-callback/handler.ts` with the
 * house settings (infra/bundling.ts), then import it in fresh Node processes and time the
 * import: module init, i.e. SDK clients, Powertools, the policy load. Nothing is called.
 */
const coldStart: Benchmark = {
  name: 'Slack callback bundle: cold start (module init in a fresh node process)',
  run: async () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshwarden-bench-'));
    try {
      const outfile = join(dir, 'index.mjs');
      await bundleFunction('functions/slack-callback/handler.ts', outfile);
      const script = `const t = performance.now(); const m = await import(${JSON.stringify(pathToFileURL(outfile).href)}); if (typeof m.handler !== 'function') process.exit(2); console.log(performance.now() - t);`;
      const env = {
        PATH: process.env.PATH ?? '',
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'bench',
        AWS_SECRET_ACCESS_KEY: 'bench',
        MESHWARDEN_EVENT_BUS: 'meshwarden',
        MESHWARDEN_TABLE: 'meshwarden-state',
        MESHWARDEN_MESHES: 'prod',
        MESHWARDEN_POLICY_FILE: resolve('infra/local/demo/meshwarden.policy.yaml'),
        MESHWARDEN_SELF_ROLE_ARNS: 'arn:aws:iam::000000000000:role/meshwarden-functions',
        MESHWARDEN_SLACK_SECRET: 'meshwarden/slack',
        POWERTOOLS_TRACE_ENABLED: 'false',
        POWERTOOLS_METRICS_DISABLED: 'true',
      };
      const runs: number[] = [];
      const processes: number[] = [];
      for (let i = 0; i < 15; i++) {
        const started = process.hrtime.bigint();
        const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
          env,
          encoding: 'utf8',
        });
        processes.push(Number(process.hrtime.bigint() - started) / 1e6);
        if (child.status !== 0) throw new Error(`bundle import failed: ${child.stderr}`);
        runs.push(Number(child.stdout.trim()));
      }
      const figures: Figure[] = [
        { name: 'module init (import of the bundle) median', value: quantile(runs, 0.5), unit: 'ms' },
        { name: 'module init p99 (15 processes)', value: quantile(runs, 0.99), unit: 'ms' },
        {
          name: 'whole node process incl. runtime start, median',
          value: quantile(processes, 0.5),
          unit: 'ms',
        },
      ];
      return figures;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export default [warmCallback, coldStart] satisfies Benchmark[];
