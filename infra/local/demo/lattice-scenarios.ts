import { CloudWatchClient, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import {
  GetRuleCommand,
  ListTargetGroupsCommand,
  UpdateRuleCommand,
  VPCLatticeClient,
} from '@aws-sdk/client-vpc-lattice';
import type { LocalAws } from '../runtime';
import { narrated } from './change-control-scenarios';
import { findLatticeDemoRule, LATTICE_DEMO } from './lattice-seed';
import type { Scenario } from './scenarios';

const RULE_KEY = `${LATTICE_DEMO.serviceNetwork}/rule/${LATTICE_DEMO.service}/${LATTICE_DEMO.listener}/${LATTICE_DEMO.rule}`;

/** Client settings signing as one of the demo identities (by access key id). */
function configAs(aws: LocalAws, accessKeyId: string) {
  const identity = aws.identities.get(accessKeyId);
  if (identity === undefined) throw new Error(`no local identity ${accessKeyId}`);
  return {
    endpoint: aws.endpoint,
    region: aws.region,
    credentials: { accessKeyId, secretAccessKey: identity.secretAccessKey },
  };
}

/** The demo rule's weights in the rule's order, by target group name. */
type NamedWeights = readonly { readonly name: string; readonly id: string; readonly weight: number }[];

/** The demo rule by ids, read as the platform admin; a scenario cannot tell a story without it. */
async function demoRule(aws: LocalAws) {
  const found = await findLatticeDemoRule(configAs(aws, 'test'));
  if (found === undefined)
    throw new Error(`the Lattice demo rule ${LATTICE_DEMO.routeKey} is missing (was the demo seeded?)`);
  return {
    serviceIdentifier: found.serviceId,
    listenerIdentifier: found.listenerId,
    ruleIdentifier: found.ruleId,
  };
}

/** The rule's weights as GetRule shows them now, with target group names for people to read. */
async function readWeights(aws: LocalAws, rule: Awaited<ReturnType<typeof demoRule>>): Promise<NamedWeights> {
  const lattice = new VPCLatticeClient(configAs(aws, 'test'));
  try {
    const [got, groups] = await Promise.all([
      lattice.send(new GetRuleCommand(rule)),
      lattice.send(new ListTargetGroupsCommand({})),
    ]);
    const names = new Map((groups.items ?? []).map((g) => [g.id, g.name]));
    return (got.action?.forward?.targetGroups ?? []).map((t) => ({
      id: t.targetGroupIdentifier ?? '?',
      name: names.get(t.targetGroupIdentifier) ?? t.targetGroupIdentifier ?? '?',
      weight: t.weight ?? 0,
    }));
  } finally {
    lattice.destroy();
  }
}

function formatWeights(weights: NamedWeights): string {
  return weights.map((w) => `${w.name} ${w.weight}`).join(' / ');
}

/** Fail the demo loudly when the rule is not where the scenario says meshwarden put it. */
function expectWeights(scenario: string, actual: NamedWeights, expected: Record<string, number>): void {
  const got = Object.fromEntries(actual.map((w) => [w.name, w.weight]));
  const same =
    Object.keys(got).length === Object.keys(expected).length &&
    Object.entries(expected).every(([name, weight]) => got[name] === weight);
  if (!same)
    throw new Error(
      `scenario ${scenario}: GetRule shows ${RULE_KEY} at ${formatWeights(actual)}, expected ${Object.entries(
        expected,
      )
        .map(([n, w]) => `${n} ${w}`)
        .join(' / ')}`,
    );
}

/** Move the demo rule's weights as `accessKeyId` (UpdateRule with the action only: match and priority stay). */
async function shiftRule(
  aws: LocalAws,
  accessKeyId: string,
  rule: Awaited<ReturnType<typeof demoRule>>,
  weights: NamedWeights,
  byName: Record<string, number>,
): Promise<void> {
  const lattice = new VPCLatticeClient(configAs(aws, accessKeyId));
  try {
    await lattice.send(
      new UpdateRuleCommand({
        ...rule,
        action: {
          forward: {
            targetGroups: weights.map((w) => ({ targetGroupIdentifier: w.id, weight: byName[w.name] ?? 0 })),
          },
        },
      }),
    );
  } finally {
    lattice.destroy();
  }
}

/** The deployment guard and change control on the VPC Lattice demo, told like the App Mesh ones. */
export const LATTICE_SCENARIOS: readonly Scenario[] = [
  {
    name: 'lattice-rollback',
    title: `alice (OIDC, acme/web) shifts Lattice rule ${LATTICE_DEMO.routeKey} to 80/20 (allowed: a deployment opens); ${LATTICE_DEMO.alarms[0]} goes to ALARM; the guard puts 100% back on ${LATTICE_DEMO.stableTargetGroup}`,
    run: async (aws) => {
      const rule = await demoRule(aws);
      const reasons: string[] = [];
      const stop = aws.bus.onActivity((activity) => {
        if (activity.kind !== 'event' || activity.event['detail-type'] !== 'DeploymentRolledBack') return;
        const detail = activity.event.detail as {
          routeKey?: string;
          reason?: { kind?: string; alarmName?: string; stateReason?: string };
        };
        if (detail.routeKey !== LATTICE_DEMO.routeKey) return;
        const reason = detail.reason;
        reasons.push(
          reason?.kind === 'alarm'
            ? `alarm ${reason.alarmName} went to ALARM: ${reason.stateReason}`
            : `rolled back (${reason?.kind ?? 'no reason given'})`,
        );
      });
      let before: NamedWeights;
      try {
        await narrated(aws, async () => {
          const weights = await readWeights(aws, rule);
          await shiftRule(aws, 'dev-oidc', rule, weights, {
            [LATTICE_DEMO.stableTargetGroup]: 80,
            [LATTICE_DEMO.canaryTargetGroup]: 20,
          });
        });
        before = await readWeights(aws, rule);
        expectWeights('lattice-rollback', before, {
          [LATTICE_DEMO.stableTargetGroup]: 80,
          [LATTICE_DEMO.canaryTargetGroup]: 20,
        });
        await new CloudWatchClient(configAs(aws, 'test')).send(
          new SetAlarmStateCommand({
            AlarmName: LATTICE_DEMO.alarms[0],
            StateValue: 'ALARM',
            StateReason: 'demo: 5xx rate of web-v2 above 5%',
          }),
        );
        await aws.drain();
      } finally {
        stop();
      }
      const after = await readWeights(aws, rule);
      expectWeights('lattice-rollback', after, {
        [LATTICE_DEMO.stableTargetGroup]: 100,
        [LATTICE_DEMO.canaryTargetGroup]: 0,
      });
      if (reasons.length !== 1)
        throw new Error(
          `scenario lattice-rollback: expected one DeploymentRolledBack for ${LATTICE_DEMO.routeKey}, saw ${reasons.length}`,
        );
      aws.timeline.note(
        `deployment guard: ${LATTICE_DEMO.routeKey} (${rule.ruleIdentifier}) ${formatWeights(before)} -> ${formatWeights(after)} (read back with GetRule): ${reasons[0]}`,
      );
    },
  },
  {
    name: 'lattice-revert',
    title: `bob (IAM user) shifts Lattice rule ${LATTICE_DEMO.routeKey} to 50/50: no allow rule of ${LATTICE_DEMO.serviceNetwork} covers him, so meshwarden restores the rule's last known good weights`,
    run: async (aws) => {
      const rule = await demoRule(aws);
      const good = await readWeights(aws, rule);
      const decisions: Record<string, unknown>[] = [];
      const stop = aws.bus.onActivity((activity) => {
        if (activity.kind !== 'event' || activity.event['detail-type'] !== 'GovernanceDecision') return;
        const detail = activity.event.detail as Record<string, unknown>;
        if (detail.resourceKey === RULE_KEY) decisions.push(detail);
      });
      try {
        await narrated(aws, () =>
          shiftRule(aws, 'ops-bob', rule, good, {
            [LATTICE_DEMO.stableTargetGroup]: 50,
            [LATTICE_DEMO.canaryTargetGroup]: 50,
          }),
        );
      } finally {
        stop();
      }
      const after = await readWeights(aws, rule);
      expectWeights('lattice-revert', after, Object.fromEntries(good.map((w) => [w.name, w.weight])));
      const decision = decisions.at(-1);
      const principal = decision?.principal as { label?: string } | undefined;
      if (decision?.action !== 'revert' || decision.outcome !== 'applied')
        throw new Error(
          `scenario lattice-revert: expected an applied revert of ${RULE_KEY}, got ${decision === undefined ? 'no decision' : `${String(decision.action)} (${String(decision.outcome)})`}`,
        );
      const ruleIds = Array.isArray(decision.ruleIds) ? decision.ruleIds.join(', ') : '';
      const reasons = Array.isArray(decision.reasons) ? decision.reasons.join('; ') : '';
      aws.timeline.note(
        `change control: ${principal?.label ?? '?'} made UpdateRule on ${RULE_KEY} (${rule.ruleIdentifier}) to 50/50 -> reverted [${ruleIds}]: ${reasons} GetRule shows it back at ${formatWeights(after)}`,
      );
    },
  },
];
