import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchClient, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import {
  GetRuleCommand,
  ListListenersCommand,
  ListRulesCommand,
  ListServicesCommand,
  ListTargetGroupsCommand,
  UpdateRuleCommand,
  VPCLatticeClient,
} from '@aws-sdk/client-vpc-lattice';
import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { isMap, isSeq, parseDocument } from 'yaml';
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
import { parsePolicy } from '../../../shared/policy/load';
import { createAppMeshClient, createAppMeshProvider } from '../../../shared/providers/appmesh';
import { startSeededLocalAws, type TestLocalAws } from '../../support/local-aws';

const SN = 'prod-lattice';
const VPC = 'vpc-0123456789abcdef0';
const WEB_ROUTE = `${DEMO.mesh}/web-router/web-route`;
const LATTICE_WEB_ROUTE = `${SN}/web-prod-local/http-8080/web-route`;

/**
 * The demo policy with, first, the entry apply should write for the demo mesh: the App Mesh
 * entry's change control, exemptions and approvals, and the web route's tagged alarms bound by
 * name to the Lattice rule that replaces it. Written here by hand, as the oracle.
 */
function expectedMigratedPolicy(): string {
  const doc = parseDocument(readFileSync(DEMO_POLICY_FILE, 'utf8'));
  const meshes = doc.get('meshes');
  const prod = isSeq(meshes) ? meshes.items[0] : undefined;
  if (!isSeq(meshes) || !isMap(prod)) throw new Error('the demo policy changed shape');
  const raw = prod.toJSON() as Record<string, unknown>;
  const changeControl = raw.changeControl as { allow: Record<string, unknown>[] };
  const [admins, webTeam] = changeControl.allow;
  if (admins?.id !== 'platform-admins' || webTeam?.id !== 'web-team-deploys')
    throw new Error('the demo policy changed its allow rules');
  meshes.items.unshift(
    doc.createNode({
      mesh: SN,
      provider: 'vpc-lattice',
      serviceNetwork: SN,
      changeControl: {
        ...changeControl,
        allow: [
          admins,
          {
            ...webTeam,
            // Update* of App Mesh, as the Lattice calls that do the same; the web router's routes
            // are the rules of the listener it became.
            actions: [
              'UpdateServiceNetwork',
              'UpdateService',
              'UpdateListener',
              'UpdateRule',
              'UpdateTargetGroup',
              'BatchUpdateRule',
              'RegisterTargets',
              'DeregisterTargets',
            ],
            resources: [{ kind: 'rule', parent: 'web-prod-local/http-8080', name: '*' }],
          },
        ],
      },
      exemptions: (raw.exemptions as Record<string, unknown>[]).map((e) => ({
        ...e,
        resource: `${SN}/rule/web-prod-local/http-8080/web-route`,
        rules: ['lattice.forward-limits'],
      })),
      deployments: { routes: [{ route: LATTICE_WEB_ROUTE, alarms: [...DEMO.alarms] }] },
      approvals: raw.approvals,
    }),
  );
  return doc.toString();
}

/**
 * `meshwarden migrate apply` and `migrate shift` on the demo mesh against local AWS, with the
 * real VPC Lattice SDK client: a run that dies part-way, the re-run that completes it, a third
 * run that changes nothing, a refusal before any write, the translated policy, and the shift
 * advice that reads both sides' alarms. Each test starts its own local AWS and makes the state
 * it needs (a failed run, a complete one) itself, so each passes alone and in any order.
 */
describe('migrate apply on the demo mesh', () => {
  let local: TestLocalAws;
  let lattice: VPCLatticeClient;
  let dir: string;
  let expectedPolicy: string;
  let policyOut: string;
  /** Mutating VPC Lattice calls as the edge answered them (CloudTrail's view: not Get/List). */
  const writes: string[] = [];

  function cli(): MigrateApplyCli & { lines: string[]; errors: string[] } {
    const lines: string[] = [];
    const errors: string[] = [];
    // One attempt per call: a fault injected on a create is a failed create, as a crash would leave it.
    const config = { ...local.clientConfig('admin'), maxAttempts: 1 };
    const real = migrateApplyClients(
      planFromMesh(() => createAppMeshProvider(createAppMeshClient(config))),
      config,
    );
    return { ...real, lines, errors, out: (l) => lines.push(l), err: (l) => errors.push(l) };
  }

  async function run(args: string[]) {
    const io = cli();
    const program = new Command().name('meshwarden').exitOverride();
    registerMigrateApplyCommands(migrateGroup(program), io);
    await program.parseAsync(['node', 'meshwarden', 'migrate', ...args]);
    return { ...io, exitCode: process.exitCode };
  }

  const applyArgs = (...extra: string[]) => [
    'apply',
    '--mesh',
    DEMO.mesh,
    '--to',
    'vpc-lattice',
    '--service-network',
    SN,
    '--vpc',
    VPC,
    '--policy',
    DEMO_POLICY_FILE,
    '--table',
    local.aws.functionEnv.MESHWARDEN_TABLE as string,
    '--account',
    local.aws.accountId,
    ...extra,
  ];

  async function webRule() {
    const services = (await lattice.send(new ListServicesCommand({}))).items ?? [];
    const web = services.find((s) => s.name === 'web-prod-local');
    const listeners =
      (await lattice.send(new ListListenersCommand({ serviceIdentifier: web?.id }))).items ?? [];
    const listener = listeners[0];
    const rules = (
      await lattice.send(
        new ListRulesCommand({ serviceIdentifier: web?.id, listenerIdentifier: listener?.id }),
      )
    ).items?.filter((r) => r.isDefault !== true);
    return { serviceId: web?.id as string, listenerId: listener?.id as string, rules: rules ?? [] };
  }

  async function setFaults(rules: unknown[]) {
    const answer = await fetch(`${local.aws.endpoint}/_local/faults`, {
      method: 'PUT',
      body: JSON.stringify(rules),
    });
    if (!answer.ok) throw new Error(`PUT /_local/faults: ${answer.status}`);
  }

  /** Prepare: a run that dies at its first CreateRule, as a crash would leave it. */
  async function failedRun() {
    await setFaults([{ service: 'vpc-lattice', operation: 'CreateRule', errorRate: 1, times: 1 }]);
    const result = await run(applyArgs());
    await setFaults([]);
    if (result.exitCode !== 1) throw new Error(`the faulted run did not fail: ${result.lines.join('\n')}`);
    process.exitCode = undefined;
    writes.length = 0;
  }

  /** Prepare: a complete run, the migrated policy written to policyOut. */
  async function completeRun() {
    const result = await run(applyArgs('--policy-out', policyOut));
    if (result.exitCode !== undefined || result.errors.length > 0)
      throw new Error(`migrate apply failed: ${result.errors.join('\n')}`);
    // The functions have seen every create (the guard records the rules as apply made them).
    await local.aws.drain();
    writes.length = 0;
  }

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'meshwarden-migrate-'));
    // The functions enforce the policy apply is expected to write (the guard reads it once, at
    // start): the tests assert that apply writes exactly this entry.
    expectedPolicy = join(dir, 'expected.policy.yaml');
    writeFileSync(expectedPolicy, expectedMigratedPolicy());
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  // A fresh local AWS per test: no test sees what another applied, faulted or changed.
  beforeEach(async () => {
    process.exitCode = undefined;
    writes.length = 0;
    policyOut = join(mkdtempSync(join(dir, 'run-')), 'migrated.policy.yaml');
    local = await startSeededLocalAws({ policyFile: expectedPolicy });
    local.aws.onApiCall((call) => {
      const op = call.operation ?? '?';
      if (call.request.service === 'vpc-lattice' && !/^(Get|List)/.test(op)) writes.push(op);
    });
    lattice = new VPCLatticeClient(local.clientConfig());
  }, 60_000);
  afterEach(async () => {
    lattice?.destroy();
    await local?.aws.close();
    process.exitCode = undefined;
  });

  it('dies part-way when a create fails (fault on the first CreateRule), keeping what it made and auditing how far it got', async () => {
    // As a person would: PUT /_local/faults on the edge endpoint.
    await setFaults([{ service: 'vpc-lattice', operation: 'CreateRule', errorRate: 1, times: 1 }]);

    const result = await run(applyArgs());
    await setFaults([]);

    expect(result.exitCode).toBe(1);
    expect(result.errors.join('\n')).toMatch(
      /create service\/.*\/rule\/.* failed: .*run migrate apply again/s,
    );
    expect(writes).toContain('CreateServiceNetwork');
    expect(writes.filter((w) => w === 'CreateRule')).toHaveLength(1);
    expect((await webRule()).rules).toEqual([]);
    const audit = new DynamoAuditLog(
      createDocumentClient(local.clientConfig()),
      local.aws.functionEnv.MESHWARDEN_TABLE as string,
      local.aws.accountId,
    );
    const [latest] = await audit.list(DEMO.mesh, 1);
    expect(latest).toMatchObject({ outcome: 'failed', decision: { operation: 'MigrateToVpcLattice' } });
  });

  it('completes on a re-run after a run that died part-way: ListServices, ListRules and GetRule show the mesh, weights carried over, audited', async () => {
    await failedRun();

    const result = await run(applyArgs('--policy-out', policyOut));

    expect(result.errors).toEqual([]);
    expect(result.exitCode).toBeUndefined();
    expect(writes).not.toContain('CreateServiceNetwork');
    expect(writes).toContain('CreateRule');
    const names = ((await lattice.send(new ListServicesCommand({}))).items ?? []).map((s) => s.name);
    expect(names).toEqual(
      expect.arrayContaining(['web-prod-local', 'payments-prod-local', 'frontend-prod-local']),
    );
    const { serviceId, listenerId, rules } = await webRule();
    const webRoute = rules.find((r) => r.name === 'web-route');
    expect(webRoute).toBeDefined();
    const rule = await lattice.send(
      new GetRuleCommand({
        serviceIdentifier: serviceId,
        listenerIdentifier: listenerId,
        ruleIdentifier: webRoute?.id,
      }),
    );
    const groups = new Map(
      ((await lattice.send(new ListTargetGroupsCommand({}))).items ?? []).map((g) => [g.id, g.name]),
    );
    expect(
      (rule.action?.forward?.targetGroups ?? []).map((t) => [groups.get(t.targetGroupIdentifier), t.weight]),
    ).toEqual([
      ['web-v1', 90],
      ['web-v2', 10],
    ]);
    const audit = new DynamoAuditLog(
      createDocumentClient(local.clientConfig()),
      local.aws.functionEnv.MESHWARDEN_TABLE as string,
      local.aws.accountId,
    );
    const [latest] = await audit.list(DEMO.mesh, 1);
    expect(latest).toMatchObject({
      outcome: 'applied',
      decision: { principal: { label: 'PlatformAdmin/admin' }, migration: { serviceNetwork: SN } },
    });

    // The policy: the App Mesh entry kept, the Lattice entry first, the web route's tagged alarms
    // re-keyed; the demo's change-control rules and exemption all have Lattice counterparts. Its
    // compliance settings are named, since they do not act the same on Lattice (bob's hold does).
    expect(result.lines.filter((l) => l.startsWith('not carried'))).toEqual([
      expect.stringContaining('compliance: its settings judge App Mesh resources'),
    ]);
    const policy = parsePolicy(readFileSync(policyOut, 'utf8'), policyOut);
    const expected = parsePolicy(readFileSync(expectedPolicy, 'utf8'), expectedPolicy);
    expect(policy.forMesh(SN)?.document).toEqual(expected.forMesh(SN)?.document);
    expect(policy.forMesh(DEMO.mesh)?.document.provider).toBe('appmesh');
    const entry = policy.forMesh(SN)?.document;
    expect(entry).toMatchObject({ provider: 'vpc-lattice', serviceNetwork: SN });
    const webRoutes =
      entry?.deployments?.routes.filter((r) => r.route.startsWith(`${SN}/web-prod-local/`)) ?? [];
    expect(webRoutes.flatMap((r) => r.alarms).sort()).toEqual([...DEMO.alarms].sort());
  });

  it('changes nothing on a third run (after one that died and the one that completed it) and says so', async () => {
    await failedRun();
    await completeRun();

    const result = await run(applyArgs());

    expect(result.exitCode).toBeUndefined();
    expect(result.lines).toContain(
      `nothing to change: VPC Lattice service network ${SN} matches the plan of mesh ${DEMO.mesh}`,
    );
    expect(writes).toEqual([]);
  });

  it('refuses before any write when a same-named rule differs from the plan, and prints the difference', async () => {
    await completeRun();
    const { serviceId, listenerId, rules } = await webRule();
    const id = rules.find((r) => r.name === 'web-route')?.id;
    const input = { serviceIdentifier: serviceId, listenerIdentifier: listenerId, ruleIdentifier: id };
    const before = await lattice.send(new GetRuleCommand(input));
    const targets = before.action?.forward?.targetGroups ?? [];
    await lattice.send(
      new UpdateRuleCommand({
        ...input,
        action: { forward: { targetGroups: targets.map((t, i) => ({ ...t, weight: i === 0 ? 50 : 50 })) } },
      }),
    );
    writes.length = 0;

    const result = await run(applyArgs());

    expect(result.exitCode).toBe(1);
    expect(result.errors.join('\n')).toContain(
      'differs: service web-prod-local listener http-8080 rule web-route: action is',
    );
    expect(result.errors.join('\n')).toContain(
      'web-v1=50, web-v2=50 in VPC Lattice, forward web-v1=90, web-v2=10 in the plan',
    );
    expect(writes).toEqual([]);
  });

  it("shift: prints the split and both sides' alarms, and suggests no step while one of them is in ALARM", async () => {
    await completeRun();
    const shiftArgs = [
      'shift',
      '--mesh',
      DEMO.mesh,
      '--to',
      'vpc-lattice',
      '--service-network',
      SN,
      '--vpc',
      VPC,
      '--policy',
      policyOut,
      '--percent',
      '10',
    ];
    const cloudwatch = new CloudWatchClient(local.clientConfig());
    await cloudwatch.send(
      new SetAlarmStateCommand({ AlarmName: DEMO.alarms[0], StateValue: 'OK', StateReason: 'fine' }),
    );

    const ok = await run(shiftArgs);

    expect(ok.exitCode).toBeUndefined();
    // Bound on both sides: by tag to the App Mesh route, by the migrated policy to the Lattice rule.
    expect(ok.lines.join('\n')).toContain(
      `${DEMO.alarms[0]} OK: bound to ${LATTICE_WEB_ROUTE}, ${WEB_ROUTE}`,
    );
    expect(ok.lines.at(-1)).toContain('--percent 25');

    await cloudwatch.send(
      new SetAlarmStateCommand({
        AlarmName: DEMO.alarms[0],
        StateValue: 'ALARM',
        StateReason: '5xx above threshold',
      }),
    );
    process.exitCode = undefined;
    const refused = await run(shiftArgs);

    expect(refused.exitCode).toBe(1);
    expect(refused.errors[0]).toContain('No step now');
    expect(refused.errors.join('\n')).toContain(
      `${DEMO.alarms[0]} (bound to ${LATTICE_WEB_ROUTE}, ${WEB_ROUTE}): 5xx above threshold`,
    );
    cloudwatch.destroy();
  });

  it('after apply, the guard watches the migrated rule: a weight move opens a deployment and the re-keyed alarm rolls it back', async () => {
    await completeRun();
    const seen: BusEvent[] = [];
    local.aws.bus.onActivity((a) => {
      if (a.kind === 'event') seen.push(a.event);
    });
    const cloudwatch = new CloudWatchClient(local.clientConfig());
    const { serviceId, listenerId, rules } = await webRule();
    const input = {
      serviceIdentifier: serviceId,
      listenerIdentifier: listenerId,
      ruleIdentifier: rules.find((r) => r.name === 'web-route')?.id,
    };
    const rule = await lattice.send(new GetRuleCommand(input));
    const [v1, v2] = rule.action?.forward?.targetGroups ?? [];
    const weighted = (a: number, b: number) => ({
      ...input,
      action: {
        forward: {
          targetGroups: [
            { targetGroupIdentifier: v1?.targetGroupIdentifier, weight: a },
            { targetGroupIdentifier: v2?.targetGroupIdentifier, weight: b },
          ],
        },
      },
    });
    // The guard recorded the rule when apply created it (90/10); now the canary gets half.
    await lattice.send(new UpdateRuleCommand(weighted(50, 50)));
    await local.aws.drain();
    expect(seen.some((e) => e['detail-type'] === 'DeploymentOpened')).toBe(true);

    await cloudwatch.send(
      new SetAlarmStateCommand({
        AlarmName: DEMO.alarms[0],
        StateValue: 'ALARM',
        StateReason: '5xx above threshold',
      }),
    );
    await local.aws.drain();
    cloudwatch.destroy();

    const after = await lattice.send(new GetRuleCommand(input));
    expect((after.action?.forward?.targetGroups ?? []).map((t) => t.weight)).toEqual([100, 0]);
    const rolledBack = seen.filter((e) => e['detail-type'] === 'DeploymentRolledBack');
    expect(rolledBack).toHaveLength(1);
    expect(rolledBack[0]?.detail).toMatchObject({ routeKey: LATTICE_WEB_ROUTE });
  }, 60_000);
});
