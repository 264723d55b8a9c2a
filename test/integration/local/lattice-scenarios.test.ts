import { GetRuleCommand, VPCLatticeClient } from '@aws-sdk/client-vpc-lattice';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LATTICE_SCENARIOS } from '../../../infra/local/demo/lattice-scenarios';
import { findLatticeDemoRule, LATTICE_DEMO, seedLatticeDemo } from '../../../infra/local/demo/lattice-seed';
import { SCENARIOS } from '../../../infra/local/demo/scenarios';
import { startSeededLocalAws, type TestLocalAws } from '../../support/local-aws';

/**
 * The Lattice scenarios `npm run demo` plays, against the runtime `npm start` runs (App Mesh and
 * Lattice demos seeded by the platform admin): each ends as its title says, read back with
 * GetRule, and a scenario whose outcome differs fails instead of printing a happy story.
 */
describe('npm run demo: the VPC Lattice scenarios', () => {
  let local: TestLocalAws;
  let lattice: VPCLatticeClient;
  let rule: { serviceIdentifier: string; listenerIdentifier: string; ruleIdentifier: string };

  const scenario = (name: string) => {
    const found = LATTICE_SCENARIOS.find((s) => s.name === name);
    if (found === undefined) throw new Error(`no scenario ${name}`);
    return found;
  };
  const weights = async () =>
    ((await lattice.send(new GetRuleCommand(rule))).action?.forward?.targetGroups ?? []).map((t) => t.weight);
  /** What a scenario printed: the timeline entries it added. */
  const play = async (name: string) => {
    const from = local.aws.timeline.all().length;
    await scenario(name).run(local.aws);
    return local.aws.timeline
      .all()
      .slice(from)
      .map((e) => e.text);
  };

  beforeAll(async () => {
    local = await startSeededLocalAws();
    await seedLatticeDemo(local.clientConfig());
    await local.aws.drain();
    const found = await findLatticeDemoRule(local.clientConfig());
    if (found === undefined) throw new Error('the Lattice demo rule was not seeded');
    rule = {
      serviceIdentifier: found.serviceId,
      listenerIdentifier: found.listenerId,
      ruleIdentifier: found.ruleId,
    };
    lattice = new VPCLatticeClient(local.clientConfig());
  }, 90_000);
  afterAll(async () => {
    lattice?.destroy();
    await local?.aws.close();
  });

  it('are among the scenarios `--scenario all` plays', () => {
    const names = SCENARIOS.map((s) => s.name);

    expect(names).toEqual(expect.arrayContaining(['lattice-rollback', 'lattice-revert']));
  });

  it('lattice-rollback: alice moves web-canary to 80/20, the 5xx alarm fires, the guard restores 100/0 and says why', async () => {
    const told = await play('lattice-rollback');

    expect(await weights()).toEqual([100, 0]);
    expect(told).toContainEqual(
      expect.stringMatching(/UpdateRule on prod-net\/rule\/web\/http\/web-canary by .*alice.* -> KEEP/),
    );
    expect(told).toContainEqual(
      `deployment guard: ${LATTICE_DEMO.routeKey} (${rule.ruleIdentifier}) web-v1 80 / web-v2 20 -> web-v1 100 / web-v2 0 (read back with GetRule): alarm ${LATTICE_DEMO.alarms[0]} went to ALARM: demo: 5xx rate of web-v2 above 5%`,
    );
  });

  it('lattice-revert: bob moves web-canary to 50/50 and meshwarden puts back the last known good 100/0, saying who, what and why', async () => {
    const told = await play('lattice-revert');

    expect(await weights()).toEqual([100, 0]);
    expect(told).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^change control: IAM user bob made UpdateRule on prod-net/rule/web/http/web-canary \\(${rule.ruleIdentifier}\\) to 50/50 -> reverted \\[change-control\\]: IAM user bob may not make UpdateRule .*no allow rule matches.* GetRule shows it back at web-v1 100 / web-v2 0$`,
        ),
      ),
    );
  });

  it('fails loudly when the rule does not end as the scenario says (its alarm still in ALARM: the guard rolls back at open)', async () => {
    // The 5xx alarm stayed in ALARM after the rollback above, so the deployment alice opens is
    // rolled back at once and GetRule never shows the 80/20 the story goes on from.
    await expect(scenario('lattice-rollback').run(local.aws)).rejects.toThrow(
      /^scenario lattice-rollback: GetRule shows prod-net\/rule\/web\/http\/web-canary at web-v1 100 \/ web-v2 0, expected web-v1 80 \/ web-v2 20$/,
    );
    expect(await weights()).toEqual([100, 0]);
  });
});
