import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ACMClient } from '@aws-sdk/client-acm';
import {
  AppMeshClient,
  DescribeVirtualNodeCommand,
  UpdateVirtualNodeCommand,
} from '@aws-sdk/client-app-mesh';
import { Command } from 'commander';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { registerAuditCommand } from '../../../infra/cli/audit-command';
import type { ChangeControlCli } from '../../../infra/cli/change-control-clients';
import { registerExplainCommand } from '../../../infra/cli/explain-command';
import { FUNCTIONS } from '../../../infra/function-catalog';
import { DEMO } from '../../../infra/local/demo/seed';
import { DEMO_POLICY_FILE } from '../../../infra/local/runtime';
import type { BusEvent } from '../../../infra/local/types';
import { AcmCertificateIssuers } from '../../../shared/adapters/acm/certificate-issuers';
import { createDocumentClient } from '../../../shared/adapters/dynamodb/client';
import { createAppMeshClient, createAppMeshProvider } from '../../../shared/providers/appmesh';
import { startSeededLocalAws, type TestLocalAws } from '../../support/local-aws';
import { loadEvent } from '../../support/sample-events';

/**
 * `meshwarden audit` and `meshwarden explain` against local AWS. mesh-change is not running
 * here, so a violating change stays in place for explain to judge.
 */
describe('meshwarden audit and explain', () => {
  let local: TestLocalAws;
  let dir: string;
  const seen: BusEvent[] = [];

  function cli(): ChangeControlCli & { lines: string[]; errors: string[] } {
    const lines: string[] = [];
    const errors: string[] = [];
    const config = local.clientConfig('admin');
    return {
      lines,
      errors,
      out: (line) => lines.push(line),
      err: (line) => errors.push(line),
      meshes: () => createAppMeshProvider(createAppMeshClient(config)),
      issuers: () => new AcmCertificateIssuers(new ACMClient(config)),
      documents: () => createDocumentClient(config),
    };
  }

  async function run(args: string[]) {
    const io = cli();
    const program = new Command().name('meshwarden').exitOverride();
    registerAuditCommand(program, io);
    registerExplainCommand(program, io);
    await program.parseAsync(['node', 'meshwarden', ...args]);
    return { ...io, exitCode: process.exitCode };
  }

  beforeAll(async () => {
    local = await startSeededLocalAws({ functions: FUNCTIONS.filter((f) => f.name !== 'mesh-change') });
    local.aws.bus.onActivity((a) => {
      if (a.kind === 'event') seen.push(a.event);
    });
    dir = mkdtempSync(join(tmpdir(), 'meshwarden-cli-'));
  }, 60_000);
  afterAll(() => local.aws.close());
  beforeEach(() => {
    process.exitCode = undefined;
  });

  it('audits the compliant demo mesh: a summary and exit code 0', async () => {
    const result = await run(['audit', '--mesh', DEMO.mesh, '--policy', DEMO_POLICY_FILE]);

    expect(result.exitCode).toBeUndefined();
    expect(result.lines.at(-1)).toBe('mesh prod: 12 resources, 0 violation(s), 0 exempted');
  });

  it('exits 1 and lists each violation when the policy asks more than the mesh has', async () => {
    const strict = join(dir, 'strict.policy.yaml');
    writeFileSync(
      strict,
      readFileSync(DEMO_POLICY_FILE, 'utf8').replace(
        '      # healthChecks: { required: true }',
        '      healthChecks: { required: true }',
      ),
    );

    const table = await run(['audit', '--mesh', DEMO.mesh, '--policy', strict]);
    process.exitCode = undefined;
    const json = await run(['audit', '--mesh', DEMO.mesh, '--policy', strict, '--format', 'json']);

    expect(table.exitCode).toBe(1);
    expect(table.lines[0]).toMatch(/^RESOURCE\s+RULE\s+STATUS\s+FINDING$/);
    expect(
      table.lines.some(
        (l) => l.startsWith('prod/virtual-gateway/ingress-gw') && l.includes('health-check.required'),
      ),
    ).toBe(true);
    expect(JSON.parse(json.lines.join('\n'))).toMatchObject({ meshName: 'prod', violations: 1 });
  });

  it('refuses a mesh that does not exist with exit code 2', async () => {
    const result = await run(['audit', '--mesh', 'nope', '--policy', DEMO_POLICY_FILE]);

    expect(result.exitCode).toBe(2);
    expect(result.errors).toEqual(['mesh nope does not exist at the configured endpoint']);
  });

  it('explains a violating change without acting on it', async () => {
    // The audit records last known good specs (nothing else has judged the seeded mesh here).
    await local.aws.functions.invoke('mesh-audit', {
      version: '0',
      id: 'audit-1',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: local.aws.accountId,
      time: '2026-11-26T05:00:00Z',
      region: local.aws.region,
      resources: ['arn:aws:events:us-east-1:000000000000:rule/mesh-audit-daily-audit'],
      detail: {},
    });
    const alice = new AppMeshClient(local.clientConfig('oidcDeveloper'));
    const ref = { meshName: DEMO.mesh, virtualNodeName: DEMO.canaryNode };
    const { virtualNode } = await alice.send(new DescribeVirtualNodeCommand(ref));
    await alice.send(new UpdateVirtualNodeCommand({ ...ref, spec: { ...virtualNode?.spec, backends: [] } }));
    await local.aws.drain();
    const event = seen
      .filter((e) => (e.detail as { eventName?: string }).eventName === 'UpdateVirtualNode')
      .at(-1);
    const file = join(dir, 'event.json');
    writeFileSync(file, JSON.stringify(event));
    const writesBefore = local.aws.timeline.all().filter((e) => e.kind === 'api').length;

    const result = await run(['explain', file, '--policy', DEMO_POLICY_FILE, '--table', 'meshwarden-state']);

    expect(result.exitCode).toBe(1);
    expect(result.lines[0]).toBe(
      'UpdateVirtualNode on prod/virtual-node/web-v2 by role MeshDeveloper (session alice) via arn:aws:iam::000000000000:oidc-provider/token.actions.githubusercontent.com',
    );
    expect(result.lines[1]).toBe('decision: revert (change control: deny)');
    expect(result.lines).toContain('effect: restore the last known good spec of prod/virtual-node/web-v2');
    const { virtualNode: after } = await alice.send(new DescribeVirtualNodeCommand(ref));
    expect(after?.spec?.backends).toEqual([]);
    expect(local.aws.timeline.all().filter((e) => e.kind === 'api').length).toBe(writesBefore);
  });

  it('explains a change by a caller it cannot identify as unjudgeable: reported, exit code 1', async () => {
    const file = join(dir, 'unknown-caller.json');
    const event = loadEvent('appmesh/update-route-unknown-identity');
    writeFileSync(
      file,
      JSON.stringify({ ...event, detail: { ...event.detail, userIdentity: { type: 'Wizard' } } }),
    );

    const result = await run(['explain', file, '--policy', DEMO_POLICY_FILE]);

    expect(result.exitCode).toBe(1);
    expect(result.lines.slice(0, 2)).toEqual([
      'UpdateRoute on prod/route/web-router/web-route by unidentified caller ?',
      'decision: report (change control: unjudgeable)',
    ]);
    expect(result.lines.join('\n')).toContain('the caller cannot be identified: userIdentity type "Wizard"');
  });

  it('refuses a malformed event file, naming the path', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ source: 'aws.appmesh', detail: {} }));

    const result = await run(['explain', file, '--policy', DEMO_POLICY_FILE]);

    expect(result.exitCode).toBe(2);
    expect(result.errors.join('\n')).toMatch(/detail\.eventID/);
  });
});
