/**
 * The commands of the trust model: what people, alarms, attackers and failures do to a
 * governed route, each followed by the checks of the invariants it touches. The model holds
 * only what the test itself did (alarm state, faults, approvals asked); everything checked is
 * read back from the App Mesh API, the bus and Slack.
 *
 * Invariants (README "Guarantees"):
 * - I1 safety first: while the route's alarm is in ALARM, at most one target has weight, and
 *   no target a rollback took weight from during this ALARM has any.
 * - I2 last known good includes meshwarden's own writes: a revert never undoes a rollback.
 * - I3 only a recorded human decision applies a held change: forged decisions change nothing.
 * - I4 no lost change: a revert restores only what the call changed; an approved re-apply
 *   changes only what the held change changed.
 * - I5 nothing escapes judgment: every person's write gets exactly one decision (or sits in
 *   the dead-letter list while faults are on), however often it is delivered.
 * - I6 nothing stuck: once faults clear and the sweep ran, no rollback is left half done.
 * - C1-C3 certificates and trusts (see certificate-commands.ts).
 */
import type { RouteSpec } from '@aws-sdk/client-app-mesh';
import * as fc from 'fast-check';
import { expect } from 'vitest';
import { pressButton } from '../../infra/local/slack/block-actions';
import type { BusEvent } from '../../infra/local/types';
import { certificateCommands } from './certificate-commands';
import {
  type RouteView,
  routeSpec,
  type SequenceRoute,
  type TrustSystem,
  type Weights,
  withWeights,
} from './trust-system';

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** A decision meshwarden asked for: a change bob made that it held, or a deployment's last step. */
export type Held =
  | { readonly approvalId: string; readonly kind: 'weights'; readonly weights: Weights }
  | { readonly approvalId: string; readonly kind: 'tag'; readonly key: string }
  | { readonly approvalId: string; readonly kind: 'gate' };

export interface TrustModel {
  alarm: AlarmState;
  /** Index into the system's events where the current ALARM began. */
  alarmSince: number;
  faults: boolean;
  held: Held[];
  steps: number;
}

export interface TrustReal {
  readonly sys: TrustSystem;
  readonly route: SequenceRoute;
}

type Cmd = fc.AsyncCommand<TrustModel, TrustReal>;

export function initialModel(): TrustModel {
  return { alarm: 'OK', alarmSince: 0, faults: false, held: [], steps: 0 };
}

function nonZero(weights: Weights): string[] {
  return Object.entries(weights)
    .filter(([, w]) => w > 0)
    .map(([n]) => n);
}

/** Targets the rollbacks of this ALARM took weight from. */
function takenFrom(sys: TrustSystem, route: SequenceRoute, since: number): Set<string> {
  const taken = new Set<string>();
  for (const e of sys.about(route, since)) {
    if (e['detail-type'] !== 'DeploymentRolledBack') continue;
    const before = (e.detail.weightsBefore ?? {}) as Weights;
    const after = (e.detail.weightsAfter ?? {}) as Weights;
    for (const [node, weight] of Object.entries(before))
      if (weight > 0 && (after[node] ?? 0) === 0) taken.add(node);
  }
  return taken;
}

function deadLettered(sys: TrustSystem, eventId: string): boolean {
  return sys.local.aws.bus.deadLetters().some((d) => JSON.stringify(d).includes(eventId));
}

/** The invariants every step must leave true, once delivery is done and faults are off. */
export async function checkInvariants(m: TrustModel, r: TrustReal, step: string): Promise<void> {
  if (m.faults) return;
  const { sys, route } = r;
  const view = await sys.read(route);
  if (m.alarm === 'ALARM' && view.exists) {
    expect(
      nonZero(view.weights).length,
      `I1 after ${step}: weights ${JSON.stringify(view.weights)} split while ${route.alarmName} is in ALARM`,
    ).toBeLessThanOrEqual(1);
    for (const node of takenFrom(sys, route, m.alarmSince)) {
      expect(
        view.weights[node] ?? 0,
        `I1 after ${step}: ${node} has weight again while ${route.alarmName} is in ALARM`,
      ).toBe(0);
    }
  }
  for (const write of sys.peoplesWrites(route)) {
    const eventId = String(write.detail.eventID);
    const decisions = sys.decisionsFor(eventId).length;
    if (decisions === 0 && deadLettered(sys, eventId)) continue;
    expect(
      decisions,
      `I5 after ${step}: ${write.detail.eventName} ${eventId} has ${decisions} decisions`,
    ).toBe(1);
  }
}

/** The approvals asked in `events`: held changes made with `make`, deployment gates as they are. */
function heldFrom(events: readonly BusEvent[], make?: (approvalId: string) => Held): Held[] {
  return events.flatMap((e): Held[] => {
    if (e['detail-type'] !== 'ApprovalRequested') return [];
    const approvalId = String(e.detail.approvalId);
    const type = (e.detail.action as { type?: unknown } | undefined)?.type;
    if (type === 'promote-deployment') return [{ approvalId, kind: 'gate' }];
    return type === 'reapply-change' && make !== undefined ? [make(approvalId)] : [];
  });
}

function specWithout(spec: RouteSpec, member: 'retryPolicy' | 'timeout'): RouteSpec {
  const http = spec.httpRoute;
  if (http === undefined) throw new Error('sequence routes are HTTP routes');
  const { [member]: _dropped, ...rest } = http;
  return { ...spec, httpRoute: rest as typeof http };
}

function shiftTo(r: TrustReal, canary: number): Weights {
  return { [r.route.stable]: 100 - canary, [r.route.canary]: canary };
}

/** A person with the right to do so moves weight to the canary. */
class Shift implements Cmd {
  constructor(
    readonly who: 'admin' | 'oidcDeveloper',
    readonly canary: number,
  ) {}
  check = () => true;
  async run(m: TrustModel, r: TrustReal) {
    m.steps += 1;
    const before = await r.sys.read(r.route);
    if (!before.exists || before.spec === undefined) return;
    await r.sys.update(this.who, r.route, withWeights(before.spec, shiftTo(r, this.canary)));
    await r.sys.drain();
    await checkInvariants(m, r, this.toString());
  }
  toString = () =>
    `${this.who === 'admin' ? 'admin' : 'alice'} shifts to ${100 - this.canary}/${this.canary}`;
}

/** alice, allowed to update the route, drops a rule the policy requires: it is reverted, and only that. */
class DropRule implements Cmd {
  constructor(readonly member: 'retryPolicy' | 'timeout') {}
  check = () => true;
  async run(m: TrustModel, r: TrustReal) {
    m.steps += 1;
    const before = await r.sys.read(r.route);
    if (!before.exists || before.spec === undefined) return;
    const ok = await r.sys.update('oidcDeveloper', r.route, specWithout(before.spec, this.member));
    await r.sys.drain();
    if (ok && !m.faults) {
      const after = await r.sys.read(r.route);
      expect(
        after.spec?.httpRoute?.[this.member],
        `I4: alice's removal of ${this.member} was not reverted`,
      ).toBeDefined();
      expect(after.weights, 'I2: the revert of alice’s change moved the weights').toEqual(before.weights);
    }
    await checkInvariants(m, r, this.toString());
  }
  toString = () => `alice drops ${this.member}`;
}

/** alice drops the retry policy and meshwarden dies after reverting it, before publishing. */
class CrashAfterRevert implements Cmd {
  check = (m: Readonly<TrustModel>) => !m.faults;
  async run(m: TrustModel, r: TrustReal) {
    m.steps += 1;
    const before = await r.sys.read(r.route);
    if (!before.exists || before.spec === undefined) return;
    r.sys.failNextPublish();
    const ok = await r.sys.update('oidcDeveloper', r.route, specWithout(before.spec, 'retryPolicy'));
    await r.sys.drain();
    r.sys.setFaults(false);
    if (ok) {
      const after = await r.sys.read(r.route);
      expect(
        after.spec?.httpRoute?.retryPolicy,
        'a revert interrupted before its publish was lost',
      ).toBeDefined();
      expect(after.weights, 'I2: the retried revert moved the weights').toEqual(before.weights);
    }
    await checkInvariants(m, r, this.toString());
  }
  toString = () => 'alice drops retryPolicy; meshwarden dies before publishing';
}

/** The admin sets every weight to zero (consistency.route-has-traffic): reverted. */
class ZeroWeights implements Cmd {
  check = () => true;
  async run(m: TrustModel, r: TrustReal) {
    m.steps += 1;
    const before = await r.sys.read(r.route);
    if (!before.exists || before.spec === undefined) return;
    const ok = await r.sys.update(
      'admin',
      r.route,
      withWeights(before.spec, { [r.route.stable]: 0, [r.route.canary]: 0 }),
    );
    await r.sys.drain();
    if (ok && !m.faults) {
      const after = await r.sys.read(r.route);
      expect(after.weights, 'I4: an all-zero route was not restored to what it was').toEqual(before.weights);
    }
    await checkInvariants(m, r, this.toString());
  }
  toString = () => 'admin sets all weights to 0';
}

/** bob, who may change nothing, shifts weight: reverted and held for approval. */
class BobShift implements Cmd {
  constructor(readonly canary: number) {}
  check = () => true;
  async run(m: TrustModel, r: TrustReal) {
    m.steps += 1;
    const before = await r.sys.read(r.route);
    if (!before.exists || before.spec === undefined) return;
    const from = r.sys.events.length;
    const weights = shiftTo(r, this.canary);
    const ok = await r.sys.update('iamUser', r.route, withWeights(before.spec, weights));
    await r.sys.drain();
    m.held.push(
      ...heldFrom(r.sys.about(r.route, from), (approvalId) => ({ approvalId, kind: 'weights', weights })),
    );
    if (ok && !m.faults) {
      const after = await r.sys.read(r.route);
      expect(after.weights, 'bob’s shift was not reverted').toEqual(before.weights);
    }
    await checkInvariants(m, r, this.toString());
  }
  toString = () => `bob shifts to ${100 - this.canary}/${this.canary}`;
}

/** A tag on the route: the admin's is kept, bob's is held; neither removes the other's. */
class Tag implements Cmd {
  constructor(
    readonly who: 'admin' | 'iamUser',
    readonly key: string,
  ) {}
  check = () => true;
  async run(m: TrustModel, r: TrustReal) {
    m.steps += 1;
    const before = await r.sys.read(r.route);
    if (!before.exists) return;
    const tagsBefore = await r.sys.tags(r.route);
    const from = r.sys.events.length;
    const value = this.who === 'admin' ? 'admin' : 'bob';
    const ok = await r.sys.tag(this.who, r.route, this.key, value);
    await r.sys.drain();
    if (this.who === 'iamUser') {
      m.held.push(
        ...heldFrom(r.sys.about(r.route, from), (approvalId) => ({ approvalId, kind: 'tag', key: this.key })),
      );
    }
    if (ok && !m.faults) {
      const tags = await r.sys.tags(r.route);
      const { [this.key]: _mine, ...others } = tags;
      const { [this.key]: _was, ...othersBefore } = tagsBefore;
      expect(others, 'I4: a tag change touched tags it did not name').toEqual(othersBefore);
      if (this.who === 'admin') expect(tags[this.key]).toBe('admin');
      else expect(tags[this.key], 'bob’s tag was not reverted to what it was').toBe(tagsBefore[this.key]);
    }
    await checkInvariants(m, r, this.toString());
  }
  toString = () => `${this.who === 'admin' ? 'admin' : 'bob'} tags ${this.key}`;
}

/** The route's alarm changes state. */
class Alarm implements Cmd {
  constructor(readonly state: AlarmState) {}
  check = () => true;
  async run(m: TrustModel, r: TrustReal) {
    m.steps += 1;
    const from = r.sys.events.length;
    await r.sys.setAlarm(r.route, this.state);
    if (this.state === 'ALARM' && m.alarm !== 'ALARM') m.alarmSince = from;
    m.alarm = this.state;
    await r.sys.drain();
    await checkInvariants(m, r, this.toString());
  }
  toString = () => `alarm ${this.state}`;
}

/** priya approves the newest held change in Slack, with a signed click. */
class Approve implements Cmd {
  check = (m: Readonly<TrustModel>) => m.held.length > 0;
  async run(m: TrustModel, r: TrustReal) {
    m.steps += 1;
    const held = m.held.pop();
    if (held === undefined) return;
    const { sys } = r;
    const message = sys.local.aws.slack.store
      .messagesIn('C0APPROVALS')
      .messages.find((msg) => JSON.stringify(msg.blocks ?? []).includes(held.approvalId));
    if (message === undefined) return;
    const before = await sys.read(r.route);
    const tagsBefore = await sys.tags(r.route);
    const from = sys.events.length;
    await pressButton(sys.local.aws.slackUrl, {
      channel: 'C0APPROVALS',
      ts: message.ts,
      action_id: 'meshwarden.approve',
      user: 'U0PLATFORM1',
    }).catch(() => undefined);
    await sys.drain();
    // A held change that meets a moved-on resource is asked again.
    m.held.push(...heldFrom(sys.about(r.route, from), (approvalId) => ({ ...held, approvalId })));
    if (!m.faults && before.exists) {
      const after = await sys.read(r.route);
      const rest = (v: RouteView) =>
        JSON.stringify(
          specWithout(specWithout(v.spec ?? routeSpec(0, {}), 'retryPolicy'), 'timeout').httpRoute?.match,
        );
      expect(after.spec?.httpRoute?.retryPolicy, 'I4: the re-apply changed what bob did not').toEqual(
        before.spec?.httpRoute?.retryPolicy,
      );
      expect(after.spec?.httpRoute?.timeout, 'I4: the re-apply changed what bob did not').toEqual(
        before.spec?.httpRoute?.timeout,
      );
      expect(rest(after)).toEqual(rest(before));
      if (held.kind === 'weights') {
        const allowed = [JSON.stringify(before.weights), JSON.stringify(held.weights)];
        if (m.alarm !== 'ALARM') {
          expect(
            allowed,
            `I4: weights ${JSON.stringify(after.weights)} are neither before nor bob’s`,
          ).toContain(JSON.stringify(after.weights));
        }
      } else if (held.kind === 'tag') {
        const tags = await sys.tags(r.route);
        const { [held.key]: _a, ...others } = tags;
        const { [held.key]: _b, ...othersBefore } = tagsBefore;
        expect(others, 'I4: an approved tag change touched other tags').toEqual(othersBefore);
      }
    }
    await checkInvariants(m, r, this.toString());
  }
  toString = () => 'priya approves the newest held change';
}

/** A bake time passes: the scheduler fires the next progressive step (or any other due schedule). */
class BakeTimePasses implements Cmd {
  check = () => true;
  async run(m: TrustModel, r: TrustReal) {
    m.steps += 1;
    const from = r.sys.events.length;
    await r.sys.tick(61);
    m.held.push(...heldFrom(r.sys.about(r.route, from)));
    await checkInvariants(m, r, this.toString());
  }
  toString = () => 'a bake time passes';
}

/** An `ApprovalDecided` nobody decided: from bob, or replayed under meshwarden's own name. */
class ForgeDecision implements Cmd {
  constructor(readonly who: 'iamUser' | 'meshwarden') {}
  check = () => true;
  async run(m: TrustModel, r: TrustReal) {
    m.steps += 1;
    const before = await r.sys.read(r.route);
    if (!before.exists || before.spec === undefined) return;
    const approvalId = m.held[0]?.approvalId ?? `forged-${r.route.seq}-${m.steps}`;
    const accepted = await r.sys.putOnMeshwardenBus(this.who, 'ApprovalDecided', {
      approvalId,
      meshName: r.route.meshName,
      action: {
        type: 'reapply-change',
        resourceKey: r.route.resourceKey,
        operation: 'UpdateRoute',
        proposed: {
          kind: 'route',
          meshName: r.route.meshName,
          parentName: r.route.virtualRouterName,
          name: r.route.routeName,
          spec: withWeights(before.spec, shiftTo(r, 100)),
        },
      },
      decision: 'approved',
      decidedBy: { slackUserId: 'U0PLATFORM1', identity: 'priya' },
      decidedAt: new Date().toISOString(),
    });
    if (this.who === 'iamUser') expect(accepted, 'I3: the bus took source meshwarden from bob').toBe(false);
    await r.sys.drain();
    const after = await r.sys.read(r.route);
    expect(after.version, 'I3: a forged decision wrote the route').toBe(before.version);
    await checkInvariants(m, r, this.toString());
  }
  toString = () => `${this.who === 'iamUser' ? 'bob' : 'a replay as meshwarden'} forges ApprovalDecided`;
}

/** App Mesh throttles every route write, or stops; when it stops, the one-minute sweep runs. */
class Faults implements Cmd {
  constructor(readonly on: boolean) {}
  check = (m: Readonly<TrustModel>) => m.faults !== this.on;
  async run(m: TrustModel, r: TrustReal) {
    m.steps += 1;
    r.sys.setFaults(this.on);
    m.faults = this.on;
    if (!this.on) await r.sys.tick(61);
    await r.sys.drain();
    await checkInvariants(m, r, this.toString());
  }
  toString = () => (this.on ? 'App Mesh throttles route writes' : 'faults clear; a minute passes');
}

/** EventBridge delivers the newest CloudTrail record of the route again. */
class Redeliver implements Cmd {
  check = () => true;
  async run(m: TrustModel, r: TrustReal) {
    m.steps += 1;
    const last = r.sys.peoplesWrites(r.route).at(-1);
    if (last === undefined) return;
    const before = await r.sys.read(r.route);
    r.sys.local.aws.bus.putEntries([
      {
        source: last.source,
        detailType: last['detail-type'],
        detail: last.detail,
        resources: last.resources,
      },
    ]);
    await r.sys.drain();
    const after = await r.sys.read(r.route);
    if (!m.faults) expect(after.version, 'a redelivered record had a second effect').toBe(before.version);
    await checkInvariants(m, r, this.toString());
  }
  toString = () => 'the newest record is delivered again';
}

/** alice replaces the route (delete, then create with other weights), and CloudTrail is late. */
class LateReplace implements Cmd {
  constructor(readonly reversed: boolean) {}
  check = (m: Readonly<TrustModel>) => !m.faults;
  async run(m: TrustModel, r: TrustReal) {
    m.steps += 1;
    const { sys, route } = r;
    const before = await sys.read(route);
    if (!before.exists || before.spec === undefined) return;
    const bus = sys.local.aws.bus;
    const rules = bus.listRules('default').filter((rule) => rule.state !== 'DISABLED');
    for (const rule of rules) bus.setRuleState(rule.name, 'default', 'DISABLED');
    const from = sys.events.length;
    let replaced = false;
    try {
      const alice = sys.mesh('oidcDeveloper');
      const { DeleteRouteCommand, CreateRouteCommand } = await import('@aws-sdk/client-app-mesh');
      await alice.send(new DeleteRouteCommand(sys.names(route)));
      await alice.send(
        new CreateRouteCommand({ ...sys.names(route), spec: withWeights(before.spec, shiftTo(r, 100)) }),
      );
      replaced = true;
    } catch {
      // alice may not be allowed by local AWS to call these at all; then there is nothing late.
    } finally {
      for (const rule of rules) bus.setRuleState(rule.name, 'default', 'ENABLED');
    }
    const late = sys.events.slice(from).filter((e) => e.source === 'aws.appmesh');
    const order = this.reversed ? [...late].reverse() : late;
    bus.putEntries(
      order.map((e) => ({
        source: e.source,
        detailType: e['detail-type'],
        detail: e.detail,
        resources: e.resources,
      })),
    );
    await sys.drain();
    if (replaced) {
      const after = await sys.read(route);
      expect(after.exists, 'I5: a denied replace left the route deleted').toBe(true);
      expect(after.weights, 'I5: a denied replace was not restored').toEqual(before.weights);
    }
    await checkInvariants(m, r, this.toString());
  }
  toString = () => `alice replaces the route; CloudTrail is late${this.reversed ? ' and out of order' : ''}`;
}

const canaryWeight = fc.constantFrom(0, 10, 50, 90, 100);

/** Every command, with the weights of how often each is drawn. */
export const trustCommands: fc.Arbitrary<Cmd>[] = [
  fc
    .tuple(fc.constantFrom<'admin' | 'oidcDeveloper'>('admin', 'oidcDeveloper'), canaryWeight)
    .map(([w, c]) => new Shift(w, c)),
  fc.constantFrom<'retryPolicy' | 'timeout'>('retryPolicy', 'timeout').map((member) => new DropRule(member)),
  fc.constant(new ZeroWeights()),
  fc.constant(new CrashAfterRevert()),
  canaryWeight.map((c) => new BobShift(c)),
  fc
    .tuple(
      fc.constantFrom<'admin' | 'iamUser'>('admin', 'iamUser'),
      fc.constantFrom('owner', 'cost-center', 'team'),
    )
    .map(([w, k]) => new Tag(w, k)),
  fc.constantFrom<AlarmState>('ALARM', 'ALARM', 'OK', 'INSUFFICIENT_DATA').map((s) => new Alarm(s)),
  fc.constant(new Approve()),
  fc.constantFrom<'iamUser' | 'meshwarden'>('iamUser', 'meshwarden').map((w) => new ForgeDecision(w)),
  fc.boolean().map((on) => new Faults(on)),
  fc.constant(new Redeliver()),
  fc.constant(new BakeTimePasses()),
  fc.boolean().map((reversed) => new LateReplace(reversed)),
  // Certificates: rotations, CA rollovers approved or aborted, people changing a node's TLS.
  ...certificateCommands(fc),
];

/** After the last step: faults clear, a minute passes, and nothing is left half done. */
export async function checkSettled(m: TrustModel, r: TrustReal): Promise<void> {
  r.sys.setFaults(false);
  m.faults = false;
  await r.sys.tick(61);
  await checkInvariants(m, r, 'the end of the sequence');
  const status = await r.sys.deploymentStatus(r.route);
  expect(status, 'I6: a rollback is still half done after faults cleared and the sweep ran').not.toBe(
    'rolling-back',
  );
}
