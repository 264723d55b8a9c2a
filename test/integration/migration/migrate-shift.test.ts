import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type AppMeshClient,
  DescribeRouteCommand,
  DescribeVirtualNodeCommand,
} from '@aws-sdk/client-app-mesh';
import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { GetServiceCommand, ListServicesCommand, VPCLatticeClient } from '@aws-sdk/client-vpc-lattice';
import { Command } from 'commander';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type MigrateApplyCli,
  migrateApplyClients,
  planFromMesh,
  registerMigrateApplyCommands,
} from '../../../infra/cli/migrate-apply-command';
import { migrateGroup } from '../../../infra/cli/migrate-command';
import { DEMO } from '../../../infra/local/demo/seed';
import { DEMO_POLICY_FILE } from '../../../infra/local/runtime';
import type { BusEvent } from '../../../infra/local/types';
import { DynamoAuditLog } from '../../../shared/adapters/dynamodb/audit-log';
import { createDocumentClient } from '../../../shared/adapters/dynamodb/client';
import { DynamoDbDeploymentStore } from '../../../shared/adapters/dynamodb/deployment-store';
import { DynamoLastKnownGoodStore } from '../../../shared/adapters/dynamodb/last-known-good-store';
import { createAppMeshClient, createAppMeshProvider } from '../../../shared/providers/appmesh';
import { startSeededLocalAws, type TestLocalAws } from '../../support/local-aws';

const SN = 'prod-lattice';
const VPC = 'vpc-0123456789abcdef0';
const WEB_ROUTE = `${DEMO.mesh}/web-router/web-route`;
const LATTICE_WEB_ROUTE = `${SN}/web-prod-local/http-8080/web-route`;
const BRIDGE = `${DEMO.stableNode}-lattice`;
const BRIDGE_KEY = `${DEMO.mesh}/virtual-node/${BRIDGE}`;
/** An alarm of the VPC Lattice side only: tagged for the rule that replaces the App Mesh route. */
const LATTICE_ALARM = 'web-lattice-5xx';

/**
 * The demo policy with the exemption the shift asks for: the bridge (a DNS name for the VPC
 * Lattice service, no TLS of its own) may break the demo's tls.strict for a month.
 */
function exemptedPolicyFile(): string {
  const demo = readFileSync(DEMO_POLICY_FILE, 'utf8');
  const expires = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  const entry = [
    `      - resource: ${BRIDGE_KEY}`,
    '        rules: [tls.strict]',
    `        expires: ${expires}`,
    '        reason: the migration bridge to VPC Lattice terminates no TLS',
    '',
  ].join('\n');
  const at = demo.indexOf('    exemptions:\n');
  if (at < 0) throw new Error('the demo policy has no exemptions section to add to');
  const after = at + '    exemptions:\n'.length;
  const file = join(mkdtempSync(join(tmpdir(), 'meshwarden-shift-')), 'exempted.policy.yaml');
  writeFileSync(file, demo.slice(0, after) + entry + demo.slice(after));
  return file;
}
const EXEMPTED_POLICY_FILE = exemptedPolicyFile();

/**
 * `meshwarden migrate shift --route` on the demo mesh against local AWS: after `migrate apply`,
 * the shift creates the bridge virtual node, writes the first step, and the deployment guard
 * (the functions local AWS runs on CloudTrail and alarm events) opens the deployment and rolls
 * it back to the App Mesh split when an alarm bound only to the VPC Lattice rule fires. Each
 * test starts its own local AWS.
 */
describe('migrate shift --route on the demo mesh', () => {
  let local: TestLocalAws;
  let appMesh: AppMeshClient;
  let cloudwatch: CloudWatchClient;
  let lattice: VPCLatticeClient;
  const seen: BusEvent[] = [];

  function cli(): MigrateApplyCli & { lines: string[]; errors: string[] } {
    const lines: string[] = [];
    const errors: string[] = [];
    const config = local.clientConfig('admin');
    const real = migrateApplyClients(
      planFromMesh(() => createAppMeshProvider(createAppMeshClient(config))),
      config,
    );
    return { ...real, lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l) };
  }

  async function run(args: string[]) {
    process.exitCode = undefined;
    const io = cli();
    const program = new Command().name('meshwarden').exitOverride();
    registerMigrateApplyCommands(migrateGroup(program), io);
    await program.parseAsync(['node', 'meshwarden', 'migrate', ...args]);
    return { ...io, exitCode: process.exitCode };
  }

  let policyFile = EXEMPTED_POLICY_FILE;
  const common = () => [
    '--mesh',
    DEMO.mesh,
    '--to',
    'vpc-lattice',
    '--service-network',
    SN,
    '--vpc',
    VPC,
    '--policy',
    policyFile,
    '--table',
    local.aws.functionEnv.MESHWARDEN_TABLE as string,
    '--account',
    local.aws.accountId,
  ];
  const shiftArgs = () => ['shift', ...common(), '--route', 'web-router/web-route', '--steps', '10,50,100'];

  async function weightsOfRoute(): Promise<Record<string, number>> {
    const { route } = await appMesh.send(
      new DescribeRouteCommand({
        meshName: DEMO.mesh,
        virtualRouterName: DEMO.router,
        routeName: DEMO.route,
      }),
    );
    return Object.fromEntries(
      (route?.spec?.httpRoute?.action?.weightedTargets ?? []).map((t) => [t.virtualNode, t.weight]),
    );
  }

  async function setAlarm(name: string, state: 'OK' | 'ALARM', reason: string) {
    await cloudwatch.send(
      new SetAlarmStateCommand({ AlarmName: name, StateValue: state, StateReason: reason }),
    );
  }

  /** Prepare: the mesh applied to VPC Lattice, every alarm of both sides OK. */
  async function applied() {
    const result = await run(['apply', ...common()]);
    if (result.exitCode !== undefined) throw new Error(`migrate apply failed: ${result.errors.join('\n')}`);
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: LATTICE_ALARM,
        Namespace: 'AWS/VpcLattice',
        MetricName: 'HTTPCode_5XX_Count',
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 5,
        ComparisonOperator: 'GreaterThanThreshold',
        Tags: [{ Key: 'meshwarden:route', Value: LATTICE_WEB_ROUTE }],
      }),
    );
    for (const name of [...DEMO.alarms, LATTICE_ALARM]) await setAlarm(name, 'OK', 'fine');
    await local.aws.drain();
    seen.length = 0;
  }

  /** Local AWS seeded with the demo, its functions running with `policy` (the CLI's --policy too). */
  async function start(policy = EXEMPTED_POLICY_FILE) {
    policyFile = policy;
    local = await startSeededLocalAws({ policyFile: policy });
    local.aws.bus.onActivity((a) => {
      if (a.kind === 'event') seen.push(a.event);
    });
    appMesh = createAppMeshClient(local.clientConfig());
    cloudwatch = new CloudWatchClient(local.clientConfig());
    lattice = new VPCLatticeClient(local.clientConfig());
  }

  beforeEach(() => {
    process.exitCode = undefined;
    seen.length = 0;
  });
  afterEach(async () => {
    appMesh?.destroy();
    cloudwatch?.destroy();
    lattice?.destroy();
    await local?.aws.close();
    process.exitCode = undefined;
  });

  it('creates the bridge node, moves the route to the first step, and a VPC Lattice alarm rolls it back to the App Mesh split', async () => {
    await start();
    await applied();
    const before = await weightsOfRoute();

    const result = await run(shiftArgs());
    await local.aws.drain();

    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBeUndefined();
    expect(result.lines).toContain(`  ${LATTICE_ALARM} OK: bound to ${LATTICE_WEB_ROUTE}`);
    // The bridge: DNS discovery at the Lattice service's own name, web-v1's listener.
    const services = (await lattice.send(new ListServicesCommand({}))).items ?? [];
    const web = services.find((s) => s.name === 'web-prod-local');
    const service = await lattice.send(new GetServiceCommand({ serviceIdentifier: web?.id }));
    expect(service.dnsEntry?.domainName).toMatch(/\.on\.aws$/);
    const { virtualNode: bridge } = await appMesh.send(
      new DescribeVirtualNodeCommand({ meshName: DEMO.mesh, virtualNodeName: BRIDGE }),
    );
    const { virtualNode: stable } = await appMesh.send(
      new DescribeVirtualNodeCommand({ meshName: DEMO.mesh, virtualNodeName: DEMO.stableNode }),
    );
    expect(bridge?.spec?.serviceDiscovery?.dns?.hostname).toBe(service.dnsEntry?.domainName);
    // The admin's write, judged by change control as theirs: allowed, exempt from tls.strict, kept.
    const decisions = seen
      .filter((e) => e['detail-type'] === 'GovernanceDecision')
      .map((e) => e.detail as { resourceKey?: string });
    expect(decisions.filter((d) => d.resourceKey === BRIDGE_KEY)).toEqual([
      expect.objectContaining({
        operation: 'CreateVirtualNode',
        principal: expect.objectContaining({
          arn: 'arn:aws:sts::000000000000:assumed-role/PlatformAdmin/admin',
        }),
        changeControl: 'allow',
        action: 'keep',
      }),
    ]);
    expect(decisions.map((d) => d.resourceKey)).toContain(`${DEMO.mesh}/route/${DEMO.router}/${DEMO.route}`);
    const kept = await new DynamoLastKnownGoodStore(
      createDocumentClient(local.clientConfig()),
      local.aws.functionEnv.MESHWARDEN_TABLE as string,
      local.aws.accountId,
    ).get(BRIDGE_KEY);
    expect(kept).toMatchObject({ source: 'event', resource: { name: BRIDGE } });
    expect(kept?.ownWrite).toBeUndefined();
    expect(bridge?.spec?.listeners?.map((l) => l.portMapping)).toEqual(
      stable?.spec?.listeners?.map((l) => l.portMapping),
    );
    // The first step: 10 on the bridge, the App Mesh targets keep their 90/10 split of the rest.
    expect(before).toEqual({ [DEMO.stableNode]: 90, [DEMO.canaryNode]: 10 });
    expect(await weightsOfRoute()).toEqual({ [DEMO.stableNode]: 81, [DEMO.canaryNode]: 9, [BRIDGE]: 10 });
    const opened = seen.filter((e) => e['detail-type'] === 'DeploymentOpened');
    expect(opened.map((e) => (e.detail as { routeKey?: string }).routeKey)).toEqual([WEB_ROUTE]);
    const store = new DynamoDbDeploymentStore(
      createDocumentClient(local.clientConfig()),
      local.aws.functionEnv.MESHWARDEN_TABLE as string,
      local.aws.accountId,
    );
    expect((await store.get(WEB_ROUTE))?.deployment).toMatchObject({
      status: 'in-progress',
      stableSource: 'requested',
      canaryTargets: [BRIDGE],
      stableWeights: { [DEMO.stableNode]: 90, [DEMO.canaryNode]: 10 },
      watches: [LATTICE_WEB_ROUTE],
      progress: { steps: [10, 50, 100], stepIndex: 0 },
    });
    const audit = new DynamoAuditLog(
      createDocumentClient(local.clientConfig()),
      local.aws.functionEnv.MESHWARDEN_TABLE as string,
      local.aws.accountId,
    );
    const shifts = (await audit.list(DEMO.mesh, 20)).filter(
      (r) => r.decision.operation === 'MigrateShiftToVpcLattice',
    );
    expect(shifts.map((r) => r.outcome)).toEqual(['applied']);

    // Bound to the VPC Lattice rule only, yet it guards the App Mesh route's deployment.
    await setAlarm(LATTICE_ALARM, 'ALARM', '5xx above threshold on VPC Lattice');
    await local.aws.drain();

    expect(await weightsOfRoute()).toEqual({ [DEMO.stableNode]: 90, [DEMO.canaryNode]: 10, [BRIDGE]: 0 });
    const rolledBack = seen.filter((e) => e['detail-type'] === 'DeploymentRolledBack');
    expect(rolledBack.map((e) => e.detail)).toEqual([expect.objectContaining({ routeKey: WEB_ROUTE })]);
  }, 90_000);

  it('refuses a bridge change control would not keep (the demo policy’s tls.strict, no exemption), and writes nothing', async () => {
    await start(DEMO_POLICY_FILE);
    await applied();

    const result = await run(shiftArgs());
    await local.aws.drain();

    expect(result.exitCode).toBe(1);
    const errors = result.errors.join('\n');
    expect(errors).toContain('refused: nothing was written.');
    expect(errors).toContain(`${BRIDGE_KEY}: tls.strict: virtual node ${BRIDGE}`);
    expect(errors).toContain(`resource: ${BRIDGE_KEY}, rules: [tls.strict]`);
    await expect(
      appMesh.send(new DescribeVirtualNodeCommand({ meshName: DEMO.mesh, virtualNodeName: BRIDGE })),
    ).rejects.toThrow(/not/i);
    expect(await weightsOfRoute()).toEqual({ [DEMO.stableNode]: 90, [DEMO.canaryNode]: 10 });
    expect(seen.filter((e) => e['detail-type'] === 'GovernanceDecision')).toEqual([]);
  }, 90_000);

  it('refuses when the guard’s own record of the route is not the split it would shift from, and writes nothing', async () => {
    await start();
    await applied();
    const store = new DynamoDbDeploymentStore(
      createDocumentClient(local.clientConfig()),
      local.aws.functionEnv.MESHWARDEN_TABLE as string,
      local.aws.accountId,
    );
    const record = await store.get(WEB_ROUTE);
    if (record?.lastWeights === undefined) throw new Error('the guard has not recorded the demo route');
    // As if the route changed and the guard has not seen it yet.
    await store.save({ ...record, lastWeights: { [DEMO.stableNode]: 50, [DEMO.canaryNode]: 50 } });

    const result = await run(shiftArgs());

    expect(result.exitCode).toBe(1);
    expect(result.errors.join('\n')).toContain(
      `the deployment guard last recorded ${DEMO.stableNode} 50 / ${DEMO.canaryNode} 50 for ${WEB_ROUTE}, not ${DEMO.stableNode} 90 / ${DEMO.canaryNode} 10 as read now`,
    );
    expect(await weightsOfRoute()).toEqual({ [DEMO.stableNode]: 90, [DEMO.canaryNode]: 10 });
    expect((await store.get(WEB_ROUTE))?.requested).toBeUndefined();
    await expect(
      appMesh.send(new DescribeVirtualNodeCommand({ meshName: DEMO.mesh, virtualNodeName: BRIDGE })),
    ).rejects.toThrow(/not/i);
  }, 90_000);

  it('refuses while an alarm of the VPC Lattice side is in ALARM, and writes nothing', async () => {
    await start();
    await applied();
    await setAlarm(LATTICE_ALARM, 'ALARM', '5xx above threshold on VPC Lattice');

    const result = await run(shiftArgs());

    expect(result.exitCode).toBe(1);
    expect(result.errors.join('\n')).toContain(
      `alarm ${LATTICE_ALARM} (bound to ${LATTICE_WEB_ROUTE}) is in ALARM: 5xx above threshold on VPC Lattice`,
    );
    expect(await weightsOfRoute()).toEqual({ [DEMO.stableNode]: 90, [DEMO.canaryNode]: 10 });
    await expect(
      appMesh.send(new DescribeVirtualNodeCommand({ meshName: DEMO.mesh, virtualNodeName: BRIDGE })),
    ).rejects.toThrow(/not/i);
  }, 90_000);

  it('refuses before migrate apply: the VPC Lattice service does not exist yet', async () => {
    await start();
    const result = await run(shiftArgs());

    expect(result.exitCode).toBe(1);
    expect(result.errors.join('\n')).toContain('run migrate apply first');
    expect(await weightsOfRoute()).toEqual({ [DEMO.stableNode]: 90, [DEMO.canaryNode]: 10 });
  }, 90_000);
});
