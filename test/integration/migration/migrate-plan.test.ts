import { ACMClient } from '@aws-sdk/client-acm';
import { Command } from 'commander';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { ChangeControlCli } from '../../../infra/cli/change-control-clients';
import { registerMigrateCommand } from '../../../infra/cli/migrate-command';
import { DEMO } from '../../../infra/local/demo/seed';
import { DEMO_POLICY_FILE } from '../../../infra/local/runtime';
import { AcmCertificateIssuers } from '../../../shared/adapters/acm/certificate-issuers';
import { createDocumentClient } from '../../../shared/adapters/dynamodb/client';
import type { MigrationPlan } from '../../../shared/migration/plan-model';
import { createAppMeshClient, createAppMeshProvider } from '../../../shared/providers/appmesh';
import { startSeededLocalAws, type TestLocalAws } from '../../support/local-aws';

/** `meshwarden migrate plan` on the demo mesh, read from local AWS through the real App Mesh SDK client. */
describe('meshwarden migrate plan', () => {
  let local: TestLocalAws;

  async function run(args: string[]) {
    const lines: string[] = [];
    const errors: string[] = [];
    const config = local.clientConfig('admin');
    const io: ChangeControlCli = {
      out: (line) => lines.push(line),
      err: (line) => errors.push(line),
      meshes: () => createAppMeshProvider(createAppMeshClient(config)),
      issuers: () => new AcmCertificateIssuers(new ACMClient(config)),
      documents: () => createDocumentClient(config),
    };
    const program = new Command().name('meshwarden').exitOverride();
    registerMigrateCommand(program, io);
    await program.parseAsync(['node', 'meshwarden', 'migrate', 'plan', ...args]);
    return { lines, errors, exitCode: process.exitCode };
  }

  beforeAll(async () => {
    local = await startSeededLocalAws({ functions: [] });
  }, 60_000);
  afterAll(() => local.aws.close());
  beforeEach(() => {
    process.exitCode = undefined;
  });

  it('prints the plan, the parity report and a routing simulation with 0 differences on what it carries over', async () => {
    const result = await run(['--mesh', DEMO.mesh, '--to', 'vpc-lattice', '--policy', DEMO_POLICY_FILE]);

    // The demo's retry policy, timeout, gateway and client TLS policies have no Lattice equivalent.
    expect(result.exitCode).toBe(1);
    expect(result.lines[0]).toBe('Plan: App Mesh mesh prod -> VPC Lattice service network prod');
    expect(result.lines.find((l) => l.startsWith('web-prod-local') && l.includes('web-route'))).toMatch(
      /HTTPS:8080\s+1\s+web-route\s+path \^ \/\s+web-v1:90 web-v2:10/,
    );
    expect(result.lines.find((l) => l.startsWith('lost') && l.includes('route retry policy'))).toContain(
      'web-router/web-route',
    );
    expect(result.lines.find((l) => l.startsWith('lost') && l.includes('virtual gateways'))).toContain(
      'ingress-gw',
    );
    const summary = result.lines.find((l) => l.startsWith('Routing parity:'));
    expect(summary).toMatch(
      /^Routing parity: \d+ simulated requests, 0 difference\(s\) on what the plan carries over, 0 from features marked lost$/,
    );
    expect(result.errors).toEqual([]);
  });

  it('gives the plan as JSON with the callers from backends and the access graph, and as Gateway API manifests', async () => {
    const json = await run([
      '--mesh',
      DEMO.mesh,
      '--to',
      'vpc-lattice',
      '--policy',
      DEMO_POLICY_FILE,
      '--format',
      'json',
    ]);
    process.exitCode = undefined;
    const yaml = await run([
      '--mesh',
      DEMO.mesh,
      '--to',
      'vpc-lattice',
      '--policy',
      DEMO_POLICY_FILE,
      '--format',
      'gateway-api',
      '--service-network',
      'prod-lattice',
    ]);

    const plan = JSON.parse(json.lines.join('\n')) as MigrationPlan;
    expect(plan.services.map((s) => s.name).sort()).toEqual([
      'frontend-prod-local',
      'payments-prod-local',
      'web-prod-local',
    ]);
    const payments = plan.services.find((s) => s.name === 'payments-prod-local');
    expect(payments?.auth.callers.map((c) => [c.virtualNode, c.via])).toEqual([
      ['frontend', ['backend', 'policy']],
      ['web-v1', ['backend', 'policy']],
      ['web-v2', ['backend', 'policy']],
    ]);
    expect(payments?.certificateArn).toMatch(/^arn:aws:acm:/);
    expect(plan.routingParity?.differences).toEqual([]);
    const kinds = parseAllDocuments(yaml.lines.join('\n')).map((d) => (d.toJS() as { kind: string }).kind);
    expect(kinds.filter((k) => k === 'Gateway')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'HTTPRoute')).toHaveLength(3);
    expect(kinds.filter((k) => k === 'TargetGroupPolicy')).toHaveLength(4);
    expect(kinds.filter((k) => k === 'IAMAuthPolicy')).toHaveLength(3);
    expect(yaml.exitCode).toBe(1);
  });

  it('refuses a target other than vpc-lattice and a mesh that does not exist with exit code 2', async () => {
    const wrongTarget = await run(['--mesh', DEMO.mesh, '--to', 'service-connect']);
    process.exitCode = undefined;
    const missing = await run(['--mesh', 'nope', '--to', 'vpc-lattice', '--policy', DEMO_POLICY_FILE]);

    expect(wrongTarget).toMatchObject({
      exitCode: 2,
      errors: ['--to must be vpc-lattice, got "service-connect"'],
    });
    expect(missing).toMatchObject({
      exitCode: 2,
      errors: ['mesh nope does not exist at the configured endpoint'],
    });
  });
});
