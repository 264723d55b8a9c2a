import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { Command } from 'commander';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { registerPolicyCommand } from '../../../infra/cli/policy-command';
import { DEMO } from '../../../infra/local/demo/seed';
import { DEMO_POLICY_FILE } from '../../../infra/local/runtime';
import {
  AcmPcaCertificateAuthority,
  createAcmPcaClient,
} from '../../../shared/adapters/acm-pca/certificate-authority';
import { CloudWatchAlarmSource } from '../../../shared/adapters/cloudwatch/alarm-source';
import { createAppMeshClient, createAppMeshProvider } from '../../../shared/providers/appmesh';
import { startSeededLocalAws, type TestLocalAws } from '../../support/local-aws';

/**
 * `meshwarden policy validate --mesh` against local AWS: the references a schema cannot check
 * (a stable target, a route glob, an alarm name) are resolved against the seeded demo mesh
 * and its CloudWatch alarms. No function runs: this is the CLI alone.
 */
describe('meshwarden policy validate --mesh', () => {
  let local: TestLocalAws;
  let dir: string;

  async function run(args: string[], env: Record<string, string> = {}) {
    const out: string[] = [];
    const err: string[] = [];
    const config = local.clientConfig('admin');
    const program = new Command().name('meshwarden').exitOverride();
    registerPolicyCommand(program, {
      out: (line) => out.push(line),
      err: (line) => err.push(line),
      live: () => ({
        meshes: createAppMeshProvider(createAppMeshClient(config)),
        alarms: new CloudWatchAlarmSource(new CloudWatchClient(config)),
        certificateAuthorities: new AcmPcaCertificateAuthority(createAcmPcaClient(config)),
      }),
    });
    const previous = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
    Object.assign(process.env, env);
    try {
      await program.parseAsync(['node', 'meshwarden', ...args]);
    } finally {
      for (const [key, value] of Object.entries(previous)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
    return { out, err, exitCode: process.exitCode };
  }

  beforeAll(async () => {
    local = await startSeededLocalAws({ functions: [] });
    dir = mkdtempSync(join(tmpdir(), 'meshwarden-validate-'));
  }, 60_000);
  afterAll(() => local.aws.close());
  beforeEach(() => {
    process.exitCode = undefined;
  });

  it('prints a stableTarget that is no target, a route glob that matches nothing and an alarm that does not exist, each at its line, and exits 1', async () => {
    // Prepare
    const file = join(dir, 'typos.policy.yaml');
    writeFileSync(
      file,
      [
        'version: 1', // 1
        'meshes:', // 2
        '  - mesh: prod', // 3
        '    changeControl:', // 4
        '      default: deny', // 5
        '      onViolation: revert', // 6
        '    deployments:', // 7
        '      routes:', // 8
        '        - route: prod/web-router/web-route', // 9
        '          stableTarget: web-v9', // 10
        '          alarms: [web-5xx-rate, web-5xx-rates]', // 11
        '        - route: prod/web-routr/*', // 12
        '          alarms: [web-p99-latency]', // 13
        '',
      ].join('\n'),
    );
    // Act
    const result = await run(['policy', 'validate', file, '--mesh', DEMO.mesh]);
    // Assess
    expect(result.out).toEqual([
      expect.stringMatching(/^.*typos\.policy\.yaml: valid \(1 mesh entry: prod;/),
    ]);
    expect(result.err.slice(0, -1)).toEqual([
      `${file}:10:25 meshes[0].deployments.routes[0].stableTarget: "web-v9" is not a target of prod/web-router/web-route (targets: web-v1, web-v2): no deployment opens on it`,
      `${file}:11:34 meshes[0].deployments.routes[0].alarms[1]: no CloudWatch alarm named "web-5xx-rates" exists: it can never roll back`,
      `${file}:12:18 meshes[0].deployments.routes[1].route: "prod/web-routr/*" matches no route in mesh prod (route keys read <mesh>/<virtual-router>/<route>): its alarms and stable target guard nothing`,
    ]);
    expect(result.err.at(-1)).toMatch(
      /3 reference\(s\) resolve to nothing \(mesh prod, 2 alarm\(s\), 1 private CA\(s\)\)/,
    );
    expect(result.exitCode).toBe(1);
  });

  it('resolves every reference of the demo policy on the demo mesh: exit 0', async () => {
    // Act
    const result = await run(['policy', 'validate', DEMO_POLICY_FILE, '--mesh', DEMO.mesh]);
    // Assess
    expect(result.err).toEqual([]);
    expect(result.out.at(-1)).toBe(
      `${DEMO_POLICY_FILE}: every reference resolves (mesh prod, 2 alarm(s), 1 private CA(s))`,
    );
    expect(result.exitCode).toBeUndefined();
  });

  it('finds the policy as every command does when no FILE is given (MESHWARDEN_POLICY_FILE)', async () => {
    // Prepare
    const file = join(dir, 'env.policy.yaml');
    writeFileSync(
      file,
      readFileSync(DEMO_POLICY_FILE, 'utf8').replace(
        'resource: prod/route/web-router/web-route',
        'resource: prod/route/web-router/web-rout',
      ),
    );
    // Act
    const result = await run(['policy', 'validate', '--mesh', DEMO.mesh], { MESHWARDEN_POLICY_FILE: file });
    // Assess
    expect(result.err[0]).toMatch(
      new RegExp(
        `^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+ meshes\\[0\\]\\.exemptions\\[0\\]\\.resource: "prod/route/web-router/web-rout" matches no resource`,
      ),
    );
    expect(result.exitCode).toBe(1);
  });

  it('says so when the mesh does not exist', async () => {
    // Act
    const result = await run(['policy', 'validate', DEMO_POLICY_FILE, '--mesh', 'nope']);
    // Assess
    expect(result.err).toEqual(['mesh nope does not exist at the configured endpoint']);
    expect(result.exitCode).toBe(2);
  });
});
